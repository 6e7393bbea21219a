"""Hidden and look-alike characters: text that reads the same but is not the same.

Bidi controls and line separators are refused by the YAML loader (`encoding`). What remains here
are characters that show nothing (zero-width spaces and joiners, word joiner, a byte-order mark
inside text, soft hyphen, tag characters, Hangul fillers, invisible operators...): an error in ids,
names, titles, terms and codes, where they make two different things look the same, and a warning
in prose, always with the exact position and the code point. Glossary terms and dataset codes are
also compared after NFKC normalisation and the UTS #39 confusable skeleton, from Unicode's own
confusables data (`fold_keys`, `alike`), so `WN\u200bA`, a Cyrillic `WNА`, a Greek `WΝA`, a
Cherokee `ᎳNA` or a mathematical bold `𝐖𝐍𝐀` next to `WNA` is a duplicate.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any

HIDDEN = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2064"
    "\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
# Keys whose text names or identifies something (a hidden character there is an error).
NAME_KEYS = frozenset({"term", "abbreviation", "expansion", "short_name", "code", "name", "title",
                       "label", "publisher"})

# Look-alike characters come from Unicode's confusables data (UTS #39, confusables.txt), as shipped
# by the confusable_homoglyphs package: each entry pairs a character with its prototype. The package
# keeps the pairs both ways round, so the prototype of each group is taken back: the multi-character
# sequence when there is one ('m' looks like 'rn'), else the group's most connected member (the
# one every other member was mapped to), ties to the lowest code point.
_MARKS = "\u200e\u200f"  # the data file wraps right-to-left characters in direction marks


@functools.cache
def _prototypes() -> dict[str, str]:
    data = json.loads((resources.files("confusable_homoglyphs") / "confusables.json")
                      .read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    degree: dict[str, int] = {}
    for char, alikes in data.items():
        a = char.strip(_MARKS)
        for entry in alikes:
            b = str(entry["c"]).strip(_MARKS)
            if a and b and a != b:
                parent[find(a)] = find(b)
                degree[a] = degree.get(a, 0) + 1
                degree[b] = degree.get(b, 0) + 1
    groups: dict[str, list[str]] = {}
    for member in parent:
        groups.setdefault(find(member), []).append(member)
    table: dict[str, str] = {}
    for members in groups.values():
        longer = [m for m in members if len(m) > 1]
        prototype = min(longer) if longer else min(members, key=lambda m: (-degree.get(m, 0), ord(m)))
        table.update({m: prototype for m in members if len(m) == 1 and m != prototype})
    # A sequence prototype may hold characters that have prototypes of their own ('2l日'): fold
    # those too, so that the skeleton of a skeleton is itself.
    return {c: "".join(table.get(p, p) for p in unicodedata.normalize("NFD", v)) for c, v in table.items()}


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, every character replaced by its prototype, NFD again."""
    table = _prototypes()
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text)))


def fold_keys(text: str) -> tuple[str, str]:
    """The forms two texts are compared in, after dropping hidden characters and NFKC: the skeleton
    then case folding (a Greek capital Nu reads as N), and case folding then the skeleton (`wni`
    reads as `WNI`). Two texts that share either key read the same."""
    plain = unicodedata.normalize("NFKC", HIDDEN.sub("", text))
    return skeleton(skeleton(plain).casefold()), skeleton(plain.casefold())


def fold(text: str) -> str:
    """One comparison form (case folding then skeleton); `alike` uses both of `fold_keys`."""
    return fold_keys(text)[1]


def alike(texts: Iterable[str]) -> list[list[int]]:
    """Groups (indexes into `texts`, in order) of two or more texts that read the same."""
    parent: list[int] = []
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        parent.append(i)
        for key in fold_keys(text):
            j = first.setdefault(key, i)
            root_i, root_j = _root(parent, i), _root(parent, j)
            if root_i != root_j:
                parent[max(root_i, root_j)] = min(root_i, root_j)
    groups: dict[int, list[int]] = {}
    for i in range(len(parent)):
        groups.setdefault(_root(parent, i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


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
