"""Plain text made safe for every place a page shows it: HTML text, quoted attributes and Markdown.

Generated pages are Markdown with HTML parts, and some parts sit inside `markdown="1"` blocks, so
escaping `<`, `&` and quotes is not enough: `[x](javascript:...)` in a name would become a live
link. `plain` also writes the characters Markdown gives a meaning to as numeric character
references (which Markdown leaves alone and browsers show as the character), and joins lines, so a
plain text can neither open nor end a block. Only Markdown fields are Markdown (docs/security.md).
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

# Inline Markdown anywhere in a line: emphasis, code, links and images, attribute lists, tables,
# escapes; plus what markupsafe escapes for HTML. ('_' is left: Markdown ignores it inside words,
# so URLs and codes stay readable, and emphasis alone can neither run nor load anything.)
_INLINE = str.maketrans({**{c: f"&#{ord(c)};" for c in "\\`*[]{}|\"'"},
                        "&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Block Markdown at the start of a line: headings, lists, quotes, setext lines, admonitions.
_LINE_START = re.compile(r"^(?:(#)|([-+])(?=\s|$)|(=)+\s*$|(!)!!|\d+([.)])(?=\s|$))")
_BREAKS = re.compile(r"\s*[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*")


def plain(text: Any) -> Markup:
    """`text` as it should read, safe in HTML text, in a quoted attribute and in Markdown."""
    if isinstance(text, Markup):
        return text
    value = _BREAKS.sub(" ", str(text)).lstrip()
    value = value.translate(_INLINE)
    match = _LINE_START.match(value)
    if match:  # write the one character that makes the block as a reference
        group = next(g for g in range(1, 6) if match.group(g) is not None)
        at = match.start(group)
        value = value[:at] + f"&#{ord(value[at])};" + value[at + 1:]
    return Markup(value)


def finalize(value: Any) -> Any:
    """Jinja's `finalize` for templates whose output lands in Markdown: every plain string printed
    by `{{ ... }}` goes through `plain`; markup made on purpose (Markup) is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return plain(value)
    return value


def single_line(text: str) -> str:
    """Whitespace runs (line breaks included) as one space: for values written into one line."""
    return " ".join(text.split())


__all__ = ["escape", "finalize", "plain", "single_line"]
