"""Verify the published version history of every dataset from the published files alone.

    python -m lintas.datasets.verify site/            # a built site, or a mirror of one

Standard library only, and nothing from the rest of Lintas, so anyone can copy this file and check
a downloaded copy of the site. For each `data/<slug>/changelog.json` it checks that:

1. every released version's `v/<version>/manifest.json` hashes to what the changelog records;
2. every file the manifest lists (unless the version was withdrawn) has that size and SHA-256, and
   `SHA256SUMS` says the same;
3. each manifest's `previous` names the version released just before it, with the SHA-256 of that
   version's manifest, and the first names none (the chain);
4. the changelog's `chain.head` is the newest manifest, and `data/catalog.jsonld` gives each
   version's manifest the same checksum.

Exit 0 when everything holds; otherwise one line per problem and exit 1.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _catalog_checksums(site: Path) -> dict[str, str]:
    """Download URL -> SHA-256, from the DCAT catalogue (JSON-LD as published)."""
    path = site / "data" / "catalog.jsonld"
    if not path.is_file():
        return {}
    nodes = {n["@id"]: n for n in json.loads(path.read_text(encoding="utf-8"))["@graph"]}
    out = {}
    for n in nodes.values():
        url = n.get("dcat:downloadURL", {}).get("@id")
        checksum = nodes.get(n.get("spdx:checksum", {}).get("@id", ""), {})
        if url and checksum:
            out[url] = checksum["spdx:checksumValue"]["@value"]
    return out


def verify_dataset(folder: Path, checksums: dict[str, str]) -> list[str]:
    problems: list[str] = []
    log = json.loads((folder / "changelog.json").read_text(encoding="utf-8"))
    released = [v for v in reversed(log["versions"]) if v.get("path")]  # oldest first
    before: tuple[str, str] | None = None
    for v in released:
        where = folder / v["path"]
        name = f"{folder.name} {v['version']}"
        raw = (where / "manifest.json").read_bytes() if (where / "manifest.json").is_file() else None
        if raw is None:
            problems.append(f"{name}: manifest.json is missing")
            before = None
            continue
        digest = _sha(raw)
        if digest != v["manifest"]["sha256"]:
            problems.append(f"{name}: manifest.json hashes to {digest}, the changelog says "
                            f"{v['manifest']['sha256']}")
        manifest: dict[str, Any] = json.loads(raw)
        prev = manifest["previous"]
        if (prev and (prev["version"], prev["manifest_sha256"])) != (before or None):
            problems.append(f"{name}: the chain is broken (previous: {prev}, expected: {before})")
        sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in sorted(manifest["files"],
                                                                       key=lambda f: f["name"]))
        if not (where / "SHA256SUMS").is_file() or (where / "SHA256SUMS").read_text() != sums:
            problems.append(f"{name}: SHA256SUMS differs from manifest.json")
        if v["status"] != "withdrawn":
            for f in manifest["files"]:
                path = where / f["name"]
                if not path.is_file():
                    problems.append(f"{name}: {f['name']} is missing")
                elif (path.stat().st_size, _sha(path.read_bytes())) != (f["bytes"], f["sha256"]):
                    problems.append(f"{name}: {f['name']} differs from manifest.json")
        url = next((u for u in checksums if u.endswith(f"/data/{folder.name}/{v['path']}manifest.json")),
                   None)
        if checksums and (url is None or checksums[url] != digest):
            problems.append(f"{name}: data/catalog.jsonld does not give manifest.json's checksum")
        before = (v["version"], digest)
    head = log["chain"]["head"]
    if (head and (head["version"], head["manifest_sha256"])) != (before or None):
        problems.append(f"{folder.name}: chain.head is not the newest manifest")
    return problems


def verify_site(site: Path) -> list[str]:
    checksums = _catalog_checksums(site)
    problems: list[str] = []
    for log in sorted((site / "data").glob("*/changelog.json")):
        try:
            problems += verify_dataset(log.parent, checksums)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{log.parent.name}: cannot be read ({exc})")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m lintas.datasets.verify <site folder>\n")
        return 2
    problems = verify_site(Path(args[0]))
    for p in problems:
        sys.stderr.write(p + "\n")
    if not problems:
        sys.stderr.write("verify: every version of every dataset matches its manifest and chain\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
