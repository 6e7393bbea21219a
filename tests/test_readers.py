"""What a new visitor meets, checked in the built HTML (issue 16): the site's name and title in the
page's language, the footer, the about page, one set of language alternates, readable dataset
tables and chart text, the agreement facts, the table of contents and the PLB warning.

The visual side (widths, overflow, what is on screen) is in tests/test_browser_readers.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from bench.page_weight import representatives, site_pages
from lintas.datasets.disclosure import FLAG
from lintas.i18n import format_date

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = yaml.safe_load((ROOT / "content/site.yaml").read_text(encoding="utf-8"))
NAME = SETTINGS["name"]


def html_of(site: Path, path: str) -> str:
    file = site / (path if path.endswith(".html") else path + "index.html")
    return file.read_text(encoding="utf-8")


class Tags(HTMLParser):
    """Start tags with their attributes, and the text inside a chosen element (by id or class)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "no <title>"
    return found.group(1).strip()


def part(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i:html.index(end, i)]


# ---------------------------------------------------------------- 2. name and title per language

@pytest.mark.parametrize("lang", ["id", "en"])
def test_title_and_header_carry_the_site_name_of_the_page_language(lang: str, built_site: Path) -> None:
    prefix = "" if lang == "id" else "en/"
    other = "en" if lang == "id" else "id"
    home = html_of(built_site, prefix)
    assert title_of(home) == NAME[lang], "the home page's title is the site's name, once"
    for path in (f"{prefix}procedures/passport-application/", f"{prefix}data/crossings-monthly/",
                 f"{prefix}checker/crossing-into-timor-leste/"):
        html = html_of(built_site, path)
        assert title_of(html).endswith(f" - {NAME[lang]}"), title_of(html)
        header = part(html, "<header", "</header>")
        assert NAME[lang] in header and NAME[other] not in header, path
        assert NAME[other] not in html.split("<body", 1)[1], f"/{path} names the site in the other language"


# ---------------------------------------------------------------- 3. footer and about page

def test_every_page_ends_in_a_footer_that_says_who_publishes_it(built_site: Path) -> None:
    built = dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=dt.UTC).date()
    problems = []
    for path in site_pages(built_site):
        lang = "en" if path.startswith("en/") else "id"
        html = html_of(built_site, path)
        footer = part(html, '<footer class="md-footer lintas-footer">', "</footer>")
        words = text(footer)
        expected = [SETTINGS["publisher"][lang], SETTINGS["contact_email"], SETTINGS["licence"]["name"],
                    format_date(built, lang)]
        problems += [f"/{path}: footer lacks {e!r}" for e in expected if e not in words]
        found = tags(footer)
        hrefs = [a["href"] for t, a in found if t == "a"]
        if not any(h.endswith("about/") or h.endswith("about/index.html") for h in hrefs):
            problems.append(f"/{path}: no link to the about page")
        if sum(1 for t, a in found if t == "a" and a.get("rel") == "license") != 2:
            problems.append(f"/{path}: the footer should name the licence of the text and of the data")
        if not any(t == "time" and a.get("datetime") == built.isoformat() for t, a in found):
            problems.append(f"/{path}: no build date {built.isoformat()}")
    assert problems == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_about_page_names_publisher_contact_licences_and_privacy(lang: str, built_site: Path) -> None:
    prefix = "" if lang == "id" else "en/"
    html = html_of(built_site, f"{prefix}about/")
    body = text(part(html, '<article class="md-content__inner', "</article>"))
    for expected in (SETTINGS["publisher"][lang], SETTINGS["contact_email"], "CC BY 4.0",
                     "cookie", "Apache-2.0"):
        assert expected in body, f"about page lacks {expected!r}"


# ---------------------------------------------------------------- 6. one set of hreflang alternates

def test_language_alternates_are_absolute_and_name_this_page(built_site: Path) -> None:
    base = SETTINGS["base_url"]
    problems = []
    for path in site_pages(built_site):
        if path.endswith("404.html"):
            continue
        neutral = path.removeprefix("en/")
        alternates = [a for t, a in tags(html_of(built_site, path).split("</head>", 1)[0])
                      if t == "link" and a.get("rel") == "alternate" and "hreflang" in a]
        got = sorted((a["hreflang"], a["href"]) for a in alternates)
        want = sorted([("en", base + "en/" + neutral), ("id", base + neutral), ("x-default", base + neutral)])
        if got != want:
            problems.append(f"/{path}: {got}")
    assert problems == []


