"""Files produced by the publishers, kept in memory until the site is written.

`Outputs` maps a site-relative posix path to bytes. A second write to the same path, an absolute
path or one that climbs out with '..' is refused: it becomes a build problem, not a half-written site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)
# NUL, line breaks and other controls (C0, DEL, C1); Windows also drops trailing dots and spaces.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class OutputError(Exception):
    """An output path is unsafe or written twice."""


def check_dest_path(path: str) -> str:
    p = PurePosixPath(path)
    if (not path or p.is_absolute() or "\\" in path or ".." in p.parts or path != p.as_posix()
            or path == "." or any(_RESERVED.match(part) for part in p.parts)
            or _CONTROL.search(path) or any(part[-1] in ". " for part in p.parts)):
        raise OutputError(f"unsafe output path {path!r}")
    return path


class Outputs(Mapping[str, bytes]):
    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes | str) -> None:
        check_dest_path(path)
        if path in self._files:
            raise OutputError(f"two outputs want the same path {path!r}")
        self._files[path] = data.encode("utf-8") if isinstance(data, str) else data

    def update_from(self, other: Mapping[str, bytes]) -> None:
        for path in sorted(other):
            self.add(path, other[path])

    def __getitem__(self, path: str) -> bytes:
        return self._files[path]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._files))

    def __len__(self) -> int:
        return len(self._files)
