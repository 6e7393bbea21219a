"""AGGREGATE: count the input with DuckDB, streaming, into a full table with margins.

Every row is checked first, also in DuckDB and streaming (`rows.check_rows`): a count is digits
only, a date is a real YYYY-MM-DD day, a text cell holds no control or bidi character, a value
dimension holds a declared code, a counted input has one row per key and no input is empty.
Then DuckDB reads the CSV (or Parquet) with the declared column types and no type guessing, and only
the GROUP BY result (one row per base cell) comes back to Python, so inputs larger than memory
work. Identifying columns are never selected. Every combination of declared codes is a cell (true
zeros are kept), and totals ('_T') are summed in Python from the exact base cells.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from ..problems import Problem
from .definition import PERIODS, TOTAL, Dataset, DatasetDefinition, Dimension
from .rows import check_rows, connect

Key = tuple[str, ...]
_DUCK_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "date": "DATE"}


@dataclass(frozen=True)
class Table:
    """A complete count table: every cell, base cells and totals, with true (unprotected) values."""

    dims: tuple[str, ...]
    codes: tuple[tuple[str, ...], ...]  # allowed codes per dimension, in published order, no '_T'
    totals: tuple[bool, ...]  # whether each dimension has a '_T' total
    values: dict[Key, int]
    attrs: dict[Key, str]

    def ordered(self) -> list[Key]:
        """Every cell in published order: codes in declared order, each total after its codes."""
        axes = [(*c, TOTAL) if t else c for c, t in zip(self.codes, self.totals, strict=True)]
        return list(itertools.product(*axes))


def periods(unit: str, start: dt.date, end: dt.date) -> tuple[str, ...]:
    """Every period code of `unit` that overlaps [start, end]."""
    out: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        code = {"month": f"{y:04d}-{m:02d}", "quarter": f"{y:04d}-Q{(m - 1) // 3 + 1}",
                "year": f"{y:04d}"}[unit]
        if code not in out:
            out.append(code)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def period_units(code: str, derive: str, unit: str) -> list[str]:
    """The `unit` periods inside period `code` of kind `derive` (a month, quarter or year); a
    coarser `unit` gives the one period that holds `code`."""
    year = code[:4]
    if derive == "month":
        months = [code]
    elif derive == "quarter":
        q = int(code[-1])
        months = [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    else:
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
    if unit == "month":
        return months
    if unit == "quarter":
        return sorted({f"{year}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months})
    return [year]


def dim_codes(definition: DatasetDefinition, dim: Dimension) -> tuple[str, ...]:
    if dim.derive in PERIODS:
        return periods(dim.derive, definition.temporal.start, definition.temporal.end)
    return tuple(c.code for c in dim.codes)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source_sql(ds: Dataset) -> tuple[str, list[object]]:
    d = ds.definition.input
    if d.format == "parquet":
        cols = ", ".join(f"CAST({_quote(c.name)} AS {_DUCK_TYPES[c.type]}) AS {_quote(c.name)}"
                         for c in d.columns if not c.pii)
        return f"(SELECT {cols} FROM read_parquet(?))", [str(ds.input_path)]
    # Identifying columns are read as text and never selected: their values are never parsed.
    columns = "{" + ", ".join(f"'{c.name}': '{'VARCHAR' if c.pii else _DUCK_TYPES[c.type]}'"
                              for c in d.columns) + "}"
    sql = (f"read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',', "
           "quote = '\"', escape = '\"', dateformat = '%Y-%m-%d', encoding = 'utf-8')")
    return sql, [str(ds.input_path)]


def _dim_sql(dim: Dimension) -> str:
    col = "src." + _quote(dim.source)
    return {
        "value": f"CAST({col} AS VARCHAR)",
        "month": f"strftime({col}, '%Y-%m')",
        "quarter": f"CAST(year({col}) AS VARCHAR) || '-Q' || CAST(quarter({col}) AS VARCHAR)",
        "year": f"CAST(year({col}) AS VARCHAR)",
        "office": f"geo_{dim.name}.office",
        "regency": f"geo_{dim.name}.regency",
        "province": f"geo_{dim.name}.province",
    }[dim.derive]


def aggregate(ds: Dataset, geography: Mapping[str, Mapping[str, str]]) -> tuple[Table | None, list[Problem]]:
    """Count (or sum) the input by the published dimensions.

    `geography` maps a post id to its 'office', 'regency' and 'province' codes (from the content).
    """
    definition = ds.definition
    problems: list[Problem] = []
    src, params = _source_sql(ds)
    geo_rows = [(post, g.get("office", ""), g.get("regency", ""), g.get("province", ""))
                for post, g in sorted(geography.items())]
    joins = [f"LEFT JOIN geo AS geo_{dim.name} ON geo_{dim.name}.post = src.{_quote(dim.source)}"
             for dim in definition.dimensions if dim.derive in ("office", "regency", "province")]
    keys = [f"{_dim_sql(d)} AS {_quote('d_' + d.name)}" for d in definition.dimensions]
    measure = (f"sum(src.{_quote(definition.measure.source)})" if definition.measure.source
               else "count(*)")
    attr = (f", min(src.{_quote(definition.attribute)}) AS a_min, "
            f"max(src.{_quote(definition.attribute)}) AS a_max" if definition.attribute else "")
    negatives = (f", count(*) FILTER (WHERE src.{_quote(definition.measure.source)} < 0 OR "
                 f"src.{_quote(definition.measure.source)} IS NULL) AS bad"
                 if definition.measure.source else ", 0 AS bad")
    sql = (f"SELECT {', '.join(keys)}, {measure} AS value, count(*) AS n_rows{attr}{negatives} "
           f"FROM {src} AS src {' '.join(joins)} GROUP BY ALL")
    try:
        with connect() as con:
            # Every cell is checked first (types, codes, duplicates; lintas/datasets/rows.py), so
            # the typed read below cannot round, truncate or re-read a value.
            if not ds.cache.get("rows_checked"):
                problems = check_rows(con, ds)
                if problems:
                    return None, problems
            con.execute("CREATE TEMP TABLE geo (post VARCHAR, office VARCHAR, regency VARCHAR, "
                        "province VARCHAR)")
            if geo_rows:
                con.executemany("INSERT INTO geo VALUES (?, ?, ?, ?)", geo_rows)
            rows = con.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(Problem(ds.input_src, None, None, "csv-value",
                                f"cannot read as declared in {ds.src_path}: {message}"))
        return None, problems

    dims = definition.dimensions
    codes = tuple(dim_codes(definition, d) for d in dims)
    allowed = [set(c) for c in codes]
    base: dict[Key, int] = {}
    attrs: dict[Key, str] = {}
    n = len(dims)
    for row in rows:
        key = tuple(row[:n])
        value, _n_rows = row[n], row[n + 1]
        bad = row[-1]
        if bad:
            problems.append(Problem(ds.input_src, None, None, "csv-value",
                                    f"{bad} row(s) have an empty or negative "
                                    f"'{definition.measure.source}'"))
            continue
        unknown = [(d, v) for d, v, ok in zip(dims, key, allowed, strict=True) if v not in ok]
        if unknown:
            d, v = unknown[0]
            what = "empty" if v is None else f"'{v}'"
            why = ("outside the temporal coverage" if d.derive in PERIODS
                   else f"not a declared code of dimension '{d.name}'")
            if d.derive in ("office", "regency", "province") and v is None:
                why = f"not a known post (column '{d.source}') or a post without {d.derive}"
            problems.append(Problem(ds.input_src, None, None, "csv-value",
                                    f"{_n_rows} row(s): {what} is {why}"))
            continue
        if definition.attribute:
            a_min, a_max = row[n + 2], row[n + 3]
            if a_min != a_max:
                problems.append(Problem(ds.input_src, None, None, "csv-value",
                                        f"rows for {key} disagree on '{definition.attribute}'"))
            attrs[key] = a_min or ""
        base[key] = int(value)
    if problems:
        return None, problems
    return build_table(tuple(d.name for d in dims), codes, tuple(d.total for d in dims),
                       base, attrs), problems


def build_table(dims: tuple[str, ...], codes: tuple[tuple[str, ...], ...],
                totals: tuple[bool, ...], base: Mapping[Key, int],
                attrs: Mapping[Key, str] | None = None) -> Table:
    """The full table: zeros for absent base cells, and every total summed from the base cells."""
    values: dict[Key, int] = {}
    for key in itertools.product(*codes):
        values[key] = int(base.get(key, 0))
    total_dims = [i for i, t in enumerate(totals) if t]
    for key, value in list(values.items()):
        for r in range(1, len(total_dims) + 1):
            for subset in itertools.combinations(total_dims, r):
                margin = tuple(TOTAL if i in subset else c for i, c in enumerate(key))
                values[margin] = values.get(margin, 0) + value
    return Table(dims, codes, totals, values, dict(attrs or {}))
