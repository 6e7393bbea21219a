"""The joint audit's LP, split into independent parts: one HiGHS model per part.

An attacker's LP over every table of a set of records is mostly block-diagonal: a month of a
monthly table shares no unknown with another month once the published figures fix what they fix.
Solving each part apart is the same LP, much smaller; `Split` keeps that split as figures change.
"""

from __future__ import annotations

import numpy as np

from .disclosure import INF, LinearAttacker


def components(n: int, heads: np.ndarray, tails: np.ndarray) -> np.ndarray:
    """The connected components of the undirected graph on n nodes with edges heads[k]-tails[k]:
    each node's label is the smallest node of its component. Hooking to the smaller label, then
    pointer jumping, until nothing changes (O(log n) rounds on these graphs). SciPy's csgraph does
    the same, but importing it costs a build process a quarter of a second."""
    label = np.arange(n)
    heads, tails = np.asarray(heads, dtype=np.intp), np.asarray(tails, dtype=np.intp)
    while True:
        low = np.minimum(label[heads], label[tails])
        new = label.copy()
        np.minimum.at(new, heads, low)
        np.minimum.at(new, tails, low)
        new = new[new]  # a label is a node of the same component with a label no larger
        if np.array_equal(new, label):
            return label
        label = new


class Split:
    """The same interface as LinearAttacker over independent parts, one HiGHS model per part.

    Parts are joined by the atoms the published figures do not fix. A row that says nothing the
    others do not (a sum of atoms that are all fixed; a hidden sum's floor that a smaller hidden sum
    inside it guarantees; a difference, which is only measured) joins no part, so a quarterly table
    whose published cells add up published months leaves each month its own small LP. Such a row's
    interval is the sum of its parts' intervals: parts share no free atom, so their extremes are
    reached together. A figure that fixes or frees an atom, or a bound that makes a row binding,
    splits the model again at the next question; parts whose rows are unchanged keep their model.
    """

    def __init__(self, n: int, rows: list[np.ndarray], bounds: list[tuple[float, float]],
                 coef: list[np.ndarray], shape: tuple[int, ...] = (),
                 cuts: dict[bytes, list[list[bytes]]] | None = None) -> None:
        self.n = n
        self.cuts = {} if cuts is None else cuts  # a row's sum -> its cuts along each column
        size = int(np.prod(shape)) if shape else n
        # each atom's code per column, and its copy: to split a sum along a column
        self.coords = [np.arange(n) // size, *np.unravel_index(np.arange(n) % size, shape)] \
            if shape else []
        self.rows = rows
        self.coef = coef
        self.low = np.array([b[0] for b in bounds], dtype=float)
        self.high = np.array([b[1] for b in bounds], dtype=float)
        self.single = np.array([int(r[0]) if len(r) == 1 and c[0] == 1.0 else -1
                                for r, c in zip(rows, coef, strict=True)], dtype=np.int64)
        self.positive = np.array([bool(len(c)) and bool(np.all(c == 1.0)) for c in coef])
        by_atom: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            for a in r.tolist():
                by_atom.setdefault(a, []).append(i)
        self.by_atom = by_atom
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        self.ent_row = np.repeat(np.arange(len(rows)), lengths)
        self.ent_col = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
        self.ent_val = np.concatenate(coef).astype(float) if rows else np.zeros(0)
        # each row's sum as bytes (atoms sorted, then coefficients): the same sum in two versions
        self.sig = [np.sort(r).tobytes() + c[np.argsort(r)].tobytes() for r, c in zip(rows, coef, strict=True)]
        self.by_sig: dict[bytes, list[int]] = {}
        for i, sig in enumerate(self.sig):
            self.by_sig.setdefault(sig, []).append(i)
        self._slices: dict[int, list[list[bytes]]] = {}
        self.parts: dict[int, LinearAttacker] = {}
        self.part_rows: dict[int, list[int]] = {}
        self.part_cols: dict[int, np.ndarray] = {}
        self.changes: dict[int, int] = {}
        self._next_id = 0
        self._memo: dict[tuple[int, int, bytes, bytes], tuple[tuple[float, float], list[int]]] = {}
        self.generation = 0
        self._dirty = True

    # -- the partition

    def _point(self, i: int) -> bool:
        return self.single[i] >= 0 and self.low[i] == self.high[i] and np.isfinite(self.low[i])

    def _split(self) -> None:
        n, m = self.n, len(self.rows)
        fixed = np.full(n, np.nan)
        fixers: dict[int, list[int]] = {}
        point = (self.single >= 0) & (self.low == self.high) & np.isfinite(self.low)
        pts = np.nonzero(point)[0]
        atoms_fixed, values = self.single[pts], self.low[pts]
        # two figures fixing one count differently, or a negative count: no counts fit
        self.bad = bool(np.any(values < -1e-9))
        order = np.lexsort((values, atoms_fixed))
        same_atom = atoms_fixed[order][1:] == atoms_fixed[order][:-1]
        if np.any(same_atom & (np.abs(np.diff(values[order])) > 1e-9)):
            self.bad = True
        fixed[atoms_fixed] = values
        for i, a in zip(pts.tolist(), atoms_fixed.tolist(), strict=True):
            fixers.setdefault(a, []).append(i)
        is_fixed = ~np.isnan(fixed)
        self.fixed, self.is_fixed = fixed, is_fixed
        # each row's free atoms and the sum of its fixed ones, for every row at once
        ent_free = ~is_fixed[self.ent_col]
        n_free = np.bincount(self.ent_row, weights=ent_free, minlength=m)
        const = np.bincount(self.ent_row, weights=self.ent_val * np.nan_to_num(fixed)[self.ent_col],
                            minlength=m)
        lone = ~point & (n_free == 0)  # a constant: it holds or nothing does
        if np.any(lone & ((const < self.low - 1e-7) | (const > self.high + 1e-7))):
            self.bad = True
        open_row = (self.low == -INF) & (self.high == INF)  # no constraint (a difference, measured)
        floor_only = (self.high == INF) & self.positive
        held = floor_only & (self.low <= const + 1e-9)  # counts are >= 0
        candidates = np.nonzero(~point & ~lone & ~open_row & ~held)[0]
        active: list[int] = []
        self.witness: dict[int, list[int]] = {}  # an implied row -> the rows that imply it
        seen: dict[bytes, int] = {}  # a binding row's sum -> the row
        is_point = (self.low == self.high) & np.isfinite(self.low) & self.positive
        for i in candidates.tolist():
            if floor_only[i]:
                r = self.rows[i]
                w = self._implied_by(i, r[~is_fixed[r]])
                if w is not None:
                    self.witness[i] = [w]
                    continue
            found = self._sum_of_points(i, is_point) if self.positive[i] else None
            if found is not None:
                self.witness[i] = found
                continue
            sig = self.sig[i]
            twin = seen.get(sig)
            if twin is not None and self.low[twin] >= self.low[i] and self.high[twin] <= self.high[i]:
                self.witness[i] = [twin]  # the same sum, known at least as well (another version)
                continue
            seen.setdefault(sig, i)
            active.append(i)
        # parts: the connected components of the free atoms, linked by the binding rows
        frees = [self.rows[i][~is_fixed[self.rows[i]]] for i in active]
        heads = np.concatenate([np.full(len(f), f[0]) for f in frees]) if frees else np.zeros(0, int)
        tails = np.concatenate(frees) if frees else np.zeros(0, int)
        component = components(n, heads, tails)
        groups: dict[int, list[int]] = {}
        for i, f in zip(active, frees, strict=True):
            groups.setdefault(int(component[f[0]]), []).append(i)
        old = {tuple(rows): pid for pid, rows in self.part_rows.items()}
        parts: dict[int, LinearAttacker] = {}
        part_rows: dict[int, list[int]] = {}
        part_cols: dict[int, np.ndarray] = {}
        root_part: dict[int, int] = {}
        self.parts_of_row: dict[int, list[int]] = {}
        for root, members in groups.items():
            atoms = sorted({int(a) for i in members for a in self.rows[i].tolist()})
            rows = members + sorted({f for a in atoms if is_fixed[a] for f in fixers.get(a, [])})
            pid = old.get(tuple(rows))
            if pid is None:
                pid = self._next_id
                self._next_id += 1
                cols = np.asarray(atoms, dtype=np.int64)
                local = {a: j for j, a in enumerate(atoms)}
                parts[pid] = LinearAttacker(
                    len(atoms), [np.array([local[int(a)] for a in self.rows[i].tolist()]) for i in rows],
                    [(self.low[i], self.high[i]) for i in rows], [self.coef[i] for i in rows])
                part_cols[pid] = cols
            else:
                parts[pid], part_cols[pid] = self.parts[pid], self.part_cols[pid]
            part_rows[pid] = rows
            root_part[root] = pid
            for i in rows:
                self.parts_of_row.setdefault(i, []).append(pid)
        self.parts, self.part_rows, self.part_cols = parts, part_rows, part_cols
        self.atom_part = {a: root_part[int(component[a])] for a in range(n)
                          if not is_fixed[a] and int(component[a]) in root_part}
        self.generation += 1
        self._dirty = False

    def _implied_by(self, i: int, free: np.ndarray) -> int | None:
        """A smaller sum of the same atoms whose lower bound already gives row i's."""
        r = self.rows[i]
        atoms: set[int] | None = None
        for a in free.tolist():
            for j in self.by_atom.get(a, []):
                if j != i and len(self.rows[j]) < len(r) and self.positive[j] \
                        and self.low[j] >= self.low[i]:
                    if atoms is None:
                        atoms = set(r.tolist())
                    if atoms.issuperset(self.rows[j].tolist()):
                        return j
        return None

    def _sum_of_points(self, i: int, is_point: np.ndarray) -> list[int] | None:
        """Published sums that add up to row i along one column (three published months make
        their quarter), when their total lies within row i's bounds."""
        for slices in self._slicing(i):
            found = []
            for sig in slices:
                j = next((j for j in self.by_sig[sig] if is_point[j]), None)
                if j is None:
                    break
                found.append(j)
            else:
                total = float(sum(self.low[j] for j in found))
                if self.low[i] - 1e-7 <= total <= self.high[i] + 1e-7:
                    return found
        return None

    def _slicing(self, i: int) -> list[list[bytes]]:
        """Row i cut along each column into sums that are rows themselves (made once per row;
        the cuts depend only on the atoms, so models of the same atoms share them)."""
        found = self._slices.get(i)
        if found is None:
            key = self.sig[i]
            cuts = self.cuts.get(key)
            if cuts is None:
                cuts = self.cuts[key] = self._cut(self.rows[i])
            found = self._slices[i] = [sigs for sigs in cuts if all(sig in self.by_sig for sig in sigs)]
        return found

    def _cut(self, r: np.ndarray) -> list[list[bytes]]:
        out = []
        for coord in self.coords:
            codes = coord[r]
            if codes.min() == codes.max():
                continue
            order = np.argsort(codes, kind="stable")
            cuts = np.nonzero(np.diff(codes[order]))[0] + 1
            out.append([np.sort(part).tobytes() + np.ones(len(part)).tobytes()
                        for part in np.split(r[order], cuts)])
        return out

    def _ready(self) -> bool:
        if self._dirty:
            self._split()
        return not self.bad

    # -- the LinearAttacker interface

    def set_row(self, i: int, low: float, high: float) -> None:
        was_point = self._point(i)
        old_low, old_high = self.low[i], self.high[i]
        self.low[i], self.high[i] = low, high
        if self._dirty:
            return
        if was_point != self._point(i) or i not in self.parts_of_row or \
                ((low < old_low or high > old_high) and any(i in w for w in self.witness.values())):
            self._dirty = True  # the partition may change: made again at the next question
        for pid in self.parts_of_row.get(i, []):
            self.parts[pid].set_row(self.part_rows[pid].index(i), low, high)
            self.changes[pid] = self.changes.get(pid, 0) + 1

    def stamp(self, i: int) -> tuple[int, ...]:
        """The state of the parts row i touches: equal stamps, equal intervals."""
        self._ready()
        pids = sorted({self.atom_part[a] for a in self.rows[i].tolist() if a in self.atom_part})
        return (self.generation, *[x for pid in pids for x in (pid, self.changes.get(pid, 0))])

    def feasible(self) -> bool:
        return self._ready() and all(part.feasible() for part in self.parts.values())

    def interval(self, i: int) -> tuple[float, float] | None:
        found = self.narrowing(i, duals=False)
        return None if found is None else found[0]

    def narrowing(self, i: int, duals: bool = True) -> tuple[tuple[float, float], list[int]] | None:
        """Row i's interval (the sum over the parts it touches) and the rows that bind it."""
        if not self._ready():
            return None
        r, c = self.rows[i], self.coef[i]
        lo = hi = float(np.dot(c[self.is_fixed[r]], self.fixed[r[self.is_fixed[r]]]))
        by_part: dict[int, list[int]] = {}
        for j, a in enumerate(r.tolist()):
            if self.is_fixed[a]:
                continue
            pid = self.atom_part.get(a)
            if pid is None:  # an atom no binding row holds: any count >= 0
                lo, hi = (lo, INF) if c[j] > 0 else (-INF, hi)
                continue
            by_part.setdefault(pid, []).append(j)
        binding: list[int] = []
        for pid, js in by_part.items():
            local = np.searchsorted(self.part_cols[pid], r[js])
            # a quarter's slice in one month is that month's cell: measured once per model state
            memo = (pid, self.changes.get(pid, 0), local.tobytes(), c[js].tobytes())
            found = None if duals else self._memo.get(memo)
            if found is None:
                found = self.parts[pid].narrowing_of(local, c[js], duals)
                if not duals and found is not None:
                    self._memo[memo] = found
            if found is None:
                return None
            (plo, phi), bind = found
            lo, hi = lo + plo, hi + phi
            binding += [self.part_rows[pid][b] for b in bind]
        return (lo, hi), [b for b in dict.fromkeys(binding) if b != i]
