"""Provenance (issue 15): the source register, citations per fact, one place for each fact,
contact points, the review cycle. Pages are generated in memory (no MkDocs), the API is published
in memory, so each test sees exactly what a build would write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lintas.config import BuildConfig
from lintas.content.model import Site
from lintas.i18n import format_clock
from lintas.pipeline import check, generate_pages
from lintas.problems import Severity
from lintas.publish.api import publish_api
from lintas.site.pages import Page

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 6)


def site_of(project: Path, today: dt.date = TODAY) -> Site:
    site, problems = check(BuildConfig.for_root(project, today=today))
    assert site is not None, [p.format() for p in problems if p.severity is Severity.ERROR]
    return site


def pages_and_api(project: Path, site: Site | None = None,
                  generated: dict[str, list[Page]] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Markdown of every page ('id/procedures/x/index.md') and every API file, as text."""
    config = BuildConfig.for_root(project, today=TODAY)
    site = site or site_of(project)
    generated = generated or generate_pages(site, config)
    pages = {f"{lang}/{p.src}": p.markdown for lang, items in generated.items() for p in items}
    api, _ = publish_api(site, config)
    return pages, {path: data.decode() for path, data in api.items()}


@dataclasses.dataclass(frozen=True)
class Sample:
    """The repository's sample as it is: its model, pages and API files, made once for the tests
    that only read them (the tests that change sources work on their own `project` copy)."""

    site: Site
    generated: dict[str, list[Page]]
    pages: dict[str, str]
    api: dict[str, str]


@pytest.fixture(scope="module")
def sample() -> Sample:
    site = site_of(ROOT)
    generated = generate_pages(site, BuildConfig.for_root(ROOT, today=TODAY))
    return Sample(site, generated, *pages_and_api(ROOT, site, generated))


def test_clock_times_follow_each_language() -> None:
    assert (format_clock("08:00", "id"), format_clock("08:00", "en")) == ("08.00", "08:00")
    assert (format_clock("16:30", "id"), format_clock("24:00", "en")) == ("16.30", "24:00")


def test_changing_a_posts_hours_changes_every_page_outcome_and_api_file(project: Path, sample: Sample) -> None:
    post = project / "content/posts/plbn-motaain.yaml"
    before_pages, before_api = sample.pages, sample.api  # `project` is a copy of the sample
    post.write_text(post.read_text(encoding="utf-8").replace('closes: "16:00"', 'closes: "17:30"'), encoding="utf-8")
    after_pages, after_api = pages_and_api(project)

    old, new = {"id": "08.00–16.00", "en": "08:00–16:00"}, {"id": "08.00–17.30", "en": "08:00–17:30"}
    mentions = [path for path, text in before_pages.items() if old[path[:2]] in text]
    # The post itself, the crossing procedure (step 4 refers to the post), the checker outcomes that
    # list the post, in both languages.
    assert {"id/posts/plbn-motaain/index.md", "en/posts/plbn-motaain/index.md",
            "id/procedures/cross-into-timor-leste/index.md", "en/procedures/cross-into-timor-leste/index.md",
            "id/checker/crossing-into-timor-leste/tourist/index.md",
            "en/checker/crossing-into-timor-leste/tourist/index.md"} <= set(mentions)
    for path in mentions:
        lang = path[:2]
        assert old[lang] not in after_pages[path] and new[lang] in after_pages[path], path
    # No page anywhere still shows the old hours.
    assert [p for p, text in after_pages.items() if old[p[:2]] in text] == []
    # API: the post's document and the procedure whose step names the hours.
    for path in ("api/v1/posts/plbn-motaain.json", "api/v1/procedures/cross-into-timor-leste.json"):
        assert '16:00' in before_api[path] or "16.00" in before_api[path]
        assert "16:00" not in after_api[path] and "16.00" not in after_api[path], path
        assert "17:30" in after_api[path] or "17.30" in after_api[path], path


def test_a_referenced_fact_brings_its_citation_and_date(sample: Sample) -> None:
    pages, api = sample.pages, sample.api
    step = pages["id/procedures/cross-into-timor-leste/index.md"]
    match = re.search(r"Jam buka PLBN Mota'ain: [^<]*08\.00–16\.00 WITA <sup class=\"lintas-refs\">"
                      r"<a class=\"lintas-ref\" href=\"#(sumber-\d+)\"", step)
    assert match, "the hours in step 4 carry a footnote reference"
    # The footnote leads to a numbered entry naming the post's source, with the fact's date.
    assert re.search(rf'<li id="{match.group(1)}"[^>]*><a href="https://www\.antaranews\.com/berita/2871001/', step)
    assert "(menurut ANTARA, 2022)" in step
    # The API text has the value, without any template syntax or marks.
    doc = json.loads(api["api/v1/procedures/cross-into-timor-leste.json"])
    body = doc["steps"][3]["body"]["id"]
    assert "08.00–16.00 WITA" in body and "{{" not in body and "sumber-" not in body


