"""Disclosure control for tables that count people: suppression, an LP audit, base-5 rounding.

Rule (docs/data.md): a cell of 1 to k-1 is suppressed (primary). Complementary cells are then
suppressed until an audit proves that nobody can narrow a suppressed cell to an interval less than
k wide from what is published. The audit plays the attacker: for every suppressed cell it minimises
and maximises the cell by linear programming (scipy/HiGHS) over everything published in the table
and its totals, with every cell >= 0. Adding a suppression only removes constraints, so intervals
only widen: cells once proved safe stay safe while the search goes on.

Rounding (optional) is deterministic (half up, to base 5), applied to published cells and, from the
unrounded values, to each total independently: every build gives the same figures. The audit then
knows a published r only up to [r-2, r+2] (and, since 1..k-1 are never published, >= k when r > 0).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from .aggregate import Key, Table
from .definition import TOTAL

FLAG = "c"  # SDMX observation status "confidential"
INF = float("inf")


@dataclass(frozen=True)
class Protected:
    """What is published: a value per cell, None where suppressed."""

    table: Table
    published: dict[Key, int | None]
    primary: frozenset[Key]
    secondary: frozenset[Key]
    intervals: dict[Key, tuple[float, float]]  # attacker's feasible interval per suppressed cell
    failures: tuple[Key, ...]  # suppressed cells the audit could not prove safe

    @property
    def suppressed(self) -> frozenset[Key]:
        return self.primary | self.secondary


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
    """The LP over one block, given what is published (None = suppressed)."""

    def __init__(self, block: _Block, published: Mapping[Key, int | None], k: int,
                 rounding: int | None) -> None:
        self.block = block
        self.k = k
        self.rounding = rounding
        self.set_published(published)

    def set_published(self, published: Mapping[Key, int | None]) -> None:
        n = len(self.block.base)
        bounds: list[tuple[float, float | None]] = [(0.0, None)] * n
        rows, lo, hi = [], [], []
        for key in self.block.cells:
            value = published[key]
            if value is None:
                continue
            low, high = known_bounds(value, self.k, self.rounding)
            idx = self.block.covers(key)
            if len(idx) == 1:
                bounds[idx[0]] = (low, high)
            else:
                rows.append(idx)
                lo.append(low)
                hi.append(high)
        self.bounds = bounds
        self.eq_rows = [r for r, a, b in zip(rows, lo, hi, strict=True) if a == b]
        self.eq_b = [a for a, b in zip(lo, hi, strict=True) if a == b]
        self.ub_rows = [r for r, a, b in zip(rows, lo, hi, strict=True) if a != b]
        self.ub_lo = [a for a, b in zip(lo, hi, strict=True) if a != b]
        self.ub_hi = [b for a, b in zip(lo, hi, strict=True) if a != b]
        self.__dict__.pop("constraints", None)

    def _matrix(self, rows: list[list[int]]) -> csr_matrix | None:
        if not rows:
            return None
        data, ri, ci = [], [], []
        for r, idx in enumerate(rows):
            for c in idx:
                data.append(1.0)
                ri.append(r)
                ci.append(c)
        return csr_matrix((data, (ri, ci)), shape=(len(rows), len(self.block.base)))

    @functools.cached_property
    def constraints(self) -> dict[str, Any]:
        """The LP's constraints, the same for every cell of the block: built once."""
        out: dict[str, Any] = {"A_eq": self._matrix(self.eq_rows),
                               "b_eq": np.array(self.eq_b) if self.eq_rows else None,
                               "A_ub": None, "b_ub": None, "bounds": self.bounds}
        if self.ub_rows:
            a_ub = self._matrix(self.ub_rows + self.ub_rows)
            sign = np.concatenate([np.ones(len(self.ub_rows)), -np.ones(len(self.ub_rows))])
            out["A_ub"] = csr_matrix(a_ub.multiply(sign[:, None]))  # type: ignore[union-attr]
            out["b_ub"] = np.concatenate([np.array(self.ub_hi), -np.array(self.ub_lo)])
        return out

    def interval(self, key: Key) -> tuple[float, float]:
        objective = np.zeros(len(self.block.base))
        objective[self.block.covers(key)] = 1.0
        result = []
        for direction in (1.0, -1.0):
            res = linprog(direction * objective, method="highs", **self.constraints)
            if res.status == 3:  # unbounded: only possible for the maximum
                result.append(INF if direction < 0 else 0.0)
            elif res.status != 0:
                raise ArithmeticError(f"audit LP failed for {key}: {res.message}")
            else:
                result.append(direction * res.fun)
        return result[0], result[1]


def audit(table: Table, published: Mapping[Key, int | None], k: int,
          rounding: int | None = None) -> dict[Key, tuple[float, float]]:
    """The attacker's interval for every suppressed cell, from the published table alone.

    Only `table`'s structure (dimensions, codes, totals) is used, never its true values.
    """
    out: dict[Key, tuple[float, float]] = {}
    for block in blocks(table):
        hidden = [key for key in block.cells if published[key] is None]
        if not hidden:
            continue
        attacker = _Attacker(block, published, k, rounding)
        for key in hidden:
            out[key] = attacker.interval(key)
    return out


