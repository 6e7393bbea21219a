"""Search (issue 10): Pagefind index, ranking, filters, and what a visit loads, in real Chromium.

The query set lives in tests/search_queries.yaml. Browser tests use the shared `built_site`,
`site_url` and `browser` fixtures (tests/conftest.py): a missing Chromium fails, never skips.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_errors import goto_settled
from conftest import serve_folder

from lintas.site.pages import Page
from lintas.site.search import (
    SEARCH_WEIGHTS,
    meta_weights,
    prepare_html,
    rank_field,
    with_search_index,
)

QUERIES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).with_name("search_queries.yaml")).read_text(encoding="utf-8"))
FIRST_VISIT_BUDGET = 100_000  # bytes as transferred (gzip), issue 10


def url_of(path: str, lang: str) -> str:
    return "/" + ("en/" if lang == "en" else "") + path


# ------------------------------------------------------------------------------ without a browser

def test_query_set_is_big_enough_and_bilingual() -> None:
    assert len(QUERIES) >= 20
    langs = [q["lang"] for q in QUERIES]
    assert langs.count("id") >= 10 and langs.count("en") >= 8
    affixed = {q["affixed"] for q in QUERIES if q.get("affixed")}
    assert {"pembuatan", "pelaporan", "perlintasan"} <= affixed
    for q in QUERIES:
        assert q["top5"], q
        if q.get("first"):
            assert q["first"] in q["top5"], q


def test_headings_take_the_page_weight() -> None:
    html = ('<nav><h2>Menu</h2></nav><div data-pagefind-body data-pagefind-weight="0.5">'
            '<span data-pagefind-meta="title:Judul" hidden></span><h1>Judul</h1><h2 id="x">Bagian</h2>'
            '<ul class="lintas-links"><li>a</li></ul><p><abbr title="Warga Negara Asing">WNA</abbr></p></div>')
    out = prepare_html(html)
    assert "<nav><h2>Menu</h2></nav>" in out  # outside the indexed wrapper: untouched
    assert '<h1 data-pagefind-weight="3.5">Judul</h1>' in out  # Pagefind's 7 x 0.5
    assert '<h2 id="x" data-pagefind-weight="3">Bagian</h2>' in out
    assert '<ul data-pagefind-weight="0.2" class="lintas-links">' in out
    assert '<abbr data-pagefind-index-attrs="title" title="Warga Negara Asing">' in out
    assert f'data-pagefind-meta="{rank_field(0.5)}:Judul"' in out


def test_heavy_pages_are_capped_at_pagefinds_maximum() -> None:
    out = prepare_html('<div data-pagefind-body data-pagefind-weight="2"><h1>A</h1></div>')
    assert '<h1 data-pagefind-weight="10">' in out


def test_title_boost_follows_the_page_weight() -> None:
    weights = meta_weights()
    assert weights["title"] == 0.0  # shown, not ranked: the per-weight field carries the boost
    assert weights[rank_field(SEARCH_WEIGHTS["procedures"])] > weights[rank_field(SEARCH_WEIGHTS["notices"])]
    assert weights[rank_field(SEARCH_WEIGHTS["posts"])] > weights[rank_field(SEARCH_WEIGHTS["glossary"])]


def test_pages_of_other_features_get_search_metadata() -> None:
    class DS:
        slug = "crossings"
        spatial = ("5306",)

    class FakeSite:
        datasets = (DS(),)

    regions = {"53": {"id": "Nusa Tenggara Timur", "en": "East Nusa Tenggara"},
               "5306": {"id": "Kabupaten Belu", "en": "Belu Regency"}}
    pages = [Page("data/crossings/index.md", "C", "", {"kind": "dataset"}),
             Page("checker/x/q1/index.md", "Q", "", {"kind": "checker-question"}),
             Page("checker/x/index.md", "S", "", {"kind": "checker-start"}),
             Page("checker/x/review/index.md", "R", "", {"kind": "checker-review", "search": {"exclude": True}}),
             Page("procedures/p/index.md", "P", "", {"kind": "procedures", "search_index": {"weight": 9}}),
             Page("data/crossings/v/1.0.0/index.md", "V", "", {"kind": "dataset-version"}),
             Page("data/regions/5306/index.md", "G", "", {"kind": "data-region"})]
    out = {p.src: p.meta["search_index"] for p in with_search_index(pages, "en", FakeSite(), regions)}
    assert out["data/crossings/index.md"]["filters"] == {
        "Type": ["Dataset"], "Province": ["East Nusa Tenggara"], "Regency/city": ["Belu Regency"]}
    assert out["checker/x/q1/index.md"] == {"exclude": True}
    assert out["checker/x/review/index.md"] == {"exclude": True}
    assert out["checker/x/index.md"]["filters"]["Type"] == ["Travel checker"]
    assert out["procedures/p/index.md"] == {"weight": 9}  # already set: left alone
    # A dataset's versions repeat the dataset page, a region's package lists datasets: not results.
    assert out["data/crossings/v/1.0.0/index.md"] == {"exclude": True}
    assert out["data/regions/5306/index.md"] == {"exclude": True}


# ------------------------------------------------------------------------------ the built site

def test_index_has_both_languages(built_site: Path) -> None:
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"id", "en"}
    for lang in entry["languages"].values():
        assert lang["page_count"] > 20
    assert not [p for p in (built_site / "pagefind").rglob("*") if p.is_file() and p.stat().st_size == 0]


def test_content_pages_carry_kind_and_region_filters(built_site: Path) -> None:
    def filters(path: str) -> set[str]:
        return set(re.findall(r'data-pagefind-filter="([^"]*)"', (built_site / path / "index.html").read_text(encoding="utf-8")))

    assert {"Jenis:Pos lintas batas", "Provinsi:Nusa Tenggara Timur", "Kabupaten/kota:Kabupaten Belu"} <= filters("posts/plbn-motaain")
    # A procedure has no region of its own: its posts' and offices' regions, in both provinces here.
    assert {"Jenis:Prosedur", "Provinsi:Nusa Tenggara Timur", "Provinsi:Maluku"} <= filters("procedures/passport-application")
    assert {"Type:Dataset", "Province:East Nusa Tenggara", "Regency/city:North Central Timor Regency"} <= filters("en/data/crossings-wini-annual")
    assert {"Type:Notice", "Type:Agreement", "Type:Organisation"} & filters("en/notices/plb-not-accepted-by-timor-leste") == {"Type:Notice"}
    search = (built_site / "search" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in search  # the search page is not a result
    register = (built_site / "sources" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in register  # nor the source register (every publisher's name)


# ------------------------------------------------------------------------------ in Chromium

@pytest.fixture(scope="module")
def ranked(built_site: Path, site_url: str, browser: Any) -> dict[tuple[str, str], list[dict[str, str]]]:
    """(lang, query) -> first five results {url, content}, with the search page's own ranking."""
    out: dict[tuple[str, str], list[dict[str, str]]] = {}
    context = browser.new_context()
    try:
        page = context.new_page()
        for lang in ("id", "en"):
            page.goto(site_url + url_of("search/", lang))
            queries = [q["query"] for q in QUERIES if q["lang"] == lang]
            found = page.evaluate("""async (queries) => {
                const pf = await import(new URL(JSON.parse(document.getElementById('lintas-search-config').textContent).bundle + 'pagefind.js', location.href).href);
                await pf.options({ baseUrl: '/', ranking: JSON.parse(document.getElementById('lintas-search-config').textContent).ranking });
                const out = {};
                for (const q of queries) {
                  const s = await pf.search(q);
                  const data = await Promise.all(s.results.slice(0, 5).map(r => r.data()));
                  out[q] = data.map(d => ({ url: d.url, content: d.content }));
                }
                return out; }""", queries)
            for query, results in found.items():
                out[(lang, query)] = results
    finally:
        context.close()
    return out


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


