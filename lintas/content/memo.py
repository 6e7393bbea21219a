"""Per-text memos for the checks that `check` runs on every text again after each preview edit.

A check of one text that depends on the text alone (the allowlist check of a Markdown field, its
cost limits, the typed times and fees in it) is remembered, least recently used first out, for
texts up to MAX_CHARS: the memo stays bounded (ENTRIES x MAX_CHARS characters) whatever the
content. Longer texts are rare and are checked each time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, TypeVar

MAX_CHARS = 4096
ENTRIES = 16384

T = TypeVar("T")


class TextMemo(Generic[T]):
    def __init__(self, check: Callable[[str], T]) -> None:
        self.check = check
        self.cached = functools.lru_cache(maxsize=ENTRIES)(check)
        functools.update_wrapper(self, check)

    def __call__(self, text: str) -> T:
        return self.cached(text) if len(text) <= MAX_CHARS else self.check(text)

    def cache_clear(self) -> None:
        self.cached.cache_clear()


def per_text(check: Callable[[str], T]) -> TextMemo[T]:
    """`check`, remembered per text (see the module docstring)."""
    return TextMemo(check)
