"""One disclosure audit over every table published from the same records.

Two tables counted from the same records (a monthly and a quarterly table, say) share their true
counts: a cell hidden in one can be worked out from the other. So can a cell of an earlier release
from a later one. The audit therefore plays an attacker who has *everything* published from a set
of records: every dataset that declares the same `input.records` (or reads the same input file),
and every frozen release of each, each read as its own published rule says (a frozen version whose
files name no zero rule is read as "a hidden cell may be 0", the rule the old audit really used).

The unknowns are the counts of the finest cells any of those tables distinguishes ("atoms": e.g.
month x post x direction x nationality group); each published cell is a sum of atoms. An earlier
release counted an earlier state of the records: it gets its own copy of the atoms, tied to the
current one as strongly as the published figures allow: the same counts when that is consistent
with what both publish (nothing changed), else "only added" (every atom grew) or "only removed" when
consistent, else free. The difference of a hidden cell between two versions is audited too: it may
never be pinned inside [1, k-1] (a handful of records added to a hidden cell would be disclosed).

Complementary suppression is chosen jointly: a hidden cell the attacker can narrow gets a partner
among the current tables' published cells that bind its interval (the non-zero duals of the LP),
preferring an inner cell of the same table over a total, a cell of at least k over a small one.
Frozen releases never change, so a risk that only they create cannot be remedied: it is reported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .aggregate import Key, period_units
from .definition import PERIODS, TOTAL, Dimension
from .disclosure import INF, Protected, Rule, known_bounds, round_base
from .parts import Split

GEO = ("office", "regency", "province")


@dataclass
class View:
    """One published table as the attacker reads it."""

    label: str  # 'crossings-monthly 1.0.1'
    slug: str
    version: str
    dims: tuple[str, ...]
    derives: tuple[str, ...]  # how each dimension derives from its input column
    columns: tuple[str, ...]  # the input column of each dimension
    codes: tuple[tuple[str, ...], ...]
    published: dict[Key, int | None]
    rule: Rule
    values: Mapping[Key, int] | None = None  # true values: only for the current tables
    hidden: set[Key] = field(default_factory=set)  # current tables: cells suppressed so far
    order: dict[Key, int] = field(default_factory=dict)
    primary: frozenset[Key] = frozenset()
    implied: set[Key] = field(default_factory=set)  # published again: other tables pin them
    because: dict[Key, str] = field(default_factory=dict)  # hidden by the joint audit: the risk

    @property
    def current(self) -> bool:
        return self.values is not None


def current_view(slug: str, version: str, dims: Sequence[Dimension], protected: Protected) -> View:
    t = protected.table
    return View(f"{slug} {version}", slug, version, t.dims, tuple(d.derive for d in dims),
                tuple(d.source for d in dims), t.codes, dict(protected.published),
                protected.rule, t.values, set(protected.suppressed),
                {key: n for n, key in enumerate(t.ordered())}, protected.primary)


def frozen_view(slug: str, version: str, files: Mapping[str, bytes], dims: Sequence[Dimension],
                measure: str) -> View | None:
    """A frozen release's table from its CSV and JSON; None when its columns are not today's
    dimensions (a structure changed by a MAJOR release is not related to the current one)."""
    try:
        doc = json.loads(files[f"{slug}.json"])
        # the CSV's name is the package's (synthetic data says so in it: <slug>-SINTETIS-SYNTHETIC.csv)
        path = json.loads(files["datapackage.json"])["resources"][0]["path"]
        text = files[path].decode("utf-8")
    except (KeyError, ValueError, IndexError, TypeError):
        return None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if measure not in header:
        return None
    n = header.index(measure)
    by_name = {d.name: d for d in dims}
    if any(name not in by_name for name in header[:n]):
        return None
    flag = header.index(f"{measure}_flag") if f"{measure}_flag" in header else None
    published: dict[Key, int | None] = {}
    seen: list[dict[str, None]] = [{} for _ in range(n)]
    for row in reader:
        key = tuple(row[:n])
        hidden = row[n] == "" or (flag is not None and row[flag] != "")
        published[key] = None if hidden else int(row[n])
        for i, code in enumerate(key):
            if code != TOTAL:
                seen[i][code] = None
    rule_doc = doc.get("disclosure", {})
    zeros = rule_doc.get("zeros", "suppressed")  # files without a zero rule: hidden may be 0
    names = header[:n]
    structural = list(rule_doc.get("structural_zeros", []))
    struct = frozenset(key for key in published if any(
        all(name in names and key[names.index(name)] == code for name, code in c.items())
        for c in structural))
    rule = Rule(int(rule_doc.get("k", 5)), rule_doc.get("rounding"), zeros, struct)
    used = [by_name[name] for name in names]
    return View(f"{slug} {version}", slug, version, tuple(names), tuple(d.derive for d in used),
                tuple(d.source for d in used), tuple(tuple(s) for s in seen), published, rule)


class Atoms:
    """The finest cells any view distinguishes, and which atoms each published cell sums."""

    def __init__(self, views: Sequence[View], geography: Mapping[str, Mapping[str, str]]) -> None:
        self.geo = geography
        cols: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for v in views:
            for derive, col, codes in zip(v.derives, v.columns, v.codes, strict=True):
                cols.setdefault(col, []).append((derive, codes))
        self.columns = sorted(cols)
        self.values: list[tuple[str, ...]] = []
        for col in self.columns:
            self.values.append(self._atoms(cols[col]))
        self.index = [{a: i for i, a in enumerate(vals)} for vals in self.values]
        self.shape = tuple(len(v) for v in self.values)
        self.size = int(np.prod(self.shape)) if self.shape else 1
        self._memo: dict[tuple[object, ...], np.ndarray] = {}
        self.cuts: dict[bytes, list[list[bytes]]] = {}  # shared by the models over these atoms

    def _atoms(self, uses: list[tuple[str, tuple[str, ...]]]) -> tuple[str, ...]:
        derives = {d for d, _ in uses}
        if derives & set(PERIODS):
            unit = next(p for p in PERIODS if p in derives)
            out: dict[str, None] = {}
            for derive, codes in uses:
                for code in codes:
                    for atom in period_units(code, derive, unit):
                        out[atom] = None
            return tuple(sorted(out))
        if "value" in derives or not derives & set(GEO):
            out = {}
            for derive, codes in uses:
                if derive == "value":
                    out.update(dict.fromkeys(codes))
            return tuple(out)
        posts = [p for p in sorted(self.geo) if all(
            self.geo[p].get(d, "") in codes for d, codes in uses)]
        return tuple(posts)

    def _members(self, col: int, derive: str, code: str) -> list[int]:
        vals = self.values[col]
        if derive in PERIODS:
            unit = next(p for p in PERIODS if any(_is_unit(a, p) for a in vals[:1]))
            return [self.index[col][a] for a in period_units(code, derive, unit)
                    if a in self.index[col]]
        if derive == "value":
            return [self.index[col][code]] if code in self.index[col] else []
        return [i for i, post in enumerate(vals) if self.geo.get(post, {}).get(derive) == code]

    def cell(self, view: View, key: Key) -> np.ndarray:
        """Flat atom indexes summed by `key` of `view` (the same for every version of a table)."""
        memo = (view.derives, view.columns, view.codes, key)
        found = self._memo.get(memo)
        if found is None:
            found = self._memo[memo] = self._cell(view, key)
        return found

    def _cell(self, view: View, key: Key) -> np.ndarray:
        per_col: list[list[int]] = []
        for c, col in enumerate(self.columns):
            allowed: set[int] | None = None
            for i, vcol in enumerate(view.columns):
                if vcol != col:
                    continue
                codes = view.codes[i] if key[i] == TOTAL else (key[i],)
                members: set[int] = set()
                for code in codes:
                    members.update(self._members(c, view.derives[i], code))
                allowed = members if allowed is None else allowed & members
            per_col.append(sorted(allowed) if allowed is not None else list(range(self.shape[c])))
        if any(not m for m in per_col):
            return np.zeros(0, dtype=np.int64)
        grids = np.meshgrid(*[np.asarray(m) for m in per_col], indexing="ij")
        return np.ravel_multi_index([g.ravel() for g in grids], self.shape).astype(np.int64)


def _is_unit(atom: str, unit: str) -> bool:
    return {"month": len(atom) == 7 and atom[4] == "-" and atom[5] != "Q",
            "quarter": "-Q" in atom, "year": len(atom) == 4}[unit]


@dataclass
class Finding:
    label: str  # the view, or 'a -> b' for a difference between versions
    key: Key
    dims: tuple[str, ...]
    interval: tuple[float, float]


@dataclass
class Result:
    views: list[View]
    failures: list[Finding]
    intervals: dict[str, dict[Key, tuple[float, float]]]  # per current slug: hidden cell -> interval
    relations: dict[str, str]  # frozen view label -> 'same' | 'added' | 'removed' | 'free'

    def remedy(self, slug: str) -> list[tuple[Key, str]]:
        """The cells of `slug`'s current table that the joint audit hid beyond the table's own
        protection, each with the risk it removes (a cell of another table of the same records or
        of an earlier release that could otherwise be narrowed, or the change since a release)."""
        view = next(v for v in self.views if v.current and v.slug == slug)
        return [(key, why) for key, why in sorted(view.because.items(), key=lambda kv: view.order.get(kv[0], 0))
                if key in view.hidden and key not in view.primary]


class _Model:
    """The attacker's LP over the atoms of every view (copies for versions that differ)."""

    def __init__(self, views: list[View], atoms: Atoms, copy_of: Sequence[int],
                 signs: Mapping[int, str]) -> None:
        self.views = views
        self.atoms = atoms
        self.copy_of = list(copy_of)
        n = atoms.size
        n_copies = max(copy_of) + 1
        self.n = n * n_copies
        rows: list[np.ndarray] = []
        coef: list[np.ndarray] = []
        bounds: list[tuple[float, float]] = []
        self.row_of: dict[tuple[int, Key], int] = {}
        self.cells: dict[int, np.ndarray] = {}
        for vi, view in enumerate(views):
            base = copy_of[vi] * n
            for key, value in view.published.items():
                idx = atoms.cell(view, key)
                self.row_of[(vi, key)] = len(rows)
                rows.append(idx + base)
                coef.append(np.ones(len(idx)))
                bounds.append(self._bounds(view, value))
        self.n_cell_rows = len(rows)
        # Tie each other copy to the current one (copy 0) atom by atom.
        for c, sign in signs.items():
            if sign == "free":
                continue
            for a in range(n):
                rows.append(np.array([a, c * n + a]))
                coef.append(np.array([1.0, -1.0]))
                bounds.append((0.0, INF) if sign == "added" else (-INF, 0.0))
        # Differences of hidden cells between a frozen view and the current view of its dataset.
        self.diff_rows: dict[tuple[int, Key], int] = {}
        current = {v.slug: i for i, v in enumerate(views) if v.current}
        for vi, view in enumerate(views):
            cur = current.get(view.slug)
            if view.current or cur is None or copy_of[vi] == copy_of[cur]:
                continue
            for key in view.published:
                if key not in views[cur].published:
                    continue
                idx = atoms.cell(view, key)
                self.diff_rows[(vi, key)] = len(rows)
                rows.append(np.concatenate([idx + copy_of[cur] * n, idx + copy_of[vi] * n]))
                coef.append(np.concatenate([np.ones(len(idx)), -np.ones(len(idx))]))
                bounds.append((-INF, INF))
        self.lp = Split(self.n, rows, bounds, coef, atoms.shape, atoms.cuts)
        self._atom_sets: list[set[int]] | None = None

    @staticmethod
    def _bounds(view: View, value: int | None) -> tuple[float, float]:
        if value is None:
            return view.rule.floor, INF
        return known_bounds(value, view.rule.k, view.rule.rounding)

    def overlapping(self, kind: str, vi: int, key: Key) -> list[int]:
        """Rows that share an atom with the target (either copy, for a difference)."""
        row = self.diff_rows[(vi, key)] if kind == "diff" else self.row_of[(vi, key)]
        atoms = set((self.lp.rows[row] % self.atoms.size).tolist())
        if self._atom_sets is None:
            self._atom_sets = [set((r % self.atoms.size).tolist())
                               for r in self.lp.rows[:self.n_cell_rows]]
        return [i for i, a in enumerate(self._atom_sets) if not a.isdisjoint(atoms)]

    def hide(self, vi: int, key: Key) -> None:
        self.lp.set_row(self.row_of[(vi, key)], self.views[vi].rule.floor, INF)


