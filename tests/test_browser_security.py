"""Issue 13 in a real browser: the Content-Security-Policy holds on every page type with zero
violations (online, the offline bundle from file://, the travel checker, search); hostile text in
every plain field runs nothing; and a payload that gets past the allowlist (sanitizer switched
off) is blocked by the browser."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from browser_errors import goto_settled
from conftest import copy_sources, serve_folder, shared_build
from playwright.sync_api import Page, expect
from test_security import PAGE_TYPES, build_hostile

pytestmark = pytest.mark.browser

# Every CSP violation the page reports, recorded from the first script on.
RECORD = ("window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
          "window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));")
CHECKER = "checker/crossing-into-timor-leste/"


@pytest.fixture
def csp_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(RECORD)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_policy_is_on_every_page(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        head = path.read_text(encoding="utf-8")[:4000]
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\'' in head, path
        assert "'unsafe-inline'" not in head and "'unsafe-eval'" not in head, path
        assert "object-src 'none'" in head and "base-uri 'none'" in head and "form-action 'self'" in head
    # No page holds an inline script that could run: only JSON data blocks.
    for path in pages:
        html = path.read_text(encoding="utf-8")
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert " src=" in tag or 'type="application/json"' in tag or 'type="application/ld+json"' in tag, \
                (path, tag)


def test_no_violation_online(csp_page: Page, site_url: str) -> None:
    errors: list[str] = []
    csp_page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    for rel in [*PAGE_TYPES, f"{CHECKER}travel-document/index.html"]:
        csp_page.goto(f"{site_url}/{rel.removesuffix('index.html')}")
        assert violations(csp_page) == [], rel
    # Search: Pagefind loads its WebAssembly and index under the policy.
    csp_page.goto(f"{site_url}/search/?q=paspor")
    expect(csp_page.locator("#lintas-results a").first).to_be_visible(timeout=15_000)
    # The checker's one-page form loads checker.js on demand.
    csp_page.goto(f"{site_url}/{CHECKER}")
    csp_page.locator(".lintas-checker-onepage button").click()
    expect(csp_page.locator("#lintas-checker-app")).to_be_visible()
    assert violations(csp_page) == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_no_violation_in_the_offline_bundle(csp_page: Page, built_site: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(built_site / "downloads/lintas-offline.zip") as zf:
        zf.extractall(tmp_path)
    root = next(p for p in tmp_path.iterdir() if p.is_dir())
    for rel in ("index.html", "posts/plbn-motaain/index.html", "en/procedures/passport-application/index.html",
                f"{CHECKER}index.html", "data/crossings-wini-annual/index.html"):
        csp_page.goto((root / rel).as_uri())
        assert violations(csp_page) == [], rel
    # Material's built-in search (its start-up script now a file) still works under the policy.
    goto_settled(csp_page, (root / "index.html").as_uri())  # networkidle without its 500 ms of quiet
    box = csp_page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("paspor", delay=30)  # the search listens to key events, not to fill()
    expect(csp_page.locator(".md-search-result__item").first).to_be_visible(timeout=15_000)
    assert violations(csp_page) == []


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The poisoned sample (tests/test_security.py), built once per test run and shared read-only."""
    site = shared_build(tmp_path_factory, "hostile-site", build_hostile)
    proc, url = serve_folder(site)
    try:
        yield url, site
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_hostile_text_runs_nothing_on_any_page_type(csp_page: Page, hostile_url: Any) -> None:
    url, site = hostile_url
    checker_pages = sorted(str(p.relative_to(site)) for p in (site / CHECKER).glob("*/index.html"))
    for rel in [*PAGE_TYPES, *checker_pages]:
        csp_page.goto(f"{url}/{rel.removesuffix('index.html')}")
        assert csp_page.evaluate("window.__xss") is None, rel
        assert csp_page.evaluate("document.querySelectorAll('[onload],[onerror],[onclick],a[href^=javascript]').length") == 0, rel
        assert violations(csp_page) == [], rel  # escaped text triggers nothing to block
    assert csp_page.dialogs == []  # type: ignore[attr-defined]


def test_the_browser_blocks_what_gets_past_a_disabled_sanitizer(
        csp_page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lintas.content.validate
    from lintas.config import BuildConfig
    from lintas.pipeline import build

    root = copy_sources(tmp_path / "p")
    post = root / "content/posts/plbn-wini.yaml"
    text = post.read_text(encoding="utf-8")
    payload = '<script>window.__xss = "script"</script>\n\n<svg onload="window.__xss = \'svg\'"></svg>\n\n'
    assert "Pada 2024 tercatat" in text
    post.write_text(text.replace("Pada 2024 tercatat", payload.replace("\n", "\n    ") + "Pada 2024 tercatat"),
                    encoding="utf-8")
    assert any(p.code == "unsafe-html" for p in build(BuildConfig.for_root(root)).problems)
    monkeypatch.setattr(lintas.content.validate, "unsafe_html", lambda *a, **k: [])
    result = build(BuildConfig.for_root(root), bundle=False)  # the online page is what is served
    assert result.written, "\n".join(p.format() for p in result.problems)
    html = (root / "site/posts/plbn-wini/index.html").read_text(encoding="utf-8")
    assert '<script>window.__xss = "script"</script>' in html  # the payload is in the page...
    proc, url = serve_folder(root / "site")
    try:
        csp_page.goto(f"{url}/posts/plbn-wini/")
        csp_page.wait_for_timeout(300)
        assert csp_page.evaluate("window.__xss") is None  # ...and the browser runs none of it
        found = violations(csp_page)
        assert any(v.startswith("script-src") for v in found), found
    finally:
        proc.terminate()
        proc.wait(timeout=5)
