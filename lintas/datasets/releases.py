"""Immutable releases: releases/<slug>/<version>/ holds the frozen files and a SHA256SUMS.

`release_dataset` freezes the current outputs under the version of the definition's last release
note. Every build re-reads every frozen version, checks it against its SHA256SUMS, and, when the
current definition still carries a released version, checks that the rebuilt files are identical:
a changed byte in either place fails the build (bump the version and add a release note instead).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..content.model import Site
from ..content.schemas import Text
from ..problems import Problem
from ..publish.feeds import FeedEntry
from .definition import SEMVER

SUMS = "SHA256SUMS"
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9._-]+)$")


@dataclass(frozen=True)
class Frozen:
    slug: str
    version: str
    files: dict[str, bytes]  # name -> bytes, SHA256SUMS included


def sums_text(files: dict[str, bytes]) -> bytes:
    lines = [f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files) if n != SUMS]
    return "".join(lines).encode("ascii")


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def read_releases(root: Path, slug: str) -> tuple[list[Frozen], list[Problem]]:
    """Every frozen version of `slug`, verified against its SHA256SUMS."""
    problems: list[Problem] = []
    folder = root / "releases" / slug
    if not folder.is_dir():
        return [], problems
    out = []
    versions = [p for p in folder.iterdir() if not p.name.startswith(".")]
    for vdir in sorted(versions, key=lambda p: _version_key(p.name) if SEMVER.match(p.name) else (-1,)):
        src = f"releases/{slug}/{vdir.name}"
        if not vdir.is_dir() or not SEMVER.match(vdir.name) or vdir.is_symlink():
            problems.append(Problem(src, None, None, "stray-file",
                                    "releases/<slug>/ holds only version folders like 1.0.0"))
            continue
        files = {p.name: p.read_bytes() for p in sorted(vdir.iterdir())
                 if p.is_file() and not p.is_symlink()}
        sums = files.get(SUMS)
        if sums is None:
            problems.append(Problem(src, None, None, "release-changed", f"{SUMS} is missing"))
            continue
        listed: dict[str, str] = {}
        for n, line in enumerate(sums.decode("ascii", "replace").splitlines(), start=1):
            m = _SUM_LINE.match(line)
            if not m:
                problems.append(Problem(f"{src}/{SUMS}", n, 1, "release-changed", "malformed line"))
                continue
            listed[m.group(2)] = m.group(1)
        for name in sorted(set(files) - {SUMS} | set(listed)):
            if name not in files:
                problems.append(Problem(f"{src}/{name}", None, None, "release-changed",
                                        "a released file is missing"))
            elif name not in listed:
                problems.append(Problem(f"{src}/{name}", None, None, "release-changed",
                                        f"file is not listed in {SUMS}: released versions never gain files"))
            elif hashlib.sha256(files[name]).hexdigest() != listed[name]:
                problems.append(Problem(f"{src}/{name}", None, None, "release-changed",
                                        f"bytes differ from {SUMS}: released files never change",
                                        hint="restore the file from version control"))
        out.append(Frozen(slug, vdir.name, files))
    return out, problems


def compare_current(frozen: Frozen, current: dict[str, bytes], src_path: str) -> list[Problem]:
    """The rebuilt files of a released version must equal the frozen ones, byte for byte."""
    changed = sorted(n for n in set(current) | (set(frozen.files) - {SUMS})
                     if current.get(n) != frozen.files.get(n))
    if not changed:
        return []
    return [Problem(src_path, None, None, "release-changed",
                    f"version {frozen.version} is released, but rebuilding it changes "
                    f"{', '.join(changed)}",
                    hint="add a release note with a new version (e.g. a PATCH for a correction)")]


def freeze(root: Path, slug: str, version: str, files: dict[str, bytes]) -> list[Problem]:
    folder = root / "releases" / slug / version
    src = f"releases/{slug}/{version}"
    if folder.exists():
        return [Problem(src, None, None, "release-changed",
                        f"version {version} is already released",
                        hint=f"add a release note with a new version to data/{slug}.yaml")]
    tmp = folder.with_name(f".{version}.tmp")
    tmp.mkdir(parents=True, exist_ok=False)
    for name, data in sorted(files.items()):
        (tmp / name).write_bytes(data)
    (tmp / SUMS).write_bytes(sums_text(files))
    tmp.rename(folder)
    return []


def release_entries(site: Site) -> list[FeedEntry]:
    """One feed entry per release note of every dataset (stable key: slug and version)."""
    return [FeedEntry(key=f"datasets/{ds.slug}/{rel.version}",
                      title=Text(id=f"{ds.title.id} {rel.version}", en=f"{ds.title.get('en')} {rel.version}"),
                      summary=rel.notes, path=f"data/{ds.slug}/", updated=rel.date)
            for ds in site.datasets for rel in ds.definition.releases]
