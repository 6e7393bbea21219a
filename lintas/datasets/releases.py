"""Append-only, hash-chained releases: releases/<slug>/<version>/.

A version folder holds the frozen files, `manifest.json` and `SHA256SUMS`. The manifest lists every
frozen file with its size and SHA-256, and names the version before it with the SHA-256 of that
version's manifest: the manifests form a hash chain. The release note of the newest version in
data/<slug>.yaml records the SHA-256 of its manifest (`manifest_sha256`, written by `release`), so
the chain is anchored at both ends. `check` and `build` verify all of it on every run:

- a changed or truncated file no longer matches its manifest (`release-changed`), even when
  SHA256SUMS was recomputed (SHA256SUMS must say what the manifest says);
- a rewritten manifest no longer matches the hash the next version (or the release note) records;
- a removed file, version folder or manifest is `release-missing`.

A version is withdrawn only with `build.py withdraw`: its data files are removed, and
`manifest.json`, `SHA256SUMS` and a `WITHDRAWN.json` (date and reason) stay, so the chain and the old
checksums remain verifiable and the site keeps a tombstone page. A `release` killed half-way leaves
only `releases/<slug>/.<version>.tmp/`, which is ignored by `check` and removed by the next release.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.schemas import Text
from ..problems import Problem, Severity
from .definition import SEMVER, Release

if TYPE_CHECKING:
    from ..content.model import Site
    from ..publish.feeds import FeedEntry

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
WITHDRAWN = "WITHDRAWN.json"
SHAPE = "lintas.release/1"
RECORDS = (MANIFEST, SUMS, WITHDRAWN)  # the files of a version folder that are not data
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9._-]+)$")
_HEX = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TMP = re.compile(r"^\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.tmp$")


@dataclass(frozen=True)
class Withdrawal:
    date: str  # YYYY-MM-DD
    reason: str


@dataclass(frozen=True)
class Frozen:
    """One verified version folder."""

    slug: str
    version: str
    files: dict[str, bytes]  # every file in the folder (manifest, SHA256SUMS, WITHDRAWN.json too)
    entries: dict[str, tuple[str, int]]  # frozen file name -> (sha256, bytes), from the manifest
    digest: str  # SHA-256 of manifest.json: this version's link in the chain
    date: str
    previous: tuple[str, str] | None  # (version, manifest sha256) of the version before
    withdrawn: Withdrawal | None = None

    @property
    def data(self) -> dict[str, bytes]:
        """The frozen data files still present (none once withdrawn)."""
        return {n: b for n, b in self.files.items() if n not in RECORDS}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def sums_text(entries: dict[str, tuple[str, int]]) -> bytes:
    """SHA256SUMS (`sha256sum -c` format) of the frozen data files."""
    return "".join(f"{entries[n][0]}  {n}\n" for n in sorted(entries)).encode("ascii")


def _dumps(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def manifest_bytes(slug: str, version: str, date: str, previous: tuple[str, str] | None,
                   files: dict[str, bytes]) -> bytes:
    return _dumps({
        "shape": SHAPE,
        "dataset": slug,
        "version": version,
        "date": date,
        "previous": None if previous is None else {"version": previous[0],
                                                   "manifest_sha256": previous[1]},
        "files": [{"name": n, "bytes": len(files[n]), "sha256": sha256(files[n])}
                  for n in sorted(files)],
    })


def _parse_manifest(raw: bytes, slug: str, version: str
                    ) -> tuple[dict[str, tuple[str, int]], str, tuple[str, str] | None] | str:
    """(entries, date, previous), or what is wrong with it."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"cannot be read as JSON ({exc})"
    if not isinstance(doc, dict) or doc.get("shape") != SHAPE:
        return f"is not a {SHAPE} manifest"
    if doc.get("dataset") != slug or doc.get("version") != version:
        return f"names {doc.get('dataset')} {doc.get('version')}, not {slug} {version}"
    date = doc.get("date")
    if not isinstance(date, str):
        return "has no date"
    prev = doc.get("previous")
    previous = None
    if prev is not None:
        if (not isinstance(prev, dict) or not isinstance(prev.get("version"), str)
                or not SEMVER.match(prev["version"]) or not _HEX.match(str(prev.get("manifest_sha256")))):
            return "has a malformed 'previous'"
        previous = (prev["version"], prev["manifest_sha256"])
    entries: dict[str, tuple[str, int]] = {}
    files = doc.get("files")
    if not isinstance(files, list) or not files:
        return "lists no files"
    for f in files:
        if (not isinstance(f, dict) or not isinstance(f.get("name"), str) or not _NAME.match(f["name"])
                or f["name"] in RECORDS or not _HEX.match(str(f.get("sha256")))
                or not isinstance(f.get("bytes"), int)):
            return f"has a malformed file entry: {json.dumps(f)[:80]}"
        entries[f["name"]] = (f["sha256"], f["bytes"])
    return entries, date, previous