@pytest.mark.parametrize("case", QUERIES, ids=[f"{q['lang']}:{q['query']}" for q in QUERIES])
def test_query_finds_its_pages(case: dict[str, Any], ranked: dict[tuple[str, str], list[dict[str, str]]]) -> None:
    lang = case["lang"]
    results = ranked[(lang, case["query"])]
    urls = [r["url"] for r in results]
    shown = "\n  ".join(urls)
    for path in case["top5"]:
        assert url_of(path, lang) in urls, f"{path} not in the first five for {case['query']!r}:\n  {shown}"
    if case.get("first"):
        assert urls[0] == url_of(case["first"], lang), f"{case['first']} should be first:\n  {shown}"
    for higher, lower in case.get("above", []):
        if url_of(lower, lang) in urls:
            assert urls.index(url_of(higher, lang)) < urls.index(url_of(lower, lang)), shown
    for path in case.get("via_root", []):
        content = next(r["content"] for r in results if r["url"] == url_of(path, lang))
        assert not _word_in(case["affixed"], content), f"{path} contains {case['affixed']!r} itself: no proof of stemming"


def _requests(page: Any) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def _first_visit_bytes(browser: Any, url: str) -> tuple[int, list[str]]:
    """Bytes a cold-cache visit transfers (text gzip-compressed as a server would), and its URLs."""
    context = browser.new_context()
    try:
        page = context.new_page()
        responses: list[Any] = []
        page.on("response", lambda r: responses.append(r))
        goto_settled(page, url)  # every request answered: networkidle without its 500 ms of quiet
        total = 0
        for r in responses:
            body = r.body()
            text_like = re.match(r"(text/|application/(javascript|json)|image/svg)", r.headers.get("content-type", ""))
            total += len(gzip.compress(body, 6)) if text_like else len(body)
        return total, [r.url for r in responses]
    finally:
        context.close()