def test_every_critical_fact_on_every_page_shows_a_citation(sample: Sample) -> None:
    site, pages = sample.site, sample.pages
    for lang in ("id", "en"):
        for pid, post in site.posts.items():
            page = pages[f"{lang}/posts/{pid}/index.md"]
            status_row = re.search(r"<dt>Status</dt><dd>(.*?)</dd>", page)
            assert status_row
            assert ('class="lintas-ref"' in status_row.group(1)) == (post.status != "unknown"), pid
        for pid, proc in site.procedures.items():
            page = pages[f"{lang}/procedures/{pid}/index.md"]
            reqs = re.search(r'<ul class="lintas-requirements">(.*?)</ul>', page, re.S)
            if proc.requirements:
                assert reqs and reqs.group(1).count("<li>") == reqs.group(1).count('<sup class="lintas-refs">')
            fees = re.search(r'<tbody>(.*?)</tbody>', page, re.S)
            if proc.fees:
                assert fees and fees.group(1).count("<tr>") == fees.group(1).count('<sup class="lintas-refs">')


def test_every_cited_fact_shows_its_date_or_says_it_is_not_recorded(sample: Sample) -> None:
    """A fact whose sources carry no date says so plainly, instead of showing a bare publisher."""
    pages = sample.pages
    no_date = {"id": "tanggal tidak tercatat", "en": "date not recorded"}
    dates = [(path, m.group(1)) for path, text in pages.items()
             for m in re.finditer(r'<span class="lintas-asof">\((.*?)\)</span>', text)]
    assert dates
    assert [(path, d) for path, d in dates if not re.search(r"\d{4}", d) and no_date[path[:2]] not in d] == []
    # The passport fees carry the date of the tariff they quote.
    fees = re.search(r"<tbody>(.*?)</tbody>", pages["id/procedures/passport-application/index.md"], re.S)
    assert fees and fees.group(1).count("17 Desember 2024)</span>") == fees.group(1).count("<tr>")
    # A fact whose only source is undated says so (the Timor-Leste customs page has no date).
    assert "(per Alfândegas de Timor-Leste, date not recorded)" in pages["en/procedures/cross-into-timor-leste/index.md"]


def test_glossary_definitions_carry_numbered_references_to_their_sources(sample: Sample) -> None:
    site, pages = sample.site, sample.pages
    for lang in ("id", "en"):
        page = pages[f"{lang}/glossary/index.md"]
        for gid, term in site.glossary.items():
            entry = re.search(rf'<dt id="{gid}">.*?</dt>\n<dd>(.*?)</dd>', page, re.S)
            assert entry, gid
            refs = re.findall(r'href="#(sumber-\d+)"', entry.group(1))
            assert len(refs) == len(term.sources), gid
            for ref, sid in zip(refs, term.sources, strict=True):  # each number leads to that very source
                assert re.search(rf'<li id="{ref}"[^>]*><a href="{re.escape(html.escape(str(site.sources[sid].url)))}"', page), (gid, sid)


def test_sources_page_says_plainly_when_access_dates_are_not_recorded(project: Path, sample: Sample) -> None:
    pages, site = sample.pages, sample.site  # `project` is a copy of the sample, changed below
    undated = sum(1 for s in site.sources.values() if not s.accessed)
    assert undated  # the sample records no access date: the seeds and notes do not give one
    said = {"id": f"Tanggal akses belum tercatat untuk {undated} dari {len(site.sources)} sumber",
            "en": f"The access date is not recorded for {undated} of {len(site.sources)} sources"}
    for lang in ("id", "en"):
        assert said[lang] in pages[f"{lang}/sources/index.md"]
    # A recorded date replaces the statement for that source (and the count drops).
    first = sorted((project / "content/sources").glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "accessed: 2026-12-01\n", encoding="utf-8")
    pages, _ = pages_and_api(project)
    assert f"Tanggal akses belum tercatat untuk {undated - 1} dari" in pages["id/sources/index.md"]
    assert "Diakses: 1 Desember 2026" in pages["id/sources/index.md"]


def test_time_zone_note_on_checker_outcomes_cites_its_sources(sample: Sample) -> None:
    pages = sample.pages
    note = {"id": "Waktu Timor-Leste satu jam lebih cepat daripada WITA.", "en": "Timor-Leste time is one hour ahead of WITA."}
    outcomes = {path: text for path, text in pages.items() if path[3:].startswith("checker/") and note[path[:2]] in text}
    assert len(outcomes) >= 4  # tourist, event, business… in both languages
    for path, text in outcomes.items():
        lang = path[:2]
        shown = text.count("<li>" + note[lang])  # in each post's list (the abbreviation tooltip also quotes it)
        assert shown and shown == text.count("<li>" + note[lang] + ' <sup class="lintas-refs">'), path


