"""Byte budgets per page type (issue 7), measured in real Chromium by bench/page_weight.py.

Bytes only, no timings: the same site gives the same numbers on any machine."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from bench.page_weight import (
    BUDGETS,
    CHECKER_TYPES,
    expected_types,
    heaviest,
    measure_page,
    measure_site,
    over_budget,
    report,
    serve,
    table,
    transfer_size,
)

pytestmark = pytest.mark.browser

TYPES = {".css": "text/css", ".js": "text/javascript", ".png": "image/png", ".svg": "image/svg+xml",
         ".html": "text/html"}


def test_budgets_hold_on_every_page_of_the_budgeted_types(browser: object, site_url: str, built_site: Path) -> None:
    weights = measure_site(browser, site_url, built_site, kinds=BUDGETS)
    measured = {(w.kind, w.lang) for w in weights}
    wanted = [k for k in BUDGETS if k in expected_types(built_site)]
    assert {(k, lang) for k in wanted for lang in ("id", "en")} <= measured
    assert [e for w in weights for e in w.errors] == []
    print("\n" + table(report(weights)))
    assert over_budget(weights) == []
    for w in heaviest(weights).values():  # every page is styled; none is empty
        assert w.bytes["html"] > 1000 and w.bytes["css"] > 1000, w


def static_weight(site_dir: Path, path: str) -> dict[str, int]:
    """The same figure worked out without a browser: the HTML plus every file it links to."""
    html_file = site_dir / path / "index.html"
    html = html_file.read_text(encoding="utf-8")
    out = {"html": transfer_size(html.encode(), "text/html"), "css": 0, "js": 0, "images": 0}
    refs = re.findall(r'<link rel="(stylesheet|icon)" href="([^"]+)"', html)
    refs += [("script", src) for src in re.findall(r'<script src="([^"]+)"', html)]
    refs += [("img", src) for src in re.findall(r'<img [^>]*src="([^"]+)"', html)]
    base = f"http://x/{path}"
    seen = set()
    for rel, href in refs:
        target = urlparse(urljoin(base, href)).path.lstrip("/")
        if target in seen:
            continue
        seen.add(target)
        body = (site_dir / target).read_bytes()
        category = {"stylesheet": "css", "script": "js"}.get(rel, "images")
        out[category] += transfer_size(body, TYPES[os.path.splitext(target)[1]])
    return out


@pytest.mark.parametrize("path", ["procedures/report-foreign-national/", "en/posts/plbn-motaain/"])
def test_browser_measure_equals_the_files_the_page_links(path: str, browser: object, site_url: str,
                                                         built_site: Path) -> None:
    weight = measure_page(browser, site_url, path)
    assert weight.errors == []
    expected = static_weight(built_site, path)
    assert {k: weight.bytes[k] for k in expected} == expected
    assert weight.bytes["fonts"] == 0 and weight.bytes["other"] == 0  # system fonts, nothing else fetched


def test_gzip_applies_to_text_only() -> None:
    text = b"a" * 10_000
    assert transfer_size(text, "text/html; charset=utf-8") == len(gzip.compress(text, 6, mtime=0)) < 100
    assert transfer_size(text, "image/png") == 10_000


def test_an_overweight_page_breaks_its_budget(browser: object, tmp_path: Path) -> None:
    """The budget check must fail on a post that pulls in a large image."""
    folder = tmp_path / "posts" / "heavy"
    folder.mkdir(parents=True)
    (folder / "photo.png").write_bytes(os.urandom(120_000))  # incompressible, like a real photo
    (folder / "index.html").write_text('<!doctype html><html lang="id"><head><title>x</title>'
                                       '<link rel="icon" href="data:,"></head><body><h1>x</h1>'
                                       '<img src="photo.png" alt="foto"></body></html>', encoding="utf-8")
    with serve(tmp_path) as url:
        weight = measure_page(browser, url, "posts/heavy/", "post", "id")
    assert weight.bytes["images"] == 120_000
    assert over_budget([weight]) == [f"posts/heavy/ (post): {weight.total} bytes > budget 100000"]


def test_checker_pages_have_the_smaller_budget() -> None:
    assert all(BUDGETS[k] == 33_000 for k in CHECKER_TYPES)
    assert BUDGETS["procedure"] == BUDGETS["post"] == BUDGETS["notice"] == BUDGETS["dataset"] == 100_000
