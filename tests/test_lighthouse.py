"""Lighthouse (mobile, default simulated throttling) on five page types, served the way a real
static host serves them (bench/static_host.py: gzip, cache headers; docs/deploy.md).

Targets (issue 16): performance >= 0.95, accessibility, best practices and SEO 1.0. Lighthouse is
the npm package, run with Debian's Chromium (CHROME_PATH). Install it with the README's test set-up
command (`npm install --prefix .ci/node lighthouse@12.8.2`); without Node the test is skipped with
the reason, under CI=true a missing Lighthouse fails. The five pages run in one Node process with one
Chrome (lighthouse_runs.mjs), about 7 s a page on a 2-core machine; a page below the performance
target runs once more alone with the CLI.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.static_host import IMMUTABLE, PAGE, serving

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = next((p for p in (ROOT / ".ci/node/node_modules/.bin/lighthouse", ROOT / "node_modules/.bin/lighthouse")
                   if p.exists()), None)
PAGES = {  # page type -> a page of it
    "home": "",
    "procedure": "procedures/passport-application/",
    "post": "posts/plbn-motaain/",
    "checker-outcome": "checker/crossing-into-timor-leste/event/",
    "dataset": "data/crossings-monthly/",
}
RESULTS = ROOT / "test-results" / "lighthouse"
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
                "--disable-background-networking --disable-component-update --disable-sync "
                "--no-first-run --disable-quic "
                "--host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'")


def _lighthouse_or_skip() -> Path:
    if shutil.which("node") is None:
        pytest.skip("Node.js is missing: Lighthouse runs on Node (apt-get install nodejs npm)")
    if LIGHTHOUSE is None:
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail("Lighthouse is missing under CI: npm install --prefix .ci/node lighthouse@12.8.2")
        pytest.skip("Lighthouse is not installed: npm install --prefix .ci/node lighthouse@12.8.2")
    return LIGHTHOUSE


def test_static_host_compresses_and_sets_cache_headers(built_site: Path) -> None:
    css = next((built_site / "assets" / "stylesheets").glob("main.*.min.css")).name
    with serving(built_site) as url:
        request = urllib.request.Request(f"{url}/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.headers["Content-Encoding"] == "gzip" and r.headers["Cache-Control"] == PAGE
            assert b"<html" in gzip.decompress(r.read())
        with urllib.request.urlopen(f"{url}/assets/stylesheets/{css}", timeout=10) as r:
            assert r.headers["Cache-Control"] == IMMUTABLE and "Content-Encoding" not in r.headers
        try:
            urllib.request.urlopen(f"{url}/no-such-page/", timeout=10)
            raise AssertionError("a missing page must be a 404")
        except urllib.error.HTTPError as err:
            assert err.code == 404 and b"<h1" in err.read()


# No full-page screenshot: it only illustrates elements in the HTML report and counts in no score
# (the same scores without it; the five pages 45 -> 38 s).
CLI_ARGS = ["--quiet", "--output=json", f"--chrome-flags={CHROME_FLAGS}", "--no-enable-error-reporting",
            "--disable-full-page-screenshot"]
RUNS = Path(__file__).with_name("lighthouse_runs.mjs")  # the CLI's run for several pages, one Chrome


def _env() -> dict[str, str]:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return {**os.environ, "CHROME_PATH": chromium}


def run_lighthouse(lighthouse: Path, url: str, out: Path) -> dict[str, float]:
    """One page with the Lighthouse CLI (its own Chrome)."""
    subprocess.run([str(lighthouse), url, *CLI_ARGS, f"--output-path={out}"],
                   env=_env(), check=True, timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return scores_of(out)


def scores_of(out: Path) -> dict[str, float]:
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report.get("runtimeError") is None, report["runtimeError"]
    return {k: c["score"] for k, c in report["categories"].items()}


@pytest.fixture(scope="module")
def first_runs(built_site: Path) -> Iterator[tuple[Path, str]]:
    """Every page of PAGES through Lighthouse once, in one Node process with one Chrome
    (lighthouse_runs.mjs: the CLI's flags, config and report, without a Node start-up and a Chrome
    launch per page), served by one static host; yields Lighthouse and the host's address."""
    lighthouse = _lighthouse_or_skip()
    RESULTS.mkdir(parents=True, exist_ok=True)
    for kind in PAGES:
        (RESULTS / f"{kind}.json").unlink(missing_ok=True)  # a report left by an earlier run is no answer
    with serving(built_site) as url:
        pairs = [arg for kind, path in PAGES.items() for arg in (f"{url}/{path}", str(RESULTS / f"{kind}.json"))]
        subprocess.run(["node", str(RUNS), str(lighthouse.parent.parent), json.dumps(CLI_ARGS), *pairs],
                       env=_env(), check=False, timeout=300 * len(PAGES), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # a page without a report is run again alone, below
        yield lighthouse, url


def failing_audits(out: Path) -> list[str]:
    report = json.loads(out.read_text(encoding="utf-8"))
    return [f"{cat}: {ref['id']} {report['audits'][ref['id']]['score']}"
            for cat, c in report["categories"].items() for ref in c["auditRefs"]
            if ref["weight"] > 0 and (report["audits"][ref["id"]]["score"] or 0) < 1]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("kind", list(PAGES))
def test_lighthouse_mobile_scores(kind: str, first_runs: tuple[Path, str]) -> None:
    lighthouse, url = first_runs
    out = RESULTS / f"{kind}.json"
    if out.is_file():
        scores = scores_of(out)
    else:  # its run in the batch failed: the CLI alone, which says why
        scores = run_lighthouse(lighthouse, f"{url}/{PAGES[kind]}", out)
    # Performance is simulated from timings the machine's load moves: one more run before failing.
    if (scores["performance"] or 0) < TARGETS["performance"]:
        scores = run_lighthouse(lighthouse, f"{url}/{PAGES[kind]}", out)
    print(f"lighthouse {kind}: {scores}")
    low = {k: s for k, s in scores.items() if s is None or s < TARGETS[k]}
    assert low == {}, f"/{PAGES[kind]}: {low}; {failing_audits(out)}"
