"""Shared fixtures. Each feature's tests keep their own helpers in their own files."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import browser_errors
import pytest

ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25: reproducible test builds
# The day every test build judges notices and reviews by (lintas/config.py: build_today), here and
# in `build.py` subprocesses: the same site on any day, so one shared build serves the tests that
# need a fixed day (the travel checker's) and those that take the default alike. On or after the
# newest release note.
TEST_TODAY = "2026-12-06"
os.environ.setdefault("LINTAS_TODAY", TEST_TODAY)


# Markers (pyproject.toml): `browser` for every test that drives Chromium, `slow` for every test
# that takes more than a few seconds, so that `pytest -m "not slow and not browser"` (the fast lane,
# README) gives answers in about a minute. Tests that need a fixture below get the marker here, so
# a new test cannot forget it; other slow tests are marked where they are written.
BROWSER_FIXTURES = {"browser"}  # real Chromium (page, ranked... all go through it)
SLOW_FIXTURES = {"built_site", "checker_site", "hostile_site"}  # a full build of the sample site


# Where the suite's time goes: with LINTAS_TEST_BUILD_LOG=<file>, every build (in this process or a
# `build.py` subprocess), every MkDocs render and every Chromium launch appends a line to <file>:
# worker, test, event, detail. `sort | uniq -c` on the event column counts them for a whole run.
BUILD_LOG = os.environ.get("LINTAS_TEST_BUILD_LOG")


def log_event(event: str, detail: str = "", test: str | None = None) -> None:
    if not BUILD_LOG:
        return
    test = test or os.environ.get("PYTEST_CURRENT_TEST", "-").rsplit(" (", 1)[0]
    with open(BUILD_LOG, "a", encoding="utf-8") as log:  # one short line: appends do not interleave
        log.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}\t{test}\t{event}\t{detail}\n")


def _count_builds() -> None:
    import functools

    import lintas.pipeline as pipeline

    build, render = pipeline.build, pipeline.render_site

    @functools.wraps(build)
    def counted_build(*args: object, **kwargs: object) -> object:
        log_event("build", f"bundle={kwargs.get('bundle', True)}")
        return build(*args, **kwargs)  # type: ignore[arg-type]

    @functools.wraps(render)
    def counted_render(*args: object, **kwargs: object) -> object:
        log_event("render", f"bundle={getattr(args[3], 'bundle', '?')}")  # the render settings
        return render(*args, **kwargs)  # type: ignore[arg-type]

    pipeline.build, pipeline.render_site = counted_build, counted_render  # type: ignore[assignment]
    popen_init = subprocess.Popen.__init__

    def counted_popen(self: subprocess.Popen[bytes], args: object, *rest: object, **kwargs: object) -> None:
        argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)]
        text = " ".join(argv)
        if "build.py" in text and not {"check", "schema", "release", "withdraw"} & set(argv):
            log_event("cli-" + ("serve" if "serve" in argv else "build"), text[-80:])
        elif "pipeline import build" in text:
            log_event("cli-build", "python -c build(...)")
        elif "bench/run.py" in text:
            log_event("bench", text[-80:])
        elif "lighthouse" in text:
            log_event("browser", "lighthouse")
        popen_init(self, args, *rest, **kwargs)  # type: ignore[arg-type]

    subprocess.Popen.__init__ = counted_popen  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _keep_collection_order(config)
    if not hasattr(config, "workerinput"):  # the main process, before any worker starts
        _compile_once()
    if BUILD_LOG:
        _count_builds()


def _compile_once() -> None:
    """Compile lintas/ and bench/ into their __pycache__ (ignored by git) once, before the run.

    A run starts about 80 Python processes that import the package (`build.py`, MkDocs workers,
    the benchmark harness, the preview server). Where nothing has compiled it yet (a fresh clone)
    and bytecode is not written (PYTHONDONTWRITEBYTECODE, set on CI images), each of them compiled
    it from source again: about 0.2 CPU s a process. Timestamp-checked, as Python writes them
    itself (SOURCE_DATE_EPOCH, set above, would otherwise choose hash-checked files)."""
    import compileall
    import py_compile

    for folder in ("lintas", "bench"):
        compileall.compile_dir(ROOT / folder, quiet=1,
                               invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)


def _cpu_seconds() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """With LINTAS_TEST_BUILD_LOG: each test's CPU seconds (set-up, call, tear-down; this process and
    the children it waited for, e.g. `build.py`, MkDocs workers, Pagefind), wall seconds, and the
    CPU seconds of the live processes below this one ("tree": Chromium, whose renderers its zygote
    reaps, the Playwright driver, test servers), which the first figure gets only when they end."""
    if not BUILD_LOG:
        yield
        return
    cpu, wall, tree = _cpu_seconds(), time.monotonic(), _tree_seconds()
    yield
    log_event("cpu", f"{_cpu_seconds() - cpu:.2f} wall {time.monotonic() - wall:.2f} "
              f"tree {_tree_seconds() - tree:.2f}", test=item.nodeid)


def _tree_seconds() -> float:
    """CPU seconds of the live processes below this one (Chromium, its driver, servers), with the
    children they have reaped: what _cpu_seconds misses until they end."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(x) for x in fields[11:15])
    below, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - below
        below |= frontier
    return sum(times[pid] for pid in below) / tick


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if needs & BROWSER_FIXTURES and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if needs & SLOW_FIXTURES and item.get_closest_marker("slow") is None \
                and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.slow)
    longest_files_first(items)


