"""A monthly and a quarterly table of the same records, protected as one (lintas/datasets/nested.py),
and the joint audit's LP split at the sums the published figures already give (joint.Split).

Each claim is checked against an LP written here with scipy over the whole problem at once (every
cell of both tables, no parts, no rows left out), so a wrong shortcut in the publisher shows."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lintas.datasets.aggregate import Table
from lintas.datasets.definition import TOTAL
from lintas.datasets.disclosure import Rule, protect
from lintas.datasets.joint import View, joint_protect
from lintas.datasets.nested import nesting, protect_all
from lintas.datasets.parts import components

MONTHS = tuple(f"2024-{m:02d}" for m in range(1, 7))
QUARTERS = ("2024-Q1", "2024-Q2")
POSTS = ("a", "b", "c", "d")
GROUPS = ("x", "y", "z")


def _tables(seed: int) -> tuple[Table, Table]:
    rng = np.random.default_rng(seed)
    atoms = {(m, p, g): int(rng.choice([0, 1, 2, 3, 6, 9, 14, 25, 40]))
             for m in MONTHS for p in POSTS for g in GROUPS}

    def table(periods: tuple[str, ...], of: dict[str, str]) -> Table:
        values: dict[tuple[str, ...], int] = {}
        for per, p, g in itertools.product(periods, (*POSTS, TOTAL), (*GROUPS, TOTAL)):
            values[(per, p, g)] = sum(v for (m, ap, ag), v in atoms.items()
                                      if of[m] == per and p in (ap, TOTAL) and g in (ag, TOTAL))
        return Table(("period", "post", "group"), (periods, POSTS, GROUPS), (False, True, True),
                     values, {})

    monthly = table(MONTHS, {m: m for m in MONTHS})
    quarterly = table(QUARTERS, {m: QUARTERS[(int(m[5:]) - 1) // 3] for m in MONTHS})
    return monthly, quarterly


def _atoms_of(key: tuple[str, ...]) -> list[int]:
    per, p, g = key
    months = [m for m in MONTHS if per in (m, QUARTERS[(int(m[5:]) - 1) // 3])]
    posts = POSTS if p == TOTAL else (p,)
    groups = GROUPS if g == TOTAL else (g,)
    index = {a: i for i, a in enumerate(itertools.product(MONTHS, POSTS, GROUPS))}
    return [index[(m, pp, gg)] for m in months for pp in posts for gg in groups]


def _scipy_intervals(published: list[dict[tuple[str, ...], int | None]], floor: float
                     ) -> dict[tuple[int, tuple[str, ...]], tuple[float, float]]:
    """Every hidden cell's interval from one LP over both tables (equality for each figure)."""
    n = len(MONTHS) * len(POSTS) * len(GROUPS)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for table in published:
        for key, value in table.items():
            row = np.zeros(n)
            row[_atoms_of(key)] = 1
            if value is None:
                a_ub.append(-row)
                b_ub.append(-floor)
            else:
                a_eq.append(row)
                b_eq.append(value)
    out = {}
    for t, table in enumerate(published):
        for key, value in table.items():
            if value is not None:
                continue
            c = np.zeros(n)
            c[_atoms_of(key)] = 1
            ends = []
            for sign in (1, -1):
                res = linprog(sign * c, A_ub=np.array(a_ub) if a_ub else None,
                              b_ub=b_ub or None, A_eq=np.array(a_eq), b_eq=b_eq,
                              bounds=(0, None), method="highs")
                ends.append(sign * res.fun if res.status == 0 else sign * np.inf)
            out[(t, key)] = (ends[0], ends[1])
    return out


def _views(protected: dict, units: dict[str, str]) -> list[View]:
    views = []
    for slug, p in protected.items():
        t = p.table
        views.append(View(f"{slug} 1.0.0", slug, "1.0.0", t.dims, (units[slug], "value", "value"),
                          ("crossed_on", "post", "group"), t.codes, dict(p.published), p.rule,
                          t.values, set(p.suppressed),
                          {key: n for n, key in enumerate(t.ordered())}, p.primary))
    return views