def _relation(views: list[View], atoms: Atoms, vi: int) -> str:
    """How frozen view `vi` relates to the current records, as strongly as the figures allow."""
    cur = [i for i, v in enumerate(views) if v.current]
    if _true_counts_fit(views, vi):
        return "same"
    pair = [views[i] for i in cur] + [views[vi]]
    same = _Model(pair, atoms, [0] * len(pair), {})
    if same.lp.feasible():
        return "same"
    copies = [0] * len(cur) + [1]
    for sign in ("added", "removed"):
        if _Model(pair, atoms, copies, {1: sign}).lp.feasible():
            return sign
    return "free"


def _true_counts_fit(views: list[View], vi: int) -> bool:
    """Whether today's true counts satisfy every figure frozen view `vi` publishes: then "the
    same counts" is consistent (they are a solution), with no LP. Otherwise the LP decides."""
    frozen = views[vi]
    current = next((v for v in views if v.current and v.slug == frozen.slug), None)
    if current is None or current.values is None or current.dims != frozen.dims:
        return False
    for key, value in frozen.published.items():
        true = current.values.get(key)
        if true is None:
            return False
        lo, hi = _Model._bounds(frozen, value)
        if not lo - 1e-9 <= true <= hi + 1e-9:
            return False
    return True


def _exposed_diff(lo: float, hi: float, k: int) -> bool:
    return (lo >= 1 - 1e-9 and hi <= k - 1 + 1e-9) or (hi <= -1 + 1e-9 and lo >= -(k - 1) - 1e-9)


