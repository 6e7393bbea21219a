"""Disclosure control for tables that count people: suppression, an LP audit, base-5 rounding.

Rule (docs/data.md): a cell of 1 to k-1 is suppressed (primary); so is a true 0 when the dataset
declares `zeros: suppressed` (otherwise every 0 is published, and a hidden cell is at least 1).
Declared structural zeros are always published as 0. Complementary cells are then suppressed until
an audit proves that nobody can narrow a suppressed cell to an interval less than k wide, or to one
inside [1, k-1], from what is published. The audit plays the attacker who believes the published
rule: for every suppressed cell it minimises and maximises the cell by linear programming over
everything published in the table and its totals, with every cell >= 0 (>= 1 for a hidden cell
when zeros are published). One HiGHS model per block, kept and warm-started: a new cell only
changes the objective, a new suppression only relaxes one row. Adding a suppression only removes
constraints, so intervals only widen: cells once proved safe stay safe while the search goes on.

Rounding (optional) is deterministic (half up, to base 5), applied to published cells and, from the
unrounded values, to each total independently: every build gives the same figures. The audit then
knows a published r only up to [r-2, r+2] (and, since 1..k-1 are never published, >= k when r > 0).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .aggregate import Key, Table
from .definition import TOTAL, ZeroRule

FLAG = "c"  # SDMX observation status "confidential"
INF = float("inf")


@dataclass(frozen=True)
class Rule:
    """What the published text tells an attacker, and so what the audit assumes."""

    k: int
    rounding: int | None = None
    zeros: ZeroRule = "suppressed"
    structural: frozenset[Key] = frozenset()  # cells that are 0 by definition, always published

    @property
    def floor(self) -> float:
        """The least value a hidden cell can hold, as the published rule says."""
        return 1.0 if self.zeros == "published" else 0.0

    def exposed(self, lo: float, hi: float) -> bool:
        """Whether an attacker's interval [lo, hi] for a hidden cell discloses it."""
        return hi - lo < self.k - 1e-9 or (lo >= 1 - 1e-9 and hi <= self.k - 1 + 1e-9)


def as_rule(k: int | Rule, rounding: int | None = None) -> Rule:
    return k if isinstance(k, Rule) else Rule(k, rounding)


def primary_cells(table: Table, rule: Rule) -> frozenset[Key]:
    """The small counts the rule hides: 1 to k-1, and 0 too when zeros are suppressed (never a
    declared structural zero)."""
    low = 0 if rule.zeros == "suppressed" else 1
    return frozenset(key for key, v in table.values.items()
                     if low <= v < rule.k and key not in rule.structural)


def structural_cells(table: Table, combos: Sequence[Mapping[str, str]]) -> frozenset[Key]:
    """Every cell of `table` whose codes match a declared structural-zero combination."""
    where = [[(table.dims.index(d), c) for d, c in combo.items()] for combo in combos]
    return frozenset(key for key in table.values
                     if any(all(key[i] == c for i, c in w) for w in where))


@dataclass(frozen=True)
class Protected:
    """What is published: a value per cell, None where suppressed."""

    table: Table
    published: dict[Key, int | None]
    primary: frozenset[Key]
    secondary: frozenset[Key]
    intervals: dict[Key, tuple[float, float]]  # attacker's feasible interval per suppressed cell
    failures: tuple[Key, ...]  # suppressed cells the audit could not prove safe
    rule: Rule = field(default_factory=lambda: Rule(5))

    @property
    def suppressed(self) -> frozenset[Key]:
        return self.primary | self.secondary

    def narrowest(self) -> tuple[Key, tuple[float, float]] | None:
        """The hidden cell with the narrowest attacker interval (the audit's margin)."""
        if not self.intervals:
            return None
        return min(self.intervals.items(), key=lambda kv: (kv[1][1] - kv[1][0], kv[0]))


