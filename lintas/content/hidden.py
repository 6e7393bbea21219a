"""Hidden and look-alike characters: text that reads the same but is not the same.

Bidi controls and line separators are refused by the YAML loader (`encoding`). What remains here
are characters that show nothing (zero-width spaces and joiners, word joiner, a byte-order mark
inside text, soft hyphen, tag characters, Hangul fillers, invisible operators...): an error in ids,
names, titles, terms and codes, where they make two different things look the same, and a warning
in prose, always with the exact position and the code point. Glossary terms and dataset codes are
also compared after NFKC normalisation and confusable folding (`fold`), so `WN\u200bA` or a
Cyrillic `WNА` next to `WNA` is a duplicate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

HIDDEN = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2064"
    "\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
# Keys whose text names or identifies something (a hidden character there is an error).
NAME_KEYS = frozenset({"term", "abbreviation", "expansion", "short_name", "code", "name", "title",
                       "label", "publisher"})

# Letters of other scripts that look like Latin ones (the common part of Unicode's confusables).
_CONFUSABLE = str.maketrans({
    **dict(zip("АВЕКМНОРСТХУІЈЅаеорсухіјѕԁһӏ", "ABEKMHOPCTXYIJSaeopcyxijsdhl", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοναρτυικ", "ABEZHIKMNOPTYXovapruik", strict=True)),
})


def fold(text: str) -> str:
    """The form two texts are compared in: hidden characters dropped, NFKC, look-alikes folded."""
    return unicodedata.normalize("NFKC", HIDDEN.sub("", text)).translate(_CONFUSABLE).casefold()


def describe(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def is_name(loc: tuple[Any, ...]) -> bool:
    return any(isinstance(part, str) and part in NAME_KEYS for part in loc[-2:])


def hidden_in(strings: Iterable[tuple[tuple[Any, ...], str]]) -> Iterator[tuple[tuple[Any, ...], int, str, bool]]:
    """(loc, offset, code point description, in a name) for every hidden character."""
    for loc, text in strings:
        for match in HIDDEN.finditer(text):
            if match.group() == "\ufeff" and match.start() == 0:
                continue  # a byte-order mark at the very start is the loader's business
            yield loc, match.start(), describe(match.group()), is_name(loc)
