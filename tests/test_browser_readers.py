"""What a new visitor sees, measured in real Chromium at phone and desktop widths (issue 16):
the header's name, dataset tables that scroll inside their own box, a legible chart, the fee
table and the checker's button on phones, and no page wider than the screen.

Screenshots of every page type at 360 and 1280 px go to test-results/screens/ for a reviewer
(JPEG at quality 80: encoding full-page PNGs cost Chromium a fifth of these tests' time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import page_of_its_own

from bench.page_weight import representatives

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "test-results" / "screens"
SETTINGS = yaml.safe_load((ROOT / "content/site.yaml").read_text(encoding="utf-8"))
LANGS = ("id", "en")


@pytest.fixture(scope="module")
def samples(built_site: Path) -> dict[tuple[str, str], str]:
    return representatives(built_site)


@pytest.fixture(scope="module")
def reader_page(browser: Any) -> Iterator[Any]:
    """One page for every test of this module, each opening its own address at its own width
    (`opened`): these tests only read what a page shows. What one could inherit from another is the
    HTTP cache, the offline service worker and Material's web storage, none of which changes a
    layout; the site sets no cookie. A new context per test cost 0.2 s and a cold load of every
    stylesheet and script."""
    with page_of_its_own(browser, viewport={"width": 1280, "height": 800}) as page:
        yield page


@contextmanager
def opened(page: Any, width: int, url: str | None = None) -> Iterator[Any]:
    """The module's page, `width` px wide, at `url` when given (else a blank document)."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url or "about:blank")
    yield page


def address(site_url: str, lang: str, path: str = "") -> str:
    return f"{site_url}/{'' if lang == 'id' else 'en/'}{path}"


# The page must not scroll sideways, and a table may be wider than the screen only inside a box
# that scrolls (overflow-x auto/scroll) and is itself no wider than the page.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width)
    problems.push(`page is ${document.documentElement.scrollWidth} px wide at ${width} px`);
  for (const t of document.querySelectorAll('table')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    let box = t.parentElement;
    while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    if (!box || box.getBoundingClientRect().right > width + 1)
      problems.push(`table '${(t.caption || t).textContent.trim().slice(0, 40)}' runs off the page`);
  }
  return problems;
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_every_page_type_fits_and_is_photographed(width: int, reader_page: Any, site_url: str,
                                                   samples: dict[tuple[str, str], str]) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    for old in SCREENS.glob(f"*-{width}.*"):  # only this run's photographs are counted below
        old.unlink()
    problems = []
    with opened(reader_page, width) as page:
        for (kind, lang), path in sorted(samples.items()):
            page.goto(f"{site_url}/{path}")
            problems += [f"{kind} ({lang}) /{path}: {p}" for p in page.evaluate(OVERFLOW)]
            page.screenshot(path=str(SCREENS / f"{kind}-{lang}-{width}.jpg"), full_page=True, quality=80)
    assert problems == []
    assert len(list(SCREENS.glob(f"*-{width}.jpg"))) >= 2 * 12


def test_overflow_check_notices_a_table_running_off_the_page(reader_page: Any) -> None:
    with opened(reader_page, 360) as page:
        page.set_content('<html><body style="margin:0"><div style="width:360px;overflow:hidden">'
                         '<table style="width:600px"><caption>wide</caption><tr><td>x</td></tr></table>'
                         '</div></body></html>')
        assert page.evaluate(OVERFLOW) == ["table 'wide' runs off the page"]
        page.set_content('<html><body style="margin:0"><div style="overflow-x:auto">'
                         '<table style="width:600px"><tr><td>x</td></tr></table></div></body></html>')
        assert page.evaluate(OVERFLOW) == []


# ---------------------------------------------------------------- 2. the header's name

