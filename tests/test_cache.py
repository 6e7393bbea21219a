"""The build cache (lintas/cache.py): derived bytes saved between builds, never a different output."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from lintas import cache
from lintas.datasets.catalog import _turtle, catalog_turtle


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("LINTAS_CACHE_DIR", str(tmp_path / "c"))
    return tmp_path / "c" / "derived"


def counting(payload: bytes) -> tuple[list[int], Callable[[], bytes]]:
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        return payload
    return calls, make


def test_an_entry_is_made_once_and_read_back(folder: Path) -> None:
    calls, make = counting(b"turtle")
    assert cache.derived("k", b"key", make) == b"turtle"
    assert cache.derived("k", b"key", make) == b"turtle"
    assert len(calls) == 1
    assert cache.derived("k", b"other key", make) == b"turtle"
    assert cache.derived("other kind", b"key", make) == b"turtle"
    assert len(calls) == 3 and len(list(folder.iterdir())) == 3


@pytest.mark.parametrize("damage", [lambda b: b[:70], lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b""])
def test_a_damaged_entry_is_made_again(folder: Path, damage: Callable[[bytes], bytes]) -> None:
    calls, make = counting(b"the real bytes")
    cache.derived("k", b"key", make)
    (entry,) = folder.iterdir()
    entry.write_bytes(damage(entry.read_bytes()))
    assert cache.derived("k", b"key", make) == b"the real bytes"
    assert len(calls) == 2
    assert cache.derived("k", b"key", make) == b"the real bytes"
    assert len(calls) == 2  # repaired


def test_off_or_shared_folder_computes_every_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls, make = counting(b"x")
    monkeypatch.setenv("LINTAS_CACHE_DIR", "off")
    cache.derived("k", b"key", make)
    cache.derived("k", b"key", make)
    assert len(calls) == 2
    # What is read back is published: never from a folder others can write to.
    shared = tmp_path / "shared"
    (shared / "derived").mkdir(parents=True)
    os.chmod(shared / "derived", 0o777)
    monkeypatch.setenv("LINTAS_CACHE_DIR", str(shared))
    cache.derived("k", b"key", make)
    cache.derived("k", b"key", make)
    assert len(calls) == 4 and list((shared / "derived").iterdir()) == []


def test_the_least_recently_used_entries_go(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_DERIVED", 3)
    for i in range(3):
        cache.derived("k", b"%d" % i, lambda: b"v")
    for i, path in enumerate(sorted(folder.iterdir())):
        os.utime(path, (1000 + i, 1000 + i))
    calls, make = counting(b"v")
    cache.derived("k", b"0", make)  # read back: now the most recent
    cache.derived("k", b"3", make)
    assert len(calls) == 1 and len(list(folder.iterdir())) == 3
    cache.derived("k", b"0", make)
    assert len(calls) == 1  # kept: it was used


def test_the_catalogue_turtle_is_the_same_with_and_without_the_cache(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jsonld = {"@context": {"dct": "http://purl.org/dc/terms/"},
              "@graph": [{"@id": "https://example.org/data/a", "dct:title": "A"}]}
    made = catalog_turtle(jsonld)
    assert catalog_turtle(jsonld) == made == _turtle(json.dumps(jsonld))
    assert len(list(folder.iterdir())) == 1
    monkeypatch.setenv("LINTAS_CACHE_DIR", "off")
    assert catalog_turtle(jsonld) == made
    # A changed catalogue is a new entry, never the old Turtle.
    monkeypatch.setenv("LINTAS_CACHE_DIR", str(folder.parent))
    changed = {**jsonld, "@graph": [{"@id": "https://example.org/data/a", "dct:title": "B"}]}
    assert b'"B"' in catalog_turtle(changed) and b'"A"' not in catalog_turtle(changed)
    assert len(list(folder.iterdir())) == 2


def test_per_text_memo_remembers_texts_up_to_its_limit_only() -> None:
    """The preview's per-text memo (lintas/content/memo.py) stays bounded: a text past MAX_CHARS
    is checked each time, a shorter one once."""
    from lintas.content import memo

    calls: list[str] = []

    @memo.per_text
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    short, long = "a" * memo.MAX_CHARS, "b" * (memo.MAX_CHARS + 1)
    assert [length(short), length(short), length(long), length(long)] == [len(short)] * 2 + [len(long)] * 2
    assert calls == [short, long, long]
    length.cache_clear()
    assert length(short) == len(short) and calls[-1] == short
