"""Citation markup in a real browser (issue 15): the numbered references next to facts are plain
links to the page's numbered source list, so they work with JavaScript off and on paper."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_errors import goto_settled
from conftest import page_of_its_own
from playwright.sync_api import Page
from test_browser_print import printed

pytestmark = pytest.mark.browser

# Pages with facts from many sources, facts referenced from another entity (the post's hours in a
# procedure step and in checker outcomes) and a glossary whose definitions cite their sources.
PAGES = ["posts/plbn-motaain/", "procedures/cross-into-timor-leste/",
         "checker/crossing-into-timor-leste/tourist/", "notices/papal-visit-pilgrims-2024/", "glossary/"]
ALL = [("" if lang == "id" else "en/") + p for lang in ("id", "en") for p in PAGES]


# Every numbered reference on the page, (href, label), with what its target list item holds, read
# in one round trip: the number of `li<href>` elements, the first one's value and its http links.
REFERENCES = """() => [...document.querySelectorAll('a.lintas-ref')].map(a => {
  const href = a.getAttribute('href') || '';
  const targets = /^#sumber-\\d+$/.test(href) ? [...document.querySelectorAll('li' + href)] : [];
  return {href, label: a.innerText, targets: targets.length,
          value: targets.length ? targets[0].getAttribute('value') : null,
          links: targets.length ? targets[0].querySelectorAll("a[href^='http']").length : 0};
})"""


def check_targets(page: Page, path: str) -> list[tuple[str, str]]:
    refs = page.evaluate(REFERENCES)
    assert refs, f"/{path} shows no numbered reference"
    for ref in refs:
        href, label = ref["href"], ref["label"]
        number = re.fullmatch(r"\[(\d+)\]", label)
        assert number and href == f"#sumber-{number.group(1)}", (path, href, label)
        assert ref["targets"] == 1, f"/{path}: {href} has no single target"
        # The list item shows the same number as the reference (an <ol> item with that value).
        assert ref["value"] == number.group(1), (path, href)
        assert ref["links"] >= 1, f"/{path}: {href} names no source address"
    return [(ref["href"], ref["label"]) for ref in refs]


# One page without JavaScript and one with it, each shared by the tests that use it: these tests
# read a page (and follow one in-page link) after their own navigation; what one could inherit from
# another is the HTTP cache and, with JavaScript, the offline service worker, which change no markup
# (pages still come from the network first). The print tests set print media themselves, on a page
# reset to screen first. A new context per test cost 0.2 s and a cold load of every file.
@pytest.fixture(scope="module")
def no_js_page(browser: Any) -> Any:
    with page_of_its_own(browser, java_script_enabled=False) as page:
        yield page


@pytest.fixture(scope="module")
def js_page(browser: Any) -> Any:
    with page_of_its_own(browser) as page:
        yield page


@pytest.mark.parametrize("path", ALL)
def test_footnote_links_lead_to_their_source_without_javascript(path: str, no_js_page: Page, site_url: str,
                                                               built_site: Path) -> None:
    assert (built_site / path / "index.html").is_file(), f"/{path} is missing from the built site"
    page = no_js_page
    page.goto(f"{site_url}/{path}", wait_until="load")
    # Scripts did not run: Material's script would have replaced the html element's "no-js" class.
    assert "no-js" in (page.locator("html").get_attribute("class") or "").split()
    refs = check_targets(page, path)
    # Following the last reference moves to its entry of the source list, in view.
    href = refs[-1][0]
    page.locator(f'a.lintas-ref[href="{href}"]').last.click()
    page.wait_for_function("h => location.hash === h", arg=href)
    box = page.locator(f"li{href}").bounding_box()
    assert box is not None
    viewport = page.viewport_size or {"height": 768}
    assert 0 <= box["y"] < viewport["height"], f"/{path}: {href} is not in view after following it"


@pytest.mark.parametrize("path", ["posts/plbn-motaain/", "en/procedures/cross-into-timor-leste/",
                                  "checker/crossing-into-timor-leste/tourist/"])
def test_numbered_references_and_their_source_list_print(path: str, js_page: Page, site_url: str) -> None:
    page = js_page
    page.emulate_media(media="screen")  # as a new page: the previous test left it printing
    goto_settled(page, f"{site_url}/{path}")
    page.emulate_media(media="print")
    refs = check_targets(page, path)
    assert all(page.locator(f'a.lintas-ref[href="{href}"]').first.is_visible() for href, _ in refs)
    numbers = sorted({int(label.strip("[]")) for _, label in refs})
    for n in numbers:
        assert page.locator(f"li#sumber-{n}").is_visible(), f"/{path}: source {n} does not print"
    _, text = printed(page)
    flat = " ".join(text.split())
    # Every number printed next to a fact is printed again in the list, with the source's publisher.
    for n in numbers:
        assert f"[{n}]" in flat, f"/{path}: [{n}] is not on paper"
    first = " ".join(page.locator("li#sumber-1").inner_text().split())
    assert first[:30] in flat, f"/{path}: source 1 is not on paper"
