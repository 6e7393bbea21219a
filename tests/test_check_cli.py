"""`python build.py check` as staff and CI run it: exit codes, output streams, text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lintas.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
POST = """name:
  id: Pos Uji
kind: plbn
status: active
citations: {status: {cite: [antara-kupang-137299-aplasi]}}
sources: [antara-kupang-137299-aplasi]
reviewed_on: 2026-12-01
"""


def run(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120, cwd=root)


def test_sample_content_is_clean() -> None:
    result = run("check")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "check: no problems found\n"


def test_sample_content_is_clean_as_json() -> None:
    result = run("check", "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report == {"valid": True, "stats": {"errors": 0, "warnings": 0}, "problems": []}


def _break(project: Path) -> None:
    (project / "content/posts/b-post.yaml").write_text(
        POST.replace("kind: plbn", "kind: pbln") + "region: 5306\n", encoding="utf-8")
    (project / "content/posts/a-post.yaml").write_text(
        POST + "operating_office: kanim-atambau\n", encoding="utf-8")
    (project / "content/glossary/bad.yaml").write_bytes(b"term: caf\xe9\n")
    (project / "content/organisations/kanim-atambua.yaml").write_text(
        "name: {id: x}\nname: {id: y}\n", encoding="utf-8")


# Imported only by the stages that use them (publishing, rendering), never by `check`.
# (selectolax is not here: `check` parses the rendered Markdown fields with it, docs/security.md.)
HEAVY = ("scipy", "rdflib", "mkdocs", "material", "openpyxl", "xlsxwriter", "pagefind")


def test_check_imports_no_publishing_or_rendering_library() -> None:
    code = ("import sys; from lintas.cli import main; code = main(['--root', sys.argv[1], 'check']); "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_problems_exit_1_sorted_on_stderr_without_traceback(project: Path) -> None:
    _break(project)
    result = run("check", root=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    # kanim-atambua.yaml is broken, yet a-post's reference to it is not reported: the file exists.
    assert result.stderr.splitlines() == [
        "content/glossary/bad.yaml:1:10: error[encoding]: not UTF-8 (byte 0xe9) (save the file as UTF-8)",
        "content/organisations/kanim-atambua.yaml:2:1: error[yaml-duplicate-key]: "
        "duplicate key 'name' (first defined on line 1)",
        "content/posts/a-post.yaml:8:19: error[unknown-reference]: operating_office: "
        "no organisation with id 'kanim-atambau' (did you mean 'kanim-atambua'?)",
        "content/posts/b-post.yaml:3:7: error[bad-value]: kind: 'pbln' is not allowed; use one of: "
        "plbn, plb-traditional, tpi-land, tpi-sea, tpi-air, immigration-post (did you mean 'plbn'?)",
        "content/posts/b-post.yaml:8:9: error[bad-type]: region: must be text, got the number 5306 "
        "(put it in quotes: \"5306\")",
    ]


def test_problems_as_json(project: Path) -> None:
    _break(project)
    result = run("check", "--format", "json", root=project)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["stats"] == {"errors": 5, "warnings": 0}
    assert report["problems"][2] == {
        "src_path": "content/posts/a-post.yaml",
        "line": 8,
        "column": 19,
        "code": "unknown-reference",
        "message": "operating_office: no organisation with id 'kanim-atambau'",
        "severity": "error",
        "hint": "did you mean 'kanim-atambua'?",
    }
    assert [p["code"] for p in report["problems"]] == [
        "encoding", "yaml-duplicate-key", "unknown-reference", "bad-value", "bad-type"]
    assert all(p["code"] in CODES for p in report["problems"])


def test_oversized_and_hostile_files_end_in_one_line_each(project: Path) -> None:
    (project / "content/glossary/huge.yaml").write_bytes(b"a: b\n" * 250_000)
    (project / "content/glossary/deep.yaml").write_text("a: " + "[" * 100_000)
    (project / "content/glossary/bomb.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)))
    result = run("check", root=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/glossary/bomb.yaml:2:8: error[yaml-alias]: aliases (*name) are not allowed; write the value out",
        "content/glossary/deep.yaml:1:35: error[yaml-too-deep]: nested more than 32 levels deep",
        "content/glossary/huge.yaml:1:1: error[file-too-large]: file is 1,250,000 bytes; the limit is 1,048,576 bytes",
    ]


def test_unknown_option_is_a_usage_error() -> None:
    result = run("check", "--colour")
    assert result.returncode == 2
    assert "unrecognized arguments: --colour" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_format_is_a_usage_error() -> None:
    result = run("check", "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr


def test_missing_content_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", root=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"build.py: no content/ folder in {tmp_path.resolve()}\n"


def test_every_problem_code_is_documented() -> None:
    text = (ROOT / "docs/errors.md").read_text(encoding="utf-8")
    headings = {line[3:].strip().strip("`") for line in text.splitlines() if line.startswith("## ")}
    assert sorted(set(CODES) - headings) == []
    assert sorted(headings - set(CODES)) == []
