"""Travel checker: every path of every flow, the rules, the validation messages, pages and diagrams."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lintas.checker.pages import STRINGS, checker_outputs, checker_pages, flow_data, outcome_notices
from lintas.config import BuildConfig
from lintas.content.flows.graph import walk_paths
from lintas.content.flows.rules import RULES, add_months, aged_17_or_over, passport_valid_6_months
from lintas.content.model import Site
from lintas.i18n import LANGS, format_date
from lintas.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 6)  # the content's review day: nothing is "in the future"
CHECKED = dt.date(2026, 12, 6)  # the newest release note's day: the project is checked as of then
FLOWS = ("crossing-into-timor-leste", "getting-a-passport")


def load_site(root: Path = ROOT, today: dt.date = TODAY) -> Site:
    site, problems = check(BuildConfig.for_root(root, today=CHECKED))
    assert site is not None, "\n".join(p.format() for p in problems)
    # Notices are judged on site.today; content reviewed in 2026 cannot be validated as of 2024.
    return dataclasses.replace(site, today=today)


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site()


@pytest.fixture(scope="module")
def pages(site: Site) -> dict[str, dict[str, str]]:
    """lang -> page src -> Markdown."""
    return {lang: {p.src: p.markdown for p in checker_pages(site, lang)} for lang in LANGS}


# ---------------------------------------------------------------------------- paths


def test_both_flows_are_loaded(site: Site) -> None:
    assert sorted(site.flows) == sorted(FLOWS)


def _links(markdown: str) -> list[str]:
    """Targets of the answer links (Markdown links inside the options block)."""
    block = re.search(r'<div class="lintas-options" markdown="1">(.*?)</div>', markdown, re.S)
    assert block, "no options block"
    return re.findall(r"\]\(([^)]+)\)", block.group(1))


def _resolve(src: str, link: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(src), link))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fid", FLOWS)
def test_every_path_ends_in_an_outcome_page(site: Site, pages: dict[str, dict[str, str]], fid: str, lang: str) -> None:
    """Walk the pages themselves: follow every answer link from the start page until no links remain."""
    flow = site.flows[fid]
    docs = pages[lang]
    finished: list[list[str]] = []

    def walk(src: str, trail: list[str]) -> None:
        assert src in docs, f"link to a missing page {src} after {trail}"
        assert len(trail) < 20, f"loop: {trail}"
        node = src.split("/")[-2]
        if node in flow.outcomes:
            assert "lintas-options" not in docs[src]
            finished.append([*trail, node])
            return
        for link in _links(docs[src]):
            walk(_resolve(src, link), [*trail, node])

    start = f"checker/{fid}/index.md"
    for link in _links(docs[start]):
        walk(_resolve(start, link), [flow.start])
    expected = walk_paths(flow)
    assert sorted(finished) == sorted(expected)
    assert {p[-1] for p in finished} == set(flow.outcomes), "every outcome is reached by some path"


def test_path_counts(site: Site) -> None:
    # who: passport -> valid? (yes: 3 purposes, no: 1) + pass + no passport + foreign = 7
    assert len(walk_paths(site.flows["crossing-into-timor-leste"])) == 7
    # citizen: no -> 1; yes -> need: first/renew -> age (2 each), lost, damaged = 7
    assert len(walk_paths(site.flows["getting-a-passport"])) == 7


@pytest.mark.parametrize("lang", LANGS)
def test_every_node_has_a_page_in_both_languages(site: Site, pages: dict[str, dict[str, str]], lang: str) -> None:
    for fid, flow in site.flows.items():
        for node in [*flow.questions, *flow.outcomes, "review"]:
            assert f"checker/{fid}/{node}/index.md" in pages[lang]
        assert f"checker/{fid}/index.md" in pages[lang]
    assert "checker/index.md" in pages[lang]


# ---------------------------------------------------------------------------- outcome content


def test_border_pass_outcome_says_the_pass_is_not_honoured(pages: dict[str, dict[str, str]]) -> None:
    en = pages["en"]["checker/crossing-into-timor-leste/border-pass/index.md"]
    assert "no longer lets people cross with the border crossing pass" in en
    assert "../../getting-a-passport/index.md" in en  # points to the passport checker
    idn = pages["id"]["checker/crossing-into-timor-leste/border-pass/index.md"]
    assert "tidak lagi mengizinkan pelintas memakai Pas Lintas" in idn


def test_business_needs_a_visa(pages: dict[str, dict[str, str]]) -> None:
    assert "Business visits to Timor-Leste still" in pages["en"]["checker/crossing-into-timor-leste/business/index.md"]


def test_outcome_fees_come_from_the_procedure(site: Site, pages: dict[str, dict[str, str]]) -> None:
    five = pages["id"]["checker/getting-a-passport/five-year/index.md"]
    ten = pages["id"]["checker/getting-a-passport/ten-year/index.md"]
    fees = site.procedures["passport-application"].fees
    assert "Rp650.000" in five and "Rp950.000" not in five  # no 10-year book for under-17s
    assert "Rp950.000" in ten
    assert fees[3].amount_idr == 950000 and fees[3].item.id in ten
    lost = pages["en"]["checker/getting-a-passport/lost/index.md"]
    assert "Rp1,000,000" in lost and "Charge for a lost passport" in lost


def test_documents_are_taken_from_the_procedure(site: Site, pages: dict[str, dict[str, str]]) -> None:
    page = pages["en"]["checker/getting-a-passport/ten-year/index.md"]
    for req in site.procedures["passport-application"].requirements:
        assert str(req.text.en).replace("'", "&#39;") in page


def test_outcome_shows_review_date_url_and_sources(site: Site, pages: dict[str, dict[str, str]]) -> None:
    flow = site.flows["crossing-into-timor-leste"]
    page = pages["en"]["checker/crossing-into-timor-leste/tourist/index.md"]
    assert f"Last reviewed: {format_date(flow.reviewed_on, 'en')}" in page
    assert "https://lintas.example/en/checker/crossing-into-timor-leste/tourist/" in page
    chosen = set(flow.outcomes["tourist"].sources)
    assert len(chosen) == 6
    shown = {sid for sid in flow.sources if f"sources/#{sid}" in page}
    # The outcome's own sources, plus those its facts cite (documents, the posts' hours and status).
    outcome = flow.outcomes["tourist"]
    cited_by_facts = {sid for doc in outcome.documents for sid in doc.cite}
    for pid in outcome.posts:
        post = site.posts[pid]
        cited_by_facts |= {sid for h in post.opening_hours for sid in h.cite}
        cited_by_facts |= set(post.citations["status"].cite) if "status" in post.citations else set()
    assert chosen <= shown and shown <= chosen | cited_by_facts
    # Facts taken from a procedure bring the procedure's sources along.
    passport_first = pages["en"]["checker/crossing-into-timor-leste/get-a-passport-first/index.md"]
    for sid in site.procedures["passport-application"].sources:
        assert site.sources[sid].url and site.sources[sid].url in passport_first
    # An outcome naming no source shows all of the flow's.
    ten = pages["en"]["checker/getting-a-passport/ten-year/index.md"]
    assert all(f"sources/#{sid}" in ten for sid in site.flows["getting-a-passport"].sources)


def banners(markdown: str) -> str:
    return "".join(re.findall(r'<div class="lintas-banner.*?</div>', markdown, re.S))


def test_active_notices_appear_in_the_outcomes_they_concern(site: Site) -> None:
    """On 5 September 2024 the papal-visit notice is in force; in 2026 it is archived."""
    # The sample checked once (as of CHECKED, as load_site does), judged on other days.
    during = dataclasses.replace(site, today=dt.date(2024, 9, 5))
    after = dataclasses.replace(site, today=TODAY)
    event_during = {p.src: p.markdown for p in checker_pages(during, "en")}
    event_after = {p.src: p.markdown for p in checker_pages(after, "en")}
    src = "checker/crossing-into-timor-leste/event/index.md"
    title = "Pilgrims to Pope Francis&#39;s Mass in Dili, September 2024"
    assert title in banners(event_during[src])
    assert "Notices about this result in force on 5 September 2024 are shown above." in event_during[src]
    assert title not in event_after[src]
    # The PLB notice (from 12 September 2025, open-ended) concerns every PLBN, but it is for border
    # residents: not for the pilgrim who answered that they cross with a passport (issue 16).
    plb = "The border crossing pass is not yet accepted on the Timor-Leste side"
    assert plb not in banners(event_after[src])
    assert "No notice about this result was in force on 6 December 2026." in event_after[src]
    assert plb in banners(event_after["checker/crossing-into-timor-leste/border-pass/index.md"])
    assert plb not in banners(event_during["checker/crossing-into-timor-leste/border-pass/index.md"])
    # The passport outcomes concern no post: nothing in force in 2026.
    assert "No notice about this result was in force on 6 December 2026." in \
        event_after["checker/getting-a-passport/ten-year/index.md"]
    # A notice that starts later is listed as coming up.
    before = {p.src: p.markdown for p in checker_pages(dataclasses.replace(site, today=dt.date(2025, 9, 1)), "en")}
    assert re.search(r"not yet accepted on the Timor-Leste side</a> <span class=\"lintas-muted\">\(from 12 September 2025\)",
                     before["checker/crossing-into-timor-leste/border-pass/index.md"])


def test_outcome_notices_follow_posts_and_procedures(site: Site) -> None:
    flow = site.flows["getting-a-passport"]
    # The passport outcomes name no post; the papal notice concerns the passport procedure.
    assert outcome_notices(site, flow.outcomes["ten-year"]) == ["papal-visit-pilgrims-2024"]


def test_rule_question_shows_a_worked_example(pages: dict[str, dict[str, str]]) -> None:
    page = pages["en"]["checker/crossing-into-timor-leste/passport-valid/index.md"]
    assert "if you cross on 6 December 2026, your passport must be valid until 6 June 2027 or later" in page
    assert '<a href="#how-to-check">I&#39;m not sure — how to check</a>' in page


def test_flow_data_matches_the_flow(site: Site) -> None:
    data = flow_data(site, "crossing-into-timor-leste", "en")
    assert data["start"] == "who"
    assert data["questions"]["passport-valid"]["rule"] == "passport_valid_6_months"
    assert [p["name"] for p in data["questions"]["passport-valid"]["params"]] == ["travel_date", "expiry_date"]
    assert set(data["outcomes"]) == set(site.flows["crossing-into-timor-leste"].outcomes)


def test_strings_exist_in_both_languages() -> None:
    assert STRINGS["id"].keys() == STRINGS["en"].keys()


# ---------------------------------------------------------------------------- diagrams


def test_diagrams_are_svg_with_every_node(site: Site) -> None:
    out = checker_outputs(site, BuildConfig.for_root(ROOT, today=TODAY))
    assert "checker/checker.js" in out and "checker/checker.css" in out
    for lang in LANGS:
        prefix = "" if lang == "id" else "en/"
        for fid, flow in site.flows.items():
            svg = out[f"{prefix}checker/{fid}/diagram.svg"]
            tree = ET.fromstring(svg)
            assert tree.tag == "{http://www.w3.org/2000/svg}svg"
            ids = {g.get("id") for g in tree.iter("{http://www.w3.org/2000/svg}g")}
            assert ids == {f"node-{n}" for n in [*flow.questions, *flow.outcomes]}
            arrows = [p for p in tree.iter("{http://www.w3.org/2000/svg}path") if p.get("marker-end")]
            assert len(arrows) == sum(len(q.options) for q in flow.questions.values())
            assert flow.title.get(lang) == tree.find("{http://www.w3.org/2000/svg}title").text


def test_review_page_lists_every_path(site: Site, pages: dict[str, dict[str, str]]) -> None:
    page = pages["en"]["checker/getting-a-passport/review/index.md"]
    assert "Every path (7)" in page
    assert "citizen → need → age → five-year" in page
    assert 'src="../diagram.svg"' in page


# ---------------------------------------------------------------------------- rules


@pytest.mark.parametrize(("travel", "expiry", "ok"), [
    ("2024-09-10", "2025-03-10", True),   # exactly 6 months: valid on that day
    ("2024-09-10", "2025-03-09", False),
    ("2024-08-31", "2025-02-28", True),   # 31 Aug + 6 months = 28 Feb (clamped)
    ("2024-08-31", "2025-02-27", False),
    ("2023-08-31", "2024-02-29", True),   # leap year: 29 Feb
    ("2023-08-31", "2024-02-28", False),
    ("2024-12-15", "2025-06-15", True),   # across the year end
    ("2024-12-15", "2025-06-14", False),
    ("2024-09-10", "2024-01-01", False),  # already expired
])
def test_passport_valid_6_months(travel: str, expiry: str, ok: bool) -> None:
    assert passport_valid_6_months(dt.date.fromisoformat(travel), dt.date.fromisoformat(expiry)) is ok


@pytest.mark.parametrize(("birth", "on", "ok"), [
    ("2008-11-25", "2025-11-25", True),   # 17th birthday
    ("2008-11-26", "2025-11-25", False),
    ("2008-02-29", "2025-02-28", False),  # born 29 Feb: 17 on 1 March in a common year
    ("2008-02-29", "2025-03-01", True),
    ("2007-02-28", "2024-02-28", True),
])
def test_aged_17_or_over(birth: str, on: str, ok: bool) -> None:
    assert aged_17_or_over(dt.date.fromisoformat(birth), dt.date.fromisoformat(on)) is ok


dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))


@given(dates, dates)
def test_passport_rule_is_monotonic_in_expiry(travel: dt.date, expiry: dt.date) -> None:
    """A later expiry never turns a valid passport invalid, and the threshold is add_months(travel, 6)."""
    threshold = add_months(travel, 6)
    assert passport_valid_6_months(travel, expiry) == (expiry >= threshold)
    assert 181 <= (threshold - travel).days <= 184


@given(dates)
def test_add_months_keeps_the_day_or_clamps(day: dt.date) -> None:
    later = add_months(day, 6)
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(days=1)).day == 1)


def test_rules_registry_matches_functions() -> None:
    assert set(RULES) == {"passport_valid_6_months", "aged_17_or_over"}
    for rule in RULES.values():
        assert rule.results == ("yes", "no")
        assert rule.answer(dt.date(2000, 1, 1), dt.date(2030, 1, 1)) == "yes"
