"""One suppression pattern for two tables that count the same records by nested periods.

A monthly and a quarterly table of the same records are one table to an attacker: each quarter is
the sum of its three months. Protected one at a time, nearly every monthly pattern is undone by the
quarters (a month hidden alone in its quarter is the quarter minus the two months published), and
covering that afterwards, one complementary cell per LP round, takes thousands of rounds on a large
table. So the pattern of the coarse table is derived from the fine one (`protect_nested`), and the
joint audit only has to verify it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .aggregate import Key, Table, period_units
from .definition import PERIODS
from .disclosure import Protected, Rule, primary_cells, protect


@dataclass(frozen=True)
class Nesting:
    """Where the period is, and which coarse period holds each fine one."""

    period: int  # the position of the period dimension in both tables
    coarse_of: Mapping[str, str]  # fine period code -> the coarse period that holds it

    def coarse_key(self, key: Key) -> Key:
        """The coarse table's cell that sums fine cell `key`."""
        p = self.period
        return (*key[:p], self.coarse_of[key[p]], *key[p + 1:])


def nesting(fine: Table, fine_unit: str, coarse: Table, coarse_unit: str) -> Nesting | None:
    """The nesting of `fine` in `coarse`, or None when they are not the same table at two period
    levels (other dimensions, codes or totals differ, a period has a total, a coarse period does not
    hold the same number of fine ones, or the counts do not add up)."""
    if PERIODS.index(fine_unit) >= PERIODS.index(coarse_unit) or len(fine.dims) != len(coarse.dims):
        return None
    periods = [i for i, d in enumerate(fine.dims) if fine.codes[i] != coarse.codes[i]]
    if len(periods) != 1:
        return None
    p = periods[0]
    if fine.totals != coarse.totals or fine.totals[p]:
        return None
    coarse_of = {code: period_units(code, fine_unit, coarse_unit)[0] for code in fine.codes[p]}
    inside = dict.fromkeys(coarse.codes[p], 0)
    for parent in coarse_of.values():
        if parent not in inside:
            return None
        inside[parent] += 1
    if len(set(inside.values())) != 1 or 0 in inside.values():
        return None
    nest = Nesting(p, coarse_of)
    sums: dict[Key, int] = {}
    for key, value in fine.values.items():
        top = nest.coarse_key(key)
        sums[top] = sums.get(top, 0) + value
    if any(sums.get(key) != value for key, value in coarse.values.items()):
        return None
    return nest


def protect_nested(fine: Table, coarse: Table, nest: Nesting, fine_rule: Rule,
                   coarse_rule: Rule, verify: bool = True) -> tuple[Protected, Protected] | None:
    """Both tables protected as one, or None when the construction below does not apply (the
    rules differ, or figures are rounded: a rounded quarter is not the sum of its months).

    The fine table is protected alone. A coarse cell is hidden when it is small itself or when any
    fine cell it sums is hidden; so every published coarse cell is a sum of published fine cells
    and tells nothing new. Fine periods are independent blocks (the period has no total), so a
    hidden coarse cell's interval is the sum of its fine cells' intervals: at least as wide as the
    widest of them (>= k), and never inside [1, k-1]. The joint audit verifies this afterwards."""
    if (fine_rule.k, fine_rule.rounding, fine_rule.zeros) != \
            (coarse_rule.k, coarse_rule.rounding, coarse_rule.zeros) or fine_rule.rounding:
        return None
    small = protect(fine, fine_rule, verify=verify)
    by_coarse: dict[Key, list[Key]] = {}
    for key in fine.values:
        by_coarse.setdefault(nest.coarse_key(key), []).append(key)
    primary = primary_cells(coarse, coarse_rule)
    hidden: set[Key] = set(primary)
    intervals: dict[Key, tuple[float, float]] = {}
    for key in coarse.values:
        parts = by_coarse[key]
        if key in primary or any(small.published[f] is None for f in parts):
            hidden.add(key)
            lo = hi = 0.0
            for f in parts:
                value = small.published[f]
                span = (float(value), float(value)) if value is not None else small.intervals[f]
                lo, hi = lo + span[0], hi + span[1]
            intervals[key] = (lo, hi)
    published = {key: (None if key in hidden else v) for key, v in coarse.values.items()}
    failures = tuple(sorted(key for key in hidden if coarse_rule.exposed(*intervals[key])))
    big = Protected(coarse, published, primary, frozenset(hidden - primary), intervals, failures,
                    coarse_rule)
    return small, big


def pairs(units: Sequence[tuple[Table, str | None]]) -> list[tuple[int, int, Nesting]]:
    """(fine index, coarse index, nesting) for the tables of `units` ((table, period unit), all of
    the same records) that are one table at two period levels; each table in one pair at most,
    the finest first."""
    out: list[tuple[int, int, Nesting]] = []
    used: set[int] = set()
    timed = sorted((i for i, (_, unit) in enumerate(units) if unit is not None),
                   key=lambda i: PERIODS.index(str(units[i][1])))
    for i in timed:
        for j in timed:
            if i == j or i in used or j in used:
                continue
            nest = nesting(units[i][0], str(units[i][1]), units[j][0], str(units[j][1]))
            if nest is not None:
                out.append((i, j, nest))
                used.update((i, j))
    return out


def protect_all(tables: Mapping[str, tuple[Table, Rule, str | None]],
                verify: bool = True) -> dict[str, Protected]:
    """Every table of one set of records protected: a nested pair as one table, the rest alone.

    `tables` maps a slug to (table, rule, period unit or None); `verify=False` when the joint
    audit measures the result again (see `protect`)."""
    slugs = list(tables)
    units = [(tables[s][0], tables[s][2]) for s in slugs]
    out: dict[str, Protected] = {}
    for i, j, nest in pairs(units):
        (fine, fine_rule, _), (coarse, coarse_rule, _) = tables[slugs[i]], tables[slugs[j]]
        both = protect_nested(fine, coarse, nest, fine_rule, coarse_rule, verify)
        if both is not None:
            out[slugs[i]], out[slugs[j]] = both
    for slug, (table, rule, _) in tables.items():
        if slug not in out:
            out[slug] = protect(table, rule, verify=verify)
    return out
