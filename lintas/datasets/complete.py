"""COMPLETENESS of a counted input, at `check`: every expected cell has its row, and the totals the
methodology quotes equal the data.

A counted table (`level: counts`) that lacks a row would publish 0 for it, and a total that no
longer matches the figure quoted in the methodology. So each dataset's expected cells (its code
lists times its periods, or the declared `expected` patterns, minus declared structural zeros)
are compared with the combinations present in the input (`error[missing-cell]`, naming them), and
each `quoted_totals` entry is summed from the input and looked for in the methodology text
(`error[total-mismatch]`). One DuckDB GROUP BY over the input, streaming; geography-derived
dimensions (office, regency, province) are left out of the comparison (they come from the content).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import duckdb

from ..problems import Problem
from .aggregate import dim_codes
from .definition import TOTAL, Dataset, Dimension
from .rows import connect, source_sql

_SHOWN = 5
_GEO = ("office", "regency", "province")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_sql(dim: Dimension) -> str:
    """The published code of `dim` from its input column read as text."""
    v = _quote(dim.source)
    return {
        "value": v,
        "month": f"substr({v}, 1, 7)",
        "quarter": f"substr({v}, 1, 4) || '-Q' || CAST((CAST(substr({v}, 6, 2) AS INTEGER) + 2) // 3 AS VARCHAR)",
        "year": f"substr({v}, 1, 4)",
    }[dim.derive]


def _matches(key: Mapping[str, str], pattern: Mapping[str, str]) -> bool:
    return all(key.get(name) == code for name, code in pattern.items())


def _number_forms(value: int) -> set[str]:
    plain = str(value)
    grouped = f"{value:,}"
    return {plain, grouped, grouped.replace(",", ".")}


def check_completeness(ds: Dataset) -> list[Problem]:
    """Missing expected cells and quoted totals that differ from the data (counted inputs)."""
    d = ds.definition
    if d.input.level != "counts":
        return []
    dims = [dim for dim in d.dimensions if dim.derive not in _GEO]
    if not dims:
        return []
    src, params = source_sql(ds)
    keys = ", ".join(f"{_key_sql(dim)} AS {_quote('k_' + dim.name)}" for dim in dims)
    measure = _quote(d.measure.source or "")
    sql = (f"SELECT {keys}, sum(TRY_CAST({measure} AS HUGEINT)) FROM {src} AS src "
           f"GROUP BY ALL")
    try:
        with connect() as con:
            rows = con.execute(sql, params).fetchall()
    except duckdb.Error:
        return []  # the row check reports what cannot be read
    n = len(dims)
    present: dict[tuple[str, ...], int] = {tuple(str(v) for v in row[:n]): int(row[n] or 0)
                                           for row in rows}
    problems = _missing(ds, dims, present)
    problems += _totals(ds, dims, present)
    return problems


def _missing(ds: Dataset, dims: Sequence[Dimension],
             present: Mapping[tuple[str, ...], int]) -> list[Problem]:
    d = ds.definition
    names = [dim.name for dim in dims]
    structural = d.disclosure.structural_zeros
    missing = []
    for combo in itertools.product(*[dim_codes(d, dim) for dim in dims]):
        key = dict(zip(names, combo, strict=True))
        if d.expected is not None and not any(_matches(key, p) for p in d.expected):
            continue
        if any(_matches(key, p) for p in structural):
            continue
        if combo not in present:
            missing.append(combo)
    if not missing:
        return []
    shown = "; ".join(", ".join(f"{n}={c}" for n, c in zip(names, combo, strict=True))
                      for combo in missing[:_SHOWN])
    more = f" (and {len(missing) - _SHOWN} more)" if len(missing) > _SHOWN else ""
    return [Problem(ds.input_src, None, None, "missing-cell",
                    f"{len(missing)} expected combination(s) have no row: {shown}{more}",
                    hint=f"add the row (with 0 if nothing was counted), or declare the combination "
                         f"in {ds.src_path} disclosure.structural_zeros if it cannot occur")]


def _totals(ds: Dataset, dims: Sequence[Dimension],
            present: Mapping[tuple[str, ...], int]) -> list[Problem]:
    d = ds.definition
    problems = []
    text = f"{d.methodology.id} {d.methodology.get('en')}"
    for i, quoted in enumerate(d.quoted_totals):
        cell = quoted.cell
        total = sum(value for key, value in present.items()
                    if all(cell.get(dim.name, TOTAL) in (TOTAL, code)
                           for dim, code in zip(dims, key, strict=True)))
        where = ", ".join(f"{name}={code}" for name, code in cell.items())
        if total != quoted.value:
            problems.append(Problem(ds.src_path, None, None, "total-mismatch",
                                    f"quoted_totals[{i}] ({where}) is {quoted.value:,} but the data "
                                    f"sum to {total:,}",
                                    hint=f"correct {ds.input_src} or the quoted figure"))
        if not _number_forms(quoted.value) & set(_numbers(text)):
            problems.append(Problem(ds.src_path, None, None, "total-mismatch",
                                    f"quoted_totals[{i}] ({where}) = {quoted.value:,} is not quoted "
                                    "in the methodology",
                                    hint="quote the figure in the methodology, or remove it"))
    return problems


def _numbers(text: str) -> list[str]:
    import re

    return re.findall(r"[0-9][0-9.,]*[0-9]|[0-9]", text)
