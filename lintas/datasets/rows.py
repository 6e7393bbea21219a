"""Check every row of a dataset input inside DuckDB before it is counted.

One streaming scan reads the file with every checked column as text plus a row number and keeps
only aggregates per column: how many cells are bad, and the first bad one (row and value). A file
of any size is thus checked in bounded memory, and Python only looks closely at what is wrong:
it explains the first bad cell of each column (thousands separator, decimal comma, formula...)
and turns row numbers into line numbers with one more streaming pass (a blank line or a quoted
line break would otherwise shift them). The rules are in docs/data.md ("Input rules"):

- integer: digits only without a leading zero (`0|[1-9][0-9]*`) and below 2^63: no sign,
  separator, fraction or exponent;
- date: YYYY-MM-DD and a real calendar day;
- string: no control, bidi or line-separator character; a value dimension's cell is one of its
  declared codes, exactly;
- at least one data row;
- counted inputs: one row per combination of the columns the dimensions come from (a repeated
  row would be counted twice); record inputs may repeat rows, each is one record.

Identifying (pii) columns are never selected, so their values are never looked at.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from ..problems import Problem, did_you_mean
from .definition import Dataset, Dimension, InputColumn

# Characters a text cell may not hold: C0/C1 controls (NUL, tab, line breaks, ESC...), DEL, the
# bidi marks, embeddings, overrides and isolates (Trojan-source style reordering), the line and
# paragraph separators and a zero-width no-break space (a BOM inside a cell). RE2 for DuckDB,
# the same set for Python.
_INVISIBLE_RE2 = (r"[\x00-\x1f\x7f-\x{9f}\x{61c}\x{200e}\x{200f}\x{2028}-\x{202e}"
                  r"\x{2066}-\x{2069}\x{feff}]")
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_DIGITS = re.compile(r"[0-9]+")
_WHOLE = re.compile(r"0|[1-9][0-9]*")  # as the YAML loader reads integers
_SHOW = 60  # characters of a bad value shown in a message
_MAX_DUPLICATES = 5


_DATABASE: list[duckdb.DuckDBPyConnection] = []  # the process's one in-memory database, once opened
_OPENING = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
    """A connection to the process's in-memory DuckDB, with a memory cap; it spills to a private
    temp folder if it must. Opening a new database cost 20-35 ms each time (a third of `check` on
    the sample site went into nine of them); another connection to the same one costs 0.3 ms.
    Temporary tables stay private to each connection, and closing it leaves the database open."""
    with _OPENING:
        if not _DATABASE:
            database = duckdb.connect(":memory:")
            database.execute("SET memory_limit = '512MB'")
            database.execute("SET preserve_insertion_order = false")
            database.execute(f"SET temp_directory = '{tempfile.gettempdir()}/lintas-duckdb'")
            _DATABASE.append(database)
        return _DATABASE[0].cursor()


def check_input_rows(ds: Dataset) -> list[Problem]:
    """`check_rows` in its own connection, for `check`; remembered so that publishing does not
    scan the file again."""
    with connect() as con:
        problems = check_rows(con, ds)
    ds.cache["rows_checked"] = not problems
    return problems


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def source_sql(ds: Dataset) -> tuple[str, list[object]]:
    """The input as a subquery: row number `_row` (1 = first data row) and every non-pii column
    as text, exactly as written (no trimming, no type guessing)."""
    d = ds.definition.input
    names = [c.name for c in d.columns if not c.pii]
    if d.format == "parquet":
        cols = ", ".join(f"CAST({_quote(n)} AS VARCHAR) AS {_quote(n)}" for n in names)
        return (f"(SELECT file_row_number + 1 AS _row, {cols} "
                "FROM read_parquet(?, file_row_number = true))"), [str(ds.input_path)]
    columns = "{" + ", ".join(f"'{c.name}': 'VARCHAR'" for c in d.columns) + "}"
    cols = ", ".join(_quote(n) for n in names)
    return (f"(SELECT row_number() OVER () AS _row, {cols} FROM read_csv(?, header = true, "
            f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
            "encoding = 'utf-8', strict_mode = true, null_padding = false))"), [str(ds.input_path)]


def _value_dims(ds: Dataset, column: str) -> list[Dimension]:
    return [d for d in ds.definition.dimensions if d.derive == "value" and d.source == column]


def _bad_sql(ds: Dataset, col: InputColumn, params: list[object]) -> str:
    """A SQL condition that is true when the cell of `col` breaks its rule."""
    v = _quote(col.name)
    if col.type == "integer":
        bad = f"NOT regexp_full_match({v}, '0|[1-9][0-9]*') OR TRY_CAST({v} AS BIGINT) IS NULL"
        value = f"CAST(TRY_CAST({v} AS BIGINT) AS VARCHAR)"
    elif col.type == "date":
        bad = (f"NOT regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
               f"OR try_strptime({v}, '%Y-%m-%d') IS NULL")
        value = v
    else:
        params.append(_INVISIBLE_RE2)
        bad = f"regexp_matches({v}, ?)"
        value = v
    for dim in _value_dims(ds, col.name):
        params.append([c.code for c in dim.codes])
        bad += f" OR NOT list_contains(?, {value})"
    if col.type == "string":
        return f"coalesce({bad}, {'true' if _value_dims(ds, col.name) else 'false'})"
    return f"coalesce({bad}, true)"


def why_not_whole(text: str) -> str:
    """Why a cell is not a plain whole number, in words."""
    s = text
    if s == "":
        return "the cell is empty"
    if s != s.strip():
        return "it has spaces around it"
    if re.fullmatch(r"-[0-9][0-9.,]*", s):
        return "it is negative"
    if s[0] in "=+@-":
        return "it looks like a spreadsheet formula"
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", s):
        return "'.' is a thousands separator in Indonesian and a decimal point in English"
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", s):
        return "',' is a thousands separator in English and a decimal comma in Indonesian"
    if re.fullmatch(r"[0-9]{1,3}([ \u00a0\u202f][0-9]{3})+", s):
        return "it has a space as a thousands separator"
    if re.fullmatch(r"[0-9]*,[0-9]+", s):
        return "it has a decimal comma (a fraction)"
    if re.fullmatch(r"[0-9]*\.[0-9]+|[0-9]+\.", s):
        return "it has a fraction"
    if re.fullmatch(r"[0-9]*\.?[0-9]+[eE][-+]?[0-9]+", s):
        return ("it is in exponent notation, as spreadsheets show large numbers; "
                "format the column as a number without decimals before exporting")
    if _DIGITS.fullmatch(s) and s.startswith("0"):
        return "it has a leading zero"
    if _DIGITS.fullmatch(s):
        return "it is larger than 9223372036854775807 (the 64-bit limit)"
    return "it is not a whole number"


def _show(text: str) -> str:
    return "'" + (text if len(text) <= _SHOW else text[:_SHOW] + "…") + "'"


def _explain(ds: Dataset, col: InputColumn, text: str) -> tuple[str, str | None]:
    """Message and hint for the first bad cell of `col`."""
    what = f"{_show(text)} in column '{col.name}'"
    if col.type == "integer" and not (_WHOLE.fullmatch(text) and int(text) < 2**63):
        role = "a count" if col.name == ds.definition.measure.source else "an integer column"
        if text == "":
            return f"the cell in column '{col.name}' is empty", f"{role} needs a number (0 for none)"
        return (f"{what} is not a plain whole number: {why_not_whole(text)}",
                f"{role} holds digits only, e.g. 27010")
    if col.type == "date" and not _is_date(text):
        hint = "write dates as YYYY-MM-DD, e.g. 2024-05-01"
        if text == "":
            return f"the cell in column '{col.name}' is empty", hint
        why = ("is not a real calendar date" if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)
               else "is not a date in YYYY-MM-DD form")
        return f"{what} {why}", hint
    odd = INVISIBLE.search(text) if col.type == "string" else None
    if odd is not None:
        char = odd.group()
        name = unicodedata.name(char, f"control character 0x{ord(char):02X}")
        return (f"{what} holds U+{ord(char):04X} ({name}), an invisible or control character",
                "delete it and retype the text around it")
    value = str(int(text)) if col.type == "integer" else text
    for dim in _value_dims(ds, col.name):
        codes = [c.code for c in dim.codes]
        if value not in codes:
            shown = "an empty cell" if value == "" else _show(value)
            suggest = ("remove the spaces around it" if value.strip() in codes
                       else did_you_mean(value.strip(), codes))
            return f"{shown} in column '{col.name}' is not a declared code of dimension '{dim.name}'", suggest
    return f"{what} breaks the column's rule", None


def _is_date(text: str) -> bool:
    import datetime as dt

    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _count_lines(path: Path) -> int | None:
    """Physical lines in the file (LF, CRLF or CR-only line ends), counted in binary chunks."""
    lf = cr = 0
    last = b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                lf += chunk.count(b"\n")
                cr += chunk.count(b"\r")
                last = chunk[-1:]
    except OSError:
        return None
    breaks = lf if lf else cr
    return breaks + (0 if last in (b"\n", b"\r", b"") else 1)


def line_numbers(path: Path, rows: Iterable[int], total: int) -> dict[int, int]:
    """Data row number (1 = first row after the header) -> the line it starts on. When the file
    has exactly one line per row (no blank line, no quoted line break) that is row + 1; otherwise
    the file is streamed once more, up to the last row wanted, skipping blank lines as DuckDB does."""
    want = set(rows)
    out: dict[int, int] = {}
    if not want:
        return out
    if _count_lines(path) == total + 1:
        return {r: r + 1 for r in want}
    last = max(want)
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh, strict=False)
            next(reader, None)
            start, n = reader.line_num + 1, 0
            for record in reader:
                if record:
                    n += 1
                    if n in want:
                        out[n] = start
                    if n >= last:
                        break
                start = reader.line_num + 1
    except (OSError, csv.Error):
        pass
    return {r: out.get(r, r + 1) for r in want}


def _bad_byte(path: Path, line: int) -> tuple[int | None, int] | None:
    """(cell number, byte) of the first byte on `line` that is not UTF-8, if found there."""
    try:
        with path.open("rb") as fh:
            for i, raw in enumerate(fh, 1):
                if i == line:
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        prefix = codecs.decode(raw[:exc.start], "utf-8", "replace")
                        try:
                            cell: int | None = len(next(csv.reader([prefix], strict=True), [""]))
                        except csv.Error:
                            cell = None
                        return cell, raw[exc.start]
                    return None
    except OSError:
        return None
    return None


def read_problem(ds: Dataset, exc: duckdb.Error) -> Problem:
    """A DuckDB read error as one problem; its 'Original Line' (which may hold anything,
    identifying columns too) is never repeated."""
    text = str(exc)
    m = re.search(r"CSV Error on Line: (\d+)", text)
    line = int(m.group(1)) if m else None
    src = ds.input_src
    if "Invalid unicode" in text:
        found = _bad_byte(ds.input_path, line) if line else None
        col, byte = found if found else (None, None)
        what = f" (byte 0x{byte:02x}, from another encoding such as Latin-1 or Windows-1252)" if byte else ""
        return Problem(src, line, col, "encoding", f"the line is not UTF-8{what}",
                       hint="save the whole file as UTF-8 ('CSV UTF-8' in spreadsheets)")
    cells = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if cells:
        want, got = int(cells.group(1)), int(cells.group(2))
        more = "more" if "TOO MANY" in text or got > want else "fewer"
        return Problem(src, line, None, "csv-format",
                       f"the row has {more} cells than the header ({want})",
                       hint="a text with a comma must be in double quotes")
    if "unterminated quote" in text:
        return Problem(src, line, None, "csv-format", 'a double quote (") is opened and never closed',
                       hint='write a quote inside a quoted text as two quotes ("")')
    size = re.search(r"Maximum line size of (\d+) bytes exceeded", text)
    if size:
        return Problem(src, line, None, "csv-format", f"the line is longer than {int(size.group(1)):,} bytes",
                       hint="a quote opened and never closed can make the rest of the file one line")
    # Only DuckDB's first line: the next one quotes the input, which may hold anything.
    return Problem(src, line, None, "csv-format",
                   f"cannot be read as declared in {ds.src_path}: {text.splitlines()[0][:200] if text else ''}")


def check_rows(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[Problem]:
    """Every problem with the rows of `ds`'s input, each at its line and cell where possible."""
    d = ds.definition.input
    checked = [(i, c) for i, c in enumerate(d.columns) if not c.pii]
    src, src_params = source_sql(ds)
    params: list[object] = []
    conds = [_bad_sql(ds, c, params) for _, c in checked]
    parts = ["count(*)"]
    for i, (_, c) in enumerate(checked):
        v = _quote(c.name)
        parts += [f"count(*) FILTER (WHERE _bad{i})", f"min(_row) FILTER (WHERE _bad{i})",
                  f"arg_min(coalesce({v}, ''), _row) FILTER (WHERE _bad{i})"]
    flags = ", ".join(f"{cond} AS _bad{i}" for i, cond in enumerate(conds))
    sql = f"SELECT {', '.join(parts)} FROM (SELECT *, {flags} FROM {src} AS src)"
    # Param order: the condition parameters come before the file path in the SQL text.
    setting = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = true")  # row_number() OVER () in file order
    try:
        result = con.execute(sql, [*params, *src_params]).fetchone()
        duplicates = _duplicates(con, ds, src, src_params) if d.level == "counts" else []
    except duckdb.Error as exc:
        return [read_problem(ds, exc)]
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if setting and setting[0] else 'false'}")
    assert result is not None
    if result[0] == 0:
        empty = "the input has a header but no data rows" if d.format == "csv" else "the input has no rows"
        return [Problem(ds.input_src, 1 if d.format == "csv" else None, None, "csv-value", empty,
                        hint="a dataset is never published empty; for a period with nothing to "
                             "count, write its rows with 0 in a counted table")]
    bad: list[tuple[int, InputColumn, int, int, str]] = []  # (row, column, cell number, count, value)
    for i, (pos, col) in enumerate(checked):
        n, row, value = result[1 + 3 * i: 4 + 3 * i]
        if n:
            bad.append((row, col, pos + 1, n, value))
    rows = [b[0] for b in bad] + [r for dup in duplicates for r in dup[1]]
    lines = line_numbers(ds.input_path, rows, result[0]) if d.format == "csv" else {}
    problems = []
    for row, col, cell, n, value in bad:
        message, hint = _explain(ds, col, value)
        if d.format != "csv":
            message = f"row {row}: {message}"
        if n > 1:
            message += f" ({n} rows in all)"
        problems.append(Problem(ds.input_src, lines.get(row), cell if lines else None, "csv-value",
                                message, hint=hint))
    for key, first_rows, n, groups in duplicates:
        where = [f"line {lines[r]}" if lines else f"row {r}" for r in first_rows]
        names = [k for k, _ in key]
        message = (f"{' and '.join(where)} have the same {', '.join(names)} "
                   f"({', '.join(_show(v) for _, v in key)}): a counted table has one row per "
                   "combination, so this one would be counted twice")
        if n > 2:
            message += f" ({n} rows in all)"
        if groups > _MAX_DUPLICATES and key == duplicates[-1][0]:
            message += f"; {groups - _MAX_DUPLICATES} more repeated combination(s) not shown"
        problems.append(Problem(ds.input_src, lines.get(first_rows[-1]), None, "csv-value", message,
                                hint="keep one row per combination, or add the rows up into one"))
    return problems


def _duplicates(con: duckdb.DuckDBPyConnection, ds: Dataset, src: str,
                params: list[object]) -> list[tuple[tuple[tuple[str, str], ...], list[int], int, int]]:
    """Repeated combinations of the dimension source columns: (key, first two rows, rows, groups)."""
    keys = list(dict.fromkeys(dim.source for dim in ds.definition.dimensions))
    cols = ", ".join(_quote(k) for k in keys)
    sql = (f"SELECT {cols}, list(_row ORDER BY _row)[1:2], count(*), count(*) OVER () FROM {src} AS src "
           f"GROUP BY {cols} HAVING count(*) > 1 ORDER BY min(_row) LIMIT {_MAX_DUPLICATES}")
    out = []
    for row in con.execute(sql, params).fetchall():
        values: Any = row[:len(keys)]
        key = tuple((k, "" if v is None else str(v)) for k, v in zip(keys, values, strict=True))
        out.append((key, list(row[len(keys)]), int(row[len(keys) + 1]), int(row[len(keys) + 2])))
    return out