def round_base(value: int, base: int) -> int:
    """Round half up to a multiple of `base`; the same on every build."""
    return ((2 * value + base) // (2 * base)) * base


def known_bounds(value: int, k: int, rounding: int | None) -> tuple[float, float]:
    """What a published figure tells an attacker about the true count."""
    if rounding is None:
        return float(value), float(value)
    if value == 0:
        return 0.0, 0.0
    half = rounding // 2
    return float(max(value - half, k)), float(value + half)


_quiet = False


def new_highs() -> Any:
    """A silent HiGHS instance (the first one in a process prints a banner on stdout: muted)."""
    global _quiet
    import highspy

    if _quiet:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        try:
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _quiet = True
    highs.silent()
    highs.setOptionValue("presolve", "off")  # keep the basis between objectives (warm start)
    return highs


class LinearAttacker:
    """One LP kept in HiGHS: columns are base counts (>= 0), rows are published sums.

    `rows[i]` lists the columns summed by row i, and `bounds[i]` what is known of that sum (a
    published figure, or only the rule's floor for a hidden cell). A published figure of a single
    column fixes that column: the model HiGHS solves holds only the other columns, and only the
    rows that still involve one of them, with the fixed part moved into their bounds (exactly the
    same feasible set, a far smaller LP: in a table with margins most base cells are published).
    A row whose bounds change keeps the model and its basis (each interval then only changes the
    objective, and HiGHS starts from the previous basis), unless it fixes or frees a column: then
    the reduced model is made again before the next solve.
    """

    def __init__(self, n: int, rows: Sequence[Sequence[int] | np.ndarray],
                 bounds: Sequence[tuple[float, float]],
                 coef: Sequence[Sequence[float] | np.ndarray] | None = None) -> None:
        import highspy

        self._hs = highspy
        self.n = n
        self.rows = [np.asarray(r, dtype=np.int64) for r in rows]
        self.coef = ([np.asarray(c, dtype=float) for c in coef] if coef is not None
                     else [np.ones(len(r)) for r in self.rows])
        m = len(self.rows)
        lengths = np.array([len(r) for r in self.rows], dtype=np.int64)
        self._ent_row = np.repeat(np.arange(m), lengths)
        self._ent_col = np.concatenate(self.rows) if m else np.zeros(0, dtype=np.int64)
        self._ent_val = np.concatenate(self.coef) if m else np.zeros(0)
        first = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if m else lengths
        # rows that can fix a column: one column, coefficient 1
        self._single = np.full(m, -1, dtype=np.int64)
        one = lengths == 1
        ok = one.copy()
        ok[one] = self._ent_val[first[one]] == 1.0
        self._single[ok] = self._ent_col[first[ok]]
        self.low = np.array([b[0] for b in bounds], dtype=float)
        self.high = np.array([b[1] for b in bounds], dtype=float)
        self.highs: Any = None
        self._stale = True
        self._infeasible = False
        self._costed = np.zeros(0, dtype=np.int32)

    # -- the reduced model

    def _build(self) -> None:
        n, m = self.n, len(self.rows)
        point = (self._single >= 0) & (self.low == self.high) & np.isfinite(self.low)
        cols, vals = self._single[point], self.low[point]
        fixed = np.full(n, np.nan)
        fixed[cols] = vals
        # two figures fixing one column differently, or a negative count: no counts fit
        self._infeasible = bool(np.any(np.abs(fixed[cols] - vals) > 1e-9) or np.any(vals < -1e-9))
        is_fixed = ~np.isnan(fixed)
        value = np.where(is_fixed, fixed, 0.0)
        self._fixed = is_fixed
        self._value = value
        self._const = np.bincount(self._ent_row, weights=self._ent_val * value[self._ent_col],
                                  minlength=m)
        free_ent = ~is_fixed[self._ent_col]
        per_row = np.bincount(self._ent_row[free_ent], minlength=m)
        kept = per_row > 0
        gone = ~kept
        tol = 1e-7
        if np.any((self._const[gone] < self.low[gone] - tol) |
                  (self._const[gone] > self.high[gone] + tol)):
            self._infeasible = True
        free = np.nonzero(~is_fixed)[0]
        self._local = np.full(n, -1, dtype=np.int64)
        self._local[free] = np.arange(len(free))
        self._kept = np.nonzero(kept)[0]
        self._kept_of = np.full(m, -1, dtype=np.int64)
        self._kept_of[self._kept] = np.arange(len(self._kept))
        self._stale = False
        self._costed = np.zeros(0, dtype=np.int32)
        if self._infeasible:
            return
        hs = self._hs
        self.highs = new_highs()
        lp = hs.HighsLp()
        lp.num_col_ = len(free)
        lp.num_row_ = len(self._kept)
        lp.col_cost_ = np.zeros(len(free))
        lp.col_lower_ = np.zeros(len(free))
        lp.col_upper_ = np.full(len(free), hs.kHighsInf)
        lo = self.low[self._kept] - self._const[self._kept]
        hi = self.high[self._kept] - self._const[self._kept]
        lp.row_lower_ = np.maximum(lo, -hs.kHighsInf)
        lp.row_upper_ = np.minimum(hi, hs.kHighsInf)
        lp.a_matrix_.format_ = hs.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(per_row[self._kept])]).astype(np.int32)
        lp.a_matrix_.index_ = self._local[self._ent_col[free_ent]].astype(np.int32)
        lp.a_matrix_.value_ = self._ent_val[free_ent]
        self.highs.passModel(lp)

    def _ready(self) -> bool:
        """Whether the reduced model is built and some counts satisfy the fixed part."""
        if self._stale:
            self._build()
        return not self._infeasible

    def set_row(self, i: int, low: float, high: float) -> None:
        self.low[i], self.high[i] = low, high
        if self._stale:
            return
        k = int(self._kept_of[i])
        if self._single[i] >= 0 or k < 0:
            self._stale = True  # it fixes or frees a column, or checks fixed ones only: rebuild
            return
        if self.highs is not None:
            c = self._const[i]
            self.highs.changeRowBounds(k, max(low - c, -self._hs.kHighsInf),
                                       min(high - c, self._hs.kHighsInf))

    def _cost(self, columns: np.ndarray, coef: np.ndarray) -> float:
        """Cost the free ones of `columns`; the sum of the fixed ones (by `coef`)."""
        local = self._local[columns]
        mask = local >= 0
        cols, values = local[mask].astype(np.int32), coef[mask]
        offset = float(np.dot(coef[~mask], self._value[columns[~mask]])) if (~mask).any() else 0.0
        if len(self._costed):
            self.highs.changeColsCost(len(self._costed), self._costed, np.zeros(len(self._costed)))
        if len(cols):
            self.highs.changeColsCost(len(cols), cols, values)
        self._costed = cols
        return offset

    def feasible(self) -> bool:
        """Whether any counts satisfy every row (no objective)."""
        if not self._ready():
            return False
        self._cost(np.zeros(0, dtype=np.int64), np.zeros(0))  # no objective
        return self._solve(self._hs.ObjSense.kMinimize)[0] != "infeasible"

    def _solve(self, sense: Any) -> tuple[str, float]:
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        status = self.highs.getModelStatus()
        ms = self._hs.HighsModelStatus
        if status in (ms.kOptimal, ms.kModelEmpty):
            return "optimal", float(self.highs.getInfo().objective_function_value)
        if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
            # Only the maximum can run away (counts are bounded below), or a difference either way.
            return "unbounded", (INF if sense == self._hs.ObjSense.kMaximize else -INF)
        if status == ms.kInfeasible:
            return "infeasible", float("nan")
        raise ArithmeticError(f"audit LP failed: {self.highs.modelStatusToString(status)}")

    def interval(self, row: int) -> tuple[float, float] | None:
        """Least and greatest value of row `row`'s sum; None if the constraints are infeasible."""
        found = self.narrowing(row, duals=False)
        return None if found is None else found[0]

    def narrowing(self, row: int, duals: bool = True
                  ) -> tuple[tuple[float, float], list[int]] | None:
        """The interval of row `row` and the rows that bind it (non-zero duals at either end; a
        row that fixes a column binds when that column's reduced cost is not zero)."""
        found = self.narrowing_of(self.rows[row], self.coef[row], duals)
        if found is None:
            return None
        return found[0], [i for i in found[1] if i != row]

    def narrowing_of(self, columns: np.ndarray, coef: np.ndarray, duals: bool = True
                     ) -> tuple[tuple[float, float], list[int]] | None:
        """The same for any weighted sum of columns."""
        if not self._ready():
            return None
        offset = self._cost(np.asarray(columns, dtype=np.int64), np.asarray(coef, dtype=float))
        binding: list[int] = []
        out = []
        for sense in (self._hs.ObjSense.kMinimize, self._hs.ObjSense.kMaximize):
            status, value = self._solve(sense)
            if status == "infeasible":
                return None
            out.append(value + offset)
            if status == "optimal" and duals:
                binding += self._binding(columns, coef)
        return (out[0], out[1]), binding

    def _binding(self, columns: np.ndarray, coef: np.ndarray) -> list[int]:
        m = len(self.rows)
        y = np.zeros(m)
        if len(self._kept):
            y[self._kept] = np.asarray(self.highs.getSolution().row_dual)
        out = [int(i) for i in np.nonzero(np.abs(y) > 1e-9)[0]]
        # reduced cost of each fixed column: cost - A^T y (the dual of the row that fixes it)
        cost = np.zeros(self.n)
        np.add.at(cost, columns, coef)
        reduced = cost - np.bincount(self._ent_col, weights=self._ent_val * y[self._ent_row],
                                     minlength=self.n)
        hot = self._fixed & (np.abs(reduced) > 1e-9)
        if hot.any():
            fixing = (self._single >= 0) & (self.low == self.high)
            rows = np.nonzero(fixing)[0]
            out += [int(i) for i in rows[hot[self._single[rows]]]]
        return out


