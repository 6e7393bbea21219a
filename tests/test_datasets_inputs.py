"""Input rules of the open-data publisher (lintas/datasets/rows.py, docs/data.md "Input rules").

The CSV corpus in tests/adversarial/ covers one counted table (crossings-wini-annual); here are
the other input shapes: record-level inputs (repeated rows are records), identifying columns (never
looked at), dates, Parquet, many bad rows, exact line numbers in large files, and the counted
table's duplicate rule beyond two rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from lintas.datasets.aggregate import aggregate
from lintas.datasets.load import load_datasets
from lintas.datasets.rows import why_not_whole

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2100, 1, 1)
RECORDS = "data/tables/crossings-records.csv"
WINI = "data/tables/crossings-wini-annual.csv"
PASSPORTS = "data/tables/passport-applicants-atambua.csv"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("content", "data", "releases"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def run(root: Path, slug: str):
    """Check and aggregate one dataset, as `check` and the build do (these datasets use no
    post-to-region roll-up, so no site is needed). Problems from either step, formatted."""
    datasets, problems = load_datasets(root, TODAY)
    found = [p.format() for p in problems]
    ds = next((d for d in datasets if d.slug == slug), None)
    if ds is None:
        return None, found
    assert found == []
    table, problems = aggregate(ds, {})
    return table, [p.format() for p in problems]


def test_rows_are_checked_by_check_and_again_by_a_fresh_publish(repo: Path):
    datasets, _ = load_datasets(repo, TODAY)
    ds = next(d for d in datasets if d.slug == "crossings-wini-annual")
    assert ds.cache.get("rows_checked") is True
    path = repo / WINI
    path.write_text(path.read_text().replace(",27010,", ",27.010,"))
    _, problems = load_datasets(repo, TODAY)  # `check` reports it
    assert any(p.format().startswith(f"{WINI}:5:5: error[csv-value]: '27.010'") for p in problems)
    _, problems = aggregate(dataclasses.replace(ds, cache={}), {})  # so does a Dataset never checked
    assert len(problems) == 1 and problems[0].format().startswith(f"{WINI}:5:5: error[csv-value]: '27.010'")


def grand_total(table) -> int:
    return table.values[tuple("_T" if t else c[0] for c, t in zip(table.codes, table.totals, strict=True))]


def test_repeated_rows_of_a_record_input_are_separate_records(repo: Path):
    before, problems = run(repo, "crossings-monthly")
    assert problems == []
    path = repo / RECORDS
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines, lines[1], lines[1]]))  # the same record three times
    after, problems = run(repo, "crossings-monthly")
    assert problems == []
    month = lines[1].split(",")[1][:7]
    key = (month, "_T", "_T", "_T")
    assert after.values[key] == before.values[key] + 2


def test_a_counted_table_with_a_key_three_times_names_the_lines(repo: Path):
    path = repo / WINI
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines, lines[2], lines[2]]))
    table, problems = run(repo, "crossings-wini-annual")
    assert table is None
    assert problems == [f"{WINI}:6: error[csv-value]: line 3 and line 6 have the same year, post, "
                        "direction, citizenship ('2024', 'plbn-wini', 'departure', 'WNA'): a counted "
                        "table has one row per combination, so this one would be counted twice "
                        "(3 rows in all) (keep one row per combination, or add the rows up into one)"]


def test_the_same_key_written_differently_is_not_a_way_round_the_duplicate_rule(repo: Path):
    # '02024' would be the year 2024 again; integers are refused with a leading zero instead.
    path = repo / WINI
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines, "0" + lines[1]]))
    table, problems = run(repo, "crossings-wini-annual")
    assert table is None
    assert any(p.startswith(f"{WINI}:6:1: error[csv-value]: '02024' in column 'year' is not a plain "
                            "whole number: it has a leading zero") for p in problems), problems


def test_an_empty_record_input_is_refused(repo: Path):
    path = repo / RECORDS
    path.write_text(path.read_text().splitlines(keepends=True)[0])
    table, problems = run(repo, "crossings-monthly")
    assert table is None
    assert [p.split(" (")[0] for p in problems] == [
        f"{RECORDS}:1: error[csv-value]: the input has a header but no data rows"]


def test_identifying_columns_are_never_looked_at(repo: Path):
    """A bidi control in a name or a non-date birth date does not stop the build (the cells are
    never read) and reaches no output; the published figures are unchanged."""
    before, _ = run(repo, "crossings-monthly")
    path = repo / RECORDS
    text = path.read_text()
    first = text.splitlines()[1].split(",")
    changed = [*first[:5], "NAMA \u202eX", first[6], first[7], "lahir 1990"]
    path.write_text(text.replace(",".join(first), ",".join(changed), 1))
    after, problems = run(repo, "crossings-monthly")
    assert problems == []
    assert after.values == before.values


def test_one_problem_per_column_with_the_count_of_bad_rows(repo: Path):
    path = repo / WINI
    text = path.read_text()
    for count in ("9566", "25378", "27010"):
        text = text.replace(f",{count},", f",{count[:-3]}.{count[-3:]},")
    path.write_text(text)
    _, problems = run(repo, "crossings-wini-annual")
    assert problems == [
        f"{WINI}:2:5: error[csv-value]: '9.566' in column 'crossings' is not a plain whole number: "
        "'.' is a thousands separator in Indonesian and a decimal point in English (3 rows in all) "
        "(a count holds digits only, e.g. 27010)"]


@pytest.mark.parametrize(("cell", "message"), [
    ("2024-02-30", "'2024-02-30' in column 'month' is not a real calendar date"),
    ("01/05/2024", "'01/05/2024' in column 'month' is not a date in YYYY-MM-DD form"),
    ("2024-5-1", "'2024-5-1' in column 'month' is not a date in YYYY-MM-DD form"),
    ("", "the cell in column 'month' is empty"),
])
def test_dates_are_real_days_in_iso_form(repo: Path, cell: str, message: str):
    path = repo / PASSPORTS
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = cell + lines[3][lines[3].index(","):]
    path.write_text("".join(lines))
    _, problems = run(repo, "passport-applicants-atambua")
    assert any(p.startswith(f"{PASSPORTS}:4:1: error[csv-value]: {message}") for p in problems), problems


def test_a_trailing_comma_is_ignored(repo: Path):
    """DuckDB drops empty cells after the last column; they cannot shift a value (documented)."""
    before, _ = run(repo, "crossings-wini-annual")
    path = repo / WINI
    path.write_text(path.read_text().replace("\n", ",\n").replace(",\n", "\n", 1))
    after, problems = run(repo, "crossings-wini-annual")
    assert problems == [] and after.values == before.values
    path.write_text(path.read_text().replace(",\n", ",x\n", 1))
    _, problems = run(repo, "crossings-wini-annual")
    assert problems == [f"{WINI}:2: error[csv-format]: the row has more cells than the header (6) "
                        "(a text with a comma must be in double quotes)"]


@pytest.mark.parametrize(("cell", "reason"), [
    ("27.010", "thousands separator in Indonesian"),
    ("27,010", "thousands separator in English"),
    ("27 010", "space as a thousands separator"),
    ("12,5", "decimal comma"),
    ("12.5", "fraction"),
    (".5", "fraction"),
    ("2.7e4", "exponent notation"),
    ("27E3", "exponent notation"),
    ("-5", "negative"),
    ("-1.000", "negative"),
    ("=1+2", "spreadsheet formula"),
    ("+27010", "spreadsheet formula"),
    ("@SUM(A1)", "spreadsheet formula"),
    (" 27010", "spaces around it"),
    ("027010", "leading zero"),
    ("9" * 20, "64-bit"),
    ("\u0662\u0667", "not a whole number"),  # Arabic-Indic digits
    ("dua", "not a whole number"),
])
def test_why_a_count_is_refused(cell: str, reason: str):
    assert reason in why_not_whole(cell)


def test_line_numbers_stay_exact_in_a_large_file(repo: Path):
    """200,000 records with a blank line and a quoted line break (in an identifying column)
    before the bad cell: the reported line is the physical one."""
    path = repo / RECORDS
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT lpad(CAST(i AS VARCHAR), 7, '0') AS crossing_id,
                     DATE '2024-01-01' + CAST(i % 366 AS INTEGER) AS crossed_on,
                     ['plbn-motaain', 'plbn-wini', 'plbn-motamasin'][1 + i % 3] AS post,
                     'arrival' AS direction, 'WNI' AS nationality_group,
                     CASE WHEN i = 10 THEN 'BARIS' || chr(10) || 'DUA' ELSE 'CONTOH' END AS full_name,
                     'X' AS passport_no, '1' AS nik, '1980-01-01' AS birth_date
              FROM range(200000) t(i)) TO '{path}' (HEADER, DELIMITER ',', QUOTE '"', FORCE_QUOTE (full_name))""")
    con.close()
    lines = path.read_text().split("\n")
    lines.insert(100, "")
    lines[-2] = lines[-2].replace(",WNI,", ",WNI ,")
    path.write_text("\n".join(lines))
    want = path.read_text().split("\n").index(lines[-2]) + 1
    assert want == 200000 + 3  # header, one blank line, one quoted line break
    _, problems = run(repo, "crossings-monthly")
    assert [p.split(" (")[0] for p in problems] == [
        f"{RECORDS}:{want}:5: error[csv-value]: 'WNI ' in column 'nationality_group' is not a "
        "declared code of dimension 'nationality_group'"]


