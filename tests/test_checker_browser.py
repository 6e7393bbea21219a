"""Travel checker in real headless Chromium: the same outcome with JavaScript off (plain links) and on
(the one-page form), the JavaScript rules equal to the Python ones, one A4 page per printed outcome,
and the 33 KB page budget.

The site is built into a temporary folder with `python build.py build`. A missing renderer, a failed
build, a build without checker pages or a missing Chromium is a failure, never a skip.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import io
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import browser_errors
import pytest
from conftest import NO_WORKER
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from bench.page_weight import BUDGETS as PAGE_BUDGETS
from lintas.config import BuildConfig
from lintas.content.flows.rules import RULES
from lintas.content.model import Site
from lintas.i18n import format_date
from lintas.pipeline import check

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 6)  # on or after the newest release note (1.0.1)
# gzip bytes: page + stylesheets + images (+ scripts it loads without asking); the page-weight
# budget of checker pages (bench/page_weight.py, where its history is), one figure for both tests
BUDGET = PAGE_BUDGETS["checker-outcome"]

# (flow, language, answers in order, outcome)
JOURNEYS = [
    ("crossing-into-timor-leste", "en", ["An Indonesian citizen with a passport", "Yes", "A pilgrimage or an event"], "event"),
    ("crossing-into-timor-leste", "id", ["Warga negara Indonesia yang memiliki paspor", "Ya", "Bisnis"], "business"),
    ("crossing-into-timor-leste", "en", ["A border resident with a cross-border pass (PLB)"], "border-pass"),
    ("getting-a-passport", "en", ["Yes", "My first passport", "No"], "five-year"),
    ("getting-a-passport", "id", ["Ya", "Pengganti paspor yang hilang"], "lost"),
]


@pytest.fixture(scope="module")
def model() -> Site:
    site, problems = check(BuildConfig.for_root(ROOT, today=TODAY))
    assert site is not None, "\n".join(p.format() for p in problems)
    return dataclasses.replace(site, today=TODAY)


def _build_checker_site(root: Path) -> Path:
    for name in ("content", "data", "templates", "releases"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, root / name)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root),
                             "--today", TODAY.isoformat(), "build"],
                            capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    return root / "site"


@pytest.fixture(scope="session")
def checker_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A build of a copy of the project as of TODAY; the built site/ folder, shared read-only.

    The test run builds as of TODAY (tests/conftest.py pins LINTAS_TODAY), so this is the run's
    shared build of the sample (`built_site`). Run with LINTAS_TODAY set to another day, it is
    `python build.py --today TODAY build` of a copy, made once per test run (conftest.shared_build).
    LINTAS_TEST_SITE names a site built beforehand (quick local runs), as for the other browser tests."""
    from conftest import shared_build

    prebuilt = os.environ.get("LINTAS_TEST_SITE")
    if prebuilt:
        return _require_checker(Path(prebuilt))
    if not (ROOT / "lintas" / "site" / "render.py").is_file():
        pytest.fail("lintas/site/render.py is missing: the site cannot be built")
    if os.environ.get("LINTAS_TODAY") == TODAY.isoformat():
        return _require_checker(request.getfixturevalue("built_site"))
    return _require_checker(shared_build(tmp_path_factory, "checker-site", _build_checker_site))


def _require_checker(site: Path) -> Path:
    for lang_prefix in ("", "en/"):
        start = site / lang_prefix / "checker" / "crossing-into-timor-leste" / "index.html"
        assert start.is_file(), (f"{start} was not built: wire lintas.checker.pages.checker_pages and "
                                 "checker_outputs into lintas/pipeline.py")
    return site


@pytest.fixture(scope="session")
def url(checker_site: Path) -> Iterator[str]:
    from conftest import serve_folder

    proc, address = serve_folder(checker_site)
    try:
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def start_url(base: str, fid: str, lang: str, page_name: str = "") -> str:
    return f"{base}/{'' if lang == 'id' else 'en/'}checker/{fid}/{page_name}"


def outcome_url(base: str, fid: str, lang: str, outcome: str) -> str:
    return f"{start_url(base, fid, lang)}{outcome}/"


