"""The published version history of a dataset: changelog.json with the hash chain, the stable
URL of every file of every version, and the latest datapackage.json pointing at them.

Frozen files never hold the site's address (they are compared byte for byte with a rebuild);
everything here is made at build time, so it may.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..urls import absolute
from .definition import Dataset, Release
from .releases import MANIFEST, SUMS, WITHDRAWN, Frozen


@dataclass(frozen=True)
class Version:
    """One release note with its frozen folder (None while not released)."""

    note: Release
    frozen: Frozen | None
    current: bool

    @property
    def version(self) -> str:
        return self.note.version

    @property
    def status(self) -> str:
        if self.frozen is None:
            return "unreleased"
        return "withdrawn" if self.frozen.withdrawn else "released"

    @property
    def folder(self) -> str:
        """Site path of the version's folder (and page), under data/<slug>/."""
        return f"v/{self.version}/"


def versions(ds: Dataset, frozen: Sequence[Frozen]) -> list[Version]:
    """Every release note, newest first, with its frozen folder."""
    by_version = {f.version: f for f in frozen}
    notes = ds.definition.releases
    return [Version(r, by_version.get(r.version), i == len(notes) - 1)
            for i, r in reversed(list(enumerate(notes)))]


def version_files(f: Frozen) -> list[str]:
    """Names of the files published in a version's folder: the frozen data files (none once
    withdrawn), then manifest.json, SHA256SUMS and WITHDRAWN.json."""
    data = [] if f.withdrawn else sorted(f.entries)
    return data + [n for n in (MANIFEST, SUMS, WITHDRAWN) if n in f.files]


def versioned_url(base: str, slug: str, version: str, name: str = "") -> str:
    return absolute(base, f"data/{slug}/v/{version}/{name}")


def current_frozen(ds: Dataset, frozen: Sequence[Frozen]) -> Frozen | None:
    """The frozen folder of the version being published, unless withdrawn."""
    f = next((f for f in frozen if f.version == ds.version), None)
    return f if f is not None and f.withdrawn is None else None


def changelog(ds: Dataset, frozen: Sequence[Frozen]) -> dict[str, Any]:
    """changelog.json: every version with its files, checksums and link in the hash chain."""
    entries = []
    for v in versions(ds, frozen):
        f = v.frozen
        entry: dict[str, Any] = {
            "version": v.version, "date": v.note.date.isoformat(),
            "notes": {"id": v.note.notes.id, "en": v.note.notes.get("en")},
            "status": v.status, "current": v.current,
            "path": v.folder if f is not None else None,
        }
        if f is not None:
            entry["manifest"] = {"path": v.folder + MANIFEST, "sha256": f.digest}
            entry["previous"] = (None if f.previous is None else
                                 {"version": f.previous[0], "manifest_sha256": f.previous[1]})
            entry["files"] = [{"name": n, "path": None if f.withdrawn else v.folder + n,
                               "bytes": f.entries[n][1], "sha256": f.entries[n][0]}
                              for n in sorted(f.entries)]
            if f.withdrawn:
                entry["withdrawn"] = {"date": f.withdrawn.date, "reason": f.withdrawn.reason}
        entries.append(entry)
    head = frozen[-1] if frozen else None
    return {
        "name": ds.slug,
        "current": ds.version,
        "chain": {"algorithm": "sha256",
                  "head": None if head is None else {"version": head.version,
                                                     "manifest_sha256": head.digest}},
        "versions": entries,
    }


def latest_datapackage(data: bytes, base: str, ds: Dataset, f: Frozen | None) -> bytes:
    """The datapackage.json published at the stable address: the frozen one, plus the landing
    page and the versioned URL of every file of the version it describes."""
    if f is None:
        return data
    doc = json.loads(data)
    doc["homepage"] = absolute(base, f"data/{ds.slug}/")
    doc.setdefault("x-lintas", {})["version_urls"] = {
        n: versioned_url(base, ds.slug, f.version, n) for n in version_files(f)}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