HEADER = """() => {
  const link = document.querySelector('.md-header__title a');
  const shown = [...link.querySelectorAll('span')].filter(s => s.getBoundingClientRect().width > 1);
  return {text: shown.map(s => s.innerText.trim()).join(' '), clipped: link.scrollWidth > link.clientWidth + 1,
          visible: link.getBoundingClientRect().width > 0, title: document.title};
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", [320, 360, 1280])
def test_header_shows_the_site_name_in_the_page_language(lang: str, width: int, reader_page: Any,
                                                         site_url: str) -> None:
    with opened(reader_page, width) as page:
        for path in ("", "procedures/passport-application/", "data/crossings-monthly/"):
            page.goto(address(site_url, lang, path))
            state = page.evaluate(HEADER)
            expected = SETTINGS["name"][lang] if width >= 1024 else SETTINGS["short_name"]
            assert state["visible"] and not state["clipped"], (path, state)
            assert state["text"] == expected, (path, state)
            assert state["title"].endswith(SETTINGS["name"][lang]), state["title"]


# ---------------------------------------------------------------- 1. dataset pages

TABLES = """() => [...document.querySelectorAll('.lintas-data-table')].map(t => {
  const wrap = t.closest('.lintas-table-wrap');
  const cells = [...t.querySelectorAll('tbody tr:first-child td')];
  const first = cells[0], num = t.querySelector('td.lintas-num');
  // Space between one cell's text and the next: this cell's right padding plus the next one's left.
  const gaps = cells.slice(1).map((c, i) => parseFloat(getComputedStyle(cells[i]).paddingRight)
                                         + parseFloat(getComputedStyle(c).paddingLeft));
  return {wrapScrolls: wrap.scrollWidth > wrap.clientWidth, wrapRight: wrap.getBoundingClientRect().right,
          sticky: getComputedStyle(first).position, minGap: Math.min(...gaps),
          numAlign: num ? getComputedStyle(num).textAlign : null};
})"""


@pytest.mark.parametrize("lang", LANGS)
def test_dataset_table_scrolls_in_its_box_with_a_sticky_first_column_on_phones(lang: str, reader_page: Any,
                                                                                site_url: str) -> None:
    with opened(reader_page, 360, address(site_url, lang, "data/crossings-monthly/")) as page:
        tables = page.evaluate(TABLES)
        assert len(tables) == 2  # preview and data dictionary
        preview = tables[0]
        assert preview["wrapScrolls"], "the wide preview should scroll inside its box"
        assert preview["wrapRight"] <= 360
        assert preview["sticky"] == "sticky"
        assert preview["numAlign"] == "right"
        for t in tables:
            assert t["minGap"] >= 8, f"cells nearly touch: {t}"  # 'crossings_flagstring' before
        assert page.evaluate(OVERFLOW) == []


def test_dataset_table_first_column_is_not_sticky_on_wide_screens(reader_page: Any, site_url: str) -> None:
    with opened(reader_page, 1280, address(site_url, "id", "data/crossings-monthly/")) as page:
        assert page.evaluate(TABLES)[0]["sticky"] != "sticky"


CHART = """() => {
  const svg = document.querySelector('.lintas-chart svg'), box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('tspan, text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize) * box.width / svg.viewBox.baseVal.width,
            inside: r.left >= box.left - 1 && r.right <= box.right + 1};
  });
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_chart_is_legible_at_320_px_with_whole_labels(lang: str, reader_page: Any, site_url: str) -> None:
    with opened(reader_page, 320, address(site_url, lang, "data/foreign-nationals-regency/")) as page:
        texts = page.evaluate(CHART)
        assert texts
        small = [t for t in texts if t["px"] < 11]
        outside = [t["text"] for t in texts if not t["inside"]]
        assert small == [] and outside == []
        desc = page.locator(".lintas-chart desc").text_content() or ""
        drawn = " ".join(t["text"] for t in texts)
        label = {"id": "Kabupaten Timor Tengah Utara", "en": "North Central Timor"}[lang]  # was '5305'
        assert label in desc and label in drawn, (desc, drawn)


# ---------------------------------------------------------------- 7. fee table, checker button

@pytest.mark.parametrize("lang", LANGS)
def test_fee_table_shows_every_column_on_a_phone(lang: str, reader_page: Any, site_url: str) -> None:
    with opened(reader_page, 360, address(site_url, lang, "procedures/passport-application/")) as page:
        rows = page.evaluate("""() => [...document.querySelectorAll('.lintas-fees tbody tr')].map(tr => {
          const th = tr.querySelector('th'), last = tr.lastElementChild;
          const lh = parseFloat(getComputedStyle(th).lineHeight);
          return {lines: Math.round(th.getBoundingClientRect().height / lh),
                  lastRight: last.getBoundingClientRect().right, lastText: last.innerText};
        })""")
        assert rows
        for row in rows:
            assert row["lastRight"] <= 360 and row["lastText"].strip(), row  # 'Berlaku sejak' visible
            assert row["lines"] <= 3, row  # was 5-6 lines


@pytest.mark.parametrize("lang", LANGS)
def test_checker_one_page_button_is_one_line_on_a_phone(lang: str, reader_page: Any, site_url: str) -> None:
    with opened(reader_page, 360, address(site_url, lang, "checker/crossing-into-timor-leste/")) as page:
        button = page.locator(".lintas-checker-onepage button")
        button.wait_for()
        state = button.evaluate("""b => { const r = document.createRange(); r.selectNodeContents(b);
            const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
            const hint = b.parentElement.querySelector('.lintas-muted');
            return {lines: tops.size, right: b.getBoundingClientRect().right,
                    hintTop: hint.getBoundingClientRect().top, bottom: b.getBoundingClientRect().bottom}; }""")
        assert state["lines"] == 1 and state["right"] <= 360, state
        # The hint goes under the button, not wrapped around it ("Jawab di satu halaman | Anda / dapat…").
        assert state["hintTop"] >= state["bottom"] - 1, state