@pytest.mark.parametrize("path", ["procedures/passport-application/", "en/posts/plbn-motaain/", "", "search/", "en/search/"])
def test_first_visit_loads_no_search_index(path: str, site_url: str, browser: Any) -> None:
    total, urls = _first_visit_bytes(browser, f"{site_url}/{path}")
    assert not [u for u in urls if "/pagefind/" in u], urls
    assert total <= FIRST_VISIT_BUDGET, f"{path}: {total} bytes"


def test_search_page_searches_and_filters_by_keyboard(page: Any, page_errors: list[str], site_url: str) -> None:
    requested = _requests(page)
    page.goto(site_url + "/search/")
    assert not [u for u in requested if "/pagefind/" in u]
    box = page.get_by_label("Cari di situs ini").last  # the header has its own, labelled the same
    box.fill("paspor")
    box.press("Enter")
    page.wait_for_selector("#lintas-results li")
    assert page.url.endswith("/search/?q=paspor")
    assert [u for u in requested if "/pagefind/" in u]  # now, and only now
    hrefs = [a.get_attribute("href") for a in page.locator("#lintas-results li a").all()]
    assert "/procedures/passport-application/" in hrefs
    assert "<mark>" in page.locator("#lintas-results .lintas-search__excerpt").first.inner_html()
    # Filters: one fieldset per filter with a legend, each value a labelled checkbox.
    legends = page.locator("#lintas-filters legend").all_inner_texts()
    assert legends[:1] == ["Jenis"] and "Provinsi" in legends
    procedure = page.get_by_label(re.compile(r"^\s*Prosedur \(\d+\)$"))
    procedure.focus()
    page.keyboard.press("Space")
    page.wait_for_function("""() => [...document.querySelectorAll('#lintas-results li')].every(
        li => li.textContent.includes('· Prosedur'))""")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    assert page.evaluate("document.activeElement.checked") is True
    kinds = page.locator("#lintas-results li .lintas-muted").all_inner_texts()
    assert kinds and set(kinds) == {" · Prosedur"}
    assert page_errors == []


