"""Scan published files for values that look like a passport number or a 16-digit NIK.

The definitions already keep identifying columns out; this is the second, independent line: any
output that contains such a value fails the build. Spreadsheets and zips are opened and their text
scanned (not their XML markup, whose cell references like 'A1048576' would look like passports).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping

# Indonesian passports: one or two capital letters and 6-8 digits (e.g. 'B1234567'); NIK: 16 digits.
PASSPORT = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}[0-9]{6,8}(?![A-Za-z0-9])")
NIK = re.compile(r"(?<![0-9A-Za-z])[0-9]{16}(?![0-9A-Za-z])")
_XML_TEXT = re.compile(r"<(?:t|v)(?:\s[^>]*)?>([^<]*)</(?:t|v)>")


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    if name.endswith((".xlsx", ".zip")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for member in sorted(zf.namelist()):
                    inner = zf.read(member)
                    if name.endswith(".xlsx"):
                        if member.endswith(".xml") and ("sharedStrings" in member or "worksheets" in member
                                                        or "docProps" in member):
                            text = inner.decode("utf-8", "replace")
                            yield f"{name}!{member}", "\n".join(_XML_TEXT.findall(text))
                    else:
                        yield from _texts(f"{name}!{member}", inner)
        except zipfile.BadZipFile:
            yield name, data.decode("utf-8", "replace")
        return
    yield name, data.decode("utf-8", "replace")


def scan(files: Mapping[str, bytes]) -> list[tuple[str, str, str]]:
    """(file, kind, masked value) for every passport- or NIK-like value found."""
    found = []
    for path in sorted(files):
        for where, text in _texts(path, files[path]):
            for kind, pattern in (("passport", PASSPORT), ("NIK", NIK)):
                for match in pattern.finditer(text):
                    value = match.group(0)
                    found.append((where, kind, value[:2] + "*" * (len(value) - 2)))
    return found