def _withdrawal(raw: bytes) -> Withdrawal | None:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("reason"), str) or not doc["reason"].strip():
        return None
    try:
        dt.date.fromisoformat(str(doc.get("date")))
    except ValueError:
        return None
    return Withdrawal(str(doc["date"]), doc["reason"])


def _read_version(vdir: Path, slug: str, problems: list[Problem]) -> Frozen | None:
    src = f"releases/{slug}/{vdir.name}"
    version = vdir.name
    files = {p.name: p.read_bytes() for p in sorted(vdir.iterdir())
             if p.is_file() and not p.is_symlink()}
    problems.extend(Problem(f"{src}/{p.name}", None, None, "stray-file",
                            "a version folder holds only files")
                    for p in sorted(vdir.iterdir()) if not p.is_file() or p.is_symlink())
    raw = files.get(MANIFEST)
    if raw is None:
        problems.append(Problem(f"{src}/{MANIFEST}", None, None, "release-missing",
                                "the manifest of a released version is missing",
                                hint="restore it from version control"))
        return None
    parsed = _parse_manifest(raw, slug, version)
    if isinstance(parsed, str):
        problems.append(Problem(f"{src}/{MANIFEST}", None, None, "release-changed",
                                f"the manifest {parsed}", hint="restore it from version control"))
        return None
    entries, date, previous = parsed
    withdrawn = None
    if WITHDRAWN in files:
        withdrawn = _withdrawal(files[WITHDRAWN])
        if withdrawn is None:
            problems.append(Problem(f"{src}/{WITHDRAWN}", None, None, "release-changed",
                                    "needs a date (YYYY-MM-DD) and a reason",
                                    hint="withdraw versions with build.py withdraw"))
    problems.extend(Problem(f"{src}/{name}", None, None, "release-changed",
                            f"file is not listed in {MANIFEST}: released versions never gain files")
                    for name in sorted(set(files) - set(RECORDS) - set(entries)))
    for name, (digest, size) in sorted(entries.items()):
        data = files.get(name)
        if data is None:
            if WITHDRAWN not in files:
                problems.append(Problem(f"{src}/{name}", None, None, "release-missing",
                                        "a released file is missing",
                                        hint="restore it from version control (withdraw a version "
                                             "with build.py withdraw)"))
        elif len(data) != size or sha256(data) != digest:
            what = "is truncated" if len(data) < size else "differs"
            problems.append(Problem(f"{src}/{name}", None, None, "release-changed",
                                    f"{what} from {MANIFEST} ({len(data)} bytes, sha256 "
                                    f"{sha256(data)[:12]}…; released: {size} bytes, {digest[:12]}…): "
                                    "released files never change",
                                    hint="restore the file from version control"))
    sums = files.get(SUMS)
    expected = sums_text(entries).decode("ascii").splitlines()
    if sums is None:
        problems.append(Problem(f"{src}/{SUMS}", None, None, "release-missing",
                                f"{SUMS} of a released version is missing",
                                hint="restore it from version control"))
    else:
        lines = sums.decode("ascii", "replace").splitlines()
        for n in range(max(len(lines), len(expected))):
            have = lines[n] if n < len(lines) else ""
            want = expected[n] if n < len(expected) else ""
            if have != want:
                problems.append(Problem(f"{src}/{SUMS}", n + 1, 1, "release-changed",
                                        f"line {n + 1} does not match {MANIFEST}"
                                        + ("" if _SUM_LINE.match(have) or not have else " (malformed)"),
                                        hint="restore it from version control"))
                break
    return Frozen(slug, version, files, entries, sha256(raw), date, previous, withdrawn)


def leftovers(root: Path, slug: str) -> list[Path]:
    """Folders of a `release` that was killed before it finished."""
    folder = root / "releases" / slug
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _TMP.match(p.name))