def _lines(block: _Block, key: Key) -> list[list[Key]]:
    """The cells that share every code of `key` but one (that one runs over its codes and total)."""
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
    """The next cell to suppress so that `key` can no longer be worked out.

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
    far = [c for c in block.cells if c not in hidden]
    if not far:
        return None
    return min(far, key=lambda c: (sum(a != b for a, b in zip(c, key, strict=True)),
                                   int(values[c] < k), values[c], order[c]))


def _best(block: _Block, key: Key, lines: list[list[Key]], hidden: set[Key],
          values: Mapping[Key, int], k: int, order: Mapping[Key, int]) -> Key | None:
    best: tuple[tuple[int, int, int, int, int], Key] | None = None
    for line in lines:
        for cand in line:
            if cand in hidden:
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
                if sum(c in hidden for c in line) == 1:
                    extra = _best(block, key, [line], hidden, values, k, order)
                    if extra is not None:
                        hidden.add(extra)
                        changed = True


def protect(table: Table, k: int, rounding: int | None = None) -> Protected:
    """Suppress 1..k-1, add complementary suppressions until the audit passes, round if asked."""
    order = {key: n for n, key in enumerate(table.ordered())}
    primary = {key for key, v in table.values.items() if 0 < v < k}
    hidden = set(primary)

    def publish() -> dict[Key, int | None]:
        return {key: (None if key in hidden else
                      (round_base(v, rounding) if rounding else v))
                for key, v in table.values.items()}

    for block in blocks(table):
        safe: set[Key] = set()
        failed: set[Key] = set()
        while True:
            _close_lines(block, hidden, table.values, k, order)
            attacker = _Attacker(block, publish(), k, rounding)
            weak = None
            for key in sorted((c for c in block.cells if c in hidden), key=order.__getitem__):
                if key in safe or key in failed:
                    continue
                lo, hi = attacker.interval(key)
                if hi - lo >= k:
                    safe.add(key)
                else:
                    weak = key
                    break
            if weak is None:
                break
            extra = _complement(block, weak, hidden, table.values, k, order)
            if extra is None:
                failed.add(weak)
            else:
                hidden.add(extra)
    published = publish()
    intervals = audit(table, published, k, rounding)
    failures = tuple(sorted((key for key, (lo, hi) in intervals.items() if hi - lo < k),
                            key=order.__getitem__))
    return Protected(table, published, frozenset(primary), frozenset(hidden - primary),
                     intervals, failures)


def unprotected(table: Table) -> Protected:
    """For tables that do not count people: everything published as counted."""
    return Protected(table, dict(table.values), frozenset(), frozenset(), {}, ())


def check(protected: Protected, k: int, rounding: int | None) -> list[Key]:
    """Re-run the audit on exactly what is published; the cells that fail (must be none)."""
    intervals = audit(protected.table, protected.published, k, rounding)
    bad = [key for key, (lo, hi) in intervals.items() if hi - lo < k]
    small = [key for key, v in protected.published.items()
             if v is not None and 0 < protected.table.values[key] < k]
    return sorted(set(bad) | set(small))


def describe(keys: Iterable[Key], dims: tuple[str, ...]) -> str:
    return "; ".join(", ".join(f"{d}={c}" for d, c in zip(dims, key, strict=True)) for key in keys)


def rule_text(counts_people: bool, k: int, rounding: int | None, lang: str) -> str:
    """The disclosure rule in plain words."""
    if not counts_people:
        return ("Tabel ini tidak menghitung orang; semua angka diterbitkan apa adanya."
                if lang == "id" else
                "This table does not count people; every figure is published as counted.")
    if lang == "id":
        text = (f"Angka 1 sampai {k - 1} tidak diterbitkan: selnya dikosongkan dan diberi tanda "
                f"'{FLAG}' (rahasia), bukan 0. Sel lain ikut dikosongkan bila perlu, supaya angka "
                "yang disembunyikan tidak bisa dihitung dari jumlah dan sel lainnya; pemeriksaan "
                f"otomatis membuktikan setiap sel kosong bisa bernilai dalam rentang paling sedikit {k} "
                "angka. Angka 0 yang sebenarnya diterbitkan sebagai 0.")
        if rounding:
            text += (f" Semua angka, termasuk jumlah, dibulatkan ke kelipatan {rounding} terdekat; "
                     "karena itu rincian bisa tidak sama persis dengan jumlahnya.")
        return text
    text = (f"Counts of 1 to {k - 1} are not published: the cell is left empty and flagged "
            f"'{FLAG}' (confidential), never shown as 0. Other cells are suppressed too where "
            "needed, so that no hidden figure can be worked out from the totals and the other "
            "cells; an automatic audit proves that every empty cell could hold any of at least "
            f"{k} values. A true 0 is published as 0.")
    if rounding:
        text += (f" Every figure, totals included, is rounded to the nearest multiple of "
                 f"{rounding}, so parts may not add up exactly to their totals.")
    return text