def test_uncited_critical_fact_and_unknown_source_fail_check(project: Path) -> None:
    post = project / "content/posts/plbn-wini.yaml"
    text = post.read_text(encoding="utf-8")
    block = "citations:\n  status:\n    cite: [antara-kupang-145050-natal-2024, portalntt-plbn-wini]\n    as_of: 2024-12\n"
    assert block in text
    post.write_text(text.replace(block, "")
                    .replace("sources: [antara-en-299091-wini,", "sources: [antara-en-29909-wini,"), encoding="utf-8")
    site, problems = check(BuildConfig.for_root(project, today=TODAY))
    assert site is None
    lines = [p.format() for p in problems if p.src_path == "content/posts/plbn-wini.yaml"]
    assert any("error[unknown-reference]: sources[0]: no source with id 'antara-en-29909-wini'" in x for x in lines), lines
    assert any("error[uncited-fact]" in x for x in lines), lines


def test_review_overdue_is_flagged_in_check_json_and_on_pages(project: Path, sample: Sample) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--today", "2030-01-01",
                             "check", "--format", "json"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    overdue = {p["src_path"]: p for p in report["problems"] if p["code"] == "review-overdue"}
    assert "content/posts/plbn-motaain.yaml" in overdue
    assert overdue["content/posts/plbn-motaain.yaml"]["severity"] == "warning"
    assert "the review was due on 2027-06-06 (posts: every 6 months)" in overdue["content/posts/plbn-motaain.yaml"]["message"]
    # Today nothing is overdue (every review is recent) ...
    site = sample.site  # the sample as it is, which `project` copies
    config = BuildConfig.for_root(project, today=TODAY)
    now = {p.src: p.markdown for p in sample.generated["id"]}
    assert "lintas-banner--overdue" not in now["posts/plbn-motaain/index.md"]
    # ... in 2030 every page says so, in both languages.
    later = dataclasses.replace(site, today=dt.date(2030, 1, 1))
    pages = generate_pages(later, dataclasses.replace(config, today=dt.date(2030, 1, 1)))
    by_lang = {lang: {p.src: p.markdown for p in items} for lang, items in pages.items()}
    assert "Informasi ini mungkin sudah tidak mutakhir." in by_lang["id"]["posts/plbn-motaain/index.md"]
    assert "This information may be out of date." in by_lang["en"]["posts/plbn-motaain/index.md"]
    assert "lintas-banner--overdue" in by_lang["en"]["checker/crossing-into-timor-leste/tourist/index.md"]


def test_contacts_are_cited_or_not_known_and_fall_back_to_a_known_parent(sample: Sample) -> None:
    pages, api = sample.pages, sample.api
    tual = pages["en/organisations/kanim-tual/index.md"]
    assert "are not known from the sources used here" in tual
    assert "Known contact of its parent office," in tual and "https://www.imigrasi.go.id/" in tual
    report = pages["id/procedures/report-foreign-national/index.md"]
    for office in ("kanim-tual", "kesbangpol-kota-tual", "bpmpd-kota-tual"):
        assert f'id="contact-{office}"' in report
    doc = json.loads(api["api/v1/organisations/ditjen-imigrasi.json"])
    assert doc["contact"]["website"] == "https://www.imigrasi.go.id/"
    assert doc["contact"]["phone"] is None
    assert doc["contact"]["citations"]["website"]["cite"] == ["imigrasi-go-id-2019-07-29-tarakan"]


def test_sources_page_lists_every_source_with_its_citing_pages(sample: Sample) -> None:
    site, pages = sample.site, sample.pages
    for lang in ("id", "en"):
        page = pages[f"{lang}/sources/index.md"]
        for sid in site.sources:
            assert f'<li id="{sid}">' in page
    assert 'href="../posts/plbn-motaain/">PLBN Mota' in pages["id/sources/index.md"]


def test_jsonld_carries_citations_with_dates(sample: Sample) -> None:
    page = next(p for p in sample.generated["en"] if p.src == "posts/plbn-motaain/index.md")
    webpage = next(item for item in page.meta["head"]["jsonld"] if item["@type"] == "WebPage")
    cited = {c["@id"].split("#")[1]: c for c in webpage["citation"]}
    assert cited["antara-2871001-idul-fitri-2022"]["datePublished"] == "2022"
    based = {b["@id"].split("#")[1]: b for b in webpage["isBasedOn"]}
    assert based["antara-2871001-idul-fitri-2022"]["temporalCoverage"] == "2022"
    assert webpage["lastReviewed"] == "2026-12-06"


@pytest.mark.parametrize("text, code", [
    ("Buka pukul 08.00.", "duplicated-fact"),
    ("Biaya Rp650.000.", "duplicated-fact"),
    ("Lihat {{ post:plbn-motaain.opening_hours }}.", None),
])
def test_typed_times_and_fees_are_flagged(project: Path, text: str, code: str | None) -> None:
    notice = project / "content/notices/plb-not-accepted-by-timor-leste.yaml"
    notice.write_text(notice.read_text(encoding="utf-8").replace(
        "  en: |\n    As of 12 September 2025", f"  en: |\n    {text}\n    As of 12 September 2025"),
        encoding="utf-8")
    _, problems = check(BuildConfig.for_root(project, today=TODAY))
    found = {p.code for p in problems if p.src_path.endswith("plb-not-accepted-by-timor-leste.yaml")}
    assert found == ({code} if code else set())
