"""Strict YAML (lintas/content/yamlio.py): no YAML 1.1 re-typing, no duplicate keys, aliases, tags or
bombs, exact positions for every refusal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintas.content.yamlio import MAX_BYTES, MAX_DEPTH, YamlDoc, decode, parse_yaml, read_text
from lintas.problems import Problem

SRC = "content/posts/x.yaml"


def parse(text: str) -> tuple[YamlDoc | None, list[str]]:
    problems: list[Problem] = []
    doc = parse_yaml(text, SRC, problems)
    return doc, [p.format() for p in problems]


def data(text: str) -> object:
    doc, problems = parse(text)
    assert problems == []
    assert doc is not None
    return doc.data


# ---------------------------------------------------------------- values stay what was written


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("NO", "NO"),  # Norway, not False
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("Y", "Y"),
        ("08:00", "08:00"),  # not 480 (sexagesimal)
        ("1:20", "1:20"),  # not 80
        ("0123", "0123"),  # not 83 (octal)
        ("0o17", "0o17"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("2024-09-05", "2024-09-05"),  # the schema parses dates, not YAML
        ("2024-09-05 10:00:00", "2024-09-05 10:00:00"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("~", None),
        ("null", None),
        ("true", True),
        ("false", False),
        ("12", 12),
        ("-7", -7),
        ("1.5", 1.5),
        ("-8.95", -8.95),
        ("1e3", 1000.0),
        ("'5306'", "5306"),
        ("=", "="),
    ],
)
def test_scalars_are_not_retyped(written: str, value: object) -> None:
    result = data(f"v: {written}\n")
    assert result == {"v": value}
    assert type(result["v"]) is type(value)  # type: ignore[index]


def test_positions_of_keys_and_values_are_recorded() -> None:
    doc, problems = parse("a:\n  b: [x, 'y']\n  c: |\n    line one\n    line two\n")
    assert problems == [] and doc is not None
    assert doc.position(("a", "b", 1)) == (2, 10)
    assert doc.position(("a", "c"), key=True) == (3, 3)
    assert doc.position_in_text(("a", "c"), len("line one\nline ")) == (5, 10)
    assert doc.position(("a", "missing", 3)) == (2, 3)  # nearest ancestor: the mapping under 'a'


# ---------------------------------------------------------------- refused structures


def test_duplicate_key() -> None:
    doc, problems = parse("status: active\nname: x\nstatus: closed\n")
    assert doc is None
    assert problems == [
        f"{SRC}:3:1: error[yaml-duplicate-key]: duplicate key 'status' (first defined on line 1)"
    ]


def test_duplicate_key_nested_reports_every_one() -> None:
    _, problems = parse("a:\n  x: 1\n  x: 2\nb:\n  - y: 1\n    y: 1\n")
    assert problems == [
        f"{SRC}:3:3: error[yaml-duplicate-key]: duplicate key 'x' (first defined on line 2)",
        f"{SRC}:6:5: error[yaml-duplicate-key]: duplicate key 'y' (first defined on line 5)",
    ]


def test_alias_refused() -> None:
    doc, problems = parse("a: &x 1\nb: *x\n")
    assert doc is None
    assert problems == [
        f"{SRC}:2:4: error[yaml-alias]: aliases (*name) are not allowed; write the value out"
    ]


def test_billion_laughs_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    started = time.perf_counter()
    doc, problems = parse("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert doc is None
    assert problems == [
        f"{SRC}:2:8: error[yaml-alias]: aliases (*name) are not allowed; write the value out"
    ]


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_very_deep_nesting_refused_without_recursion_error(opener: str) -> None:
    text = "a: " + opener * 100_000
    started = time.perf_counter()
    doc, problems = parse(text)
    assert time.perf_counter() - started < 5.0
    assert doc is None
    # The mapping holding 'a' is level 1, so the (MAX_DEPTH)th opener is one level too deep.
    col = 4 + (MAX_DEPTH - 1) * len(opener)
    assert problems == [
        f"{SRC}:1:{col}: error[yaml-too-deep]: nested more than {MAX_DEPTH} levels deep"
    ]


def test_deep_block_nesting_refused() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(200))
    doc, problems = parse(text)
    assert doc is None
    assert problems == [
        # Mapping level n starts at line n, column 2n-1; level MAX_DEPTH+1 is refused.
        f"{SRC}:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: error[yaml-too-deep]: "
        f"nested more than {MAX_DEPTH} levels deep"
    ]


def test_nesting_at_the_limit_is_fine() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse(text)[1] == []


def test_multiple_documents() -> None:
    doc, problems = parse("a: 1\n---\nb: 2\n")
    assert doc is None
    assert problems == [
        f"{SRC}:2:1: error[yaml-multiple-documents]: a content file must hold one YAML document "
        "(remove the second '---')"
    ]


def test_leading_document_marker_is_fine() -> None:
    assert data("---\na: 1\n") == {"a": 1}


@pytest.mark.parametrize(
    ("text", "col", "written"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", 4, "!!python/object/apply:os.system"),
        ("a: !!str 5\n", 4, "!!str"),
        ("a: !!binary aGVsbG8=\n", 4, "!!binary"),
        ("a: !custom x\n", 4, "!custom"),
        ("a: ! x\n", 4, "!"),
        ("a: !!map {b: 1}\n", 4, "!!map"),
        ("a: !!set {b}\n", 4, "!!set"),
        ("- !!timestamp 2024-01-01\n", 3, "!!timestamp"),
    ],
)
def test_explicit_tags_refused(text: str, col: int, written: str) -> None:
    doc, problems = parse(text)
    assert doc is None
    assert problems == [
        f"{SRC}:1:{col}: error[yaml-tag]: explicit tag '{written}' is not allowed; "
        "remove it (put text in quotes instead)"
    ]


def test_complex_key_refused() -> None:
    _, problems = parse("? [a, b]\n: 1\n")
    assert problems == [f"{SRC}:1:3: error[yaml-syntax]: a key must be plain text"]


def test_merge_key_is_just_a_key() -> None:
    # '<<' does not merge (there are no aliases to merge anyway); the schema rejects it as unknown.
    assert data("<<: {a: 1}\n") == {"<<": {"a": 1}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name:\n  id: x\n en: y\n",
         "3:2: error[yaml-syntax]: while parsing a block mapping started on line 1, column 1; "
         "expected <block end>, but found '<block mapping start>' "
         "(check the indentation of this line against the lines above)"),
        ("summary: Catatan: penting\n",
         "1:17: error[yaml-syntax]: mapping values are not allowed here "
         "(put text that contains ': ' in quotes)"),
        ("a:\n\tb: 1\n",
         "2:1: error[yaml-syntax]: while scanning for the next token; found character '\\t' that "
         "cannot start any token (indent with spaces, not tabs; quote text starting with @ or `)"),
        ("a: \"open\nb: 1\n",
         "3:1: error[yaml-syntax]: while scanning a quoted scalar started on line 1, column 4; "
         "found unexpected end of stream (a quote or bracket is not closed)"),
        ("a: [1, 2\n",
         "2:1: error[yaml-syntax]: while parsing a flow sequence started on line 1, column 4; "
         "expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_syntax_errors_point_at_the_place_with_a_hint(text: str, expected: str) -> None:
    doc, problems = parse(text)
    assert doc is None
    assert problems == [f"{SRC}:{expected}"]


@pytest.mark.parametrize(
    ("text", "where", "code_point", "name"),
    [
        ("a: b\x07c\n", "1:5", "U+0007", None),
        ("a: ok\nb: x\x00\n", "2:5", "U+0000", None),
        ("a: x\x9b\n", "1:5", "U+009B", None),
        ("a: x\u202ey\n", "1:5", "U+202E", "RIGHT-TO-LEFT OVERRIDE"),
        ("a: ok\nb: x\u2066y\n", "2:5", "U+2066", "LEFT-TO-RIGHT ISOLATE"),
        ("a: x\u2028y\n", "1:5", "U+2028", "LINE SEPARATOR"),
        ("a: x\x85y\n", "1:5", "U+0085", "NEXT LINE"),
    ],
)
def test_control_characters_refused(text: str, where: str, code_point: str, name: str | None) -> None:
    doc, problems = parse(text)
    assert doc is None
    if name is None:  # refused by PyYAML's reader
        expected = f"control character {code_point} is not allowed in YAML text"
    else:
        expected = (f"invisible character {code_point} ({name}) is not allowed "
                    "(delete it and retype the text around it)")
    assert problems == [f"{SRC}:{where}: error[encoding]: {expected}"]


def test_surrogate_pair_escapes_become_one_character() -> None:
    assert data('a: "\\ud83d\\ude00 \\U0001F600"\n') == {"a": "\U0001F600 \U0001F600"}


@pytest.mark.parametrize("text", ['a: "x\\ud800"\n', '"\\udc00": 1\n'])
def test_lone_surrogate_escape_refused(text: str) -> None:
    col = 4 if text.startswith("a") else 1
    assert parse(text) == (None, [
        f"{SRC}:1:{col}: error[encoding]: the text holds a lone UTF-16 surrogate escape "
        "(\\uD800-\\uDFFF); type the character itself"])


def test_tab_and_non_latin_text_are_fine() -> None:
    assert data("a: \"x\\ty\"\nb: Dili — Mota'ain, ohoi, 東\n") == {
        "a": "x\ty", "b": "Dili — Mota'ain, ohoi, 東"}


def test_empty_file() -> None:
    assert parse("")[1] == [f"{SRC}:1:1: error[empty-file]: the file is empty"]
    assert parse("# only a comment\n")[1] == [f"{SRC}:1:1: error[empty-file]: the file is empty"]


# ---------------------------------------------------------------- bytes: encoding and size


def test_bom_and_crlf_accepted_and_positions_kept() -> None:
    problems: list[Problem] = []
    text = decode(b"\xef\xbb\xbfa: 1\r\nb: x\r\nb: y\r\n", SRC, problems)
    assert problems == []
    assert text == "a: 1\nb: x\nb: y\n"
    _, found = parse(text)
    assert found == [f"{SRC}:3:1: error[yaml-duplicate-key]: duplicate key 'b' (first defined on line 2)"]


def test_non_utf8_names_the_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"name:\n  id: Kantor Imigrasi\n  en: caf\xe9\n")  # Latin-1 'é'
    problems: list[Problem] = []
    assert read_text(path, SRC, problems) is None
    assert [p.format() for p in problems] == [
        f"{SRC}:3:10: error[encoding]: not UTF-8 (byte 0xe9) (save the file as UTF-8)"
    ]


def test_utf16_file_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("a: b\n".encode("utf-16"))
    problems: list[Problem] = []
    assert read_text(path, SRC, problems) is None
    assert [p.code for p in problems] == ["encoding"]
    assert problems[0].src_path == SRC


def test_oversized_file_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: b\n" * (MAX_BYTES // 5 + 1))
    problems: list[Problem] = []
    assert read_text(path, SRC, problems) is None
    size = path.stat().st_size
    assert [p.format() for p in problems] == [
        f"{SRC}:1:1: error[file-too-large]: file is {size:,} bytes; the limit is 1,048,576 bytes"
    ]


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    body = b"a: '" + b"x" * (MAX_BYTES - 6) + b"'\n"
    assert len(body) == MAX_BYTES
    path.write_bytes(body)
    problems: list[Problem] = []
    text = read_text(path, SRC, problems)
    assert problems == [] and text is not None
    assert len(text) == MAX_BYTES


# ---------------------------------------------------------------- never a traceback


_TOKENS = st.sampled_from(
    ["a", "b", ": ", ":", "-", "- ", "\n", "  ", "\t", "[", "]", "{", "}", ",", "&x ", "*x", "!!str ",
     "!t ", "'", '"', "|", ">", "#", "---\n", "...\n", "? ", "%YAML 1.2\n", "\\", "08:00", "NO",
     "\x00", "\u202e", "\ufeff", "é", "\r", "<<: "])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(_TOKENS, max_size=60).map("".join)))
def test_any_text_gives_a_document_or_problems_never_an_exception(text: str) -> None:
    problems: list[Problem] = []
    doc = parse_yaml(text, SRC, problems)
    assert (doc is None) == bool(problems)
    for problem in problems:
        assert problem.src_path == SRC and problem.line is not None and problem.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_give_an_encoding_problem(raw: bytes) -> None:
    problems: list[Problem] = []
    text = decode(raw, SRC, problems)
    assert (text is None) == bool(problems)
    assert all(p.code == "encoding" for p in problems)


ROOT = Path(__file__).resolve().parent.parent


def _outcome(text: str) -> tuple[object, list[str]]:
    problems: list[Problem] = []
    doc = parse_yaml(text, SRC, problems)
    kept = None if doc is None else (doc.data, doc.value_marks, doc.key_marks, doc.block_scalars)
    return kept, [p.format() for p in problems]


def test_libyaml_path_gives_what_the_pure_python_path_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` parses with libyaml's parser under our composer (eight times faster); every content
    file, dataset definition and invalid or hostile fixture gives the same data, positions and
    problems as PyYAML's pure-Python parser, and the fast path is really taken for valid files."""
    import lintas.content.yamlio as yamlio

    paths = sorted({*ROOT.glob("content/**/*.yaml"), *ROOT.glob("data/*.yaml"),
                    *ROOT.glob("tests/invalid/*.yaml"), *ROOT.glob("tests/adversarial/yaml/*.yaml")})
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
    assert len(texts) > 100
    fast = [_outcome(text) for text in texts]
    taken = sum(yamlio._fast_node(text) is not None for text in texts)
    assert taken > len(texts) // 2
    monkeypatch.setattr(yamlio, "_fast_node", lambda _text: None)
    assert [_outcome(text) for text in texts] == fast
