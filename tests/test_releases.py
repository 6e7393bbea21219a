"""Released versions are append-only and tamper-evident (hash chain), and a killed release never
blocks the next one. Every attack is made on a project with two released versions of one dataset."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import unrelease

from lintas.config import BuildConfig
from lintas.datasets import releases as rel
from lintas.pipeline import check, release_dataset

ROOT = Path(__file__).resolve().parent.parent
SLUG = "crossings-wini-annual"
OLD = f"releases/{SLUG}/1.0.0"
NEW = f"releases/{SLUG}/1.0.1"
NOTE = ("  - version: 1.0.1\n    date: 2025-11-21\n"
        "    notes: {id: Koreksi metadata., en: Metadata correction.}\n")


def errors(root: Path) -> list[str]:
    _, problems = check(BuildConfig.for_root(root))
    return [p.format() for p in problems if p.severity == "error"]


def add_note(root: Path, note: str = NOTE) -> None:
    path = root / f"data/{SLUG}.yaml"
    path.write_text(path.read_text() + note)


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with releases 1.0.0 and 1.0.1 of the Wini table, made by `release`."""
    root = tmp_path_factory.mktemp("chained")
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, root / name)
    unrelease(root)
    assert release_dataset(root, SLUG) == ("1.0.0", [])
    add_note(root)
    assert release_dataset(root, SLUG) == ("1.0.1", [])
    assert errors(root) == []
    return root


@pytest.fixture
def project(chained: Path, tmp_path: Path) -> Path:
    for name in ("content", "data", "templates", "releases"):
        shutil.copytree(chained / name, tmp_path / name)
    return tmp_path


def test_each_manifest_records_the_hash_of_the_version_before(chained: Path):
    old = (chained / OLD / "manifest.json").read_bytes()
    new = json.loads((chained / NEW / "manifest.json").read_text())
    assert new["previous"] == {"version": "1.0.0", "manifest_sha256": hashlib.sha256(old).hexdigest()}
    assert json.loads(old)["previous"] is None
    for entry in new["files"]:
        data = (chained / NEW / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    # the release note of each version records its manifest's hash
    text = (chained / f"data/{SLUG}.yaml").read_text()
    for folder in (OLD, NEW):
        digest = hashlib.sha256((chained / folder / "manifest.json").read_bytes()).hexdigest()
        assert f"manifest_sha256: {digest}" in text
    # SHA256SUMS works with sha256sum -c
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=chained / NEW, capture_output=True)
    assert proc.returncode == 0, proc.stdout


def test_edited_old_release_fails_even_with_recomputed_sums(project: Path):
    path = project / OLD / f"{SLUG}.csv"
    path.write_bytes(path.read_bytes().replace(b"9566", b"9565"))
    # the attacker recomputes SHA256SUMS, as `sha256sum * > SHA256SUMS` would
    entries = {p.name: (rel.sha256(p.read_bytes()), p.stat().st_size)
               for p in (project / OLD).iterdir() if p.name not in rel.RECORDS}
    (project / OLD / "SHA256SUMS").write_bytes(rel.sums_text(entries))
    found = errors(project)
    assert f"{OLD}/{SLUG}.csv: error[release-changed]: differs from manifest.json" in "\n".join(found)
    assert any(p.startswith(f"{OLD}/SHA256SUMS:1:1: error[release-changed]") for p in found), found


def test_edited_old_release_with_rewritten_manifest_breaks_the_chain(project: Path):
    path = project / OLD / f"{SLUG}.csv"
    path.write_bytes(path.read_bytes().replace(b"9566", b"9565"))
    files = {p.name: p.read_bytes() for p in (project / OLD).iterdir() if p.name not in rel.RECORDS}
    (project / OLD / "manifest.json").write_bytes(rel.manifest_bytes(SLUG, "1.0.0", "2025-11-20", None, files))
    entries = {n: (rel.sha256(b), len(b)) for n, b in files.items()}
    (project / OLD / "SHA256SUMS").write_bytes(rel.sums_text(entries))
    found = errors(project)
    assert len(found) == 2, found
    assert found[0].startswith(f"data/{SLUG}.yaml:") and "error[release-changed]" in found[0]
    assert found[1].startswith(f"{OLD}/manifest.json: error[release-changed]: the chain is broken")


