"""What builds derive again and again from the same input, kept between builds in the user's cache.

Two kinds of entry live there: compiled templates (`site/template_cache.py`) and derived bytes
(`derived`): the output of a slow, pure step, found again by a key that covers everything the
output depends on. The cache only saves time: with it gone, off (`LINTAS_CACHE_DIR=off`), damaged
or not writable, every build computes everything, with the same output.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Derived entries kept; past this, the least recently used go (an entry is about 100 KB).
MAX_DERIVED = 64


def cache_dir() -> Path | None:
    """`LINTAS_CACHE_DIR`, else `$XDG_CACHE_HOME/lintas` (default `~/.cache/lintas`); None when off."""
    chosen = os.environ.get("LINTAS_CACHE_DIR", "").strip()
    if chosen.lower() in ("off", "0", "none"):
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "lintas"


def private_folder(name: str) -> Path | None:
    """`name` in the cache folder, made if need be; None when the cache is off or the folder is not
    ours alone (what is read back is trusted: compiled code is run, bytes are published)."""
    base = cache_dir()
    if base is None:
        return None
    folder = base / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
    except OSError:
        return None
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        return None
    return folder


def derived(kind: str, key: bytes, make: Callable[[], bytes]) -> bytes:
    """`make()`, or what it returned before for the same `kind` and `key`.

    The key must cover every input of `make` (the data, the code, the library versions). Each entry
    carries the checksum of its bytes: a damaged or cut-short one is made again."""
    folder = private_folder("derived")
    if folder is None:
        return make()
    path = folder / hashlib.sha256(kind.encode() + b"\0" + key).hexdigest()
    try:
        stored = path.read_bytes()
    except OSError:
        stored = b""
    digest, payload = stored[:64], stored[64:]
    if digest and hashlib.sha256(payload).hexdigest().encode() == digest:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept when older entries go
        return payload
    payload = make()
    _store(folder, path, hashlib.sha256(payload).hexdigest().encode() + payload)
    return payload


def _store(folder: Path, path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (concurrent builds may write the same entry), then
    drop the least recently used entries past MAX_DERIVED. A failure only costs the next build time."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        now, entries = time.time(), []
        for entry in os.scandir(folder):
            mtime = entry.stat().st_mtime
            if not entry.name.startswith("."):
                entries.append((mtime, entry.path))
            elif now - mtime > 3600:  # left by a build killed while writing
                os.unlink(entry.path)
        for _, old in sorted(entries)[:-MAX_DERIVED]:
            os.unlink(old)
    except OSError:
        pass
