"""Faults: killed builds, concurrent builds, a read-only or full output location, hostile paths.

Builds run as real subprocesses of `build.py` on copies of the project. What each test does and
the counts of the last recorded run are in docs/reliability.md. Knobs (environment):
LINTAS_FAULT_KILLS (default 25) and LINTAS_FAULT_SEED (default: random, printed).

Read-only and full disks need a mount: the tests run as root, where chmod does not stop writes,
so they enter a private mount namespace (`unshare --mount`) and bind-mount the project read-only
or put it on a small tmpfs; the mounts vanish with the namespace. Without root, read-only falls
back to chmod 555 (which works for other users); the full-disk case is then covered only by the
in-process ENOSPC test.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lintas.outputs import OutputError, Outputs, check_dest_path
from lintas.write import WriteError, build_lock, write_outputs

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("content", "data", "templates", "releases")
ENV = {"SOURCE_DATE_EPOCH": "1764028800", "PYTHONDONTWRITEBYTECODE": "1"}
KILLS = int(os.environ.get("LINTAS_FAULT_KILLS", "25"))
BUILD_TIMEOUT = 180
LEFTOVERS = (".site.new-*", ".site.old-*", "lintas-offline-*")
_COUNT_LOCK = threading.Lock()


# ------------------------------------------------------------------ helpers


def make_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in SOURCES:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name, symlinks=True)
    (dest / "tmp").mkdir()
    return dest


def build_cmd(project: Path, command: str = "build") -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--root", str(project), command]


def build_env(project: Path) -> dict[str, str]:
    # TMPDIR inside the project copy: work folders a killed build leaves behind stay countable.
    return {**os.environ, **ENV, "TMPDIR": str(project / "tmp")}


def run_build(project: Path, command: str = "build") -> subprocess.CompletedProcess[str]:
    return subprocess.run(build_cmd(project, command), capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, env=build_env(project))


def start_build(project: Path) -> subprocess.Popen[bytes]:
    # Own session: the kill takes the MkDocs workers and pagefind with it, as a CI cancel would.
    return subprocess.Popen(build_cmd(project), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=build_env(project), start_new_session=True)


def hash_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stable_part(tree: dict[str, str]) -> dict[str, str]:
    """The whole tree: builds are byte-for-byte reproducible, the search index included."""
    return tree


def assert_complete(site: Path, reference: dict[str, str]) -> None:
    """`site` is a whole build: every stable file equal to the reference, a full search index."""
    tree = hash_tree(site)
    assert stable_part(tree) == stable_part(reference)
    assert len(tree) == len(reference)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for pattern in LEFTOVERS for p in project.glob(pattern))


def one_error_line(stderr: str) -> str:
    lines = [x for x in stderr.splitlines() if "error[" in x]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture(scope="module")
def lanes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, str], float]]:
    """Two projects built once, concurrently: (project, hash tree of site/, build seconds)."""
    projects = [make_project(tmp_path_factory.mktemp(f"lane{i}") / "p") for i in range(2)]
    started = time.monotonic()
    procs = [subprocess.Popen(build_cmd(p), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=build_env(p)) for p in projects]
    for proc in procs:
        _, err = proc.communicate(timeout=BUILD_TIMEOUT)
        assert proc.returncode == 0, err.decode()
    seconds = time.monotonic() - started
    return [(p, hash_tree(p / "site"), seconds) for p in projects]


# ------------------------------------------------------------------ killed and concurrent builds


def _kill_lane(project: Path, reference: dict[str, str], seconds: float, kills: int,
               rng: random.Random, outcomes: dict[str, int], errors: list[str]) -> None:
    """`kills` builds, each SIGKILLed after a random delay in [0, 1.1 x build time]."""
    site = project / "site"
    for _ in range(kills):
        before_inode = site.stat().st_ino
        before = hash_tree(site)
        started = time.monotonic()
        proc = start_build(project)
        try:
            proc.wait(timeout=rng.uniform(0.0, seconds * 1.1))
            finished = True
            seconds = max(seconds, time.monotonic() - started)  # the machine may be busier now
        except subprocess.TimeoutExpired:
            finished = False
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        proc.stderr.close()  # type: ignore[union-attr]
        try:
            assert site.is_dir(), "site/ is missing after a kill"
            if site.stat().st_ino == before_inode:
                assert hash_tree(site) == before, "site/ changed in place"
                outcome = "killed before the swap: old site intact"
            else:
                assert_complete(site, reference)
                outcome = ("finished before the kill" if finished else
                           "killed after the swap: new site complete")
        except AssertionError as exc:
            errors.append(f"{project}: {exc}")
            return
        with _COUNT_LOCK:
            outcomes[outcome] += 1


@pytest.mark.slow  # builds the sample site (lanes)
def test_killed_builds_leave_the_previous_site_and_the_next_build_succeeds(lanes) -> None:
    seed = int(os.environ.get("LINTAS_FAULT_SEED", random.randrange(1 << 30)))
    print(f"\nLINTAS_FAULT_SEED={seed} kills={KILLS}")
    outcomes: dict[str, int] = {"killed before the swap: old site intact": 0,
                                "killed after the swap: new site complete": 0,
                                "finished before the kill": 0}
    errors: list[str] = []
    threads = []
    for i, (project, reference, seconds) in enumerate(lanes):
        share = KILLS // len(lanes) + (1 if i < KILLS % len(lanes) else 0)
        threads.append(threading.Thread(target=_kill_lane, args=(
            project, reference, seconds, share, random.Random(seed + i), outcomes, errors)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"outcomes: {outcomes}")
    for project, _, _ in lanes:
        stale = sorted(p.name for p in (project / "tmp").iterdir())
        print(f"{project.parent.name}: work folders left in TMPDIR by killed builds: {len(stale)}; "
              f"beside site/: {leftovers(project)}")
    assert errors == []
    assert sum(outcomes.values()) == KILLS

    # The next builds, all at once: two in the first project (the lock runs them one after the
    # other), one in the second. Every one succeeds and leaves a whole site, nothing stale.
    procs = [(project, start_build(project)) for project in (lanes[0][0], lanes[0][0], lanes[1][0])]
    for _, proc in procs:
        _, err = proc.communicate(timeout=BUILD_TIMEOUT)
        assert proc.returncode == 0, err.decode()
    for project, reference, _ in lanes:
        assert_complete(project / "site", reference)
        assert leftovers(project) == []


@pytest.mark.slow  # builds the sample site (lanes)
def test_a_site_caught_between_the_two_fallback_renames_is_restored(lanes, tmp_path: Path) -> None:
    """Where renameat2 is missing, swap_in renames site/ away and staging in: a kill between the two
    leaves no site/ at all. The next build (here: its lock) must put the old one back."""
    project, reference, _ = lanes[0]
    site = project / "site"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from lintas import write\n"
        "write._renameat2_exchange = lambda a, b: False\n"
        "real = os.rename\n"
        "def rename(a, b):\n"
        "    real(a, b)\n"
        "    if '.site.old-' in str(b):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.rename = rename\n"
        "from lintas.config import BuildConfig\n"
        "from lintas.pipeline import build\n"  # without the offline bundle: quicker, same swap
        f"build(BuildConfig.for_root(Path({str(project)!r})), bundle=False)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, env=build_env(project))
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not site.exists()
    assert [p for p in leftovers(project) if p.startswith(".site.old-")]
    with build_lock(site):
        assert_complete(site, reference)
    assert leftovers(project) == []


# ------------------------------------------------------------------ read-only and full output


def _can_unshare() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.slow  # builds the sample site (lanes)
def test_read_only_output_location_gives_one_clear_error(lanes) -> None:
    project, reference, _ = lanes[1]
    before_inode = (project / "site").stat().st_ino
    if _can_unshare():
        cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"',
               "sh", str(project), *build_cmd(project)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              env={**build_env(project), "TMPDIR": "/tmp"})
    else:  # not root: plain permissions are enough
        project.chmod(0o555)
        try:
            proc = run_build(project)
        finally:
            project.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    line = one_error_line(proc.stderr)
    assert line.startswith("site: error[output]: ") and "not writable" in line, line
    assert (project / "site").stat().st_ino == before_inode
    assert stable_part(hash_tree(project / "site")) == stable_part(reference)


_FULL_DISK = r"""
import hashlib, json, os, shutil, subprocess, sys
from pathlib import Path
src, mnt, size = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], check=True)
for name in os.listdir(src):
    (shutil.copytree if (src / name).is_dir() else shutil.copy2)(src / name, mnt / name)