def read_releases(root: Path, slug: str) -> tuple[list[Frozen], list[Problem]]:
    """Every frozen version of `slug`, oldest first, each verified against its manifest, and the
    chain of manifests verified from the oldest to the newest."""
    problems: list[Problem] = []
    folder = root / "releases" / slug
    if not folder.is_dir():
        return [], problems
    out: list[Frozen] = []
    versions = []
    for p in sorted(folder.iterdir()):
        src = f"releases/{slug}/{p.name}"
        if _TMP.match(p.name):
            continue  # a killed release: removed by the next one, never published
        if not p.is_dir() or p.is_symlink() or not SEMVER.match(p.name):
            problems.append(Problem(src, None, None, "stray-file",
                                    "releases/<slug>/ holds only version folders like 1.0.0"))
            continue
        versions.append(p)
    for vdir in sorted(versions, key=lambda p: version_key(p.name)):
        frozen = _read_version(vdir, slug, problems)
        if frozen is not None:
            out.append(frozen)
    names = [v.name for v in sorted(versions, key=lambda p: version_key(p.name))]
    by_version = {f.version: f for f in out}
    for i, name in enumerate(names):
        f = by_version.get(name)
        if f is None:
            continue
        before = names[i - 1] if i else None
        src = f"releases/{slug}/{name}/{MANIFEST}"
        if f.previous is None:
            if before is not None:
                problems.append(Problem(src, None, None, "release-changed",
                                        f"the chain is broken: version {name} names no previous "
                                        f"version, but {before} was released before it"))
            continue
        prev_version, prev_digest = f.previous
        if prev_version != before:
            if prev_version not in names:
                problems.append(Problem(f"releases/{slug}/{prev_version}", None, None, "release-missing",
                                        f"version {prev_version} is missing: the manifest of {name} "
                                        "names it as the version before",
                                        hint="restore it from version control (released versions are "
                                             "never deleted; see build.py withdraw)"))
            else:
                problems.append(Problem(src, None, None, "release-changed",
                                        f"the chain is broken: version {name} names {prev_version} as "
                                        f"the version before, not {before}"))
            continue
        prev = by_version.get(prev_version)
        if prev is not None and prev.digest != prev_digest:
            problems.append(Problem(f"releases/{slug}/{prev_version}/{MANIFEST}", None, None,
                                    "release-changed",
                                    f"the chain is broken: this manifest hashes to {prev.digest[:12]}…, "
                                    f"but version {name} records {prev_digest[:12]}…",
                                    hint="restore releases/ from version control"))
    return out, problems


def check_notes(frozen: Sequence[Frozen], releases: Sequence[Release], src_path: str,
                where: Callable[[int, str], tuple[int, int]]) -> list[Problem]:
    """The release notes of data/<slug>.yaml against the frozen versions: every note but the
    newest is released, every released version keeps its note, and each note of a released
    version records its manifest's hash. `where(i, field)` is the (line, col) of a note's field."""
    problems: list[Problem] = []
    by_version = {f.version: f for f in frozen}
    noted = {r.version for r in releases}
    slug = src_path.removeprefix("data/").removesuffix(".yaml")
    for i, note in enumerate(releases):
        f = by_version.get(note.version)
        folder = f"releases/{slug}/{note.version}/"
        if f is None:
            if note.manifest_sha256:
                problems.append(Problem(src_path, *where(i, "manifest_sha256"), "release-missing",
                                        f"version {note.version} was released, but {folder} is missing",
                                        hint="restore it from version control (released versions are "
                                             "never deleted; see build.py withdraw)"))
            elif i < len(releases) - 1:
                problems.append(Problem(src_path, *where(i, "version"), "release-missing",
                                        f"version {note.version} has a newer note after it, but "
                                        f"{folder} does not exist",
                                        hint=f"run build.py release {slug} before adding the next note"))
        elif not note.manifest_sha256:
            problems.append(Problem(src_path, *where(i, "version"), "missing-field",
                                    f"version {note.version} is released: its note needs "
                                    f"'manifest_sha256: {f.digest}'",
                                    hint=f"run build.py release {slug} again to record it"))
        elif note.manifest_sha256 != f.digest:
            problems.append(Problem(src_path, *where(i, "manifest_sha256"), "release-changed",
                                    f"{folder}{MANIFEST} hashes to {f.digest[:12]}…, but the release "
                                    f"note records {note.manifest_sha256[:12]}…",
                                    hint="restore releases/ from version control"))
    problems.extend(Problem(src_path, None, None, "release-changed",
                            f"version {f.version} is released, but its release note was removed"
                            " (notes of released versions stay)")
                    for f in frozen if f.version not in noted)
    return problems


def compare_current(frozen: Frozen, current: dict[str, bytes], src_path: str) -> list[Problem]:
    """The rebuilt files of a released version must equal the frozen ones, byte for byte."""
    if frozen.withdrawn is not None:
        return [Problem(src_path, None, None, "release-changed",
                        f"version {frozen.version} was withdrawn ({frozen.withdrawn.reason})",
                        hint="add a release note with a new version")]
    changed = sorted(n for n in set(current) | set(frozen.entries)
                     if n not in frozen.entries or sha256(current.get(n, b"")) != frozen.entries[n][0]
                     or n not in current)
    if not changed:
        return []
    return [Problem(src_path, None, None, "release-changed",
                    f"version {frozen.version} is released, but rebuilding it changes "
                    f"{', '.join(changed)}",
                    hint="add a release note with a new version (e.g. a PATCH for a correction)")]


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def remove_leftovers(root: Path, slug: str) -> None:
    for tmp in leftovers(root, slug):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp)
        else:
            tmp.unlink()