def _parquet_wini(root: Path, select: str) -> None:
    yaml_path = root / "data/crossings-wini-annual.yaml"
    yaml_path.write_text(yaml_path.read_text().replace(
        "  path: tables/crossings-wini-annual.csv\n",
        "  path: tables/crossings-wini-annual.parquet\n  format: parquet\n"))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {select} FROM read_csv('{root / WINI}', all_varchar = true)) "
                f"TO '{root / 'data/tables/crossings-wini-annual.parquet'}' (FORMAT parquet)")
    con.close()


def test_parquet_input_follows_the_same_rules(repo: Path):
    before, _ = run(repo, "crossings-wini-annual")
    cols = "CAST(year AS INTEGER) AS year, post, direction, citizenship, {} AS crossings, source_url"
    _parquet_wini(repo, cols.format("CAST(crossings AS BIGINT)"))
    after, problems = run(repo, "crossings-wini-annual")
    assert problems == [] and after.values == before.values
    _parquet_wini(repo, cols.format("CAST(crossings AS DOUBLE) / 1000"))
    _, problems = run(repo, "crossings-wini-annual")
    assert problems == ["data/tables/crossings-wini-annual.parquet: error[csv-value]: row 1: '9.566' "
                        "in column 'crossings' is not a plain whole number: '.' is a thousands "
                        "separator in Indonesian and a decimal point in English (4 rows in all) "
                        "(a count holds digits only, e.g. 27010)"]


