"""Disclosure control: try to recover suppressed cells from what is published, and fail if we can."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from lintas.datasets.aggregate import build_table, periods
from lintas.datasets.definition import TOTAL
from lintas.datasets.disclosure import audit, check, protect, round_base

K = 5


def table_2d(rows: dict[str, list[int]], cols: list[str]):
    base = {(r, c): v for r, vals in rows.items() for c, v in zip(cols, vals, strict=True)}
    return build_table(("row", "col"), (tuple(rows), tuple(cols)), (True, True), base)


# The worked example in the disclosure-control reference (fictional data).
EXAMPLE = table_2d({"A": [120, 85, 40], "B": [1, 14, 22], "C": [30, 3, 11], "D": [55, 61, 18]},
                   ["N", "S", "E"])


def subtraction_attack(table, published):
    """Independent attacker: repeatedly solve any total whose parts are all known but one."""
    known = {k: v for k, v in published.items() if v is not None}
    dims = range(len(table.dims))
    changed = True
    while changed:
        changed = False
        for key in table.values:
            for i in dims:
                if not table.totals[i]:
                    continue
                line = [tuple(c if j == i else key[j] for j in dims) for c in table.codes[i]]
                total = tuple(TOTAL if j == i else key[j] for j in dims)
                cells = [*line, total]
                unknown = [c for c in cells if c not in known]
                if len(unknown) != 1:
                    continue
                u = unknown[0]
                parts = sum(known[c] for c in line if c != u)
                known[u] = known[total] - parts if u != total else parts
                changed = True
    return {k: known[k] for k in published if published[k] is None and k in known}


def lp_attack(table, published):
    """Second independent attacker: one LP over the whole table (all cells as variables)."""
    keys = list(table.values)
    index = {k: n for n, k in enumerate(keys)}
    a_eq, b_eq = [], []
    for key in keys:
        v = published[key]
        if v is not None:
            row = np.zeros(len(keys))
            row[index[key]] = 1
            a_eq.append(row)
            b_eq.append(v)
        for i, code in enumerate(key):
            if code == TOTAL:
                row = np.zeros(len(keys))
                row[index[key]] = 1
                for c in table.codes[i]:
                    row[index[tuple(c if j == i else x for j, x in enumerate(key))]] -= 1
                a_eq.append(row)
                b_eq.append(0)
    out = {}
    for key in keys:
        if published[key] is None:
            c = np.zeros(len(keys))
            c[index[key]] = 1
            lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
            hi = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
            out[key] = (lo.fun, -hi.fun if hi.status == 0 else float("inf"))
    return out


def test_reference_example_is_protected_as_documented():
    p = protect(EXAMPLE, K)
    assert p.primary == {("B", "N"), ("C", "S")}
    assert p.secondary == {("B", "S"), ("C", "N")}  # the rectangle, nothing more
    assert p.intervals[("B", "N")] == (0.0, 15.0)
    assert p.intervals[("C", "N")] == (16.0, 31.0)
    assert p.failures == () and check(p, K, None) == []
    assert subtraction_attack(EXAMPLE, p.published) == {}


def test_primary_suppression_alone_is_recovered_and_fails_the_audit():
    published = {k: (None if 0 < v < K else v) for k, v in EXAMPLE.values.items()}
    assert subtraction_attack(EXAMPLE, published) == {("B", "N"): 1, ("C", "S"): 3}
    intervals = audit(EXAMPLE, published, K)
    assert intervals[("B", "N")] == (1.0, 1.0)


def test_lone_suppressed_cell_in_a_row_fails_without_complementary_suppression():
    t = table_2d({"X": [2, 40, 60], "Y": [30, 50, 70]}, ["a", "b", "c"])
    published = {k: (None if k == ("X", "a") else v) for k, v in t.values.items()}
    assert audit(t, published, K)[("X", "a")] == (2.0, 2.0)
    # the publisher's own final check refuses such a table
    from lintas.datasets.disclosure import Protected

    naive = Protected(t, published, frozenset({("X", "a")}), frozenset(), {}, ())
    assert check(naive, K, None) == [("X", "a")]
    protected = protect(t, K)
    assert len(protected.secondary) >= 1 and check(protected, K, None) == []


def test_published_sample_tables_resist_both_attacks():
    from tests.test_datasets import ROOT, publish

    site, datasets, _, problems = publish(ROOT)
    assert not problems
    from lintas.datasets.publish import build

    for ds in datasets:
        built, _ = build(ds, site)
        p = built.protected
        assert subtraction_attack(p.table, p.published) == {}
        if ds.definition.disclosure.rounding is None and p.suppressed and len(p.table.values) < 300:
            for key, (lo, hi) in lp_attack(p.table, p.published).items():
                assert hi - lo >= K, (ds.slug, key, lo, hi)


def test_lp_attack_agrees_with_audit_on_the_example():
    p = protect(EXAMPLE, K)
    theirs = lp_attack(EXAMPLE, p.published)
    for key, (lo, hi) in p.intervals.items():
        assert theirs[key] == pytest.approx((lo, hi))


def test_three_dimensional_table_with_all_margins():
    rng = np.random.default_rng(7)
    codes = (("p1", "p2", "p3"), ("in", "out"), ("g1", "g2", "g3", "g4"))
    base = {key: int(rng.choice([0, 1, 2, 3, 8, 20, 40])) for key in itertools.product(*codes)}
    t = build_table(("post", "dir", "group"), codes, (True, True, True), base)
    p = protect(t, K)
    assert check(p, K, None) == []
    assert subtraction_attack(t, p.published) == {}
    for lo, hi in lp_attack(t, p.published).values():
        assert hi - lo >= K


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=4),
       st.sampled_from([5, 10]))
def test_random_tables_never_leak(values, k):
    t = table_2d({f"r{i}": row for i, row in enumerate(values)}, ["a", "b", "c"])
    p = protect(t, k)
    if p.failures:  # too small to protect: the build would fail, which is the safe outcome
        assert check(p, k, None)
        return
    assert check(p, k, None) == []
    assert all(p.published[key] is None for key, v in t.values.items() if 0 < v < k)
    assert subtraction_attack(t, p.published) == {}
    for lo, hi in lp_attack(t, p.published).values():
        assert hi - lo >= k - 1e-6


def test_rounding_is_deterministic_half_up_and_audited():
    assert [round_base(v, 5) for v in (0, 2, 3, 7, 8, 12, 13, 1017)] == [0, 0, 5, 5, 10, 10, 15, 1015]
    p1 = protect(EXAMPLE, K, rounding=5)
    p2 = protect(EXAMPLE, K, rounding=5)
    assert p1.published == p2.published
    assert all(v % 5 == 0 for v in p1.published.values() if v is not None)
    assert check(p1, K, 5) == []


def test_non_total_dimensions_split_independent_tables():
    codes = (("2024-01", "2024-02"), ("a", "b", "c"))
    base = {("2024-01", "a"): 3, ("2024-01", "b"): 40, ("2024-01", "c"): 50,
            ("2024-02", "a"): 30, ("2024-02", "b"): 40, ("2024-02", "c"): 50}
    t = build_table(("month", "x"), codes, (False, True), base)
    p = protect(t, K)
    assert all(key[0] == "2024-01" for key in p.suppressed)  # February untouched
    assert check(p, K, None) == []


def test_periods():
    import datetime as dt

    assert periods("month", dt.date(2024, 11, 15), dt.date(2025, 2, 1)) == (
        "2024-11", "2024-12", "2025-01", "2025-02")
    assert periods("quarter", dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == (
        "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
