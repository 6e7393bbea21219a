"""Writes the adversarial corpus next to this file: `python tests/adversarial/generate.py`.

The files are committed; this script documents how the binary ones (UTF-16, Latin-1, NUL bytes,
bidi controls) were made and regenerates them. Expected outcomes live in manifest.json.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# A valid glossary entry; most YAML cases are a small change to it.
VALID = (
    'term: "Uji adversarial {n}"\n'
    "definition:\n"
    '  id: "Istilah untuk pengujian."\n'
    '  en: "A term used by the tests."\n'
    "sources: [antara-kupang-137299-aplasi]\n"
    "reviewed_on: 2024-01-01\n"
)


def valid(n: int) -> str:
    return VALID.format(n=n)


def yaml_cases() -> dict[str, bytes]:
    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}, *a{i - 1}]\n" for i in range(1, 10))
    block = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "end: 1\n"
    return {
        "valid-bom-crlf.yaml": b"\xef\xbb\xbf" + valid(1).replace("\n", "\r\n").encode(),
        "valid-cr-only.yaml": valid(2).replace("\n", "\r").encode(),
        "alias-bomb.yaml": laughs.encode(),
        "merge-key-alias.yaml": (valid(3) + "base: &b {x: 1}\nother:\n  <<: *b\n").encode(),
        "deep-flow-nesting.yaml": b"term: " + b"[" * 20000 + b"]" * 20000 + b"\n",
        "deep-block-nesting.yaml": block.encode(),
        "python-object-tag.yaml": (valid(4) + "x: !!python/object/apply:os.system ['id']\n").encode(),
        "custom-tag.yaml": valid(5).replace('term: "', 'term: !evil "').encode(),
        "two-documents.yaml": (valid(6) + "---\n" + valid(7)).encode(),
        "duplicate-key.yaml": (valid(8) + 'term: "again"\n').encode(),
        "utf16-bom.yaml": valid(9).encode("utf-16"),
        "latin1.yaml": valid(10).replace("pengujian", "pengujian caf\u00e9").encode("latin-1"),
        "mixed-encoding.yaml": valid(11).encode().replace(
            b"A term used by the tests.", "na\u00efve \u2014 ".encode() + "caf\u00e9".encode("cp1252")),
        "nul-byte.yaml": valid(12).encode().replace(b"Istilah", b"Isti\x00lah"),
        "bidi-override.yaml": valid(13).replace("Istilah", "Istilah \u202egnp.exe").encode(),
        "bidi-isolate.yaml": valid(14).replace("A term", "A \u2066term\u2069").encode(),
        "line-separator.yaml": valid(15).replace("A term", "A\u2028term").encode(),
        "c1-next-line.yaml": valid(16).replace("A term", "A\u0085term").encode(),
        "escape-char.yaml": valid(17).replace("A term", "A\x1b[31mterm").encode(),
        "lone-surrogate-escape.yaml": valid(18).replace('"A term', '"A \\ud800 term').encode(),
        "tab-indent.yaml": valid(19).replace("  id:", "\tid:").encode(),
        "unclosed-quote.yaml": valid(20).replace('"Istilah untuk pengujian."', '"Istilah').encode(),
        "empty.yaml": b"",
        "only-comments.yaml": b"# nothing here\n# at all\n",
        "top-level-list.yaml": b"- term: x\n- term: y\n",
        "key-with-newline.yaml": (valid(21) + '"status\\nfake.yaml:1:1: error[x]": 1\n').encode(),
        "script-in-markdown.yaml": valid(22).replace(
            "Istilah untuk pengujian.", "Lihat <script>alert(1)</script> di sini.").encode(),
        "entity-javascript.yaml": valid(23).replace(
            "A term used by the tests.", "[klik](&#106;avascript:alert(1))").encode(),
        "event-handler.yaml": valid(24).replace(
            "A term used by the tests.", "<img src=x onerror=alert(1)>").encode(),
        "attr-list-handler.yaml": valid(25).replace(
            "A term used by the tests.", "[a](/){ onclick=alert(1) }").encode(),
        "redos-angles.yaml": valid(26).replace(
            "A term used by the tests.", "< " * 30000).encode(),
        "redos-braces.yaml": valid(27).replace(
            "A term used by the tests.", "{ " * 30000).encode(),
        "yaml11-booleans.yaml": valid(28).replace("reviewed_on: 2024-01-01", "reviewed_on: yes").encode(),
        "huge-integer.yaml": (valid(29) + "n: " + "9" * 5000 + "\n").encode(),
        "nan-float.yaml": valid(30).replace("reviewed_on: 2024-01-01", "reviewed_on: .nan").encode(),
        "non-string-key.yaml": (valid(31) + "? [a, b]\n: 1\n").encode(),
    }


CSV_HEADER = b"year,post,direction,citizenship,crossings,source_url\n"
CSV_ROWS = [
    (b"departure", b"WNI", b"9566"), (b"departure", b"WNA", b"25378"),
    (b"arrival", b"WNI", b"9408"), (b"arrival", b"WNA", b"27010"),
]


def csv_row(direction: bytes, citizenship: bytes, count: bytes, url: bytes = b"https://example.org/a") -> bytes:
    return b"2024,plbn-wini," + direction + b"," + citizenship + b"," + count + b"," + url + b"\n"


def csv_with_last(count: bytes = b"27010", url: bytes = b"https://example.org/a", *, cell: bytes | None = None) -> bytes:
    """The valid table with its last row's count (or whole row) replaced."""
    rows = [csv_row(*r) for r in CSV_ROWS[:3]]
    last = cell if cell is not None else csv_row(b"arrival", b"WNA", count, url)
    return CSV_HEADER + b"".join(rows) + last