@pytest.fixture(scope="module")
def no_js(browser: Browser) -> Iterator[Page]:
    """A page with JavaScript off, shared by the tests of this module; `js`: one with it on. The
    checker keeps a reader's answers in the page alone (no cookie, no web storage: checker.js and
    start.js use neither), every use below starts with its own navigation to a start page and
    watches its own errors; what a test could inherit is the HTTP cache, which changes no answer. A new context per use
    cost 0.2 s and a cold load of every stylesheet and script each time."""
    context = browser.new_context(java_script_enabled=False, **NO_WORKER)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**NO_WORKER)
    try:
        yield context.new_page()
    finally:
        context.close()


def answer_without_js(page: Page, base: str, fid: str, lang: str, answers: list[str],
                      page_name: str = "") -> tuple[str, str]:
    with browser_errors.watching(page) as errors:
        page.goto(start_url(base, fid, lang, page_name))
        for label in answers:
            page.locator(".lintas-options").get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        assert errors == []
        return page.url, page.locator("h1").inner_text()


def answer_with_js(page: Page, base: str, site: Site, fid: str, lang: str, answers: list[str],
                   page_name: str = "") -> tuple[str, str]:
    flow = site.flows[fid]
    with browser_errors.watching(page) as errors:
        page.goto(start_url(base, fid, lang, page_name))
        page.get_by_role("button", name="Answer on one page" if lang == "en" else "Jawab di satu halaman").click()
        expect(page.locator("#lintas-checker-app")).to_be_visible()
        expect(page.locator(".lintas-checker-static")).to_be_hidden()
        node = flow.start
        for label in answers:
            question = flow.questions[node]
            group = page.get_by_role("group", name=question.text.get(lang))
            group.get_by_label(label, exact=True).check()
            node = next(o.next for o in question.options if o.label.get(lang) == label)
        result = page.locator("#lintas-result")
        expect(result).to_contain_text(flow.outcomes[node].title.get(lang))
        result.get_by_role("link").click()
        page.wait_for_load_state()
        assert errors == []
        return page.url, page.locator("h1").inner_text()


@pytest.mark.parametrize(("fid", "lang", "answers", "outcome"), JOURNEYS)
def test_same_outcome_with_and_without_javascript(no_js: Page, js: Page, url: str, model: Site, fid: str,
                                                  lang: str, answers: list[str], outcome: str) -> None:
    off = answer_without_js(no_js, url, fid, lang, answers)
    on = answer_with_js(js, url, model, fid, lang, answers)
    expected = outcome_url(url, fid, lang, outcome)
    assert off[0] == expected
    assert on == off
    assert off[1] == model.flows[fid].outcomes[outcome].title.get(lang)


def test_changing_an_earlier_answer_drops_later_ones(js: Page, url: str) -> None:
    page = js
    page.goto(start_url(url, "getting-a-passport", "en"))
    page.get_by_role("button", name="Answer on one page").click()
    page.get_by_role("group", name="Are you an Indonesian citizen (WNI)?").get_by_label("Yes").check()
    page.get_by_role("group", name="What do you need?").get_by_label("My first passport").check()
    expect(page.get_by_role("group", name="Are you 17 or older, or married?")).to_be_visible()
    page.get_by_role("group", name="Are you an Indonesian citizen (WNI)?").get_by_label("No").check()
    expect(page.get_by_role("group", name="What do you need?")).to_have_count(0)
    expect(page.locator("#lintas-result")).to_contain_text("Ordinary Indonesian passports are for Indonesian citizens only")


def test_date_rule_picks_the_answer(js: Page, url: str) -> None:
    """A passport expiring the day before the 6-month mark: the form answers 'No' by itself."""
    page = js
    page.goto(start_url(url, "crossing-into-timor-leste", "en"))
    page.get_by_role("button", name="Answer on one page").click()
    page.get_by_role("group", name="Who is crossing?").get_by_label("An Indonesian citizen with a passport").check()
    group = page.get_by_role("group", name=re.compile("^Will your passport still be valid"))
    group.get_by_label("Date you cross").fill("2024-08-31")
    group.get_by_label("Passport expiry date").fill("2025-02-27")
    group.get_by_role("button", name="Work it out").click()
    expect(page.get_by_role("group", name=re.compile("^Will your passport")).get_by_label("No", exact=True)).to_be_checked()
    expect(page.locator("#lintas-result")).to_contain_text("Get a new passport before you travel")
    page.get_by_role("group", name=re.compile("^Will your passport")).get_by_label("Passport expiry date").fill("2025-02-28")
    page.get_by_role("group", name=re.compile("^Will your passport")).get_by_role("button", name="Work it out").click()
    expect(page.get_by_role("group", name="Why are you travelling?")).to_be_visible()