# The order files run in. `--dist loadfile` (pytest-xdist) hands whole files to the workers in
# collection order, and by default it first sorts them by their number of tests: the few long files
# (a handful of tests that each build, kill builds or run Lighthouse) then come last, and one worker
# ends alone with one of them while the other waits. Instead: the longest files first (LONGEST, by
# the durations of whole runs), then every other file with a slow or browser test, then the quick
# files, which fill the end evenly. Order only: every test runs, within a file in its usual order.
LONGEST = ("test_faults.py", "test_lighthouse.py", "test_bench.py", "test_preview.py", "test_site.py",
           "test_browser_a11y.py", "test_checker_browser.py", "test_search.py", "test_offline_browser.py",
           "test_offline.py", "test_browser_security.py")


def longest_files_first(items: list[pytest.Item]) -> None:
    heavy = {item.path for item in items
             if item.get_closest_marker("slow") or item.get_closest_marker("browser")}

    def rank(item: pytest.Item) -> tuple[int, int]:
        if item.path.name in LONGEST:
            return 0, LONGEST.index(item.path.name)
        return (1, 0) if item.path in heavy else (2, 0)

    items.sort(key=rank)  # stable: the usual order within each file and among equals


def _keep_collection_order(config: pytest.Config) -> None:
    """xdist's own reordering (by number of tests) would undo longest_files_first."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's content/, data/, templates/ and releases/ in a temporary project
    folder."""
    for name in ("content", "data", "templates", "releases"):
        src = ROOT / name
        if src.exists():
            shutil.copytree(src, tmp_path / name)
    return tmp_path


# ------------------------------------------------------------------ built site and real Chromium
# Browser tests use Debian's Chromium through Playwright (executable_path); nothing is downloaded.
# Without Chromium they fail: a missing browser must never turn into a green run.

import socket  # noqa: E402
import sys  # noqa: E402
import urllib.request  # noqa: E402

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--disable-domain-reliability",
    # No DNS except the local test server: a page that pulls a remote resource fails loudly.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def find_chromium() -> str | None:
    for cand in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-headless-shell",
                 shutil.which("chromium")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def unrelease(root: Path) -> Path:
    """Make a project copy as if no version had ever been released: remove releases/ and the
    manifest hashes that anchor them in the release notes (otherwise `check` reports the
    released versions as missing)."""
    shutil.rmtree(root / "releases", ignore_errors=True)
    for path in (root / "data").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = "".join(line for line in text.splitlines(keepends=True)
                       if not line.lstrip().startswith("manifest_sha256:"))
        path.write_text(_first_note_only(text), encoding="utf-8")
    return root