def test_an_overlong_line_is_a_format_error_that_does_not_quote_the_line(repo: Path):
    path = repo / WINI
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("https://", "https://" + "x" * 2_100_000)
    path.write_text("".join(lines))
    _, problems = run(repo, "crossings-wini-annual")
    assert problems == [f"{WINI}:3: error[csv-format]: the line is longer than 2,000,000 bytes (a quote "
                        "opened and never closed can make the rest of the file one line)"]


def test_connections_share_one_database_with_its_settings_but_not_temporary_tables() -> None:
    """`connect()` opens the process's in-memory DuckDB once (opening one cost 20-35 ms each time,
    a third of `check` on the sample site) and then hands out connections to it: each keeps the memory cap
    and settings, and a temporary table (the aggregation's `geo`) stays private to its connection."""
    from lintas.datasets.rows import connect

    with connect() as first, connect() as second:
        first.execute("CREATE TEMP TABLE geo (post VARCHAR)")
        with pytest.raises(duckdb.CatalogException):
            second.execute("SELECT * FROM geo")
        second.execute("CREATE TEMP TABLE geo (post VARCHAR)")  # no clash
        for con in (first, second):
            assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchone() == (False,)
            assert "lintas-duckdb" in str(con.execute("SELECT current_setting('temp_directory')").fetchone())
        # One database: a table of its main schema is seen from every connection.
        first.execute("CREATE TABLE shared_probe (x INTEGER)")
        try:
            assert second.execute("SELECT count(*) FROM shared_probe").fetchone() == (0,)
        finally:
            first.execute("DROP TABLE shared_probe")
    with connect() as third:  # closing a connection leaves the database open
        assert third.execute("SELECT 1").fetchone() == (1,)