def test_results_come_ten_at_a_time(page: Any, page_errors: list[str], site_url: str) -> None:
    fragments: list[str] = []
    page.on("request", lambda r: "/pagefind/fragment/" in r.url and fragments.append(r.url))
    page.goto(site_url + "/search/?q=Timor")
    page.wait_for_selector("#lintas-results li")
    total = int(re.search(r"\d+", page.locator("#lintas-status").inner_text()).group())
    assert total > 10
    assert page.locator("#lintas-results li").count() == 10 and len(fragments) == 10
    page.get_by_role("button", name="Tampilkan hasil lainnya").click()
    page.wait_for_function("() => document.querySelectorAll('#lintas-results li').length > 10")  # a function: a string is eval'd, which the CSP refuses
    assert page.locator("#lintas-results li").count() == min(total, 20)
    assert page_errors == []


def test_header_form_leads_to_results_in_english(page: Any, page_errors: list[str], site_url: str) -> None:
    page.goto(site_url + "/en/posts/plbn-wini/")
    box = page.get_by_label("Search this site")
    box.fill("passport")
    box.press("Enter")
    page.wait_for_selector("#lintas-results li")
    hrefs = [a.get_attribute("href") for a in page.locator("#lintas-results li a").all()]
    assert "/en/procedures/passport-application/" in hrefs
    assert all(h.startswith("/en/") for h in hrefs)  # the English index only
    assert page_errors == []


@pytest.fixture(scope="module")
def sub_path_url(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site served under /lintas/, as on https://example.org/lintas/."""
    root = tmp_path_factory.mktemp("sub-path")
    shutil.copytree(built_site, root / "lintas")
    proc, url = serve_folder(root)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=5)


@pytest.mark.parametrize(("lang", "query"), [("id", "paspor"), ("en", "WNA")])
def test_results_work_under_a_sub_path(lang: str, query: str, sub_path_url: str, page: Any, page_errors: list[str]) -> None:
    page.goto(f"{sub_path_url}/lintas/{url_of('search/', lang).lstrip('/')}?q={query}")
    page.wait_for_selector("#lintas-results li")
    hrefs = [a.get_attribute("href") for a in page.locator("#lintas-results li a").all()]
    assert hrefs and all(h.startswith("/lintas/") for h in hrefs), hrefs
    for href in hrefs[:5]:
        response = page.request.get(sub_path_url + href.split("#")[0])
        assert response.status == 200, href
    page.locator("#lintas-results li a").first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{sub_path_url}/lintas/")
    assert page_errors == []


def test_citations_and_glossary_list_are_not_indexed(site_url: str, browser: Any) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site_url + "/search/")
        found = page.evaluate("""async () => {
            const pf = await import(new URL(JSON.parse(document.getElementById('lintas-search-config').textContent).bundle + 'pagefind.js', location.href).href);
            const urls = async (q) => Promise.all((await pf.search(q)).results.map(async r => (await r.data()).url));
            const texts = async (q) => Promise.all((await pf.search(q)).results.map(async r => (await r.data()).content));
            return { cited: await urls('Kilas'), customs: await texts('Alfândegas'), wna: await urls('WNA') }; }""")
    finally:
        context.close()
    assert found["cited"] == []  # publishers named only in pages' sources boxes and fact marks
    # Pagefind matches any word starting with 'a' ('alf', 'Alfandegas') to an indexed one-letter
    # word 'A' ('PLBN tipe A', measured): what must not happen is a page found by the publisher's name.
    assert not [t for t in found["customs"] if re.search(r"alf[aâ]ndegas", t, re.I)]
    assert "/glossary/#wna" in found["wna"] and "/glossary/" not in found["wna"]
