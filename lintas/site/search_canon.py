"""Make Pagefind's output reproducible: two builds of the same site give the same bytes.

Pagefind writes its filter indexes from a hash map whose iteration order changes from run to run,
so the filter files (and, through their content-hash names, the language metadata file and
pagefind-entry.json) differ between identical builds. Here each filter file is decoded, its entries
sorted, and everything that names it rewritten. The files are gzip-compressed CBOR behind a
'pagefind_dcd' signature; only the CBOR subset Pagefind uses (integers, strings, arrays, maps,
booleans, null) is handled, and anything else is an error rather than a silent change.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from typing import Any

SIGNATURE = b"pagefind_dcd"


class CanonError(Exception):
    """Pagefind's files are not in the shape this module understands."""


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    if value < 1 << 8:
        return bytes([major << 5 | 24, value])
    if value < 1 << 16:
        return bytes([major << 5 | 25]) + struct.pack(">H", value)
    if value < 1 << 32:
        return bytes([major << 5 | 26]) + struct.pack(">I", value)
    return bytes([major << 5 | 27]) + struct.pack(">Q", value)


def encode(value: Any) -> bytes:
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise CanonError(f"cannot encode {type(value).__name__}")


def decode(data: bytes, i: int = 0) -> tuple[Any, int]:
    first = data[i]
    major, info = first >> 5, first & 31
    i += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise CanonError(f"unsupported CBOR item 0x{first:02x}")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        raw = bytes(data[i:i + arg])
        return (raw if major == 2 else raw.decode("utf-8")), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, i = decode(data, i)
            mapping[key], i = decode(data, i)
        return mapping, i
    if major == 7 and info < 24 and arg in (20, 21, 22):
        return {20: False, 21: True, 22: None}[arg], i
    raise CanonError(f"unsupported CBOR item 0x{first:02x}")


def read(name: str, data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise CanonError(f"{name}: not a Pagefind file")
    value, end = decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise CanonError(f"{name}: trailing bytes")
    return value


def payload(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + encode(value), compresslevel=9, mtime=0)


def _hash(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def canonicalise(files: dict[str, bytes]) -> dict[str, bytes]:
    """A Pagefind bundle ({path: bytes}, as the service returns it) whose bytes depend only on its
    content; the build writes it (write.py), so nothing here touches the disk."""
    out = dict(files)

    def take(name: str) -> bytes:
        if name not in out:
            raise CanonError(f"{name} is missing")
        return out.pop(name)

    entry = json.loads(take("pagefind-entry.json").decode("utf-8"))
    for lang, info in sorted(entry.get("languages", {}).items()):
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = read(meta_name, take(meta_name))
        if not (isinstance(meta, list) and len(meta) >= 4 and isinstance(meta[3], list)):
            raise CanonError(f"{meta_name}: unexpected layout")
        filters = []
        for name, old in meta[3]:
            old_name = f"filter/{old}.pf_filter"
            value = read(old_name, take(old_name))
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], list):
                value = [value[0], sorted(value[1], key=lambda entry: str(entry[0]))]
            data = payload(value)
            new = f"{lang}_{_hash(data, 7)}"
            out[f"filter/{new}.pf_filter"] = data
            filters.append([name, new])
        meta[3] = sorted(filters)
        data = payload(meta)
        new_meta = f"{lang}_{_hash(data, 10)}"
        out[f"pagefind.{new_meta}.pf_meta"] = data
        info["hash"] = new_meta
    out["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, sort_keys=True,
                                            separators=(",", ":")).encode("utf-8")
    return out