class _Block:
    """One independent sub-table: the cells that share the codes of the dimensions without totals."""

    def __init__(self, table: Table, fixed: Key) -> None:
        self.table = table
        self.total_dims = [i for i, t in enumerate(table.totals) if t]
        self.free = [i for i, t in enumerate(table.totals) if not t]
        axes = [table.codes[i] for i in self.total_dims]
        self.base = [self._key(fixed, combo) for combo in itertools.product(*axes)]
        self.index = {key: n for n, key in enumerate(self.base)}
        self.cells = [self._key(fixed, combo) for combo in itertools.product(
            *[(*table.codes[i], TOTAL) for i in self.total_dims])]
        self.lines: dict[Key, list[list[Key]]] = {}  # _lines, made once per cell

    def _key(self, fixed: Key, combo: tuple[str, ...]) -> Key:
        out = list(fixed)
        for i, c in zip(self.total_dims, combo, strict=True):
            out[i] = c
        return tuple(out)

    def covers(self, key: Key) -> list[int]:
        """Base-cell indexes that sum to `key`."""
        axes = [[key[i]] if key[i] != TOTAL else list(self.table.codes[i]) for i in self.total_dims]
        return [self.index[self._key(key, combo)] for combo in itertools.product(*axes)]


def blocks(table: Table) -> list[_Block]:
    free = [i for i, t in enumerate(table.totals) if not t]
    out = []
    for combo in itertools.product(*[table.codes[i] for i in free]):
        fixed = [""] * len(table.dims)
        for i, c in zip(free, combo, strict=True):
            fixed[i] = c
        out.append(_Block(table, tuple(fixed)))
    return out


