"""Accessibility in real Chromium: every page type in both languages, axe-core (WCAG 2.2 AA rule
set), keyboard-only use, visible focus, `lang`, table headers, labelled language switch and search.

Page types and their sample pages come from the built site (bench/page_weight.py): for each type and
language the largest page, i.e. the one with the most content to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_errors
import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from conftest import NO_WORKER, page_of_its_own
from playwright.sync_api import Page, expect

from bench.page_weight import (
    CHECKER_REVIEW,
    CHECKER_TYPES,
    REQUIRED_TYPES,
    expected_types,
    pages_by_type,
    representatives,
    site_pages,
)

pytestmark = pytest.mark.browser

LANGS = ("id", "en")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SEARCH_LABEL = {"id": "Cari di situs ini", "en": "Search this site"}
SWITCH = {"id": ("English", "en"), "en": ("Bahasa Indonesia", "id")}  # link text, its language
SEARCH_WORD = {"id": "paspor", "en": "passport"}


@pytest.fixture(scope="session")
def axe_source() -> str:
    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def samples(built_site: Path) -> dict[tuple[str, str], str]:
    return representatives(built_site)


# One browser context and page for every test below that opens a page and reads it, presses keys on
# it or replaces it (set_content); `test_every_page_loads_cleanly` keeps a fresh context, as a first
# visit. A new context per test cost about 0.2 s, and each first visit of a context loads, parses and
# compiles every stylesheet and script again and installs the offline service worker, which then
# fetches its 42 essentials. What a test could inherit from an earlier one in the shared context: the
# HTTP cache, the service worker and its caches (pages still come from the network first, as for any
# returning reader), and Material's web storage. None of them is what these tests check (the
# accessibility of a page as it is shown, focus and keys), the site sets no cookie, and every test
# starts with its own navigation, at its own viewport size, with its own error watch.
@pytest.fixture(scope="module")
def one_page(browser: Any) -> Iterator[Page]:
    with page_of_its_own(browser) as page:
        yield page


@pytest.fixture
def shared_page(one_page: Page) -> Page:
    """The module's page, at the `page` fixture's viewport size."""
    one_page.set_viewport_size({"width": 1024, "height": 768})
    return one_page


@pytest.fixture
def shared_errors(shared_page: Page) -> Iterator[list[str]]:
    """What `page_errors` is for `page`: the errors of this test's visits on the shared page."""
    with browser_errors.watching(shared_page) as errors:
        yield errors


def run_axe(page: Page, source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the current page, WCAG 2.0-2.2 A and AA rules only."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)  # not add_script_tag: a strict CSP would block that
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                         ".then(r => r.violations)", AXE_TAGS)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        lines += [f"    {' '.join(map(str, n['target']))}: {n['failureSummary'][:200]}" for n in v["nodes"][:5]]
    return "\n".join(lines)


# The page's language, its number of h1, its tables' header problems and its icons, in one round trip.
STRUCTURE = """() => ({
  lang: document.documentElement.getAttribute('lang'),
  h1: document.querySelectorAll('h1').length,
  tables: [...document.querySelectorAll('table')].flatMap((t, i) => {
    const ths = [...t.querySelectorAll('th')];
    if (!ths.length) return [`table ${i + 1} has no header cells`];
    return ths.filter(th => !th.closest('thead') && !th.hasAttribute('scope'))
              .map(th => `table ${i + 1}: header '${th.textContent.trim()}' outside thead has no scope`);
  }),
  icons: [...document.querySelectorAll('link[rel~=icon][href]')].map(e => e.href),
})"""


def structure_problems(structure: dict[str, Any], lang: str) -> list[str]:
    problems = []
    if structure["lang"] != lang:
        problems.append(f"<html lang> is {structure['lang']!r}, expected {lang!r}")
    if structure["h1"] != 1:
        problems.append(f"{structure['h1']} h1 elements")
    return problems + structure["tables"]


