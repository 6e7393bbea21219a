"""Validation (lintas/content/load.py + lintas/content/validate.py): every bad input gives the exact one-line
problem at the right file:line:col.

Golden cases live in tests/invalid/: `<case>.yaml` starts with `# place: <path>`, the path in a
copy of the project it is written to (any existing file there is replaced), and
`<case>.expected.txt` holds the exact problem lines `build.py check` prints. Regenerate with
LINTAS_UPDATE_GOLDEN=1 after reading the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintas.content.kinds import FILE_MODELS
from lintas.content.load import SourceDoc, Sources, load_sources
from lintas.content.schemas import Notice
from lintas.content.validate import link_problems, site_pages, validate_sources
from lintas.content.yamlio import parse_yaml
from lintas.problems import CODES, Problem, format_text, sort_problems

HERE = Path(__file__).resolve().parent
CASES = sorted(HERE.glob("invalid/*.yaml"))
UPDATE = os.environ.get("LINTAS_UPDATE_GOLDEN") == "1"
# The real clock: sample content is reviewed up to today, so a fixed past date would flag it;
# the cases that must be "in the future" use the year 2999.
TODAY = dt.date.today()


def check(root: Path, today: dt.date = TODAY) -> list[Problem]:
    sources, problems = load_sources(root)
    _, found = validate_sources(sources, today)
    return sort_problems([*problems, *found])


def place_case(case: Path, root: Path) -> str:
    raw = case.read_bytes()
    first = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode().rstrip("\r")
    match = re.fullmatch(r"# place: (content/\S.*)", first)
    assert match, f"{case.name}: first line must be '# place: content/...'"
    target = root / match.group(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw)
    return match.group(1)


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 30
    missing = [c.name for c in CASES if not c.with_suffix(".expected.txt").exists() and not UPDATE]
    assert missing == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_case(case: Path, project: Path) -> None:
    place_case(case, project)
    got = format_text(check(project))
    expected_file = case.with_suffix(".expected.txt")
    if UPDATE:
        expected_file.write_text(got, encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8")


def test_golden_cases_only_report_their_own_file(project: Path) -> None:
    """The sample content is clean, so each case's problems come from the case alone."""
    assert check(project) == []
    for case in CASES:
        expected = case.with_suffix(".expected.txt").read_text(encoding="utf-8")
        target = re.search(rb"# place: (\S.*)", case.read_bytes())
        assert target is not None
        folder = target.group(1).decode().strip().rsplit("/", 1)[0]
        for line in expected.splitlines():
            assert line.startswith(folder), (case.name, line)


def test_every_problem_code_used_by_cases_is_known() -> None:
    codes = set()
    for case in CASES:
        text = case.with_suffix(".expected.txt").read_text(encoding="utf-8")
        codes.update(re.findall(r"error\[([a-z-]+)\]", text))
    assert codes <= set(CODES)
    # The rules of issue 2 each have at least one golden case.
    assert codes >= {
        "encoding", "empty-file", "yaml-syntax", "yaml-duplicate-key", "yaml-alias", "yaml-tag",
        "yaml-too-deep", "yaml-multiple-documents", "not-a-mapping", "bad-id", "duplicate-id",
        "missing-field", "unknown-field", "bad-type", "bad-value", "bad-date", "bad-url",
        "out-of-range", "date-order", "future-date", "unknown-reference", "unsafe-html",
        "unknown-kind", "stray-file",
    }


# ---------------------------------------------------------------- rules not reachable by one file


def _doc(kind: str, id_: str, text: str) -> SourceDoc:
    problems: list[Problem] = []
    src = f"content/{kind}/{id_}.yaml"
    doc = parse_yaml(text, src, problems)
    assert problems == [] and doc is not None
    return SourceDoc(kind, id_, src, doc)


GLOSSARY = ("term: {term}\ndefinition:\n  id: Uji\nsources: [antara-kupang-137299-aplasi]\n"
            "reviewed_on: 2024-01-01\n")


def _source() -> SourceDoc:
    """The one register entry GLOSSARY cites."""
    return _doc("sources", "antara-kupang-137299-aplasi", "title: T\npublisher: P\nkind: press\n")


