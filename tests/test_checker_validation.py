"""Validation of travel-checker flows: exact messages at file:line:col."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from lintas.config import BuildConfig
from lintas.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 6)  # the newest release note's day: nothing in data/ is "in the future"
SRC = "content/flows/test-flow.yaml"

BASE = """\
title:
  id: Uji
  en: Test
summary:
  id: Ringkasan
  en: Summary
start: a
questions:
  a:
    text:
      id: Pertanyaan A?
      en: Question A?
    options:
      - label: {id: Ya, en: "Yes"}
        next: b
      - label: {id: Tidak, en: "No"}
        next: done
  b:
    text: {id: Pertanyaan B, en: Question B}
    options:
      - label: {id: Satu, en: One}
        next: done
      - label: {id: Dua, en: Two}
        next: other
outcomes:
  done:
    title: {id: Selesai, en: Done}
  other:
    title: {id: Lain, en: Other}
    posts: [plbn-motaain]
sources: [antara-kupang-137299-aplasi]
reviewed_on: 2026-11-01
"""


def at(text: str, needle: str, offset: int = 0) -> str:
    """'line:col' (1-based) of the unique `needle` in `text`, plus `offset` characters."""
    assert text.count(needle) == 1, f"needle {needle!r} is not unique"
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"


def problems_for(project: Path, text: str) -> list[str]:
    (project / "content" / "flows" / "test-flow.yaml").write_text(text, encoding="utf-8")
    _site, problems = check(BuildConfig.for_root(project, today=TODAY))
    return [p.format() for p in problems if p.src_path == SRC]


def test_base_flow_is_valid(project: Path) -> None:
    assert problems_for(project, BASE) == []


def test_loop(project: Path) -> None:
    text = BASE.replace("      - label: {id: Satu, en: One}\n        next: done",
                        "      - label: {id: Satu, en: One}\n        next: a")
    where = at(text, "next: a", 6)
    assert problems_for(project, text) == [
        f"{SRC}:{where}: error[flow-structure]: questions.b.options[0].next: loop: a -> b -> a; "
        "every path must end in an outcome",
    ]


def test_dead_end(project: Path) -> None:
    text = BASE.replace("""    options:
      - label: {id: Satu, en: One}
        next: done
      - label: {id: Dua, en: Two}
        next: other