def _date_pairs() -> list[tuple[str, str]]:
    rng = random.Random(6)
    edges = ["2023-08-31", "2024-02-29", "2024-08-31", "2024-12-31", "2025-02-28", "2025-03-01",
             "2007-02-28", "2008-02-29", "2025-11-25", "2024-09-10", "2025-03-10", "2025-03-09"]
    pairs = [(a, b) for a in edges for b in edges]
    start = dt.date(1990, 1, 1)
    for _ in range(300):
        a = start + dt.timedelta(days=rng.randrange(20000))
        b = a + dt.timedelta(days=rng.randrange(-400, 7000))
        pairs.append((a.isoformat(), b.isoformat()))
    return pairs


def test_javascript_rules_equal_python_rules(js: Page, url: str) -> None:
    page = js
    page.goto(start_url(url, "crossing-into-timor-leste", "en"))
    page.get_by_role("button", name="Answer on one page").click()
    expect(page.locator("#lintas-checker-app")).to_be_visible()
    pairs = _date_pairs()
    for name, rule in RULES.items():
        in_js = page.evaluate("([name, pairs]) => pairs.map(p => window.LintasRules[name](p[0], p[1]))",
                              [name, pairs])
        py = [rule.answer(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in pairs]
        wrong = [(p, j, q) for p, j, q in zip(pairs, in_js, py, strict=True) if j != q]
        assert wrong == [], f"{name}: JavaScript and Python disagree on {wrong[:5]}"
    assert page.evaluate("window.LintasRules.passport_valid_6_months('2024-09-10', '')") is None


def outcome_paths(model: Site) -> list[str]:
    return [path for path, _date in outcome_paths_and_dates(model)]


def outcome_paths_and_dates(model: Site) -> list[tuple[str, str]]:
    """Each outcome page and the review date it shows: its flow's reviewed_on, in the page's language."""
    return [(f"{'' if lang == 'id' else 'en/'}checker/{fid}/{oid}/", format_date(flow.reviewed_on, lang))
            for fid, flow in model.flows.items() for oid in flow.outcomes for lang in ("id", "en")]


def test_every_outcome_prints_on_at_most_two_a4_pages(browser: Browser, url: str, model: Site) -> None:
    context = browser.new_context(**NO_WORKER)
    try:
        page = context.new_page()
        too_long = {}
        for path, reviewed in outcome_paths_and_dates(model):
            browser_errors.goto_settled(page, f"{url}/{path}")
            page.emulate_media(media="print")
            footer = page.locator(".lintas-checker__print")
            expect(footer).to_be_visible()
            expect(footer).to_contain_text(f"https://lintas.example/{path}")
            expect(footer).to_contain_text(reviewed)
            expect(page.locator(".lintas-checker__restart")).to_be_hidden()
            pdf = page.pdf(format="A4", margin=dict.fromkeys(("top", "right", "bottom", "left"), "1cm"))
            reader = PdfReader(io.BytesIO(pdf))
            text = " ".join((reader.pages[-1].extract_text() or "").split())
            assert "lintas.example" in text.replace(" ", ""), f"{path}: the address is not printed"
            # Two sheets since issue 15: an outcome now shows each post's hours and status with
            # numbered citations, and the source list those numbers point to prints with it.
            if len(reader.pages) > 2:
                too_long[path] = len(reader.pages)
        assert too_long == {}, f"outcomes printing on more than two A4 pages: {too_long}"
    finally:
        context.close()


# ---------------------------------------------------------------------------- weight


def _weight(site: Path, page: Path) -> tuple[int, dict[str, int]]:
    """gzip bytes of a page and of the stylesheets, scripts and images it loads on its own."""
    html = page.read_text(encoding="utf-8")
    parts = {page.relative_to(site).as_posix(): len(gzip.compress(page.read_bytes(), 9))}
    refs = re.findall(r'<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)
    refs += re.findall(r'<link\b[^>]*href="([^"]+)"[^>]*rel="stylesheet"', html)
    refs += re.findall(r'<(?:script|img)\b[^>]*\bsrc="([^"]+)"', html)
    for ref in refs:
        target = (page.parent / ref.split("#")[0].split("?")[0]).resolve()
        assert target.is_file(), f"{page}: {ref} is missing"
        parts[ref] = len(gzip.compress(target.read_bytes(), 9))
    return sum(parts.values()), parts


def test_checker_pages_stay_within_the_budget(checker_site: Path, model: Site) -> None:
    pages = sorted((checker_site / "checker").rglob("index.html")) + sorted((checker_site / "en" / "checker").rglob("index.html"))
    per_lang = 1 + sum(2 + len(f.questions) + len(f.outcomes) for f in model.flows.values())
    assert len(pages) == 2 * per_lang  # index; per flow: start, review and every node
    over = {}
    for page in pages:
        if "/review/" in page.as_posix():
            continue  # reviewers' page: the diagram is its point
        total, parts = _weight(checker_site, page)
        assert not any(ref.endswith("checker.js") for ref in parts), "checker.js must load only on request"
        if total > BUDGET:
            over[page.relative_to(checker_site).as_posix()] = (total, parts)
    assert over == {}, f"over {BUDGET} gzip bytes: {over}"


def test_budget_check_counts_what_it_should(checker_site: Path) -> None:
    """The weight helper counts a stylesheet the page links: guards the budget test itself."""
    page = checker_site / "en" / "checker" / "getting-a-passport" / "index.html"
    total, parts = _weight(checker_site, page)
    assert any(ref.endswith("checker/checker.css") for ref in parts)
    assert total > parts["en/checker/getting-a-passport/index.html"] + parts["../../../checker/checker.css"]



# ---------------------------------------------------------------------------- offline bundle, accessibility


def test_offline_bundle_same_outcome_from_file_urls(no_js: Page, js: Page, checker_site: Path, model: Site,
                                                    tmp_path: Path) -> None:
    """From the unzipped offline bundle (file://, 'index.html' links) both ways still agree."""
    import zipfile

    bundles = sorted(checker_site.rglob("lintas-offline*.zip"))
    assert bundles, "the build published no offline bundle"
    with zipfile.ZipFile(bundles[0]) as zf:
        zf.extractall(tmp_path)
    start = next(tmp_path.rglob("en/checker/getting-a-passport/index.html"))
    base = start.parents[3].as_uri()  # the bundle's root folder
    fid, lang, answers, outcome = JOURNEYS[3]
    off = answer_without_js(no_js, base, fid, lang, answers, page_name="index.html")
    on = answer_with_js(js, base, model, fid, lang, answers, page_name="index.html")
    assert off[0] == f"{base}/en/checker/{fid}/{outcome}/index.html"
    assert on == off


def test_checker_pages_pass_axe(js: Page, url: str) -> None:
    from axe_playwright_python.base import AXE_FILE_PATH

    axe = Path(AXE_FILE_PATH).read_text(encoding="utf-8")
    page = js
    found = {}
    for path in ("en/checker/", "checker/crossing-into-timor-leste/", "en/checker/crossing-into-timor-leste/passport-valid/",
                 "checker/crossing-into-timor-leste/border-pass/", "en/checker/getting-a-passport/review/",
                 "en/checker/crossing-into-timor-leste/"):
        page.goto(f"{url}/{path}")
        if path == "en/checker/crossing-into-timor-leste/":  # the one-page form, with the date fields
            page.get_by_role("button", name="Answer on one page").click()
            page.get_by_label("An Indonesian citizen with a passport").check()
        page.evaluate(axe)
        result = page.evaluate("() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})")
        found[path] = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]
    assert found == {path: [] for path in found}