class _Attacker:
    """The LP over one block: a row per cell (base cells and totals), bounds from what is published."""

    def __init__(self, block: _Block, published: Mapping[Key, int | None], rule: Rule) -> None:
        self.block = block
        self.rule = rule
        self.row = {key: i for i, key in enumerate(block.cells)}
        bounds = [self._bounds(published[key]) for key in block.cells]
        self.lp = LinearAttacker(len(block.base), [block.covers(key) for key in block.cells], bounds)

    def _bounds(self, value: int | None) -> tuple[float, float]:
        if value is None:
            return self.rule.floor, INF
        return known_bounds(value, self.rule.k, self.rule.rounding)

    def hide(self, key: Key) -> None:
        self.lp.set_row(self.row[key], self.rule.floor, INF)

    def interval(self, key: Key) -> tuple[float, float]:
        found = self.lp.interval(self.row[key])
        if found is None:
            raise ArithmeticError(f"audit LP infeasible for {key}: the published rule is not "
                                  "what the table holds")
        return found


def audit(table: Table, published: Mapping[Key, int | None], k: int | Rule,
          rounding: int | None = None) -> dict[Key, tuple[float, float]]:
    """The attacker's interval for every suppressed cell, from the published table alone.

    Only `table`'s structure (dimensions, codes, totals) is used, never its true values.
    """
    rule = as_rule(k, rounding)
    out: dict[Key, tuple[float, float]] = {}
    for block in blocks(table):
        hidden = [key for key in block.cells if published[key] is None]
        if not hidden:
            continue
        attacker = _Attacker(block, published, rule)
        for key in hidden:
            out[key] = attacker.interval(key)
    return out