def tree():
    return {p.relative_to(mnt / "site").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((mnt / "site").rglob("*")) if p.is_file()}
before = tree()
proc = subprocess.run(sys.argv[4:] + ["--root", str(mnt), "build"], capture_output=True, text=True)
left = sorted(n for n in os.listdir(mnt) if n.startswith((".site.new-", ".site.old-", "lintas-offline-")))
print(json.dumps({"rc": proc.returncode, "stderr": proc.stderr, "same": tree() == before,
                  "leftovers": left}))
"""


@pytest.mark.slow  # builds the sample site (lanes)
def test_full_disk_gives_one_clear_error_and_keeps_the_site(lanes, tmp_path: Path) -> None:
    if not _can_unshare():
        pytest.skip("needs root and unshare for a private tmpfs; the ENOSPC path is covered by "
                    "test_enospc_anywhere_in_the_build_becomes_a_write_error")
    project, _, _ = lanes[1]
    mnt = tmp_path / "small"
    mnt.mkdir()
    src = tmp_path / "src"
    src.mkdir()
    for name in (*SOURCES, "site"):
        shutil.copytree(project / name, src / name)
    used = sum(p.stat().st_size + 4096 for p in src.rglob("*"))
    size_kib = used // 1024 + 3 * 1024  # the sources and site/, plus 3 MiB: not enough for a second site
    cmd = ["unshare", "--mount", "--propagation", "private", sys.executable, "-c", _FULL_DISK,
           str(src), str(mnt), f"{size_kib}k", sys.executable, str(ROOT / "build.py")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          env={**os.environ, **ENV})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["rc"] == 1, result["stderr"]
    line = one_error_line(result["stderr"])
    assert line.startswith("site: error[output]: no space left on the device holding "), line
    assert result["same"], "site/ changed"
    assert result["leftovers"] == []


def test_enospc_anywhere_in_the_build_becomes_a_write_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with pytest.raises(WriteError, match=r"^no space left on the device holding /"), build_lock(site):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))
    err = shutil.Error([(str(tmp_path / "a"), str(tmp_path / "b"),
                         f"[Errno 28] No space left on device: '{tmp_path}/a' -> '{tmp_path}/b'")])
    with pytest.raises(WriteError) as caught, build_lock(site):
        raise err
    assert "\n" not in str(caught.value) and "no space left" in str(caught.value)


# ------------------------------------------------------------------ nothing undeclared is published


@pytest.mark.slow  # builds the sample site (lanes)
def test_stray_files_in_sources_never_reach_site(lanes) -> None:
    project, reference, _ = lanes[0]
    strays = {
        "templates/stray.txt": b"secret",
        "templates/assets/leak.txt": b"secret",
        "templates/datasets/notes.md": b"# secret",
        "templates/material/secret.txt": b"secret",
        "templates/material/partials/notes.json": b'{"secret": 1}',
        "data/tables/unused.csv": b"a,b\n1,2\n",
        "releases/notes.txt": b"secret",
    }
    for rel, data in strays.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_bytes(data)
    try:
        proc = run_build(project)
        assert proc.returncode == 0, proc.stderr
        tree = hash_tree(project / "site")
        new = sorted(set(stable_part(tree)) - set(stable_part(reference)))
        assert new == [], f"files published that no source declares: {new}"
        assert len(tree) == len(reference)
    finally:
        for rel in strays:
            (project / rel).unlink()


@pytest.mark.slow  # builds the sample site (lanes)
def test_stray_file_in_content_fails_the_build_and_keeps_the_site(lanes) -> None:
    project, _, _ = lanes[1]
    before = (project / "site").stat().st_ino
    stray = project / "content" / "posts" / "notes.txt"
    stray.write_text("secret")
    try:
        proc = run_build(project)
    finally:
        stray.unlink()
    assert proc.returncode == 1
    assert "content/posts/notes.txt: error[stray-file]" in proc.stderr
    assert (project / "site").stat().st_ino == before


# ------------------------------------------------------------------ output paths


@pytest.mark.parametrize("path", [
    "", ".", "..", "../x", "a/../../x", "/etc/passwd", "a\\b", "C:\\x", "a//b", "./a", "a/",
    "con", "CON.txt", "data/aux.json", "nul", "com1.csv", "lpt9", "a\0b", "a\nb", "a\x1bb",
    "a.", "dir /x", "x/ ",
])
def test_unsafe_output_paths_are_refused(path: str) -> None:
    with pytest.raises(OutputError):
        check_dest_path(path)
    with pytest.raises(OutputError):
        Outputs().add(path, b"x")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "/", "\\", "con", "x.json", "\0", "é", " "]),
                min_size=1, max_size=8).map("".join))
def test_any_accepted_output_path_stays_inside_the_site(path: str) -> None:
    try:
        check_dest_path(path)
    except OutputError:
        return
    root = Path("/srv/site")
    resolved = Path(os.path.normpath(root / path))
    assert resolved.is_relative_to(root) and resolved != root
    assert not any(part.lower().split(".")[0] in ("con", "nul", "aux", "prn") for part in Path(path).parts)


def test_outputs_do_not_follow_a_symlink_out_of_the_staging(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    outside = tmp_path / "outside"
    staging.mkdir()
    outside.mkdir()
    (staging / "data").symlink_to(outside)
    with pytest.raises(OutputError, match="leaves the site folder"):
        write_outputs(staging, {"data/x.json": b"{}"})
    assert list(outside.iterdir()) == []
