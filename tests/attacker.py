"""An attacker who reads only the published files, with its own LP (HiGHS through highspy), written apart from
lintas.datasets so that a mistake in the publisher's audit is not repeated here.

It reads every published table (`data/<slug>/<slug>.csv`, each frozen `data/<slug>/v/<version>/`,
each region package `data/regions/<code>/<slug>.csv`) with the rule its JSON states, and solves one
LP over all the tables of a group of datasets that count the same records:

- the unknowns are counts per (month, every other dimension's code): a quarter or a year is the sum
  of its months, a missing dimension is summed over;
- every published figure pins its sum (within +-2 when rounded to base 5: then also >= k when > 0);
- a hidden cell is >= the minimum its rule states (1 when "zeros are published", else 0);
- versions: first "nothing changed" (one set of counts for every version); if the figures are not
  consistent with that, each version gets its own counts and the attacker assumes records were only
  added (later >= earlier, cell by cell), or only removed, whichever is consistent.

It reports every hidden cell whose interval is under k wide or inside [1, k-1], and every hidden
cell whose change between two versions is pinned inside [1, k-1] (or [-(k-1), -1]).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from scipy.sparse import csr_matrix

TIME = ("month", "quarter", "year")


@dataclass
class Pub:
    slug: str
    version: str
    where: str  # the file it came from
    dims: tuple[str, ...]
    cells: dict[tuple[str, ...], int | None]
    k: int
    rounding: int | None
    minimum: int  # least value of a hidden cell, as the rule states
    stated: bool = True  # whether the files state the minimum as data (hidden_cell_minimum)


def hidden_minimum(disclosure: Mapping[str, object]) -> int:
    """What the published rule says a hidden cell holds at least."""
    if "hidden_cell_minimum" in disclosure:
        return int(disclosure["hidden_cell_minimum"])  # type: ignore[call-overload]
    rule = disclosure.get("rule", "")
    text = rule.get("en", "") if isinstance(rule, dict) else str(rule)
    return 1 if "A true 0 is published as 0" in text else 0


def read_table(csv_bytes: bytes, doc: Mapping[str, object], slug: str, version: str,
               where: str) -> Pub:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"))))
    header = rows[0]
    fields = [f["name"] for f in doc["fields"]]  # type: ignore[index, union-attr]
    measure = next(n for n in fields if f"{n}_flag" in fields)
    n = header.index(measure)
    flag = header.index(f"{measure}_flag")
    cells: dict[tuple[str, ...], int | None] = {}
    for row in rows[1:]:
        cells[tuple(row[:n])] = None if row[flag] else int(row[n])
    disclosure = doc["disclosure"]  # type: ignore[index]
    return Pub(slug, version, where, tuple(header[:n]), cells, int(disclosure["k"]),  # type: ignore[index]
               disclosure.get("rounding"), hidden_minimum(disclosure),  # type: ignore[union-attr]
               "hidden_cell_minimum" in disclosure)  # type: ignore[operator]


def published_tables(files: Mapping[str, bytes], slugs: Sequence[str]) -> list[Pub]:
    """Every published table of `slugs`: current, frozen versions and region packages."""
    out = []
    for path, data in sorted(files.items()):
        parts = path.split("/")
        if not path.endswith(".csv") or path.endswith(".excel.csv") or parts[0] != "data":
            continue
        # synthetic data says so in its CSV file names (<slug>-SINTETIS-SYNTHETIC.csv)
        slug = parts[-1].removesuffix(".csv").removesuffix("-SINTETIS-SYNTHETIC")
        if slug not in slugs:
            continue
        # A region package's table carries its dataset's rule (data/<slug>/<slug>.json).
        own = "/".join([*parts[:-1], f"{slug}.json"])
        doc = json.loads(files[own] if own in files else files[f"data/{slug}/{slug}.json"])
        version = str(doc["version"])
        out.append(read_table(data, doc, slug, version, path))
    # A version whose files predate the stated minimum is read as the later release notes say:
    # its complementary suppression hid zeros too, so a hidden cell there may be 0.
    for t in out:
        if not t.stated and any(u.slug == t.slug and u.stated for u in out):
            t.minimum = 0
    return out


def _time_months(dim: str, code: str) -> list[str]:
    year = code[:4]
    if dim == "month":
        return [code]
    if dim == "quarter":
        q = int(code[-1])
        return [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    return [f"{year}-{m:02d}" for m in range(1, 13)]


class Space:
    """Counts per (month?, dimension codes...) over the union of every table's codes."""

    def __init__(self, tables: Sequence[Pub]) -> None:
        names: list[str] = []
        codes: dict[str, set[str]] = {}
        for t in tables:
            for i, d in enumerate(t.dims):
                axis = "month" if d in TIME else d
                if axis not in names:
                    names.append(axis)
                for key in t.cells:
                    if key[i] != "_T":
                        vals = _time_months(d, key[i]) if d in TIME else [key[i]]
                        codes.setdefault(axis, set()).update(vals)
        self.names = names
        self.codes = [sorted(codes[n]) for n in names]
        self.pos = [{c: i for i, c in enumerate(cs)} for cs in self.codes]
        self.shape = tuple(len(c) for c in self.codes)
        self.size = int(np.prod(self.shape))

    def atoms(self, t: Pub, key: tuple[str, ...]) -> list[int]:
        choice: list[list[int]] = []
        for a, axis in enumerate(self.names):
            sel: set[int] | None = None
            for i, d in enumerate(t.dims):
                if ("month" if d in TIME else d) != axis:
                    continue
                if key[i] == "_T":
                    vals = {c for k2 in t.cells for c in (
                        _time_months(d, k2[i]) if d in TIME else [k2[i]]) if k2[i] != "_T"}
                else:
                    vals = set(_time_months(d, key[i]) if d in TIME else [key[i]])
                here = {self.pos[a][v] for v in vals if v in self.pos[a]}
                sel = here if sel is None else sel & here
            choice.append(sorted(sel) if sel is not None else list(range(self.shape[a])))
        return [int(np.ravel_multi_index(c, self.shape)) for c in itertools.product(*choice)]