def _lines(block: _Block, key: Key) -> list[list[Key]]:
    """The cells that share every code of `key` but one (that one runs over its codes and total)."""
    found = block.lines.get(key)
    if found is None:
        found = block.lines[key] = _make_lines(block, key)
    return found


def _make_lines(block: _Block, key: Key) -> list[list[Key]]:
    out = []
    for i in block.total_dims:
        line = []
        for code in (*block.table.codes[i], TOTAL):
            other = list(key)
            other[i] = code
            line.append(tuple(other))
        out.append(line)
    return out


def _complement(block: _Block, key: Key, hidden: set[Key], values: Mapping[Key, int],
                k: int, order: Mapping[Key, int]) -> Key | None:
    """The next cell to suppress so that `key` can no longer be worked out (`values` <= 0 marks
    a cell that may not be hidden: a published zero or a structural zero).

    Prefer a line where `key` is the only hidden cell (that line pins it); within it, a cell whose
    other lines already hold a hidden cell (closing a rectangle), then an inner cell over a total,
    then a cell of at least k (a small partner gives little cover), then the smallest.
    """
    lines = _lines(block, key)
    lonely = [line for line in lines if sum(c in hidden for c in line) == 1]
    found = _best(block, key, lonely or lines, hidden, values, k, order)
    if found is not None:
        return found
    # Every cell in its lines is hidden already: the bound comes from further away. Take the
    # nearest published cell (fewest differing codes), preferring one of at least k, then small.
    far = [c for c in block.cells if c not in hidden and values[c] > 0]
    if not far:
        return None
    return min(far, key=lambda c: (sum(a != b for a, b in zip(c, key, strict=True)),
                                   int(values[c] < k), values[c], order[c]))


def _best(block: _Block, key: Key, lines: list[list[Key]], hidden: set[Key],
          values: Mapping[Key, int], k: int, order: Mapping[Key, int]) -> Key | None:
    best: tuple[tuple[int, int, int, int, int], Key] | None = None
    for line in lines:
        for cand in line:
            if cand in hidden or values[cand] <= 0:  # hidden already, or not eligible
                continue
            closes = sum(any(c in hidden for c in other if c != cand)
                         for other in _lines(block, cand) if key not in other)
            score = (-closes, sum(c == TOTAL for c in cand), int(values[cand] < k),
                     values[cand], order[cand])
            if best is None or score < best[0]:
                best = (score, cand)
    return best[1] if best else None