# ---------------------------------------------------------------- 1. dataset tables and chart

def test_dataset_numbers_are_grouped_the_way_each_language_writes_them(built_site: Path) -> None:
    for prefix, sep in (("", "."), ("en/", ",")):
        html = html_of(built_site, f"{prefix}data/crossings-wini-annual/")
        numbers = [n for n in re.findall(r'<td class="lintas-num">([^<]*)</td>', html) if n != FLAG]
        grouped = re.compile(r"\d{1,3}(" + re.escape(sep) + r"\d{3})*")
        assert numbers and all(grouped.fullmatch(n) for n in numbers), numbers
        assert any(sep in n for n in numbers), f"no number of 1000 or more to show grouping: {numbers}"
        heads = {h: c for c, h in re.findall(r'<th scope="col"( class="lintas-num")?>([^<]*)</th>', html)}
        assert heads.get("crossings"), f"the number column's header is not right-aligned: {heads}"


def test_chart_labels_are_whole_in_the_picture_and_in_its_accessible_text(built_site: Path) -> None:
    for prefix in ("", "en/"):
        html = html_of(built_site, f"{prefix}data/foreign-nationals-regency/")
        svg = part(html, '<figure class="lintas-chart">', "</svg>")
        desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
        assert desc
        entries = [e.split(":")[0].strip() for e in desc.group(1).split(";")]
        codes = [e for e in entries if re.fullmatch(r"\d{4}", e)]
        assert codes == [], f"labels replaced by codes in the accessible text: {codes}"
        drawn = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
        for label in entries:
            assert label in drawn or all(w in drawn for w in label.split()), (label, drawn)
        assert max(len(e) for e in entries) > 16, "the sample should have a long label to test"


# ---------------------------------------------------------------- 7. agreement, TOC, PLB

def test_agreement_facts_do_not_repeat_signed(built_site: Path) -> None:
    for prefix, word in (("", "Ditandatangani"), ("en/", "Signed")):
        html = html_of(built_site, f"{prefix}agreements/pks-pos-imigrasi-aplasi-2024/")
        words = text(part(html, 'id="agreement-facts"', "</ol>"))
        assert f"{word}: {word}" not in words and f"{word} : {word}" not in words
        labels = [text(d) for d in re.findall(r"<dt>(.*?)</dt>", html)]
        assert word not in labels, f"a facts label reads like the status: {labels}"


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_procedure_table_of_contents_lists_every_section(prefix: str, built_site: Path) -> None:
    html = html_of(built_site, f"{prefix}procedures/passport-application/")
    toc = part(html, 'class="md-nav md-nav--secondary"', 'data-md-component="content"')
    anchors = set(re.findall(r'href="#([^"]+)"', toc))
    for anchor in ("req-title", "steps-title", "fees-title", "sources-title"):
        assert anchor in anchors, f"{anchor} missing from the table of contents: {sorted(anchors)}"


def test_plb_status_is_a_warning_not_also_an_uncertain_note(built_site: Path) -> None:
    html = html_of(built_site, "procedures/cross-into-timor-leste/")
    banners = " ".join(re.findall(r'<div class="lintas-banner lintas-banner--warning".*?</div>', html, re.S))
    assert "PLB" in text(banners) or "Pas Lintas Batas" in text(banners)
    caveats = re.findall(r'<(?:aside|section|div) class="lintas-caveats".*?</(?:aside|section|div)>', html, re.S)
    assert caveats, "the page's other caveat should still show"
    assert not any("PLB" in text(c) for c in caveats)


def test_every_page_type_has_a_sample(built_site: Path) -> None:
    kinds = {k for k, _lang in representatives(built_site)}
    assert "about" in kinds


# ---------------------------------------------------------------- 8. README commands