def test_duplicate_ids_within_a_kind() -> None:
    # Files cannot share a name in one folder, but a future loader (or two folders mapped to one
    # kind) could produce two sources with one id; the site would then overwrite a page.
    first = _doc("glossary", "uji", GLOSSARY.format(term="Satu"))
    second = SourceDoc("glossary", "uji", "content/glossary/uji-copy.yaml",
                       _doc("glossary", "uji-copy", GLOSSARY.format(term="Dua")).doc)
    _, problems = validate_sources(Sources(None, (first, second, _source())), TODAY)
    assert [p.format() for p in problems] == [
        "content/glossary/uji-copy.yaml:1:1: error[duplicate-id]: "
        "id 'uji' is already used by content/glossary/uji.yaml"
    ]


def test_glossary_terms_are_unique_ignoring_case() -> None:
    docs = (_doc("glossary", "a", GLOSSARY.format(term="TIMPORA")),
            _doc("glossary", "b", GLOSSARY.format(term="Timpora")), _source())
    _, problems = validate_sources(Sources(None, docs), TODAY)
    assert [p.format() for p in sort_problems(problems)] == [
        "content/glossary/a.yaml:1:7: error[duplicate-id]: "
        "term: 'TIMPORA' is also defined in content/glossary/b.yaml",
        "content/glossary/b.yaml:1:7: error[duplicate-id]: "
        "term: 'Timpora' is also defined in content/glossary/a.yaml",
    ]


def test_reviewed_on_today_is_fine_and_tomorrow_is_not() -> None:
    docs = (_doc("glossary", "a", GLOSSARY.format(term="A").replace("2024-01-01", "2025-03-10")), _source())
    assert validate_sources(Sources(None, docs), dt.date(2025, 3, 10))[1] == []
    _, problems = validate_sources(Sources(None, docs), dt.date(2025, 3, 9))
    assert [p.format() for p in problems] == [
        "content/glossary/a.yaml:5:14: error[future-date]: reviewed_on: 2025-03-10 is in the future"
    ]


def test_links_may_name_extra_pages() -> None:
    doc = _doc("notices", "a", "body: {id: 'See [crossings](/data/crossings/)'}\n").doc
    known = {"notices": {"a"}}
    assert [p.code for p in link_problems(Notice, doc, site_pages(known))] == ["unknown-reference"]
    assert link_problems(Notice, doc, site_pages(known, ["/data/crossings/"])) == []


def test_link_position_in_folded_and_quoted_text() -> None:
    doc = _doc("notices", "a",
               'body:\n  id: "x [y](/nope/)"\n  en: >-\n    first line\n    and [z](/nope/)\n').doc
    problems = link_problems(Notice, doc, site_pages({}))
    assert [(p.line, p.column) for p in problems] == [(2, 14), (5, 13)]


def test_links_in_plain_text_are_not_links() -> None:
    """Plain fields are escaped wherever they are shown: '[y](/nope/)' there is just text."""
    doc = _doc("notices", "a", 'summary: {id: "x [y](/nope/)"}\n').doc
    assert link_problems(Notice, doc, site_pages({})) == []


# ---------------------------------------------------------------- never a traceback

_KEYS = sorted({name for model in FILE_MODELS.values() for name in model.model_fields}
               | {"id", "en", "lat", "lon", "title", "publisher", "url", "date", "x"})
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "kanim-atambua", "2024-02-30", "2024-09-05", "08:00", "javascript:x",
                     "[a](/posts/x/)", "<script>", "https://a.b", "&#106;avascript:", "Ω"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20))  # lone surrogates: test_yamlio
_VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FILE_MODELS)), st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8))
def test_any_data_gives_problems_never_an_exception(kind: str, data: dict[str, object]) -> None:
    text = json.dumps(data)  # JSON is YAML: a flow mapping on one line
    doc = _doc(kind, "fuzz", text)
    _, problems = validate_sources(Sources(None, (doc,)), TODAY)
    for problem in problems:
        assert problem.code in CODES and problem.src_path == doc.src_path