def _close_lines(block: _Block, hidden: set[Key], values: Mapping[Key, int], k: int,
                 order: Mapping[Key, int]) -> None:
    """A hidden cell alone in a line is pinned by that line's other cells: give it a partner there.

    Cheap and necessary (no LP); the audit afterwards catches what lines alone cannot see.
    """
    changed = True
    while changed:
        changed = False
        for key in sorted((c for c in block.cells if c in hidden), key=order.__getitem__):
            for line in _lines(block, key):
                if not any(c in hidden for c in line if c != key):
                    extra = _best(block, key, [line], hidden, values, k, order)
                    if extra is not None:
                        hidden.add(extra)
                        changed = True


def protect(table: Table, k: int | Rule, rounding: int | None = None, *,
            verify: bool = True) -> Protected:
    """Suppress small cells (and zeros if the rule says so), add complementary suppressions until
    the audit passes, round if asked.

    `verify=False` when a joint audit measures the result again (publish.py): the intervals are
    then those measured during the search, each at most as wide as the final one (suppressing more
    only widens them), and the failures are the cells no complement could protect."""
    rule = as_rule(k, rounding)
    k = rule.k
    order = {key: n for n, key in enumerate(table.ordered())}
    primary = primary_cells(table, rule)
    hidden = set(primary)
    # Complements are real counts: never a structural zero, never a 0 when zeros are published
    # (and with zeros suppressed every 0 is hidden already).
    values = {key: (v if v > 0 and key not in rule.structural else -1)
              for key, v in table.values.items()}

    def publish() -> dict[Key, int | None]:
        return {key: (None if key in hidden else
                      (round_base(v, rule.rounding) if rule.rounding else v))
                for key, v in table.values.items()}

    measured: dict[Key, tuple[float, float]] = {}
    for block in blocks(table):
        if not any(c in hidden for c in block.cells):
            continue
        _close_lines(block, hidden, values, k, order)
        attacker = _Attacker(block, publish(), rule)
        shown = {c for c in block.cells if c in hidden}
        safe: set[Key] = set()
        failed: set[Key] = set()
        while True:
            weak = None
            for key in sorted((c for c in block.cells if c in hidden), key=order.__getitem__):
                if key in safe or key in failed:
                    continue
                measured[key] = attacker.interval(key)
                if rule.exposed(*measured[key]):
                    weak = key
                    break
                safe.add(key)
            if weak is None:
                break
            extra = _complement(block, weak, hidden, values, k, order)
            if extra is None:
                failed.add(weak)
            else:
                hidden.add(extra)
            _close_lines(block, hidden, values, k, order)
            for c in block.cells:
                if c in hidden and c not in shown:
                    attacker.hide(c)
                    shown.add(c)
    published = publish()
    intervals = audit(table, published, rule) if verify else measured
    failures = tuple(sorted((key for key, (lo, hi) in intervals.items() if rule.exposed(lo, hi)),
                            key=order.__getitem__))
    return Protected(table, published, frozenset(primary), frozenset(hidden - primary),
                     intervals, failures, rule)


def unprotected(table: Table) -> Protected:
    """For tables that do not count people: everything published as counted."""
    return Protected(table, dict(table.values), frozenset(), frozenset(), {}, ())


def check(protected: Protected, k: int | None = None, rounding: int | None = None, *,
          lp: bool = True) -> list[Key]:
    """Re-run the audit on exactly what is published; the cells that fail (must be none).

    With `lp=False` only the rule itself is checked (no small count or hidden zero published
    against it): for a table whose intervals the joint audit has proved with more tables."""
    rule = protected.rule if k is None or k == protected.rule.k else Rule(k, rounding)
    bad: list[Key] = []
    if lp:
        intervals = audit(protected.table, protected.published, rule)
        bad = [key for key, (lo, hi) in intervals.items() if rule.exposed(lo, hi)]
    small = [key for key in primary_cells(protected.table, rule)
             if protected.published[key] is not None]
    hidden_zero = [key for key, v in protected.published.items()
                   if v is None and (key in rule.structural or
                                     (rule.zeros == "published" and protected.table.values[key] == 0))]
    return sorted(set(bad) | set(small) | set(hidden_zero))