def _first_note_only(text: str) -> str:
    """Drop every release note after the first (a project that never released is at its first)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    in_releases, notes = False, 0
    for line in lines:
        if not line.startswith((" ", "\t")) and line.strip():
            in_releases = line.startswith("releases:")
        elif in_releases and line.startswith("  - "):
            notes += 1
        if not (in_releases and notes > 1):
            out.append(line)
    return "".join(out)


def copy_sources(dest: Path) -> Path:
    for name in ("content", "data", "templates", "releases"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name)
    return dest


def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]) -> Path:
    """What `make(folder)` returns, made once per test run and shared read-only by every test,
    also across pytest-xdist workers: the first worker to ask makes it under a file lock in the
    run's common temporary folder, the others wait for it and reuse it."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-of-<user>/pytest-<n>/, above each worker's own folder
    folder = base / f"shared-{name}"
    with (base / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".made"
        if done.is_file():
            return Path(done.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)  # a failed earlier attempt: make it again
        folder.mkdir()
        made = make(folder)
        done.write_text(str(made), encoding="utf-8")
        return made


def build_sample(folder: Path) -> Path:
    """The sample content built into a temporary project; its site/ folder."""
    from lintas.config import BuildConfig
    from lintas.pipeline import build

    root = copy_sources(folder)
    # Sequential render (the languages one after the other, in this process): the cheapest on a
    # busy machine, and test_site.py's byte-identity test builds again in parallel to compare.
    jobs = os.environ.get("LINTAS_RENDER_JOBS")
    os.environ["LINTAS_RENDER_JOBS"] = "1"
    try:
        result = build(BuildConfig.for_root(root))
    finally:
        if jobs is None:
            os.environ.pop("LINTAS_RENDER_JOBS")
        else:
            os.environ["LINTAS_RENDER_JOBS"] = jobs
    assert result.written, "\n".join(p.format() for p in result.problems)
    return root / "site"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content built once per test run (shared by every worker), as `python build.py`
    would. Tests read it and never change it."""
    prebuilt = os.environ.get("LINTAS_TEST_SITE")  # a site built beforehand, for quick local runs
    if prebuilt:
        return Path(prebuilt)
    return shared_build(tmp_path_factory, "sample-site", build_sample)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_folder(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("http.server did not start")


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    proc, url = serve_folder(built_site)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium is missing: apt-get install --no-install-recommends chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        log_event("browser", "chromium")
        instance = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


# The offline service worker keeps the essentials on a first visit and every page comes through it.
# Tests whose subject is something else (layout, accessibility, printing, the checker, search) run
# without it: in Chromium it cost 0.18 CPU s a fresh context and 0.04 s a page load, and changes no
# byte of a page (pages come from the network first). It stays on where it is the subject or could
# interfere: offline reading, first-visit budgets, CSP and hostile content, every page loading cleanly.
NO_WORKER = {"service_workers": "block"}


@contextlib.contextmanager
def page_of_its_own(browser: object, **options: object) -> Iterator[object]:
    """A page in a browser context of its own (by default 1024 x 768, no service worker), closed
    afterwards. Module fixtures that share one page between read-only tests make theirs with it too."""
    context = browser.new_context(**{"viewport": {"width": 1024, "height": 768}, **NO_WORKER, **options})  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    with page_of_its_own(browser) as pg:
        yield pg


@pytest.fixture
def page_errors(page: object) -> list[str]:
    """Console errors, uncaught exceptions, failed requests and HTTP errors on `page`."""
    return browser_errors.watch(page)