""", "    options: []\n").replace("    posts: [plbn-motaain]\n", "")
    assert problems_for(project, text) == [
        f"{SRC}:{at(text, '[]')}: error[flow-structure]: questions.b: dead end: the question has no "
        "options, so no path through it reaches an outcome",
        f"{SRC}:{at(text, 'other:')}: error[flow-structure]: outcomes.other: unreachable: no path "
        "from the first question 'a' leads here",
    ]


# One edit of the base flow, one problem: (edit: old text, new text), where it points, the message.
ONE_PROBLEM = {
    "unreachable_node": (
        ("outcomes:\n", "outcomes:\n  orphan:\n    title: {id: Yatim, en: Orphan}\n"), "orphan:",
        "error[flow-structure]: outcomes.orphan: unreachable: no path from the first question 'a' leads here"),
    "missing_translation": (
        ("      id: Pertanyaan A?\n      en: Question A?\n", "      id: Pertanyaan A?\n"), "id: Pertanyaan A?",
        "error[missing-field]: questions.a.text.en: the English text is missing; every text in a flow needs "
        "both languages"),
    "unknown_rule": (
        ("  a:\n    text:\n", "  a:\n    rule: passport_valid_six_months\n    text:\n"), "passport_valid_six_months",
        "error[unknown-rule]: questions.a.rule: no rule function 'passport_valid_six_months' (did you mean "
        "'passport_valid_6_months'?)"),
    "outcome_sources_must_be_in_the_register": (
        ("    title: {id: Selesai, en: Done}\n",
         "    title: {id: Selesai, en: Done}\n    sources: [antara-kupang-13729-aplasi]\n"), "antara-kupang-13729-aplasi",
        "error[unknown-reference]: outcomes.done.sources[0]: no source with id 'antara-kupang-13729-aplasi' "
        "(did you mean 'antara-kupang-137299-aplasi'?)"),
    "outcome_documents_need_citations": (
        ("    title: {id: Selesai, en: Done}\n",
         "    title: {id: Selesai, en: Done}\n    documents:\n      - text: {id: Paspor, en: Passport}\n"),
        "text: {id: Paspor",
        "error[uncited-fact]: outcomes.done.documents[0]: documents is a critical fact and cites no source (add "
        "`cite: [<source id>]` (and `as_of`) here, or `citations: {documents: {cite: [...]}}`)"),
}


@pytest.mark.parametrize("case", sorted(ONE_PROBLEM))
def test_one_edit_one_problem(case: str, project: Path) -> None:
    (old, new), anchor, message = ONE_PROBLEM[case]
    assert old in BASE
    text = BASE.replace(old, new)
    assert problems_for(project, text) == [f"{SRC}:{at(text, anchor)}: {message}"]


def test_rule_results_must_match_options(project: Path) -> None:
    text = BASE.replace("  a:\n    text:\n", "  a:\n    rule: passport_valid_6_months\n    text:\n")
    where = at(text, "passport_valid_6_months")
    assert problems_for(project, text) == [
        f"{SRC}:{where}: error[flow-structure]: questions.a.rule: rule 'passport_valid_6_months' can "
        "answer 'no' but no option has result: no",
        f"{SRC}:{where}: error[flow-structure]: questions.a.rule: rule 'passport_valid_6_months' can "
        "answer 'yes' but no option has result: yes",
    ]
    text = text.replace('en: "Yes"}\n', 'en: "Yes"}\n        result: "yes"\n').replace(
        'en: "No"}\n', 'en: "No"}\n        result: "maybe"\n')
    quoted_maybe = '"maybe"'
    assert problems_for(project, text) == [
        f"{SRC}:{where}: error[flow-structure]: questions.a.rule: rule 'passport_valid_6_months' can "
        "answer 'no' but no option has result: no",
        f"{SRC}:{at(text, quoted_maybe)}: error[flow-structure]: questions.a.options[1].result: rule "
        "'passport_valid_6_months' answers 'yes' or 'no', not 'maybe'",
    ]


def test_unknown_references(project: Path) -> None:
    text = (BASE.replace("posts: [plbn-motaain]", "posts: [plbn-motain]")
            .replace("        next: other\n", "        next: otehr\n")
            .replace("    title: {id: Selesai, en: Done}\n",
                     "    title: {id: Selesai, en: Done}\n    fees: {procedure: passport-application, items: [0, 9]}\n"))
    assert problems_for(project, text) == [
        f"{SRC}:{at(text, 'otehr')}: error[unknown-reference]: questions.b.options[1].next: no question "
        "or outcome 'otehr' in this flow (did you mean 'other'?)",
        f"{SRC}:{at(text, '9]')}: error[unknown-reference]: outcomes.done.fees.items[1]: procedure "
        "'passport-application' has no fee number 9 (it lists 7, numbered from 0)",
        f"{SRC}:{at(text, 'plbn-motain')}: error[unknown-reference]: outcomes.other.posts[0]: no post "
        "with id 'plbn-motain' (did you mean 'plbn-motaain'?)",
    ]


def test_a_post_with_its_own_error_is_no_unknown_reference(project: Path) -> None:
    # The post exists but fails its schema: one problem, in the post's file, not one per flow outcome.
    post = project / "content" / "posts" / "plbn-motaain.yaml"
    post_text = post.read_text(encoding="utf-8").replace("\nopening_hours:", "\nopening_hour:")
    post.write_text(post_text, encoding="utf-8")
    (project / "content" / "flows" / "test-flow.yaml").write_text(BASE, encoding="utf-8")
    _site, problems = check(BuildConfig.for_root(project, today=TODAY))
    assert [p.format() for p in problems] == [
        f"content/posts/plbn-motaain.yaml:{at(post_text, 'opening_hour:')}: error[unknown-field]: "
        "opening_hour: unknown field (did you mean 'opening_hours'?)",
    ]


def test_start_must_be_a_question(project: Path) -> None:
    text = BASE.replace("start: a\n", "start: done\n")
    problems = problems_for(project, text)
    assert problems[0] == (f"{SRC}:{at(text, 'start: done', 7)}: error[unknown-reference]: start: "
                           "the first question 'done' is an outcome, not a question")


def test_shared_and_reserved_ids(project: Path) -> None:
    text = BASE.replace("outcomes:\n", "outcomes:\n  b:\n    title: {id: B, en: B}\n  review:\n"
                                       "    title: {id: R, en: R}\n")
    found = problems_for(project, text)
    assert (f"{SRC}:{at(text, '  b:' + chr(10) + '    title', 2)}: error[flow-structure]: outcomes.b: 'b' is "
            "already the id of a question; questions and outcomes share one set of ids") in found
    assert (f"{SRC}:{at(text, 'review:', 0)}: error[flow-structure]: outcomes.review: 'review' is reserved "
            "for the reviewers' page; choose another id") in found


def test_cli_prints_positions_without_traceback(project: Path) -> None:
    text = BASE.replace("  a:\n    text:\n", "  a:\n    rule: no_such_rule\n    text:\n")
    (project / "content" / "flows" / "test-flow.yaml").write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(project),
                             "--today", TODAY.isoformat(), "check"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (f"{SRC}:{at(text, 'no_such_rule')}: error[unknown-rule]: questions.a.rule: no rule function "
            "'no_such_rule' (known rules: aged_17_or_over, passport_valid_6_months)") in result.stderr


@pytest.mark.parametrize("bad", ["questions: []\n", "questions:\n  Bad_Id: {}\n"])
def test_schema_errors_are_problems_not_tracebacks(project: Path, bad: str) -> None:
    text = BASE.replace("questions:\n", bad + "questions_old:\n")
    found = problems_for(project, text)
    assert found and all("error[" in line for line in found)