def describe(keys: Iterable[Key], dims: tuple[str, ...]) -> str:
    return "; ".join(", ".join(f"{d}={c}" for d, c in zip(dims, key, strict=True)) for key in keys)


def _structural_text(combos: Sequence[Mapping[str, str]], lang: str) -> str:
    parts = [" dan ".join(f"{d} = {c}" for d, c in combo.items()) if lang == "id" else
             " and ".join(f"{d} = {c}" for d, c in combo.items()) for combo in combos]
    return "; ".join(parts)


def rule_text(disclosure: Any, lang: str) -> str:
    """The disclosure rule in plain words: exactly what the audit assumes of a hidden cell."""
    if not disclosure.counts_people:
        return ("Tabel ini tidak menghitung orang; semua angka diterbitkan apa adanya."
                if lang == "id" else
                "This table does not count people; every figure is published as counted.")
    k, rounding, zeros = disclosure.k, disclosure.rounding, disclosure.zeros
    combos = list(disclosure.structural_zeros)
    if lang == "id":
        text = (f"Angka 1 sampai {k - 1} tidak diterbitkan: selnya dikosongkan dan diberi tanda "
                f"'{FLAG}' (rahasia), bukan 0. ")
        text += ("Angka 0 yang sebenarnya selalu diterbitkan sebagai 0, jadi sel yang dikosongkan "
                 "bernilai paling sedikit 1. " if zeros == "published" else
                 "Angka 0 diperlakukan seperti angka kecil dan juga dikosongkan, jadi sel yang "
                 "dikosongkan dapat bernilai 0. ")
        if combos:
            text += ("Kombinasi yang tidak mungkin terjadi selalu diterbitkan sebagai 0: "
                     f"{_structural_text(combos, 'id')}. ")
        text += ("Sel lain ikut dikosongkan bila perlu, supaya angka yang disembunyikan tidak dapat "
                 "dihitung dari jumlah, sel lain, tabel lain dari catatan yang sama, atau versi "
                 "sebelumnya; pemeriksaan otomatis membuktikan, dengan anggapan di atas, bahwa setiap "
                 f"sel kosong dapat bernilai dalam rentang paling sedikit {k} angka yang tidak "
                 f"seluruhnya berada di antara 1 dan {k - 1}.")
        if rounding:
            text += (f" Semua angka, termasuk jumlah, dibulatkan ke kelipatan {rounding} terdekat; "
                     "karena itu rincian mungkin tidak sama persis dengan jumlahnya.")
        return text
    text = (f"Counts of 1 to {k - 1} are not published: the cell is left empty and flagged "
            f"'{FLAG}' (confidential), never shown as 0. ")
    text += ("A true 0 is always published as 0, so an empty cell holds at least 1. "
             if zeros == "published" else
             "A 0 is treated like a small count and left empty too, so an empty cell may hold 0. ")
    if combos:
        text += ("Combinations that cannot occur are always published as 0: "
                 f"{_structural_text(combos, 'en')}. ")
    text += ("Other cells are suppressed too where needed, so that no hidden figure can be worked "
             "out from the totals, the other cells, other tables of the same records or earlier "
             "versions; an automatic audit proves, under the assumptions above, that every empty "
             f"cell could hold any of at least {k} values, never all between 1 and {k - 1}.")
    if rounding:
        text += (f" Every figure, totals included, is rounded to the nearest multiple of "
                 f"{rounding}, so parts may not add up exactly to their totals.")
    return text