def joint_protect(views: list[View], geography: Mapping[str, Mapping[str, str]],
                  max_rounds: int = 10_000) -> Result:
    """Suppress more in the current views until no hidden cell of any view, and no difference of
    one between versions, can be narrowed; the remaining risks (if any) are the failures.

    How each release relates to the current records is decided from what is published; hiding
    more can make a stronger relation consistent, so it is decided again until it holds."""
    atoms = Atoms(views, geography)
    relations: dict[str, str] | None = None
    for _ in range(4):
        found = _relations(views, atoms)
        if found == relations:
            break
        relations = found
        before = _pattern(views)
        result = _protect(views, atoms, relations, max_rounds)
        if _pattern(views) == before:
            break  # nothing hidden or published again: the relations cannot have changed
    return result


def _pattern(views: Sequence[View]) -> list[frozenset[Key]]:
    return [frozenset(v.hidden) for v in views if v.current]


def _relations(views: list[View], atoms: Atoms) -> dict[str, str]:
    return {views[vi].label: _relation(views, atoms, vi)
            for vi in range(len(views)) if not views[vi].current}


def _protect(views: list[View], atoms: Atoms, relations: Mapping[str, str],
             max_rounds: int) -> Result:
    copy_of = [0] * len(views)
    signs: dict[int, str] = {}
    for vi, view in enumerate(views):
        rel = relations.get(view.label, "same")
        if not view.current and rel != "same":
            copy_of[vi] = max(copy_of) + 1
            signs[copy_of[vi]] = rel
    model = _Model(views, atoms, copy_of, signs)
    safe: set[tuple[str, int, Key]] = set()
    failures: list[Finding] = []
    failed: set[tuple[str, int, Key]] = set()
    intervals: dict[tuple[str, int, Key], tuple[float, float]] = {}
    stamps: dict[tuple[str, int, Key], tuple[int, ...]] = {}  # the model's state when measured
    # A work list: suppressing only widens intervals, so a target proved safe stays safe; a weak
    # one is measured again after each new suppression, and each new suppression is a new target.
    queue = _targets(views, model)
    queued = {(kind, vi, key) for kind, vi, key, _ in queue}
    pos = rounds = 0
    while pos < len(queue) and rounds < max_rounds:
        kind, vi, key, row = queue[pos]
        tag = (kind, vi, key)
        if tag in safe or tag in failed or (kind == "cell" and views[vi].published.get(key) is not None):
            pos += 1
            continue
        found = model.lp.interval(row)
        if found is None:
            raise ArithmeticError(f"joint audit infeasible at {views[vi].label} {key}")
        lo, hi = found
        intervals[tag] = (lo, hi)
        stamps[tag] = model.lp.stamp(row)
        k = views[vi].rule.k
        bad = _exposed_diff(lo, hi, k) if kind == "diff" else views[vi].rule.exposed(lo, hi)
        if not bad:
            safe.add(tag)
            pos += 1
            continue
        rounds += 1
        span = (lo, hi)
        view = views[vi]
        pinned = kind == "cell" and view.values is not None and key not in view.primary \
            and span[1] - span[0] < 1e-9
        pick = None
        if not pinned:
            narrowed = model.lp.narrowing(row)
            bind = narrowed[1] if narrowed else []
            pick = _partner(views, model, vi, key, bind)
            if pick is None:  # no binding row is ours to hide: take a published cell that overlaps
                pick = _partner(views, model, vi, key, model.overlapping(kind, vi, key))
        if pinned and view.values is not None:
            # A complementary cell that what is published elsewhere pins exactly protects nothing:
            # publish it (that tells the attacker nothing new) rather than hide more to cover it.
            value = view.values[key]
            shown = round_base(value, view.rule.rounding) if view.rule.rounding else value
            view.hidden.discard(key)
            view.implied.add(key)
            view.published[key] = shown
            model.lp.set_row(model.row_of[(vi, key)],
                             *known_bounds(shown, view.rule.k, view.rule.rounding))
            pos += 1
            continue
        if pick is None:
            failed.add((kind, vi, key))
            label = views[vi].label if kind == "cell" else \
                f"{views[vi].label} -> {next(v.label for v in views if v.current and v.slug == views[vi].slug)}"
            failures.append(Finding(label, key, views[vi].dims, span))
            pos += 1
            continue
        pvi, pkey = pick
        if kind == "cell":
            why = f"{view.label}: {cell_text(view.dims, key)} in [{lo:g}, {hi:g}]"
        else:
            why = (f"the change of {cell_text(view.dims, key)} since {view.label}: "
                   f"[{lo:g}, {hi:g}]")
        views[pvi].because.setdefault(pkey, why)
        views[pvi].hidden.add(pkey)
        views[pvi].published[pkey] = None
        model.hide(pvi, pkey)
        new = [("cell", pvi, pkey, model.row_of[(pvi, pkey)])]
        new += [("diff", fvi, fkey, drow) for (fvi, fkey), drow in model.diff_rows.items()
                if fkey == pkey and views[fvi].slug == views[pvi].slug]
        for item in new:
            if item[:3] not in queued and not (item[0] == "cell" and _public(views, model, pvi, pkey)):
                queued.add(item[:3])
                queue.append(item)
    # The final intervals of the current views' hidden cells (suppressing only widens them, but a
    # cell proved early is measured again here, as published, unless nothing in its part changed).
    final: dict[str, dict[Key, tuple[float, float]]] = {}
    for kind, vi, key, row in _targets(views, model):
        if kind == "cell" and views[vi].current:
            tag = (kind, vi, key)
            found = intervals[tag] if stamps.get(tag) == model.lp.stamp(row) else model.lp.interval(row)
            if found is not None:
                final.setdefault(views[vi].slug, {})[key] = found
    return Result(views, failures, final, dict(relations))