def page_structure_problems(page: Page, lang: str) -> list[str]:
    return structure_problems(page.evaluate(STRUCTURE), lang)


def test_every_page_type_is_built_in_both_languages(built_site: Path) -> None:
    found = pages_by_type(built_site)
    missing = [f"{kind} ({lang})" for kind in expected_types(built_site) for lang in LANGS
               if not found.get(kind, {}).get(lang)]
    assert not missing, f"page types missing from the built site: {missing}"
    assert "other" not in found, f"pages of no known type: {found.get('other')}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", (*REQUIRED_TYPES, *CHECKER_TYPES, CHECKER_REVIEW))
def test_page_type_has_no_axe_violations(kind: str, lang: str, shared_page: Page, shared_errors: list[str],
                                         site_url: str, built_site: Path, samples: dict[tuple[str, str], str],
                                         axe_source: str) -> None:
    if kind not in expected_types(built_site):
        pytest.skip("the built site has no travel checker")  # its presence is checked above
    path = samples[(kind, lang)]
    shared_page.goto(f"{site_url}/{path}")
    violations = run_axe(shared_page, axe_source)
    assert violations == [], f"/{path}:\n{describe(violations)}"
    assert page_structure_problems(shared_page, lang) == []
    assert shared_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_search_results_have_no_axe_violations(lang: str, shared_page: Page, shared_errors: list[str],
                                               site_url: str, axe_source: str) -> None:
    prefix = "" if lang == "id" else "en/"
    with browser_errors.settling(shared_page):  # the results' fragments: none left in flight
        shared_page.goto(f"{site_url}/{prefix}search/?q={SEARCH_WORD[lang]}")
        expect(shared_page.locator("#lintas-results li").first).to_be_visible(timeout=15_000)
    violations = run_axe(shared_page, axe_source)
    assert violations == [], describe(violations)
    assert shared_errors == []


# WCAG 2.2 1.4.10 Reflow: content fits 320 CSS px without scrolling sideways (a small phone).
# Wide things that may scroll inside their own box (tables, code) are allowed by the criterion and
# do not widen the page; what must not happen is the page itself scrolling sideways.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && getComputedStyle(e).position !== 'fixed';
  }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_type_reflows_at_320_px(lang: str, browser: Any, site_url: str, built_site: Path,
                                           samples: dict[tuple[str, str], str]) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, **NO_WORKER)
    try:
        page = context.new_page()
        problems = []
        for kind in sorted({k for k, _lang in samples}):
            path = samples[(kind, lang)]
            page.goto(f"{site_url}/{path}")
            state = page.evaluate(OVERFLOW)
            if state["scroll"] > state["width"]:
                problems.append(f"{kind} /{path}: {state['scroll']} px wide at {state['width']} px "
                                f"({', '.join(state['wide'])})")
        assert problems == []
    finally:
        context.close()