def _bounds(value: int | None, t: Pub) -> tuple[float, float | None]:
    if value is None:
        return float(t.minimum), None
    if t.rounding is None or value == 0:
        return float(value), float(value)
    return float(max(value - t.rounding // 2, t.k)), float(value + t.rounding // 2)


@dataclass
class Leak:
    where: str
    key: tuple[str, ...]
    lo: float
    hi: float


def attack(tables: Sequence[Pub]) -> list[Leak]:
    """Every hidden cell (and change of one between versions) the LP narrows too much."""
    space = Space(tables)
    versions = sorted({(t.slug, t.version) for t in tables})
    for relation in ("same", "added", "removed", "free"):
        found = _attack(tables, space, versions, relation)
        if found is not None:
            return found
    raise AssertionError("the published figures contradict each other")


def _highs() -> Any:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # keep the basis from one objective to the next
    return highs


def _attack(tables: Sequence[Pub], space: Space, versions: list[tuple[str, str]],
            relation: str) -> list[Leak] | None:
    # Which copy of the counts each table reads: one for all when nothing changed, else one per
    # distinct version number (tables of different datasets at the same version share it only
    # when they come from one build: the current one, the highest version of each).
    latest = {s: max((v for s2, v in versions if s2 == s), key=lambda x: tuple(map(int, x.split("."))))
              for s, _ in versions}
    labels = sorted({"current" if latest[t.slug] == t.version else f"{t.slug}@{t.version}"
                     for t in tables})
    copy = {lab: (0 if relation == "same" else i) for i, lab in enumerate(["current"] + [
        x for x in labels if x != "current"])}
    n = space.size * (max(copy.values()) + 1)

    def copy_of(t: Pub) -> int:
        return copy["current" if latest[t.slug] == t.version else f"{t.slug}@{t.version}"]

    ri: list[int] = []
    ci: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    targets: list[tuple[Pub, tuple[str, ...], dict[int, float]]] = []
    for t in tables:
        base = copy_of(t) * space.size
        for key, value in t.cells.items():
            idx = [base + a for a in space.atoms(t, key)]
            row = len(lo)
            ri += [row] * len(idx)
            ci += idx
            vals += [1.0] * len(idx)
            low, high = _bounds(value, t)
            lo.append(low)
            hi.append(np.inf if high is None else high)
            if value is None:
                targets.append((t, key, dict.fromkeys(idx, 1.0)))
    if relation in ("added", "removed"):
        for c in range(1, max(copy.values()) + 1):
            for a in range(space.size):
                row = len(lo)
                ri += [row, row]
                ci += [a, c * space.size + a]
                vals += [1.0, -1.0]
                lo.append(0.0 if relation == "added" else -np.inf)
                hi.append(np.inf if relation == "added" else 0.0)
    a_ub = csr_matrix((vals, (ri, ci)), shape=(len(lo), n))
    lo_a, hi_a = np.array(lo), np.array(hi)
    # Independent parts (e.g. one month of a monthly table) are solved apart: same answers, faster.
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in range(a_ub.shape[0]):
        cols = a_ub.indices[a_ub.indptr[r]:a_ub.indptr[r + 1]]
        for c in cols[1:]:
            ra, rb = find(int(cols[0])), find(int(c))
            if ra != rb:
                parent[ra] = rb
    comp = np.array([find(i) for i in range(n)])
    parts: dict[int, tuple[dict[int, int], Any]] = {}

    def part(root: int) -> tuple[dict[int, int], Any]:
        """The part's LP, kept in one HiGHS instance: each objective after the first starts from
        the previous optimal basis (the same LP as scipy's linprog solves, without rebuilding it)."""
        if root not in parts:
            cols = np.nonzero(comp == root)[0]
            rows = np.unique(a_ub[:, cols].nonzero()[0])
            sub = a_ub[rows][:, cols].tocsc()
            highs = _highs()
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = len(cols), len(rows)
            lp.col_cost_ = np.zeros(len(cols))
            lp.col_lower_ = np.zeros(len(cols))
            lp.col_upper_ = np.full(len(cols), highspy.kHighsInf)
            lp.row_lower_ = np.maximum(lo_a[rows], -highspy.kHighsInf)
            lp.row_upper_ = np.minimum(hi_a[rows], highspy.kHighsInf)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
            lp.a_matrix_.index_ = sub.indices.astype(np.int32)
            lp.a_matrix_.value_ = sub.data.astype(float)
            highs.passModel(lp)
            parts[root] = ({int(c): i for i, c in enumerate(cols)}, highs)
        return parts[root]

    def solve(obj: dict[int, float], sign: float) -> float | None:
        """The minimum (sign 1) or maximum (sign -1) of the sum obj over every count that fits."""
        if not obj:  # feasibility of every part
            return 0.0 if all(solve({int(c): 0.0}, 1.0) is not None
                              for c in {int(find(i)) for i in range(n)}) else None
        roots = {int(comp[i]) for i in obj}
        if len(roots) > 1:  # separable: the parts' optima add up
            found = [solve({i: v for i, v in obj.items() if comp[i] == r}, sign) for r in roots]
            return None if any(f is None for f in found) else float(sum(found))  # type: ignore[arg-type]
        where, highs = part(roots.pop())
        idx = np.array([where[i] for i in obj], dtype=np.int32)
        highs.changeObjectiveSense(highspy.ObjSense.kMinimize if sign > 0 else highspy.ObjSense.kMaximize)
        highs.changeColsCost(len(idx), idx, np.array(list(obj.values()), dtype=float))
        try:
            highs.run()
            status = highs.getModelStatus()
            value = highs.getInfo().objective_function_value
        finally:
            highs.changeColsCost(len(idx), idx, np.zeros(len(idx)))
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status == highspy.HighsModelStatus.kUnbounded:  # the minimum runs to -inf, the maximum to +inf
            return -sign * np.inf
        assert status == highspy.HighsModelStatus.kOptimal, highs.modelStatusToString(status)
        return float(value)

    if solve({}, 1.0) is None:
        return None
    leaks: list[Leak] = []
    for t, key, obj in targets:
        if public(tables, t, key, copy_of):  # no secret: its interval is not asked for
            continue
        low, high = solve(obj, 1.0), solve(obj, -1.0)
        assert low is not None and high is not None
        if high - low < t.k - 1e-6 or (low >= 1 - 1e-6 and high <= t.k - 1 + 1e-6):
            leaks.append(Leak(t.where, key, low, high))
    if relation != "same":
        for t in tables:
            if copy_of(t) == 0:
                continue
            now = next(u for u in tables if u.slug == t.slug and copy_of(u) == 0)
            for key, value in t.cells.items():
                if key not in now.cells or (value is not None and now.cells[key] is not None):
                    continue
                atoms = space.atoms(t, key)
                obj = dict.fromkeys(atoms, 1.0) | {copy_of(t) * space.size + a: -1.0 for a in atoms}
                low, high = solve(obj, 1.0), solve(obj, -1.0)
                assert low is not None and high is not None
                if (low >= 1 - 1e-6 and high <= t.k - 1 + 1e-6) or \
                        (-(t.k - 1) - 1e-6 <= low and high <= -1 + 1e-6):
                    leaks.append(Leak(f"{t.where} -> {now.where}", key, low, high))
    return leaks


def public(tables: Sequence[Pub], t: Pub, key: tuple[str, ...], copy_of: object) -> bool:
    """A cell another version of the same counts publishes is no secret."""
    return any(u.slug == t.slug and u is not t and copy_of(u) == copy_of(t)  # type: ignore[operator]
               and u.cells.get(key) is not None for u in tables)
