"""One suppression pattern for two tables that count the same records by nested periods.

A monthly and a quarterly table of the same records are one table to an attacker: each quarter is
the sum of its three months. Protected one at a time, nearly every monthly pattern is undone by the
quarters (a month hidden alone in its quarter is the quarter minus the two months published), and
covering that afterwards, one complementary cell per LP round, takes thousands of rounds on a large
table. So the pair is protected as the single table it is: per coarse period, a dimension "slot"
(the first, second, third month of the quarter) whose total is the quarterly cell. `protect` then
chooses its rectangles across months and quarters at once, and the joint audit only has to verify.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .aggregate import Key, Table
from .definition import TOTAL
from .disclosure import Protected, Rule, protect

PERIODS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Nesting:
    """How the cells of a fine and a coarse table map onto the combined table."""

    period: int  # the position of the period dimension in both tables
    coarse_of: Mapping[str, str]  # fine period code -> its coarse period
    slot_of: Mapping[str, str]  # fine period code -> its place inside the coarse period ('1', ...)
    fine_of: Mapping[tuple[str, str], str]  # (coarse code, slot) -> fine code

    def combined_key(self, key: Key, coarse: bool) -> Key:
        p = self.period
        rest = key[:p] + key[p + 1:]
        if coarse:
            return (key[p], TOTAL, *rest)
        return (self.coarse_of[key[p]], self.slot_of[key[p]], *rest)

    def split_key(self, key: Key) -> tuple[bool, Key]:
        """(whether the cell is the coarse table's, its key in that table)."""
        p = self.period
        coarse, slot, rest = key[0], key[1], key[2:]
        code = coarse if slot == TOTAL else self.fine_of[(coarse, slot)]
        return slot == TOTAL, (*rest[:p], code, *rest[p:])


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
    coarse_of = {code: _coarse(code, coarse_unit) for code in fine.codes[p]}
    inside: dict[str, list[str]] = {c: [] for c in coarse.codes[p]}
    for code, parent in coarse_of.items():
        if parent not in inside:
            return None
        inside[parent].append(code)
    sizes = {len(v) for v in inside.values()}
    if len(sizes) != 1 or 0 in sizes:
        return None
    slot_of = {code: str(n + 1) for codes in inside.values() for n, code in enumerate(codes)}
    fine_of = {(parent, slot_of[code]): code for parent, codes in inside.items() for code in codes}
    nest = Nesting(p, coarse_of, slot_of, fine_of)
    sums: dict[Key, int] = {}
    for key, value in fine.values.items():
        ck = nest.combined_key(key, coarse=False)
        top = (ck[0], TOTAL, *ck[2:])
        sums[top] = sums.get(top, 0) + value
    if any(sums.get(nest.combined_key(key, coarse=True)) != value
           for key, value in coarse.values.items()):
        return None
    return nest


def _coarse(code: str, unit: str) -> str:
    year = code[:4]
    if unit == "year":
        return year
    month = int(code[5:7]) if code[5] != "Q" else 3 * int(code[-1])
    return f"{year}-Q{(month - 1) // 3 + 1}"


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
    p = nest.period
    small = protect(fine, fine_rule, verify=verify)
    by_coarse: dict[Key, list[Key]] = {}
    for key in fine.values:
        by_coarse.setdefault((*key[:p], nest.coarse_of[key[p]], *key[p + 1:]), []).append(key)
    low = 0 if coarse_rule.zeros == "suppressed" else 1
    primary = frozenset(key for key, v in coarse.values.items()
                        if low <= v < coarse_rule.k and key not in coarse_rule.structural)
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


def pairs(units: Sequence[tuple[str | None, Table, str | None]]) -> list[tuple[int, int, Nesting]]:
    """(fine index, coarse index, nesting) for tables of `units` ((records, table, period unit))
    that count the same records at two period levels, each table in one pair at most, the
    finest first."""
    out: list[tuple[int, int, Nesting]] = []
    used: set[int] = set()
    order = sorted(range(len(units)), key=lambda i: PERIODS.index(units[i][2] or "year"))
    for i in order:
        for j in order:
            if i == j or i in used or j in used:
                continue
            ri, ti, ui = units[i]
            rj, tj, uj = units[j]
            if ri is None or ri != rj or ui is None or uj is None:
                continue
            nest = nesting(ti, ui, tj, uj)
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
    units = [("records", tables[s][0], tables[s][2]) for s in slugs]
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