@pytest.mark.parametrize("seed", range(6))
def test_one_pattern_for_both_period_levels_needs_no_more_suppression(seed: int) -> None:
    monthly, quarterly = _tables(seed)
    rule = Rule(5, None, "suppressed")
    assert nesting(monthly, "month", quarterly, "quarter") is not None
    both = protect_all({"m": (monthly, rule, "month"), "q": (quarterly, rule, "quarter")})
    pm, pq = both["m"], both["q"]
    assert pm.suppressed, "the synthetic table has small cells: something must be hidden"
    # every published quarter is a sum of published months (it tells nothing new)
    for (q, p, g), value in pq.published.items():
        months = [m for m in MONTHS if QUARTERS[(int(m[5:]) - 1) // 3] == q]
        if value is not None:
            assert all(pm.published[(m, p, g)] is not None for m in months)
    # an independent LP over both tables: every hidden cell of either table is safe, and the
    # intervals the publisher reports are exactly the attacker's
    found = _scipy_intervals([pm.published, pq.published], rule.floor)
    for (t, key), (lo, hi) in found.items():
        assert not rule.exposed(lo, hi), (t, key, lo, hi)
        reported = (pm if t == 0 else pq).intervals[key]
        assert reported == pytest.approx((lo, hi), abs=1e-6), (t, key)
    # the joint audit only verifies: it hides nothing more and finds nothing to report
    result = joint_protect(_views(both, {"m": "month", "q": "quarter"}), {})
    assert result.failures == []
    assert result.remedy("m") == [] and result.remedy("q") == []
    for slug, prot in both.items():
        for key, span in result.intervals[slug].items():
            assert span == pytest.approx(prot.intervals[key], abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_split_model_gives_the_intervals_of_one_whole_lp(seed: int) -> None:
    """Tables protected alone (the quarterly pattern not derived from the monthly one): the joint
    audit's split model must still reach the intervals of one LP over everything, before it adds
    any suppression; compare with max_rounds=0 (measure only)."""
    monthly, quarterly = _tables(100 + seed)
    rule = Rule(5, None, "published")
    alone = {"m": protect(monthly, rule), "q": protect(quarterly, rule)}
    views = _views(alone, {"m": "month", "q": "quarter"})
    result = joint_protect(views, {}, max_rounds=0)
    found = _scipy_intervals([alone["m"].published, alone["q"].published], rule.floor)
    slugs = ["m", "q"]
    assert found
    for (t, key), span in found.items():
        assert result.intervals[slugs[t]][key] == pytest.approx(span, abs=1e-6), (t, key)


def test_tables_that_do_not_nest_are_protected_alone() -> None:
    monthly, quarterly = _tables(7)
    rule = Rule(5, None, "suppressed")
    other = Table(quarterly.dims, (QUARTERS, POSTS[:3], GROUPS), quarterly.totals,
                  {k: v for k, v in quarterly.values.items() if k[1] != "d"}, {})
    assert nesting(monthly, "month", other, "quarter") is None
    both = protect_all({"m": (monthly, rule, "month"), "q": (other, rule, "quarter")})
    assert both["q"].published == protect(other, rule).published
    rounded = Rule(5, 5, "suppressed")
    both = protect_all({"m": (monthly, rounded, "month"), "q": (quarterly, rounded, "quarter")})
    assert both["q"].published == protect(quarterly, rounded).published


def test_split_model_sees_two_figures_that_disagree() -> None:
    """Two versions publishing one cell differently cannot be "the same counts", even when no other
    row holds that cell (it then joins no part of the split model)."""
    from lintas.datasets.disclosure import INF
    from lintas.datasets.parts import Split

    rows = [np.array([0]), np.array([0]), np.array([1, 2])]
    coef = [np.ones(1), np.ones(1), np.ones(2)]
    assert not Split(3, rows, [(7.0, 7.0), (8.0, 8.0), (0.0, INF)], coef).feasible()
    assert Split(3, rows, [(7.0, 7.0), (7.0, 7.0), (0.0, INF)], coef).feasible()
    assert not Split(3, rows, [(7.0, 7.0), (7.0, 7.0), (-INF, -1.0)], coef).feasible()


@given(st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=90))))
@settings(max_examples=200, deadline=None)
def test_parts_are_the_connected_components_scipy_finds(graph: tuple[int, list[tuple[int, int]]]) -> None:
    """The split's own labelling (no SciPy at build time) against scipy.sparse.csgraph."""
    n, edges = graph
    heads = np.array([h for h, _ in edges], dtype=int)
    tails = np.array([t for _, t in edges], dtype=int)
    label = components(n, heads, tails)
    count, theirs = connected_components(coo_matrix((np.ones(len(edges)), (heads, tails)), shape=(n, n)),
                                         directed=False)
    assert len(set(label.tolist())) == count
    assert len(set(zip(label.tolist(), theirs.tolist(), strict=True))) == count  # the same partition
    assert all(label[i] == min(j for j in range(n) if theirs[j] == theirs[i]) for i in range(n))