def test_reflow_check_notices_a_page_wider_than_the_screen(browser: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.set_content('<html lang="en"><body><div class="wide" style="width:400px">x</div></body></html>')
        state = page.evaluate(OVERFLOW)
        assert state["scroll"] > state["width"] and state["wide"] == ["div.wide"]
    finally:
        context.close()


def test_every_page_loads_cleanly(browser: Any, site_url: str, built_site: Path) -> None:
    """Every HTML page of both languages: no console error, no failed request, right lang, headed tables;
    with the offline service worker on, as a reader has it (every page comes through it)."""
    with page_of_its_own(browser, service_workers="allow") as page:
        page_errors = browser_errors.watch(page)
        problems: list[str] = []
        paths = site_pages(built_site)
        assert len(paths) > 40
        fetched: set[str] = set()
        page.on("requestfinished", lambda r: fetched.add(r.url))
        for path in paths:
            page.goto(f"{site_url}/{path}")
            structure = page.evaluate(STRUCTURE)
            # The favicon comes after 'load': leaving before it arrives would abort it (a failed request).
            for _ in range(200):
                if all(icon in fetched for icon in structure["icons"]):
                    break
                page.wait_for_timeout(10)
            problems += [f"/{path}: {p}" for p in structure_problems(structure, "en" if path.startswith("en/") else "id")]
            problems += [f"/{path}: {e}" for e in page_errors]
            page_errors.clear()
        assert problems == []


BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text"><button></button><a href="#x"></a>
<p style="color:#bbb;background:#fff">low contrast text</p>
<table><tr><td>a</td><td>b</td></tr></table>
</body></html>"""


def test_axe_reports_violations_on_a_bad_page(shared_page: Page, axe_source: str) -> None:
    """A broken axe set-up (wrong tags, script not run) must not pass the checks above silently."""
    shared_page.goto("about:blank")  # a blank document, not one under the site's policy (CSP)
    shared_page.set_content(BAD_PAGE)
    found = {v["id"] for v in run_axe(shared_page, axe_source)}
    assert {"image-alt", "label", "button-name", "link-name", "html-has-lang", "color-contrast"} <= found


def test_structure_check_reports_bad_tables_and_lang(shared_page: Page) -> None:
    page = shared_page
    page.goto("about:blank")
    page.set_content('<html lang="en"><body><h1>a</h1><table><tr><td>1</td></tr></table>'
                     '<table><tr><th>x</th><td>1</td></tr></table></body></html>')
    problems = page_structure_problems(page, "id")
    assert problems == ["<html lang> is 'en', expected 'id'", "table 1 has no header cells",
                        "table 2: header 'x' outside thead has no scope"]


# ------------------------------------------------------------------------------------ keyboard

FOCUS_STATE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  let opacity = 1;
  for (let n = e; n; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
  return {tag: e.tagName, id: e.id, cls: e.className, text: (e.textContent || e.value || '').trim().slice(0, 40),
          href: e.getAttribute('href'), inMain: !!e.closest('.md-content'), inHeader: !!e.closest('header'),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
          visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 &&
                   r.left < innerWidth && r.top < innerHeight && opacity > 0.9 && s.visibility === 'visible'};
}"""


# The focused element once transitions (skip link fade-in, drawer slide) have run: polled on every
# animation frame until it is visible, for at most `limit` ms (then as it is: the caller's assertion
# says where). Focus on no element while the document still has the focus is waited on the same way;
# focus gone from the document (Tab past the last stop) is final and answered at once.
SETTLED_FOCUS = f"""async (limit) => {{
  const state = {FOCUS_STATE}, end = performance.now() + limit;
  for (;;) {{
    const s = state();
    if ((s && s.visible) || (!s && !document.hasFocus()) || performance.now() >= end) return s;
    await new Promise(r => requestAnimationFrame(r));
  }}
}}"""
SETTLE_MS = 1500


def tab(page: Page) -> dict[str, Any] | None:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUS_STATE)


def settled_focus(page: Page) -> dict[str, Any] | None:
    """The focused element once transitions have run (SETTLED_FOCUS), in one round trip."""
    return page.evaluate(SETTLED_FOCUS, SETTLE_MS)


def _path(samples: dict[tuple[str, str], str], kind: str, lang: str) -> str:
    return samples[(kind, lang)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["home", "procedure", "glossary", "404"])
def test_skip_link_is_first_and_moves_focus_to_the_content(kind: str, lang: str, shared_page: Page, site_url: str,
                                                           samples: dict[tuple[str, str], str]) -> None:
    page = shared_page
    page.goto(f"{site_url}/{_path(samples, kind, lang)}")
    first = tab(page)
    assert first and "lintas-skip" in first["cls"], f"first Tab stop is {first}"
    first = settled_focus(page)
    assert first and first["visible"], "the focused skip link is not visible"
    page.keyboard.press("Enter")
    focused = page.evaluate(FOCUS_STATE)
    assert focused and focused["id"] == "lintas-main"
    # The next Tab continues in the content, after the page title: past the header and navigation.
    after = tab(page)
    assert after and after["inMain"], f"Tab after the skip link went to {after}"
    assert page.evaluate("""() => { const h1 = document.querySelector('h1');
        return !!(h1.compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING); }""")