def csv_cases() -> dict[str, bytes]:
    good = CSV_HEADER + b"".join(csv_row(*r) for r in CSV_ROWS)
    return {
        "valid.csv": good,
        "bom.csv": b"\xef\xbb\xbf" + good,
        "crlf.csv": good.replace(b"\n", b"\r\n"),
        "cr-only.csv": good.replace(b"\n", b"\r"),
        "semicolon-delimiter.csv": good.replace(b",", b";"),
        "tab-delimiter.csv": good.replace(b",", b"\t"),
        "utf16.csv": good.decode().encode("utf-16"),
        "latin1-cell.csv": csv_with_last(url="https://example.org/caf\u00e9".encode("latin-1")),
        "mixed-encoding.csv": csv_with_last(url="https://example.org/caf\u00e9".encode()) +
        csv_row(b"arrival", b"WNA", b"0", "https://example.org/na\u00efve".encode("cp1252")),
        "nul-byte.csv": csv_with_last(cell=b"2024,plbn-wini,arr\x00ival,WNA,27010,https://example.org/a\n"),
        "formula-text-cell.csv": csv_with_last(url=b'=HYPERLINK("http://evil.example/")'),
        "formula-at-cell.csv": csv_with_last(url=b"@SUM(A1:A9)"),
        "formula-count-cell.csv": csv_with_last(b"=1+27009"),
        "thousands-dot.csv": csv_with_last(b"27.010"),
        "thousands-comma.csv": csv_with_last(b'"27,010"'),
        "thousands-space.csv": csv_with_last(b"27 010"),
        "decimal-comma.csv": csv_with_last(b'"12,5"'),
        "fractional-count.csv": csv_with_last(b"12.5"),
        "exponent-count.csv": csv_with_last(b"2.7e4"),
        "negative-count.csv": csv_with_last(b"-5"),
        "empty-count.csv": csv_with_last(b""),
        "huge-count.csv": csv_with_last(b"99999999999999999999999"),
        "duplicate-row.csv": good + csv_row(*CSV_ROWS[3]),
        "header-renamed.csv": good.replace(b"crossings,", b"jumlah,", 1),
        "header-extra-column.csv": CSV_HEADER.replace(b"\n", b",extra\n") + b"".join(
            csv_row(*r).replace(b"\n", b",1\n") for r in CSV_ROWS),
        "header-missing-column.csv": CSV_HEADER.replace(b",source_url", b"") + b"".join(
            csv_row(*r).replace(b",https://example.org/a", b"") for r in CSV_ROWS),
        "header-reordered.csv": b"post,year,direction,citizenship,crossings,source_url\n" + b"".join(
            csv_row(*r) for r in CSV_ROWS),
        "header-uppercase.csv": good.replace(b"year", b"Year", 1),
        "header-padded.csv": good.replace(b",post", b", post", 1),
        "header-only.csv": CSV_HEADER,
        "empty.csv": b"",
        "short-row.csv": csv_with_last(cell=b"2024,plbn-wini,arrival\n"),
        "long-row.csv": csv_with_last(cell=b"2024,plbn-wini,arrival,WNA,27010,https://example.org/a,x\n"),
        "unterminated-quote.csv": csv_with_last(cell=b'2024,plbn-wini,arrival,WNA,27010,"https://example.org/a\n'),
        "padded-code.csv": csv_with_last(cell=b"2024,plbn-wini, arrival ,WNA,27010,https://example.org/a\n"),
        "lookalike-code.csv": csv_with_last(cell="2024,plbn-wini,arrival,WN\u0410,27010,https://example.org/a\n".encode()),
        "bidi-text-cell.csv": csv_with_last(url="https://example.org/\u202egnp.exe".encode()),
    }


def main() -> None:
    for folder, cases in (("yaml", yaml_cases()), ("csv", csv_cases())):
        (HERE / folder).mkdir(exist_ok=True)
        for name, data in cases.items():
            (HERE / folder / name).write_bytes(data)


if __name__ == "__main__":
    main()
