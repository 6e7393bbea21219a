"""Issue 13, item 3, in real Chromium: does Pagefind need 'wasm-unsafe-eval'?

What the tests below show (docs/security.md, "Pagefind and 'wasm-unsafe-eval'"):
- Pagefind 1.x compiles its WebAssembly in a dedicated worker (`pagefind/pagefind-worker.js`).
  A worker loaded from a URL takes its policy from its own response, never from the page's
  `<meta>`, so the search works whether the page's policy allows WebAssembly or not.
- When the worker cannot start, Pagefind falls back to the main thread; there the page's policy
  applies and WebAssembly compiles only with 'wasm-unsafe-eval' (without it: no results and a
  `script-src` violation for `wasm-eval`). That fallback is why the search pages, and only they,
  carry 'wasm-unsafe-eval'.
- A host that sends the policy as a header on `pagefind-worker.js` must allow 'wasm-unsafe-eval'
  there too, or the search fails.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

WASM = "'wasm-unsafe-eval'"
RECORD = ("window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
          "window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile));")
# (search page, query, a word that must be marked in some excerpt)
SEARCHES = [("search/", "paspor", "paspor"), ("en/search/", "passport", "passport")]
WORKER = "**/pagefind/pagefind-worker.js"


@pytest.fixture
def search_page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(RECORD)
    page = context.new_page()
    problems: list[str] = []
    # A violation inside a worker is not reported to the page's listener: it surfaces as an
    # error on the console or an uncaught rejection, so those count too.
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"exception: {e}"))
    page.problems = problems  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


def policy_of(page: Page) -> str:
    return str(page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content"))


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def type_query(page: Page, url: str, query: str) -> None:
    page.goto(url)
    box = page.locator("#lintas-q")
    box.click()
    box.press_sequentially(query, delay=20)
    box.press("Enter")


# What the search page shows first: a result link, or its 'failed' status (search.js sets it when
# Pagefind's promise is rejected, and nothing after it for that query).
OUTCOME = """() => {
  if (document.querySelector('#lintas-results a')) return 'found';
  const ui = JSON.parse(document.getElementById('lintas-search-config').textContent).ui;
  return document.getElementById('lintas-status').textContent === ui.failed ? 'failed' : false;
}"""


def results(page: Page, timeout: float = 15_000) -> list[str]:
    """The result links once they show, or [] when the search reports that it failed (at once, not
    after the whole timeout) or shows nothing within `timeout` ms."""
    try:
        outcome = page.wait_for_function(OUTCOME, timeout=timeout).json_value()
    except Exception:
        return []
    if outcome != "found":
        return []
    return [str(a.get_attribute("href")) for a in page.locator("#lintas-results a").all()]


def without_wasm(route: Route) -> None:
    """The search page as built, with 'wasm-unsafe-eval' taken out of its policy."""
    response = route.fetch()
    body = response.text()
    assert WASM in body
    route.fulfill(response=response, body=body.replace(" " + WASM, ""))


@pytest.mark.parametrize(("rel", "query", "word"), SEARCHES)
def test_search_finds_real_pages_with_zero_violations(search_page: Page, site_url: str, built_site: Path,
                                                      rel: str, query: str, word: str) -> None:
    type_query(search_page, f"{site_url}/{rel}", query)
    hrefs = results(search_page)
    assert hrefs, search_page.locator("#lintas-status").text_content()
    for href in hrefs:  # each result is a page of the site
        path = href.split("#", 1)[0].strip("/")
        assert (built_site / path / "index.html").is_file(), href
    marks = search_page.locator(".lintas-search__excerpt mark").all_text_contents()
    assert any(word in m.lower() for m in marks), marks
    assert "q=" + query in search_page.url
    assert violations(search_page) == []
    assert search_page.problems == []  # type: ignore[attr-defined]


def test_the_page_policy_does_not_govern_pagefinds_worker(search_page: Page, site_url: str) -> None:
    """Pagefind's WebAssembly runs in its worker, which the page's <meta> policy does not cover."""
    search_page.route("**/search/", without_wasm)
    type_query(search_page, f"{site_url}/search/", "paspor")
    assert WASM not in policy_of(search_page) and "script-src 'self'" in policy_of(search_page)
    assert results(search_page)
    assert violations(search_page) == []
    assert search_page.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("allow", [True, False], ids=["with-wasm-unsafe-eval", "without"])
def test_the_main_thread_fallback_needs_wasm_unsafe_eval(search_page: Page, site_url: str, allow: bool) -> None:
    """With the worker unavailable, Pagefind compiles its WebAssembly in the page: the page's
    policy then decides. If Pagefind ever stops needing it, the `without` case finds results
    and fails: then take 'wasm-unsafe-eval' out of lintas/site/csp.py."""
    search_page.route(WORKER, lambda route: route.abort())
    if not allow:
        search_page.route("**/search/", without_wasm)
    type_query(search_page, f"{site_url}/search/", "paspor")
    assert (WASM in policy_of(search_page)) is allow
    found = results(search_page, timeout=15_000 if allow else 6_000)
    if allow:
        assert found
        assert violations(search_page) == []
        assert [p for p in search_page.problems if "Content Security Policy" in p] == []  # type: ignore[attr-defined]
    else:
        assert found == []
        assert any(v.startswith("script-src wasm-eval") for v in violations(search_page)), violations(search_page)
        assert any("wasm" in p.lower() for p in search_page.problems), search_page.problems  # type: ignore[attr-defined]


@pytest.mark.parametrize("allow", [True, False], ids=["with-wasm-unsafe-eval", "without"])
def test_a_policy_sent_as_header_on_the_worker_must_allow_wasm(search_page: Page, site_url: str,
                                                               allow: bool) -> None:
    """docs/deploy.md: a host that sends the policy as a header sends it with the worker too."""
    from lintas.site.csp import policy

    header = policy(wasm=allow)

    def with_header(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": header})

    search_page.route(WORKER, with_header)
    type_query(search_page, f"{site_url}/search/", "paspor")
    found = results(search_page, timeout=15_000 if allow else 6_000)
    if allow:
        assert found
        assert search_page.problems == []  # type: ignore[attr-defined]
    else:
        assert found == []
        assert WASM not in header
        assert any("WebAssembly" in p for p in search_page.problems), search_page.problems  # type: ignore[attr-defined]


def test_only_pages_that_load_search_allow_wasm(built_site: Path) -> None:
    csp = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
    allowed, searching = set(), set()
    for path in built_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        found = csp.search(html[:4000])
        assert found, path
        rel = str(path.relative_to(built_site))
        if WASM in found.group(1):
            allowed.add(rel)
        if re.search(r'<script[^>]* src="[^"]*assets/search\.js"', html):
            searching.add(rel)
    assert searching == {"search/index.html", "en/search/index.html"}
    assert allowed == searching
    # The offline bundle has no Pagefind (Material's own search): none of its pages allows it.
    with zipfile.ZipFile(built_site / "downloads/lintas-offline.zip") as zf:
        pages = [n for n in zf.namelist() if n.endswith(".html")]
        assert len(pages) > 100
        assert not any(n.endswith("pagefind.js") for n in zf.namelist())
        for name in pages:
            head = zf.read(name)[:4000].decode("utf-8")
            assert csp.search(head) and WASM not in head, name