def tab_stops(page: Page, limit: int = 150) -> list[dict[str, Any]]:
    """Every Tab stop from the top of the page until focus leaves the page or comes round again."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = settled_focus(page)
        if state is None or (stops and state == stops[0]):
            break
        stops.append(state)
    return stops


@pytest.mark.parametrize("width", [1280, 1024, 390])
@pytest.mark.parametrize("kind", ["procedure", "dataset", "search"])
def test_focus_is_always_visible(kind: str, width: int, shared_page: Page, site_url: str,
                                 samples: dict[tuple[str, str], str]) -> None:
    """Each Tab stop shows an outline of at least 2 px and is on screen (the nav drawer opens for it)."""
    page = shared_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site_url}/{_path(samples, kind, 'id')}")
    stops = tab_stops(page)
    assert len(stops) > 5
    hidden = [s for s in stops if not s["visible"]]
    assert hidden == [], f"focus not visible at {width}px on: {hidden}"
    faint = [s for s in stops if s["id"] != "lintas-main" and (s["outlineStyle"] == "none" or s["outlineWidth"] < 2)]
    assert faint == [], f"no focus outline at {width}px on: {faint}"


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_reaches_search_and_language_switch(lang: str, shared_page: Page, shared_errors: list[str],
                                                     site_url: str, samples: dict[tuple[str, str], str]) -> None:
    page = shared_page
    start = _path(samples, "procedure", lang)
    page.goto(f"{site_url}/{start}")
    stops = tab_stops(page)
    ids = [s["id"] for s in stops]
    assert "lintas-header-q" in ids, "the header search box is not reachable with Tab"
    text, target_lang = SWITCH[lang]
    switch_at = next((i for i, s in enumerate(stops) if s["tag"] == "A" and s["text"] == text), None)
    assert switch_at is not None, "the language switch is not reachable with Tab"

    # Search with the keyboard alone: Tab to the box, type, Enter; the results page answers.
    # (settling: no request left in flight, what networkidle waited for without its 500 ms of quiet;
    # leaving earlier would abort requests, reported as errors.)
    browser_errors.goto_settled(page, f"{site_url}/{start}")
    for _ in range(ids.index("lintas-header-q") + 1):
        page.keyboard.press("Tab")
    page.keyboard.type(SEARCH_WORD[lang])
    with browser_errors.settling(page):
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"/search/\?q={SEARCH_WORD[lang]}"))
        expect(page.locator("#lintas-results li").first).to_be_visible(timeout=15_000)

    # Switch language with the keyboard alone: the same page in the other language.
    browser_errors.goto_settled(page, f"{site_url}/{start}")
    for _ in range(switch_at + 1):
        page.keyboard.press("Tab")
    with browser_errors.settling(page):
        page.keyboard.press("Enter")
        other = start.removeprefix("en/") if lang == "en" else "en/" + start
        expect(page).to_have_url(f"{site_url}/{other}")
        expect(page.locator("html")).to_have_attribute("lang", target_lang)
    assert shared_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_and_search_are_labelled(lang: str, shared_page: Page, site_url: str,
                                                 samples: dict[tuple[str, str], str]) -> None:
    page = shared_page
    page.goto(f"{site_url}/{_path(samples, 'post', lang)}")
    search = page.get_by_role("search")
    expect(search.first).to_be_attached()
    expect(search.get_by_role("searchbox", name=SEARCH_LABEL[lang])).to_have_count(1)
    expect(search.get_by_role("button")).to_have_accessible_name(re.compile(r"\w"))
    text, target_lang = SWITCH[lang]
    switch = page.get_by_role("link", name=text, exact=True)
    expect(switch).to_have_count(1)
    # Screen readers read the other language's name in that language.
    expect(switch).to_have_attribute("lang", target_lang)
    expect(switch).to_have_attribute("hreflang", target_lang)