def _public(views: list[View], model: _Model, vi: int, key: Key) -> bool:
    """Whether another version of the same table publishes `key` for the same counts (then the
    cell is no secret, whatever this version hides)."""
    return any(j != vi and v.slug == views[vi].slug and model.copy_of[j] == model.copy_of[vi]
               and v.published.get(key) is not None for j, v in enumerate(views))


def _targets(views: list[View], model: _Model) -> list[tuple[str, int, Key, int]]:
    out = []
    seen: set[bytes] = set()  # the same sum hidden in two versions of the same counts: one LP
    for vi, view in enumerate(views):
        for key, value in view.published.items():
            if value is None and not _public(views, model, vi, key):
                row = model.row_of[(vi, key)]
                sig = np.sort(model.lp.rows[row]).tobytes()
                if sig in seen:
                    continue
                seen.add(sig)
                out.append(("cell", vi, key, row))
    for (vi, key), row in model.diff_rows.items():
        cur = next(i for i, v in enumerate(views) if v.current and v.slug == views[vi].slug)
        if views[vi].published[key] is None or views[cur].published.get(key) is None:
            out.append(("diff", vi, key, row))
    return out


def _partner(views: list[View], model: _Model, vi: int, key: Key,
             binding: Sequence[int]) -> tuple[int, Key] | None:
    """The published cell of a current view to hide next: one that binds the weak interval."""
    rows = {int(r) for r in binding}
    best: tuple[tuple[int, ...], tuple[int, Key]] | None = None
    for (cvi, ckey), row in model.row_of.items():
        view = views[cvi]
        if row not in rows or not view.current or view.published[ckey] is None \
                or ckey in view.implied:
            continue
        value = view.values[ckey] if view.values is not None else 0
        if value <= 0 or ckey in view.rule.structural:
            continue  # a zero (published by rule) or a structural zero is never hidden
        shared = sum(a == b for a, b in zip(ckey, key, strict=False)) if view.slug == views[vi].slug else 0
        # Prefer a cell an earlier version of the same counts hides already: the same pattern.
        fresh = int(not any(j != cvi and v.slug == view.slug and model.copy_of[j] == model.copy_of[cvi]
                            and v.published.get(ckey, 0) is None for j, v in enumerate(views)))
        score = (fresh, int(view.slug != views[vi].slug), -shared, sum(c == TOTAL for c in ckey),
                 int(value < view.rule.k), value, view.order.get(ckey, 0))
        if best is None or score < best[0]:
            best = (score, (cvi, ckey))
    return best[1] if best else None


def protected_of(view: View, base: Protected) -> Protected:
    """The current view's final publication as a `Protected` (secondary cells added)."""
    published = {key: (None if key in view.hidden else view.published[key])
                 for key in base.published}
    return replace(base, published=published,
                   secondary=frozenset(view.hidden - set(base.primary)))


def cell_text(dims: Sequence[str], key: Key) -> str:
    return ", ".join(f"{d}={c}" for d, c in zip(dims, key, strict=True))


def describe_findings(findings: Sequence[Finding], limit: int = 5) -> str:
    parts = []
    for f in findings[:limit]:
        cell = cell_text(f.dims, f.key)
        lo, hi = f.interval
        parts.append(f"{f.label}: {cell} in [{lo:g}, {hi:g}]")
    more = f" (and {len(findings) - limit} more)" if len(findings) > limit else ""
    return "; ".join(parts) + more

