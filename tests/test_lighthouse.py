"""Lighthouse (mobile, default simulated throttling) on five page types, served the way a real
static host serves them (bench/static_host.py: gzip, cache headers; docs/deploy.md).

Targets (issue 16): performance >= 0.95, accessibility, best practices and SEO 1.0. Lighthouse is
the npm package, run with Debian's Chromium (CHROME_PATH). Install it with the README's test set-up
command (`npm install --prefix .ci/node lighthouse@12.8.2`); without Node the test is skipped with
the reason, under CI=true a missing Lighthouse fails. About 25 s a page on a 2-core machine.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import urllib.request
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


def run_lighthouse(lighthouse: Path, url: str, out: Path) -> dict[str, float]:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run([str(lighthouse), url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--chrome-flags={CHROME_FLAGS}", "--no-enable-error-reporting"],
                   env={**os.environ, "CHROME_PATH": chromium}, check=True, timeout=300,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report.get("runtimeError") is None, report["runtimeError"]
    return {k: c["score"] for k, c in report["categories"].items()}


def failing_audits(out: Path) -> list[str]:
    report = json.loads(out.read_text(encoding="utf-8"))
    return [f"{cat}: {ref['id']} {report['audits'][ref['id']]['score']}"
            for cat, c in report["categories"].items() for ref in c["auditRefs"]
            if ref["weight"] > 0 and (report["audits"][ref["id"]]["score"] or 0) < 1]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("kind", list(PAGES))
def test_lighthouse_mobile_scores(kind: str, built_site: Path) -> None:
    lighthouse = _lighthouse_or_skip()
    results = ROOT / "test-results" / "lighthouse"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"{kind}.json"
    with serving(built_site) as url:
        scores = run_lighthouse(lighthouse, f"{url}/{PAGES[kind]}", out)
        # Performance is simulated from timings the machine's load moves: one more run before failing.
        if (scores["performance"] or 0) < TARGETS["performance"]:
            scores = run_lighthouse(lighthouse, f"{url}/{PAGES[kind]}", out)
    print(f"lighthouse {kind}: {scores}")
    low = {k: s for k, s in scores.items() if s is None or s < TARGETS[k]}
    assert low == {}, f"/{PAGES[kind]}: {low}; {failing_audits(out)}"