def test_readme_commands_use_the_virtual_environment() -> None:
    """A newcomer who types a command as written must get the venv's Python (babel and the rest),
    not the system's (`ModuleNotFoundError: No module named 'babel'`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\| `([^`]+)`", table, re.M)
    assert len(commands) >= 5
    bare = [c for c in commands if not c.startswith(".venv/bin/python ")]
    assert bare == [], f"commands that need an activated venv: {bare}"
    assert not re.search(r"(?<![/\w])python (build\.py|-m pytest|bench/)", readme), "a bare 'python' command"


# ---------------------------------------------------------------- 5. search excerpts

def test_dataset_search_text_keeps_labels_apart_from_values(built_site: Path) -> None:
    """Pagefind's excerpt of a dataset page read 'Cakupan waktu1 Mei 2024 … WilayahKabupaten Belu'."""
    import gzip
    import json

    contents = []
    for fragment in (built_site / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(fragment.read_bytes())
        contents.append(json.loads(raw[raw.index(b"{"):]).get("content", ""))
    datasets = [c for c in contents if "Cakupan waktu" in c]
    assert datasets, "no dataset page in the search index"
    for c in datasets:
        assert re.search(r"Cakupan waktu \d", c) and re.search(r"Wilayah \w", c), c[:300]


# ---------------------------------------------------------------- 4. checker notices by the answers

PLB_TITLE = {"": "Pas Lintas Batas belum berlaku di sisi Timor-Leste",
             "en/": "The border crossing pass is not yet accepted on the Timor-Leste side"}


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_checker_outcome_shows_the_notices_its_answers_concern(prefix: str, built_site: Path) -> None:
    """The pilgrim who said they have a passport was warned that the PLB pass is not accepted."""
    flow = f"{prefix}checker/crossing-into-timor-leste/"
    for outcome in ("event", "tourist", "business"):  # answered 'an Indonesian citizen with a passport'
        assert PLB_TITLE[prefix] not in text(html_of(built_site, flow + outcome + "/")), outcome
    assert PLB_TITLE[prefix] in text(html_of(built_site, flow + "border-pass/"))  # the PLB holder's
    # The notice still concerns the posts and the procedure (no answers there).
    assert PLB_TITLE[prefix] in text(html_of(built_site, f"{prefix}posts/plbn-motamasin/"))


def test_route_audiences_follow_the_answers() -> None:
    from lintas.checker.pages import outcome_notices, route_audiences
    from lintas.config import BuildConfig
    from lintas.pipeline import check

    site, problems = check(BuildConfig.for_root(ROOT))
    assert site is not None, problems
    flow = site.flows["crossing-into-timor-leste"]
    assert route_audiences(flow, "event") == [frozenset({"wni", "travellers", "pilgrims"})]
    assert set(route_audiences(flow, "get-a-passport-first")) == {frozenset({"wni"}),
                                                                  frozenset({"wni", "travellers"})}
    event = flow.outcomes["event"]
    plb = "plb-not-accepted-by-timor-leste"
    assert plb not in outcome_notices(site, event, route_audiences(flow, "event"))
    assert plb in outcome_notices(site, event)  # unknown answers: every notice about its posts
    assert plb in outcome_notices(site, event, [frozenset()])


def test_search_aliases_come_from_what_the_page_is_about() -> None:
    from lintas.site.search import prepare_html, synonyms_for

    assert set(synonyms_for("Peziarah ke Misa Paus Fransiskus")) >= {"pope", "papal", "pilgrim", "mass"}
    assert synonyms_for("Mengajukan paspor biasa") == []
    assert synonyms_for("Kampus Pausan") == []  # whole words only
    page = ('<div data-pagefind-body><span data-pagefind-meta="title:Mota&#39;ain" hidden></span>'
            "<p>Dibuka untuk peziarah ke misa Paus</p></div>")
    assert "papal" not in prepare_html(page)  # a mention in the text is not what the page is about
    about = page.replace("title:Mota&#39;ain", "title:Peziarah ke Misa Paus")
    assert 'title="paus pope papal' in prepare_html(about)


def test_readme_says_what_the_preview_leaves_out() -> None:
    """Item 9: after `serve`, site/ has no offline zip and no link to it (the preview builds without
    the bundle, lintas/preview.py); the README must say so where it lists the command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `.venv/bin/python build.py serve"))
    assert "offline" in row and "downloads/lintas-offline.zip" in row and "build.py` before you publish" in row
    preview = (ROOT / "lintas" / "preview.py").read_text(encoding="utf-8")
    assert "bundle=False" in preview, "the preview now builds the bundle: update the README and this test"
