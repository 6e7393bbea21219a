"""The offline bundle, as a reader gets it: downloaded from the home page, unpacked, opened from
file:// in Chromium. Links must land on index.html files (a folder URL shows a directory listing
from file://), the language switch must work, and so must the built-in search; no console error
and no failed request anywhere."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from browser_errors import goto_settled, settling
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

BUNDLE = "downloads/lintas-offline.zip"
SEARCH = {  # language: (what a reader types, the procedure it must find, its folder)
    "id": ("lapor orang asing", "Melaporkan keberadaan orang asing", "procedures/report-foreign-national/"),
    "en": ("passport", "Apply for an ordinary passport", "procedures/passport-application/"),
}


@pytest.fixture(scope="session")
def bundle_root(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(built_site / BUNDLE) as zf:
        zf.extractall(target)
    roots = [p for p in target.iterdir() if p.is_dir()]
    assert len(roots) == 1 and (roots[0] / "index.html").is_file(), "the zip holds one folder with index.html"
    return roots[0]


@pytest.fixture(scope="session")
def axe_source() -> str:
    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


def axe_violations(page: Page, source: str) -> list[str]:
    """axe-core's WCAG 2.0-2.2 A/AA violations (rule ids) on the current page."""
    page.evaluate(source)
    # preload off: from file:// axe would fetch the stylesheets itself, which the browser refuses.
    return page.evaluate("() => axe.run(document, {preload: false, runOnly: {type: 'tag', values: "
                         "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
                         ".then(r => r.violations.map(v => v.id + ': ' + v.nodes[0].target.join(' ')))")


def file_url(root: Path, path: str) -> str:
    return (root / path).as_uri()


@pytest.fixture
def fetched(page: Page) -> set[str]:
    """URLs the page has finished loading (file:// included)."""
    done: set[str] = set()
    page.on("requestfinished", lambda r: done.add(r.url))
    return done


def settle(page: Page, fetched: set[str]) -> None:
    """Wait for the favicon, which comes after 'load': clicking on before it arrives aborts it."""
    icons = page.eval_on_selector_all("link[rel~=icon][href]", "els => els.map(e => e.href)")
    for _ in range(300):
        if all(icon in fetched for icon in icons):
            return
        page.wait_for_timeout(10)


def assert_on_page(page: Page, root: Path, path: str, lang: str, fetched: set[str]) -> None:
    """A real page (not a folder listing), in the right language."""
    expect(page).to_have_url(file_url(root, path + "index.html"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    assert not page.title().startswith("Index of")
    settle(page, fetched)


FOLDER_LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
  .filter(h => !/^(https?:|mailto:|tel:|geo:|#)/.test(h))
  .filter(h => h.split('#')[0].endsWith('/') || h.split('#')[0] === '' && !h.startsWith('#'))"""


def test_home_page_links_the_bundle_with_its_size(page: Page, page_errors: list[str], site_url: str,
                                                  built_site: Path) -> None:
    size_mb = (built_site / BUNDLE).stat().st_size / 1_000_000
    for prefix, decimal in (("", ","), ("en/", ".")):
        goto_settled(page, f"{site_url}/{prefix}")  # networkidle without its 500 ms of quiet
        link = page.locator(f'a[href$="{BUNDLE}"]')
        expect(link).to_have_count(1)
        note = link.locator("xpath=..").inner_text()
        shown = re.search(r"ZIP, (\d+[.,]\d) MB", note)
        assert shown, note
        assert shown.group(1) == f"{size_mb:.1f}".replace(".", decimal)
        response = page.request.get(link.evaluate("a => a.href"))
        assert response.status == 200 and response.body() == (built_site / BUNDLE).read_bytes()
    assert page_errors == []


def test_browse_the_bundle_from_file_urls(page: Page, page_errors: list[str], bundle_root: Path,
                                          axe_source: str, fetched: set[str]) -> None:
    page.goto(file_url(bundle_root, "index.html"))
    assert_on_page(page, bundle_root, "", "id", fetched)
    assert page.evaluate(FOLDER_LINKS) == []
    assert axe_violations(page, axe_source) == []  # the bundle runs Material's JavaScript: check it too

    # Home -> procedures section -> a procedure, by clicking the links a reader sees.
    page.locator("article").get_by_role("link", name="Prosedur", exact=True).click()
    assert_on_page(page, bundle_root, "procedures/", "id", fetched)
    page.locator("article").get_by_role("link", name="Melaporkan keberadaan orang asing").click()
    assert_on_page(page, bundle_root, "procedures/report-foreign-national/", "id", fetched)
    assert page.evaluate(FOLDER_LINKS) == []
    assert axe_violations(page, axe_source) == []

    # A link inside an HTML part (the organisations where it is done), then the navigation home.
    page.locator("article a[href*='organisations/']").first.click()
    expect(page).to_have_url(re.compile(r"/organisations/[^/]+/index\.html$"))
    assert not page.title().startswith("Index of")
    settle(page, fetched)

    # The language switch keeps the page and its language.
    page.goto(file_url(bundle_root, "procedures/report-foreign-national/index.html"))
    settle(page, fetched)
    page.get_by_role("link", name="English", exact=True).click()
    assert_on_page(page, bundle_root, "en/procedures/report-foreign-national/", "en", fetched)
    assert page.evaluate(FOLDER_LINKS) == []
    page.get_by_role("link", name="Bahasa Indonesia", exact=True).click()
    assert_on_page(page, bundle_root, "procedures/report-foreign-national/", "id", fetched)

    # The English home and a section from it.
    page.goto(file_url(bundle_root, "en/index.html"))
    settle(page, fetched)
    with settling(page):  # every request answered (what networkidle waited for), then the errors
        page.locator("article").get_by_role("link", name="Border posts", exact=True).click()
        assert_on_page(page, bundle_root, "en/posts/", "en", fetched)
    assert page_errors == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_search_in_the_bundle_finds_a_procedure(lang: str, page: Page, page_errors: list[str],
                                                bundle_root: Path, axe_source: str, fetched: set[str]) -> None:
    words, title, folder = SEARCH[lang]
    prefix = "" if lang == "id" else "en/"
    page.goto(file_url(bundle_root, prefix + "index.html"))
    settle(page, fetched)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(words, delay=30)  # the search listens to key events, not to fill()
    hit = page.locator(f'.md-search-result__item a[href$="/{folder}index.html"]', has_text=title).first
    expect(hit).to_be_visible(timeout=15_000)
    assert axe_violations(page, axe_source) == []  # with the search results open
    with settling(page):  # every request answered (what networkidle waited for), then the errors
        hit.click()
        expect(page).to_have_url(re.compile(re.escape(file_url(bundle_root, prefix + folder + "index.html")) + r"(#.*)?$"))
        expect(page.locator("h1")).to_contain_text(title)
    assert page_errors == []