def freeze(root: Path, slug: str, version: str, date: str, files: dict[str, bytes],
           frozen: Sequence[Frozen]) -> tuple[str, list[Problem]]:
    """Write releases/<slug>/<version>/ (files, manifest chained to the newest frozen version,
    SHA256SUMS) through a temporary folder renamed at the end; the manifest's SHA-256."""
    folder = root / "releases" / slug / version
    src = f"releases/{slug}/{version}"
    newer = [f.version for f in frozen if version_key(f.version) >= version_key(version)]
    if newer:
        return "", [Problem(src, None, None, "release-changed",
                            f"version {newer[-1]} is already released",
                            hint=f"add a release note with a new version to data/{slug}.yaml")]
    remove_leftovers(root, slug)
    previous = (frozen[-1].version, frozen[-1].digest) if frozen else None
    manifest = manifest_bytes(slug, version, date, previous, files)
    entries = {n: (sha256(b), len(b)) for n, b in files.items()}
    tmp = folder.with_name(f".{version}.tmp")
    tmp.mkdir(parents=True)
    for name, data in sorted(files.items()):
        _write(tmp / name, data)
    _write(tmp / SUMS, sums_text(entries))
    _write(tmp / MANIFEST, manifest)
    tmp.rename(folder)
    return sha256(manifest), []


def withdraw(root: Path, frozen: Frozen, date: dt.date, reason: str) -> None:
    """Keep the version's manifest and SHA256SUMS with a WITHDRAWN.json; remove its data files.
    The record is written first, so a withdrawal killed half-way is finished by running it again."""
    folder = root / "releases" / frozen.slug / frozen.version
    if frozen.withdrawn is None:
        tmp = folder / f".{WITHDRAWN}.tmp"
        _write(tmp, _dumps({"version": frozen.version, "date": date.isoformat(), "reason": reason}))
        tmp.rename(folder / WITHDRAWN)
    for name in frozen.data:
        (folder / name).unlink(missing_ok=True)


def record_anchor(path: Path, text: str, line: int, col: int, digest: str) -> bool:
    """Write `manifest_sha256: <digest>` into a block-style release note whose `version:` key
    stands at (line, col); False when the note is written in another style."""
    lines = text.split("\n")
    here = lines[line - 1]
    if not here[col - 1:].startswith("version:") or "{" in here[:col - 1]:
        return False
    lines.insert(line, " " * (col - 1) + f"manifest_sha256: {digest}")
    tmp = path.with_name(f".{path.name}.tmp")
    _write(tmp, "\n".join(lines).encode("utf-8"))
    tmp.replace(path)
    return True


def warn_leftovers(root: Path, slug: str) -> list[Problem]:
    return [Problem(f"releases/{slug}/{p.name}", None, None, "stray-file",
                    "left by a release that did not finish; the next release removes it",
                    severity=Severity.WARNING) for p in leftovers(root, slug)]


def verify(root: Path, slug: str, releases: Sequence[Release], src_path: str,
           where: Callable[[int, str], tuple[int, int]]) -> list[Problem]:
    """Everything `check` verifies about a dataset's released versions."""
    frozen, problems = read_releases(root, slug)
    return [*problems, *check_notes(frozen, releases, src_path, where), *warn_leftovers(root, slug)]


def release_entries(site: Site) -> list[FeedEntry]:
    """One feed entry per release note of every dataset (stable key: slug and version)."""
    from ..publish.feeds import FeedEntry  # here: `check` loads this module, and needs no feeds

    return [FeedEntry(key=f"datasets/{ds.slug}/{rel.version}",
                      title=Text(id=f"{ds.title.id} {rel.version}", en=f"{ds.title.get('en')} {rel.version}"),
                      summary=rel.notes, path=f"data/{ds.slug}/", updated=rel.date)
            for ds in site.datasets for rel in ds.definition.releases]


def orphan_releases(root: Path) -> list[Problem]:
    """Released versions of a dataset whose definition data/<slug>.yaml was removed: history is
    append-only, so a published dataset keeps its definition (and its notes)."""
    folder = root / "releases"
    if not folder.is_dir():
        return []
    return [Problem(f"releases/{p.name}", None, None, "release-missing",
                    f"data/{p.name}.yaml is missing, but {p.name} has released versions",
                    hint="restore the definition from version control")
            for p in sorted(folder.iterdir())
            if p.is_dir() and not p.name.startswith(".") and any(p.iterdir())
            and not (root / "data" / f"{p.name}.yaml").is_file()]