def test_truncated_old_release_fails(project: Path):
    path = project / OLD / f"{SLUG}.xlsx"
    path.write_bytes(path.read_bytes()[:100])
    found = errors(project)
    assert found == [f"{OLD}/{SLUG}.xlsx: error[release-changed]: is truncated from manifest.json "
                     f"(100 bytes, sha256 {rel.sha256(path.read_bytes())[:12]}…; released: "
                     + found[0].split("released: ")[1]], found


def test_deleted_old_release_fails(project: Path):
    shutil.rmtree(project / OLD)
    found = errors(project)
    assert any(p.startswith(f"{OLD}: error[release-missing]: version 1.0.0 is missing: the manifest of "
                            "1.0.1 names it") for p in found), found
    # the note of 1.0.0 points at the line of its recorded hash
    assert any(p.startswith(f"data/{SLUG}.yaml:") and "error[release-missing]: version 1.0.0 was "
               "released" in p for p in found), found


def test_deleted_file_of_a_version_fails(project: Path):
    (project / NEW / "datapackage.json").unlink()
    assert errors(project) == [f"{NEW}/datapackage.json: error[release-missing]: a released file is "
                               "missing (restore it from version control (withdraw a version with "
                               "build.py withdraw))"]


def test_deleted_newest_release_fails_at_its_note(project: Path):
    digest = rel.sha256((project / NEW / "manifest.json").read_bytes())
    shutil.rmtree(project / NEW)
    lines = (project / f"data/{SLUG}.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if digest in text)
    col = lines[line - 1].index(digest) + 1
    assert errors(project) == [f"data/{SLUG}.yaml:{line}:{col}: error[release-missing]: version 1.0.1 "
                               f"was released, but {NEW}/ is missing (restore it from version control "
                               "(released versions are never deleted; see build.py withdraw))"]


def test_removed_release_note_fails(project: Path):
    path = project / f"data/{SLUG}.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("  - version: 1.0.1")])
    found = errors(project)
    assert any("error[release-changed]: version 1.0.1 is released, but its release note was removed"
               in p for p in found), found


def test_killed_release_leaves_nothing_that_blocks_the_next(project: Path, monkeypatch):
    add_note(project, NOTE.replace("1.0.1", "1.0.2").replace("2025-11-21", "2025-11-22"))
    calls = []

    def dying_write(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed while writing the third file
        path.write_bytes(data)

    monkeypatch.setattr(rel, "_write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        release_dataset(project, SLUG)
    monkeypatch.undo()
    assert (project / f"releases/{SLUG}/.1.0.2.tmp").is_dir()
    assert errors(project) == []  # check: a warning at most
    assert release_dataset(project, SLUG) == ("1.0.2", [])
    assert not (project / f"releases/{SLUG}/.1.0.2.tmp").exists()
    assert errors(project) == []


def test_release_killed_before_recording_its_hash_is_finished_by_the_next_run(project: Path, monkeypatch):
    add_note(project, NOTE.replace("1.0.1", "1.0.2").replace("2025-11-21", "2025-11-22"))

    def killed(*args: object) -> bool:
        raise KeyboardInterrupt

    import lintas.datasets.publish as publish

    monkeypatch.setattr(publish, "record_anchor", killed)
    with pytest.raises(KeyboardInterrupt):
        release_dataset(project, SLUG)
    monkeypatch.undo()
    assert any("error[missing-field]: version 1.0.2 is released" in p for p in errors(project))
    assert release_dataset(project, SLUG) == ("1.0.2", [])
    assert errors(project) == []


def test_cli_check_and_build_fail_without_traceback(project: Path):
    path = project / OLD / f"{SLUG}.csv"
    path.write_bytes(path.read_bytes()[:-5])
    for command in ("check", "build"):
        proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(project), command],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 1, proc.stderr
        assert f"{OLD}/{SLUG}.csv: error[release-changed]: is truncated" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_removed_definition_of_a_released_dataset_fails(project: Path):
    (project / f"data/{SLUG}.yaml").unlink()
    assert errors(project) == [f"releases/{SLUG}: error[release-missing]: data/{SLUG}.yaml is missing, "
                               f"but {SLUG} has released versions (restore the definition from "
                               "version control)"]
