"""Static assets we ship ourselves (CSS), made small: every byte counts on a weak connection."""

from __future__ import annotations

import re

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SPACE = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([{};,>])\s*")


def minify_css(text: str) -> str:
    """Comments and layout whitespace removed. Only spaces next to { } ; , > go: spaces around ':'
    stay, since '.a :hover' and '.a:hover' are different selectors."""
    text = _COMMENT.sub("", text)
    text = _SPACE.sub(" ", text)
    text = _AROUND.sub(r"\1", text).replace(";}", "}")
    return text.strip() + "\n"
