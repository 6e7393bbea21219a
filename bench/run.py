"""Benchmark harness (issues 8 and 18): one command times every stage and writes a report to bench/out/.

    .venv/bin/python bench/run.py [--n 2000] [--rows 10000000] [--quick] [--no-serve] [--profile]
    .venv/bin/python bench/run.py --hostile-only [--hostile-case NAME]   (issue 13: bench/hostile.py)

Side by side in one run: (a) our full build, of the sample site and of N synthetic entities,
against a bare `mkdocs build` of the very Markdown trees and mkdocs.yml files our build wrote, and
`build.py check` on the sample; (b) dataset aggregation against the same query in DuckDB SQL and a
pandas groupby; (c) builds at N, 2N and 4N; plus the time until `serve` shows a one-file change.
Every measurement runs in its own process, so its peak RSS is its own. Timings on a noisy machine:
compare ratios within one run; short measurements are repeated and the median kept.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

import corpus as corpus_mod  # noqa: E402  (bench/ is not a package)

PYTHON = sys.executable
MKDOCS = str(Path(PYTHON).with_name("mkdocs"))
REPEAT_BELOW_S = 20.0  # measurements shorter than this are repeated (median of --repeat)
TOUCHED_KIND, TOUCHED_ID = "notices", "pengumuman-00001"

# Targets of issues 8 and 18.
MAX_BUILD_VS_BARE = 3.0  # full build / bare `mkdocs build` of its online trees (sample and N = 2,000)
MAX_CHECK_S = 1.5  # `build.py check` on the sample site
MAX_QUICK_S = 60.0  # `bench/run.py --quick`, the whole harness
MAX_SCALING = 4.4
MAX_AGG_RATIO = 1.2
MAX_AGG_S = 30.0
MAX_AGG_MB = 1024.0
MAX_SERVE_S = 2.0


# ------------------------------------------------------------------------------- workers
# A worker runs in its own process: `run.py --worker NAME --spec JSON --result PATH`.


def _status_kb(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for kid in children.get(todo.pop(), []):
            out.append(kid)
            todo.append(kid)
    return out


class TreeSampler:
    """Samples the RSS of this process's descendants (render workers, pagefind, mkdocs).

    ru_maxrss of children cannot be used: Linux carries the parent's peak into a forked child."""

    def __init__(self, interval: float = 0.05) -> None:
        import threading

        self.interval = interval
        self.peak_tree_kb = 0
        self.peak_child_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            kids = [_status_kb(pid, "VmRSS") for pid in _descendants(me)]
            self.peak_child_kb = max(self.peak_child_kb, *kids, 0)
            self.peak_tree_kb = max(self.peak_tree_kb, sum(kids) + _status_kb(me, "VmRSS"))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def report(self) -> dict[str, float]:
        return {"peak_child_rss_mb": round(self.peak_child_kb / 1024, 1),
                "peak_tree_rss_mb": round(self.peak_tree_kb / 1024, 1)}


def _peak_mb() -> dict[str, float]:
    """Peak RSS of this process (VmHWM: its own, unlike ru_maxrss, which a child inherits)."""
    return {"peak_rss_mb": round(_status_kb("self", "VmHWM") / 1024, 1)}


class Timers:
    """Accumulated wall time and call count per stage; nested stages are timed on their own too."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.hooks: dict[str, Callable[..., None]] = {}

    def wrap(self, module: Any, attr: str, stage: str) -> None:
        original = getattr(module, attr, None)
        if original is None or getattr(original, "_bench_wrapped", False):
            return

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started
                self.calls[stage] = self.calls.get(stage, 0) + 1
                hook = self.hooks.get(stage)
                if hook is not None:
                    paused = time.perf_counter()
                    hook(*args, **kwargs)
                    # The hook (copying trees) is not part of the build: keep it out of the totals.
                    self.seconds["_hooks"] = self.seconds.get("_hooks", 0.0) + time.perf_counter() - paused

        timed._bench_wrapped = True  # type: ignore[attr-defined]
        setattr(module, attr, timed)

    def report(self) -> dict[str, dict[str, float]]:
        return {k: {"s": round(v, 3), "calls": self.calls[k]} for k, v in sorted(self.seconds.items())
                if not k.startswith("_")}


# Top-level stages of pipeline.build (their sum plus "other" is the build) and nested ones. Pagefind
# ("search") runs in a thread of its own while the bundle is zipped and the links are checked.
TOP_STAGES = ("check", "publish", "generate", "render", "write", "linkcheck", "bundle", "search", "discovery")
CONCURRENT_STAGES = ("search",)
NESTED_STAGES = ("load", "load_datasets", "validate", "model", "api", "feeds", "datasets",
                 "aggregate", "disclosure", "disclosure_check", "dataset_files")


def instrument(timers: Timers) -> None:
    """Wrap the functions pipeline.build calls, by the names it looks them up under."""
    import lintas.pipeline as pl

    for attr, stage in (("check", "check"), ("load_sources", "load"), ("validate_sources", "validate"),
                        ("build_model", "model"), ("publish", "publish"), ("generate_pages", "generate"),
                        ("render_site", "render"), ("write_outputs", "write"), ("make_staging", "write"),
                        ("swap_in", "write"), ("discard", "write"), ("check_site", "linkcheck"), ("check_files", "linkcheck"),
                        ("zip_files", "bundle"), ("with_outputs", "bundle"), ("fill_bundle_size", "bundle"),
                        ("build_search_index", "search")):
        timers.wrap(pl, attr, stage)
    # Imported inside the pipeline's functions: wrap them where they are looked up.
    for module_name, attr, stage in (("lintas.datasets", "load_datasets", "load_datasets"),
                                     ("lintas.datasets", "publish_datasets", "datasets"),
                                     ("lintas.publish.api", "publish_api", "api"),
                                     ("lintas.publish.feeds", "publish_feeds", "feeds"),
                                     ("lintas.publish.discovery", "publish_discovery", "discovery"),
                                     ("lintas.datasets.publish", "aggregate", "aggregate"),
                                     ("lintas.datasets.publish", "protect", "disclosure"),
                                     ("lintas.datasets.publish", "check", "disclosure_check"),
                                     ("lintas.datasets.publish", "dataset_files", "dataset_files")):
        with contextlib.suppress(ImportError):
            timers.wrap(__import__(module_name, fromlist=[attr]), attr, stage)


def _rebase(value: Any, old: str, new: str) -> Any:
    """Every path in a loaded mkdocs.yml that lies under `old`, moved under `new`."""
    if isinstance(value, str) and value.startswith(old):
        return new + value[len(old):]
    if isinstance(value, dict):
        return {k: _rebase(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebase(v, old, new) for v in value]
    return value


def copy_trees(dest: Path, pages: Any, work_dir: Path, out_dir: Path, settings: Any, *args: Any, **kw: Any) -> None:
    """Keep the docs tree + mkdocs.yml render_site wrote, re-pointed at the copy (for the bare run).

    The site is rendered once (the offline bundle is made from that render); the bare run builds
    the online site's trees as a plain MkDocs project would: without the offline bundle's search
    dialog and index marks (`extra.lintas.offline_search`), and without the `search` plugin should
    a config name it (ours runs none since decision 14). So the bare figure is the floor of
    rendering the online site alone."""
    import yaml

    variant = "online"
    for lang_dir in sorted(p for p in Path(work_dir).iterdir() if (p / "mkdocs.yml").is_file()):
        target = dest / variant / lang_dir.name
        if target.exists():
            shutil.rmtree(target)
        # The whole language folder: the renderer may keep more than docs/ there (a theme dir).
        shutil.copytree(lang_dir, target, ignore=shutil.ignore_patterns("site", "site-*"))
        cfg = yaml.safe_load((lang_dir / "mkdocs.yml").read_text(encoding="utf-8"))

        cfg = _rebase(cfg, str(lang_dir), str(target))
        cfg["docs_dir"] = str(target / "docs")
        cfg["site_dir"] = str(target / "site")
        cfg["plugins"] = [p for p in cfg.get("plugins") or [] if not (p == "search" or (isinstance(p, dict) and "search" in p))]
        lintas_extra = (cfg.get("extra") or {}).get("lintas")
        if isinstance(lintas_extra, dict):
            lintas_extra["offline_search"] = False
        (target / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")


def touch_one_file(root: Path, marker: str) -> Path:
    """Change the title of one notice (the one-file edit a preview must show)."""
    path = root / "content" / TOUCHED_KIND / f"{TOUCHED_ID}.yaml"
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^(  id: '\[SINTETIS\] Pengumuman 1)( \(diubah [^)]*\))?'",
                      rf"\1 (diubah {marker})'", text, count=1)
    if n != 1:
        raise RuntimeError(f"cannot find the title to change in {path}")
    path.write_text(text, encoding="utf-8")
    return path


def worker_build(spec: dict[str, Any]) -> dict[str, Any]:
    """One real `pipeline.build`, instrumented per stage."""
    from lintas.config import BuildConfig
    from lintas.pipeline import build

    timers = Timers()
    instrument(timers)
    if spec.get("trees"):
        timers.hooks["render"] = functools.partial(copy_trees, Path(spec["trees"]))
    root = Path(spec["root"])
    if spec.get("touch"):
        touch_one_file(root, spec["touch"])
    config = BuildConfig.for_root(root, site_dir=Path(spec["site_dir"]),
                                  today=dt.date.fromisoformat(spec["today"]))
    from lintas.site.renderer import render_in_parallel

    parallel = render_in_parallel()  # what the build will choose (LINTAS_RENDER_JOBS, or a free core)
    with TreeSampler() as sampler:
        started, cpu0 = time.perf_counter(), os.times()
        result = build(config, bundle=spec.get("bundle", True))
        total = time.perf_counter() - started - timers.seconds.get("_hooks", 0.0)
        cpu1 = os.times()
    # CPU seconds of the build and the processes it waited for (render workers, Pagefind): less
    # moved than wall time by other work on a shared machine, so a second view of the growth.
    cpu = sum(getattr(cpu1, f) - getattr(cpu0, f)
              for f in ("user", "system", "children_user", "children_system"))
    stages = timers.report()
    top = sum(stages[s]["s"] for s in TOP_STAGES if s in stages and s not in CONCURRENT_STAGES)
    stages["other"] = {"s": round(max(0.0, total - top), 3), "calls": 1}
    return {"total_s": round(total, 3), "cpu_s": round(cpu, 3), "written": result.written,
            "html_pages": result.pages, "render_parallel": parallel,
            "files": result.files, "stages": stages,
            "errors": [str(p) for p in result.problems if p.severity.value == "error"][:5],
            **_peak_mb(), **sampler.report()}


def worker_profile(spec: dict[str, Any]) -> dict[str, Any]:
    """cProfile of one build with the languages rendered in this process (so MkDocs is seen)."""
    import cProfile
    import io
    import pstats

    import lintas.pipeline as pl
    from lintas.config import BuildConfig

    os.environ["LINTAS_RENDER_JOBS"] = "1"  # both languages in this process
    config = BuildConfig.for_root(Path(spec["root"]), site_dir=Path(spec["site_dir"]),
                                  today=dt.date.fromisoformat(spec["today"]))
    profiler = cProfile.Profile()
    profiler.enable()
    pl.build(config, bundle=spec.get("bundle", True))
    profiler.disable()
    out: dict[str, Any] = {}
    for key, restrict in (("cumulative", ()), ("tottime", ()), ("lintas", ("lintas/",))):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("tottime" if key == "tottime" else "cumulative") \
            .print_stats(*restrict, 40)
        out[key] = buf.getvalue()
    Path(spec["text"]).write_text("\n\n".join(out.values()), encoding="utf-8")
    return {"text": spec["text"], **_peak_mb()}


def worker_agg_lintas(spec: dict[str, Any]) -> dict[str, Any]:
    """Our aggregation (lintas.datasets) and disclosure control, timed step by step."""
    from lintas.datasets.aggregate import aggregate
    from lintas.datasets.disclosure import check, protect
    from lintas.datasets.load import load_datasets
    from lintas.datasets.outputs import dataset_files

    datasets, problems = load_datasets(Path(spec["root"]), dt.date.fromisoformat(spec["today"]))
    if problems or not datasets:
        return {"error": "; ".join(str(p) for p in problems[:3]) or "no dataset"}
    ds = datasets[0]
    t0 = time.perf_counter()
    table, problems = aggregate(ds, {})
    t1 = time.perf_counter()
    if table is None:
        return {"error": "; ".join(str(p) for p in problems[:3])}
    agg_peak = _peak_mb()["peak_rss_mb"]
    rule = ds.definition.disclosure
    protected = protect(table, rule.k, rule.rounding)
    t2 = time.perf_counter()
    bad = check(protected, rule.k, rule.rounding)
    t3 = time.perf_counter()
    files = dataset_files(ds, protected)
    t4 = time.perf_counter()
    base = [k for k in table.values if "_T" not in k]
    return {"aggregate_s": round(t1 - t0, 3), "disclosure_s": round(t2 - t1, 3),
            "audit_s": round(t3 - t2, 3), "files_s": round(t4 - t3, 3),
            "total_s": round(t4 - t0, 3), "aggregate_peak_rss_mb": agg_peak,
            "rows_counted": sum(table.values[k] for k in base), "cells": len(table.values),
            "base_cells": len(base), "primary": len(protected.primary),
            "secondary": len(protected.secondary), "audit_failures": len(bad),
            "file_bytes": sum(len(b) for b in files.values()), **_peak_mb()}


def _duck_columns() -> str:
    types = {"crossed_on": "DATE", "birth_date": "DATE"}
    return "{" + ", ".join(f"'{c}': '{types.get(c, 'VARCHAR')}'" for c in corpus_mod.HEADER) + "}"


def worker_agg_duckdb(spec: dict[str, Any]) -> dict[str, Any]:
    """The same count written directly in DuckDB SQL, default settings."""
    import duckdb

    sql = ("SELECT strftime(crossed_on, '%Y-%m') AS month, post, direction, nationality_group, "
           "count(*) AS n FROM read_csv(?, header = true, auto_detect = false, "
           f"columns = {_duck_columns()}, dateformat = '%Y-%m-%d') GROUP BY ALL")
    t0 = time.perf_counter()
    with duckdb.connect(":memory:") as con:
        rows = con.execute(sql, [spec["csv"]]).fetchall()
    t1 = time.perf_counter()
    return {"total_s": round(t1 - t0, 3), "rows_counted": sum(r[-1] for r in rows),
            "groups": len(rows), "threads": os.cpu_count(), **_peak_mb()}


def worker_agg_pandas(spec: dict[str, Any]) -> dict[str, Any]:
    """The same count as a pandas groupby (pyarrow CSV engine when it is there)."""
    try:
        import pandas as pd
    except ImportError:
        return {"error": "pandas is not installed"}
    cols = ["crossed_on", "post", "direction", "nationality_group"]
    t0 = time.perf_counter()
    try:
        df = pd.read_csv(spec["csv"], usecols=cols, dtype="string", engine="pyarrow")
        engine = "pyarrow"
    except (ImportError, ValueError):
        df = pd.read_csv(spec["csv"], usecols=cols, dtype="string")
        engine = "c"
    df["month"] = df["crossed_on"].str.slice(0, 7)
    counts = df.groupby(["month", "post", "direction", "nationality_group"], observed=True).size()
    t1 = time.perf_counter()
    return {"total_s": round(t1 - t0, 3), "rows_counted": int(counts.sum()), "groups": len(counts),
            "engine": engine, "pandas": pd.__version__, **_peak_mb()}


def add_quarterly(root: Path, slug: str = "bench-crossings") -> None:
    """A second dataset over the same records: the monthly table by quarter instead."""
    text = (root / "data" / f"{slug}.yaml").read_text(encoding="utf-8")
    text = text.replace("name: month\n", "name: quarter\n", 1).replace("derive: month", "derive: quarter")
    text = text.replace("x: month", "x: quarter")
    (root / "data" / f"{slug}-quarterly.yaml").write_text(text, encoding="utf-8")


def worker_joint(spec: dict[str, Any]) -> dict[str, Any]:
    """The joint disclosure audit at scale (issue 14 item 8): a monthly and a quarterly table over
    the same records, two releases (1.0.0 frozen, then 1.0.1 audited together with it) and the
    region packages of the second, timed step by step from the CSV to the published bytes."""
    from types import SimpleNamespace

    from lintas.datasets.aggregate import aggregate
    from lintas.datasets.disclosure import Rule, structural_cells
    from lintas.datasets.joint import current_view, frozen_view, joint_protect, protected_of
    from lintas.datasets.load import load_datasets
    from lintas.datasets.nested import protect_all
    from lintas.datasets.outputs import dataset_files
    from lintas.datasets.packages import region_files, region_parts

    root = Path(spec["root"])
    add_quarterly(root)
    datasets, problems = load_datasets(root, dt.date.fromisoformat(spec["today"]))
    if problems or len(datasets) != 2:
        return {"error": "; ".join(str(p) for p in problems[:3]) or "datasets missing"}
    t0 = time.perf_counter()
    tables = {}
    for ds in datasets:
        table, found = aggregate(ds, {})
        if table is None:
            return {"error": "; ".join(str(p) for p in found[:3])}
        tables[ds.slug] = table
    t1 = time.perf_counter()

    cpu: dict[str, float] = {"protect_cpu_s": 0.0, "joint_audit_cpu_s": 0.0}

    def release(frozen: dict[str, dict[str, bytes]], version: str) -> tuple[dict[str, Any], Any]:
        started = time.process_time()
        rules = {}
        for ds in datasets:
            d = ds.definition.disclosure
            rules[ds.slug] = Rule(d.k, d.rounding, d.zeros or "suppressed",
                                  structural_cells(tables[ds.slug], d.structural_zeros))
        protected = protect_all({ds.slug: (tables[ds.slug], rules[ds.slug], ds.definition.dimensions[0].derive)
                                 for ds in datasets}, verify=False)
        cpu["protect_cpu_s"] += time.process_time() - started
        views = [current_view(ds.slug, version, ds.definition.dimensions, protected[ds.slug])
                 for ds in datasets]
        for ds in datasets:
            if ds.slug in frozen:
                view = frozen_view(ds.slug, "1.0.0", frozen[ds.slug], ds.definition.dimensions,
                                   ds.definition.measure.name)
                if view is not None:
                    views.append(view)
        started = time.process_time()
        result = joint_protect(views, {})
        cpu["joint_audit_cpu_s"] += time.process_time() - started
        by_slug = {v.slug: v for v in result.views if v.current}
        final = {ds.slug: protected_of(by_slug[ds.slug], protected[ds.slug]) for ds in datasets}
        return final, result

    first, result1 = release({}, "1.0.0")
    files1 = {ds.slug: dataset_files(ds, first[ds.slug]) for ds in datasets}
    t2 = time.perf_counter()
    second, result2 = release(files1, "1.0.1")
    files2 = {ds.slug: dataset_files(ds, second[ds.slug]) for ds in datasets}
    # Region packages: the synthetic posts spread over the regions of data/regions.yaml.
    codes = [r.code for r in datasets[0].regions.regions if len(r.code) == 4]
    posts = [c.code for c in datasets[0].definition.dimensions[1].codes]
    site = SimpleNamespace(posts={p: SimpleNamespace(region=codes[i % len(codes)])
                                  for i, p in enumerate(posts)}, organisations={})
    for ds in datasets:
        ds.definition.spatial[:] = codes
    packages: dict[str, bytes] = {}
    for code, parts in region_parts(datasets, site, second).items():  # type: ignore[arg-type]
        packages.update(region_files(code, code, parts, second))
    t3 = time.perf_counter()
    hidden = {slug: len(p.suppressed) for slug, p in second.items()}
    widths = [hi - lo for ivs in result2.intervals.values() for lo, hi in ivs.values()]
    return {"aggregate_s": round(t1 - t0, 3), "first_release_s": round(t2 - t1, 3),
            "second_release_s": round(t3 - t2, 3), "total_s": round(t3 - t0, 3),
            "tables": len(datasets), "cells": sum(len(t.values) for t in tables.values()),
            "hidden": hidden, "failures": len(result1.failures) + len(result2.failures),
            "relations": result2.relations, "narrowest_width": min(widths) if widths else None,
            "region_packages": len({p.split("/")[2] for p in packages}),
            **{name: round(value, 3) for name, value in cpu.items()},
            "bytes": sum(len(b) for f in files2.values() for b in f.values()) + sum(map(len, packages.values())),
            **_peak_mb()}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "build": worker_build, "profile": worker_profile, "agg_lintas": worker_agg_lintas,
    "agg_duckdb": worker_agg_duckdb, "agg_pandas": worker_agg_pandas, "joint": worker_joint,
}


# ------------------------------------------------------------------------------- runner


def _median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The median of the runs without an error (ranked by `key`), with every run's `key` in
    `runs_s`; the last run when all failed."""
    good = sorted((r for r in runs if "error" not in r), key=lambda r: r[key])
    if not good:
        return runs[-1]
    median = dict(good[len(good) // 2])
    median["runs_s"] = [r[key] for r in runs if key in r]
    return median


class Runner:
    def __init__(self, out: Path, log: Callable[[str], None]) -> None:
        self.out = out
        self.logs = out / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.count = 0

    def worker(self, name: str, spec: dict[str, Any], timeout: float = 7200) -> dict[str, Any]:
        """Run one worker in a fresh process; its result, or {'error': ...}."""
        self.count += 1
        result_path = self.logs / f"{self.count:02d}-{name}.json"
        log_path = self.logs / f"{self.count:02d}-{name}.log"
        cmd = [PYTHON, str(Path(__file__).resolve()), "--worker", name, "--spec", json.dumps(spec),
               "--result", str(result_path)]
        started = time.perf_counter()
        with log_path.open("w", encoding="utf-8") as fh:
            try:
                proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout,
                                      cwd=REPO, check=False)
            except subprocess.TimeoutExpired:
                return {"error": f"timed out after {timeout:.0f} s (log: {log_path})"}
        if proc.returncode != 0 or not result_path.is_file():
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            return {"error": f"exit {proc.returncode}: {' | '.join(tail)} (log: {log_path})"}
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        result["process_s"] = round(time.perf_counter() - started, 3)
        return result

    def interleaved(self, jobs: list[tuple[str, dict[str, Any], str]], rounds: int) -> list[dict[str, Any]]:
        """Run each job once per round, in turn, so that a slow spell of a shared machine hits every
        job alike; the median run of each job, with its runs and the per-round ratio to the last
        job (the baseline) in `paired_ratios`."""
        runs: list[list[dict[str, Any]]] = [[] for _ in jobs]
        for _ in range(max(1, rounds)):
            for i, (name, spec, _key) in enumerate(jobs):
                runs[i].append(self.worker(name, spec))
        base_key = jobs[-1][2]
        out = []
        for (_name, _spec, key), job_runs in zip(jobs, runs, strict=True):
            median = _median_run(job_runs, key)
            if "error" not in median:
                median["paired_ratios"] = [round(r[key] / b[base_key], 3)
                                           for r, b in zip(job_runs, runs[-1], strict=True)
                                           if key in r and b.get(base_key)]
            out.append(median)
        return out

    def repeated(self, name: str, spec: dict[str, Any], repeat: int, key: str = "total_s",
                 prepare: Callable[[], None] | None = None) -> dict[str, Any]:
        """Run once; when that was short, run `repeat` times in all and keep the median run."""
        runs = []
        for i in range(max(1, repeat)):
            if prepare is not None:
                prepare()
            result = self.worker(name, spec)
            runs.append(result)
            if "error" in result or (i == 0 and result.get(key, 0) >= REPEAT_BELOW_S):
                break
        return _median_run(runs, key)


def bare_mkdocs(trees: Path, variant: str) -> dict[str, Any]:
    """`mkdocs build` of one variant's trees, the languages side by side as our renderer runs them."""
    configs = sorted((trees / variant).glob("*/mkdocs.yml"))
    if not configs:
        return {"error": f"no {variant} trees were captured"}
    for cfg in configs:
        shutil.rmtree(cfg.parent / "site", ignore_errors=True)
    errors = []
    with TreeSampler() as sampler:
        started, cpu0 = time.perf_counter(), _children_cpu()
        procs = [subprocess.Popen([MKDOCS, "build", "-q", "-f", str(cfg)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for cfg in configs]
        for proc in procs:
            _out, err = proc.communicate()
            if proc.returncode != 0:
                errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}")
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - cpu0
    pages = sum(1 for cfg in configs for _ in (cfg.parent / "site").rglob("*.html"))
    out: dict[str, Any] = {"total_s": round(seconds, 3), "cpu_s": round(cpu, 3), "html_pages": pages,
                           "langs": len(configs),
                           "peak_child_rss_mb": sampler.report()["peak_child_rss_mb"]}
    if errors:
        out["error"] = "; ".join(errors)
    return out


def copy_sample(out: Path) -> Path:
    """The repository's sample project (content, data, templates, releases), copied afresh."""
    root = out / "sample"
    shutil.rmtree(root, ignore_errors=True)
    for name in ("content", "data", "templates", "releases"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, root / name)
    return root


def measure_check(root: Path, repeat: int) -> dict[str, Any]:
    """`build.py check` as staff run it: a fresh process, wall time from start to exit."""
    runs = []
    for _ in range(max(1, repeat)):
        started, cpu0 = time.perf_counter(), _children_cpu()
        proc = subprocess.run([PYTHON, str(REPO / "build.py"), "--root", str(root), "check"],
                              capture_output=True, text=True, cwd=REPO, check=False)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
        runs.append({"total_s": round(seconds, 3), "cpu_s": round(_children_cpu() - cpu0, 3)})
    return _median_run(runs, "total_s")


def _children_cpu() -> float:
    """CPU seconds of the child processes waited for so far (user + system)."""
    t = os.times()
    return t.children_user + t.children_system


def bare_repeated(trees: Path, variant: str, repeat: int) -> dict[str, Any]:
    runs = [bare_mkdocs(trees, variant)]
    while len(runs) < repeat and "error" not in runs[0] and runs[0]["total_s"] < REPEAT_BELOW_S:
        runs.append(bare_mkdocs(trees, variant))
    return _median_run(runs, "total_s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return str(resp.read().decode("utf-8", errors="replace"))
    except OSError:
        return None


def measure_serve(root: Path, today: str, log_path: Path, timeout: float) -> dict[str, Any]:
    """Start the real `build.py serve`, edit one file, poll the page until the edit shows, then wait
    for serve to finish updating the rest of the site."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/{TOUCHED_KIND}/{TOUCHED_ID}/"
    cmd = [PYTHON, str(REPO / "build.py"), "--root", str(root), "--today", today, "serve",
           "--port", str(port)]

    def logged(pattern: str) -> list[float]:
        return [float(x) for x in re.findall(pattern, log_path.read_text(encoding="utf-8", errors="replace"))]

    with log_path.open("w", encoding="utf-8") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO)
        done = None
        try:
            first = None
            while time.perf_counter() - started < timeout and proc.poll() is None:
                # Served, and serve ready for edits (it logs the build once it can patch the site).
                page = _fetch(url)
                if page is not None and "Pengumuman 1" in page and logged(r"serve: rebuilt in ([0-9.]+) s"):
                    first = time.perf_counter() - started
                    break
                time.sleep(0.2)
            if first is None:
                return {"error": f"the first build was not served within {timeout:.0f} s "
                                 f"(exit {proc.poll()}, log: {log_path})"}
            time.sleep(1.0)  # let the watcher settle after the first build
            marker = f"bench-{int(time.time())}"
            edited = time.perf_counter()
            touch_one_file(root, marker)
            shown = None
            while time.perf_counter() - edited < timeout and proc.poll() is None:
                page = _fetch(url)
                if page is not None and marker in page:
                    shown = time.perf_counter() - edited
                    break
                time.sleep(0.05)
            while shown is not None and time.perf_counter() - edited < timeout and proc.poll() is None:
                if logged(r"serve: site updated in ([0-9.]+) s") or logged(r"serve: rebuilt in ([0-9.]+) s")[1:]:
                    done = time.perf_counter() - edited
                    break
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGINT)  # serve stops cleanly on Ctrl+C
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    rebuilds = logged(r"serve: rebuilt in ([0-9.]+) s")
    if shown is None:
        return {"error": f"the edit was not shown within {timeout:.0f} s (log: {log_path})",
                "first_build_s": round(first, 3)}
    own = logged(r"shown after ([0-9.]+) s")
    rest = logged(r"serve: site updated in ([0-9.]+) s")
    return {"first_build_s": round(first, 3), "edit_to_visible_s": round(shown, 3),
            "serve_shown_after_s": own[-1] if own else None,
            "serve_site_updated_s": rest[-1] if rest else None,
            "edit_to_site_updated_s": round(done, 3) if done is not None else None,
            "serve_full_rebuilds": len(rebuilds)}


def prepare_rows(out: Path, rows: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """A project folder holding only the record-level dataset of `rows` rows (cached by size/seed)."""
    posts = max(3, min(corpus_mod.ROW_POSTS, rows // 250_000))
    root = out / f"rows-{rows}-s{seed}-p{posts}"
    done = root / ".complete"
    info: dict[str, Any] = {"rows": rows, "posts": posts, "root": str(root)}
    if not done.is_file():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        corpus_mod.write_dataset(root, tuple(corpus_mod.ids("posts", posts)), rows, seed)
        info["generate_s"] = round(time.perf_counter() - started, 3)
        done.write_text(json.dumps(info), encoding="utf-8")
    else:
        info = json.loads(done.read_text(encoding="utf-8"))
    csv = root / "data" / "tables" / "bench-crossings.csv"
    info["csv"] = str(csv)
    info["csv_mb"] = round(csv.stat().st_size / 1e6, 1)
    return root, info


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in
                      Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    mem = 0.0
    with contextlib.suppress(OSError, StopIteration, ValueError):
        mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal"))) / 1024 / 1024
    versions = {}
    for dist in ("mkdocs", "mkdocs-material", "duckdb", "pandas", "scipy", "Markdown"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[dist] = version(dist)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True, check=False).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": model, "memory_gb": round(mem, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "versions": versions, "git_commit": commit}


def _get(d: dict[str, Any], *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _ratio(a: Any, b: Any) -> float | None:
    return round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else None


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issues 8 and 18 with the figure of this run; met is None when not measured."""
    r = report["ratios"]
    agg = report["aggregation"]
    lintas = agg.get("lintas", {})
    rows_ok = agg.get("rows") == 10_000_000
    out = []

    def add(name: str, value: Any, target: str, ok: bool | None, note: str = "") -> None:
        out.append({"name": name, "value": value, "target": target, "met": ok, "note": note})

    n_note = "" if report["n"] == 2000 else f"measured at N = {report['n']}, not 2,000"
    add("sample site: full build / bare mkdocs of its online trees", r.get("sample_vs_bare"),
        f"<= {MAX_BUILD_VS_BARE:g}", None if r.get("sample_vs_bare") is None else r["sample_vs_bare"] <= MAX_BUILD_VS_BARE,
        f"in CPU seconds {_fmt(r.get('sample_vs_bare_cpu'))}")
    add("N: full build / bare mkdocs of its online trees", r.get("build_vs_bare"),
        f"<= {MAX_BUILD_VS_BARE:g} at N = 2,000 (stretch 2)",
        None if r.get("build_vs_bare") is None or report["n"] != 2000 else r["build_vs_bare"] <= MAX_BUILD_VS_BARE,
        "; ".join(x for x in (n_note, f"in CPU seconds {_fmt(r.get('build_vs_bare_cpu'))}") if x))
    check_s = _get(report, "sample", "check", "total_s")
    add("build.py check on the sample site, s", check_s, f"<= {MAX_CHECK_S:g} s",
        None if check_s is None else check_s <= MAX_CHECK_S,
        f"CPU {_fmt(_get(report, 'sample', 'check', 'cpu_s'))} s")
    add("time(4N) / time(N)", r.get("scaling_4n"), f"<= {MAX_SCALING}",
        None if r.get("scaling_4n") is None else r["scaling_4n"] <= MAX_SCALING)
    add("aggregation / direct DuckDB", r.get("agg_vs_duckdb"), f"<= {MAX_AGG_RATIO}",
        None if r.get("agg_vs_duckdb") is None else r["agg_vs_duckdb"] <= MAX_AGG_RATIO)
    # Counting, suppression, the publisher's audit and the files: everything up to what is published.
    seconds = lintas.get("total_s") if "error" not in lintas and lintas else None
    note = "" if rows_ok else f"measured at {agg.get('rows')} rows, not 10 million"
    add("aggregation + disclosure control + audit, seconds", seconds, f"< {MAX_AGG_S:.0f} s at 10M rows",
        None if seconds is None or not rows_ok else seconds < MAX_AGG_S, note)
    peak = lintas.get("peak_rss_mb") if lintas and "error" not in lintas else None
    add("aggregation + disclosure control, peak RSS MB", peak, f"< {MAX_AGG_MB:.0f} MB at 10M rows",
        None if peak is None or not rows_ok else peak < MAX_AGG_MB, note)
    serve = report.get("serve", {})
    visible = serve.get("edit_to_visible_s")
    add("serve: one-file edit visible, s", visible, f"< {MAX_SERVE_S:.0f} s at N = 2,000",
        None if visible is None or report["n"] != 2000 else visible < MAX_SERVE_S, n_note)
    quick = report.get("harness_s") if report.get("quick") else None
    add("bench/run.py --quick, s (the whole harness)", quick, f"< {MAX_QUICK_S:g} s",
        None if quick is None or not report.get("complete") else quick < MAX_QUICK_S,
        "" if report.get("quick") else "not a --quick run")
    return out


def _median(values: list[float] | None) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def ratios(report: dict[str, Any]) -> dict[str, Any]:
    builds = report["builds"]
    base = _get(builds, "N", "total_s")
    bare_online = _get(report, "bare_mkdocs", "online", "total_s")
    out: dict[str, Any] = {
        "scaling_2n": _ratio(_get(builds, "2N", "total_s"), base),
        "scaling_4n": _ratio(_get(builds, "4N", "total_s"), base),
        "cpu_scaling_4n": _ratio(_get(builds, "4N", "cpu_s"), _get(builds, "N", "cpu_s")),
        # Our build (one render, the offline bundle made from it) against bare MkDocs of the online
        # trees it rendered: of the sample site and of the N corpus.
        "sample_vs_bare": _ratio(_get(report, "sample", "build", "total_s"), _get(report, "sample", "bare", "total_s")),
        "build_vs_bare": _ratio(base, bare_online),
        "online_vs_bare": _ratio(_get(report, "online_build", "total_s"), bare_online),
        # The same in CPU seconds (the process and those it waited for): less moved by other work
        # on a shared machine than wall time.
        "sample_vs_bare_cpu": _ratio(_get(report, "sample", "build", "cpu_s"), _get(report, "sample", "bare", "cpu_s")),
        "build_vs_bare_cpu": _ratio(_get(builds, "N", "cpu_s"), _get(report, "bare_mkdocs", "online", "cpu_s")),
        "render_vs_bare": _ratio(_get(builds, "N", "stages", "render", "s"), bare_online),
        "agg_vs_duckdb": _median(_get(report, "aggregation", "lintas", "paired_ratios")),
        "pandas_vs_duckdb": _ratio(_get(report, "aggregation", "pandas", "total_s"),
                                   _get(report, "aggregation", "duckdb", "total_s")),
    }
    stage_scaling = {}
    for stage in (*TOP_STAGES, *NESTED_STAGES, "other"):
        ratio = _ratio(_get(builds, "4N", "stages", stage, "s"), _get(builds, "N", "stages", stage, "s"))
        if ratio is not None:
            stage_scaling[stage] = ratio
    out["stage_scaling_4n"] = stage_scaling
    return out


# ------------------------------------------------------------------------------- report


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [f"# Lintas benchmark — {report['date']}", "",
             f"Machine: {m['cpus']} CPU ({m['cpu']}), {m['memory_gb']} GB RAM, Python {m['python']}; "
             f"commit {m['git_commit']}; MkDocs {m['versions'].get('mkdocs')}, Material "
             f"{m['versions'].get('mkdocs-material')}, DuckDB {m['versions'].get('duckdb')}.",
             f"Corpus: N = {report['n']} entities (seed {report['seed']}); aggregation: "
             f"{report['aggregation'].get('rows'):,} record rows."
             + ("" if report.get("complete") else " **Run incomplete: figures so far.**"), "",
             "## Targets", "", "| Figure | This run | Target | Met |", "|---|---|---|---|"]
    for t in report["targets"]:
        met = "not measured" if t["met"] is None else ("yes" if t["met"] else "**no**")
        value = t["value"]
        lines.append(f"| {t['name']} | {_fmt(value)} | {t['target']} | {met}{' — ' + t['note'] if t['note'] else ''} |")
    lines += ["", "## Builds at N, 2N, 4N (full `pipeline.build`, seconds per stage)", ""]
    scales = [s for s in ("N", "2N", "4N") if s in report["builds"]]
    header = "| Stage | " + " | ".join(f"{s} = {report['builds'][s].get('n', '?')}" for s in scales) + " | 4N/N |"
    lines += [header, "|---" * (len(scales) + 2) + "|"]
    for stage in (*TOP_STAGES, "other", *NESTED_STAGES):
        cells = [_get(report["builds"][s], "stages", stage, "s") for s in scales]
        if all(c is None for c in cells):
            continue
        name = stage if stage in (*TOP_STAGES, "other") else f"  ↳ {stage}"
        if stage in CONCURRENT_STAGES:
            name += " (concurrent with bundle and linkcheck)"
        lines.append(f"| {name} | " + " | ".join(_fmt(c) for c in cells) + " | "
                     + _fmt(report["ratios"]["stage_scaling_4n"].get(stage)) + " |")
    for label, key in (("**total**", "total_s"), ("runs (s)", "runs_s"),
                       ("CPU seconds (build + its child processes)", "cpu_s"), ("HTML pages", "html_pages"),
                       ("peak RSS, build process MB", "peak_rss_mb"),
                       ("peak RSS, largest child process MB", "peak_child_rss_mb"),
                       ("peak RSS, whole process tree MB", "peak_tree_rss_mb")):
        cells = [_get(report["builds"][s], key) for s in scales]
        ratio = {"total_s": report["ratios"].get("scaling_4n"),
                 "cpu_s": report["ratios"].get("cpu_scaling_4n")}.get(key)
        lines.append(f"| {label} | " + " | ".join(_fmt(c) for c in cells) + f" | {_fmt(ratio)} |")
    errors = {s: report["builds"][s].get("error") or report["builds"][s].get("errors") for s in scales}
    lines += [f"\nBuild problems at {s}: {e}" for s, e in errors.items() if e]
    if report.get("scaling_only"):
        return "\n".join(lines) + "\n\nScaling only (`--scaling-only`): no aggregation, bare MkDocs or serve.\n"
    bare = report["bare_mkdocs"]
    sample = report.get("sample", {})
    lines += ["", "## (a) Our build against bare `mkdocs build` of its online trees", "",
              "| Run | Seconds | HTML pages |", "|---|---|---|",
              f"| sample site: `build.py check` (fresh process; CPU {_fmt(_get(sample, 'check', 'cpu_s'))} s) | {_fmt(_get(sample, 'check', 'total_s'))} | |",
              f"| sample site: our full build (online site + offline bundle) | {_fmt(_get(sample, 'build', 'total_s'))} | {_fmt(_get(sample, 'build', 'html_pages'))} |",
              f"| sample site: bare mkdocs, online trees (2 languages in parallel) | {_fmt(_get(sample, 'bare', 'total_s'))} | {_fmt(_get(sample, 'bare', 'html_pages'))} |",
              f"| N: our full build (online site + offline bundle) | {_fmt(_get(report, 'builds', 'N', 'total_s'))} | {_fmt(_get(report, 'builds', 'N', 'html_pages'))} |",
              f"| N: our build without the bundle (`bundle=False`) | {_fmt(_get(report, 'online_build', 'total_s'))} | {_fmt(_get(report, 'online_build', 'html_pages'))} |",
              f"| N: bare mkdocs, online trees (2 languages in parallel) | {_fmt(_get(bare, 'online', 'total_s'))} | {_fmt(_get(bare, 'online', 'html_pages'))} |",
              "", f"Full build / bare: sample {_fmt(report['ratios'].get('sample_vs_bare'))} (CPU seconds "
              f"{_fmt(report['ratios'].get('sample_vs_bare_cpu'))}), N "
              f"{_fmt(report['ratios'].get('build_vs_bare'))} (CPU seconds "
              f"{_fmt(report['ratios'].get('build_vs_bare_cpu'))}; without the bundle "
              f"{_fmt(report['ratios'].get('online_vs_bare'))}); our render stage alone / bare = "
              f"{_fmt(report['ratios'].get('render_vs_bare'))}. The bare runs leave out the offline "
              "bundle's search dialog and index marks, which our render adds (decision 14)."]
    agg = report["aggregation"]
    lines += ["", f"## (b) Aggregation of {agg.get('rows'):,} record rows ({agg.get('csv_mb')} MB CSV, "
              f"{agg.get('posts')} posts)", "",
              "| Method | Seconds | Peak RSS MB | Rows counted | Note |", "|---|---|---|---|---|"]
    for name, label in (("lintas", "lintas.datasets aggregate()"), ("duckdb", "direct DuckDB SQL"),
                        ("pandas", "pandas read_csv + groupby")):
        r = agg.get(name, {})
        seconds = r.get("aggregate_s", r.get("total_s"))
        note = r.get("error", "")
        if name == "lintas" and "error" not in r:
            note = (f"then disclosure {_fmt(r.get('disclosure_s'))} s + audit {_fmt(r.get('audit_s'))} s "
                    f"+ files {_fmt(r.get('files_s'))} s; {r.get('primary')} primary + "
                    f"{r.get('secondary')} secondary suppressions of {r.get('cells')} cells; "
                    f"peak during aggregate {_fmt(r.get('aggregate_peak_rss_mb'))} MB")
        elif name == "pandas" and "error" not in r:
            note = f"engine {r.get('engine')}, pandas {r.get('pandas')}"
        lines.append(f"| {label} | {_fmt(seconds)} | {_fmt(r.get('peak_rss_mb'))} | "
                     f"{_fmt(r.get('rows_counted'))} | {note} |")
    lines += ["", f"Ratios: ours / DuckDB = {_fmt(report['ratios'].get('agg_vs_duckdb'))} (median of the "
              f"rounds, ours and DuckDB in turn: {_get(agg, 'lintas', 'paired_ratios')}); "
              f"pandas / DuckDB = {_fmt(report['ratios'].get('pandas_vs_duckdb'))}."]
    serve, rebuild = report.get("serve", {}), report.get("rebuild", {})
    lines += ["", f"## (c) Preview after a one-file edit (N = {report['n']})", "",
              f"- Rebuild after touching one file (`pipeline.build`, fresh process): "
              f"{_fmt(rebuild.get('total_s'))} s{' — ' + str(rebuild.get('error')) if rebuild.get('error') else ''}",
              f"- Real `build.py serve`: first build served after {_fmt(serve.get('first_build_s'))} s; "
              f"edit visible after {_fmt(serve.get('edit_to_visible_s'))} s "
              f"(serve's own figure: {_fmt(serve.get('serve_shown_after_s'))} s); the rest of the site "
              f"(other pages, API, feeds, search index) updated after "
              f"{_fmt(serve.get('edit_to_site_updated_s'))} s; full rebuilds after the edit: "
              f"{max(0, (serve.get('serve_full_rebuilds') or 1) - 1)}"
              + (f" — {serve['error']}" if serve.get("error") else "")]
    if report.get("profile"):
        lines += ["", f"cProfile of one build at N (languages rendered in-process): `{report['profile']}`"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- main


def corpus_at_factory(args: argparse.Namespace, out: Path, report: dict[str, Any],
                      log: Callable[[str], None]) -> Callable[[str, int], Path]:
    def corpus_at(label: str, n: int) -> Path:
        root = out / f"corpus-{n}"
        t0 = time.perf_counter()
        info = corpus_mod.generate(root, n, args.seed)
        report["corpus"][label] = {"n": n, "counts": info.counts, "files": info.files,
                                   "generate_s": round(time.perf_counter() - t0, 3)}
        log(f"corpus {label}: {n} entities in {root}")
        return root

    return corpus_at


def scaling(args: argparse.Namespace, runner: Runner, report: dict[str, Any],
            corpus_at: Callable[[str, int], Path], today: str, log: Callable[[str], None],
            save: Callable[[], None], labels: tuple[str, ...] = ("N", "2N", "4N")) -> None:
    """Full builds at each size, `--scaling-repeat` times; the fastest is kept (on a shared
    machine noise only adds time), with every run's seconds beside it."""
    for label in labels:
        n = args.n * {"N": 1, "2N": 2, "4N": 4}[label]
        root = corpus_at(label, n)
        spec = {"root": str(root), "site_dir": str(root / "site"), "today": today}
        runs = [runner.worker("build", spec) for _ in range(max(1, args.scaling_repeat))]
        good = sorted((r for r in runs if "error" not in r), key=lambda r: r["total_s"])
        best = dict(good[0]) if good else runs[-1]
        best["runs_s"] = [r.get("total_s") for r in runs]
        best["runs_cpu_s"] = [r.get("cpu_s") for r in runs]
        report["builds"][label] = {**best, "n": n}
        log(f"build {label}: {best.get('runs_s')} s (cpu {best.get('runs_cpu_s')}) {best.get('error', '')}")
        save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="entities in the base corpus (default 2000)")
    parser.add_argument("--rows", type=int, default=10_000_000, help="record rows to aggregate")
    parser.add_argument("--quick", action="store_true", help="tiny run to prove the harness works (N=20, 20,000 rows)")
    parser.add_argument("--seed", type=int, default=corpus_mod.SEED)
    parser.add_argument("--rounds", type=int, default=5,
                        help="runs of the sub-second measurements (check, aggregation), median kept (default 5)")
    parser.add_argument("--repeat", type=int, help="runs of short measurements, median kept (default 3; 1 with --quick)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--no-serve", action="store_true", help="skip the real `serve` loop")
    parser.add_argument("--profile", action="store_true", help="also cProfile one build")
    parser.add_argument("--profile-n", type=int, help="corpus size of the profiled build (default N)")
    parser.add_argument("--serve-timeout", type=float,
                        help="seconds to wait for serve's first build and for the edit (default 1800; "
                             "120 with --quick, so a site serve cannot build fails the run, not hangs it)")
    parser.add_argument("--scaling-only", action="store_true",
                        help="only the builds at N, 2N and 4N (no aggregation, bare MkDocs or serve)")
    parser.add_argument("--scaling-repeat", type=int, default=1,
                        help="builds at each of N, 2N, 4N for the growth figure (fastest kept)")
    parser.add_argument("--joint-only", action="store_true",
                        help="only the joint disclosure audit at --rows (two tables, two releases, "
                             "region packages)")
    parser.add_argument("--hostile-only", action="store_true",
                        help="only issue 13's bounded-cost run: the sample build, then check and build "
                             "of each ~1 MiB pathological input (bench/hostile.py)")
    parser.add_argument("--hostile-case", action="append",
                        help="with --hostile-only: only the cases whose name contains this (repeatable)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # The builds measured here render the languages in parallel, as on a quiet machine, whatever
    # the load average says as the harness runs (lintas.site.renderer.render_in_parallel).
    os.environ.setdefault("LINTAS_RENDER_JOBS", "2")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.serve_timeout is None:
        args.serve_timeout = 120.0 if args.quick else 1800.0
    if args.worker:
        result = WORKERS[args.worker](json.loads(args.spec))
        Path(args.result).write_text(json.dumps(result), encoding="utf-8")
        return 0
    if args.quick:
        # Under a minute: one run of each measurement unless --repeat says otherwise.
        args.n, args.rows = (20 if args.n == 2000 else args.n), (20_000 if args.rows == 10_000_000 else args.rows)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {msg}", flush=True)

    runner = Runner(out, log)
    today = corpus_mod.TODAY.isoformat()
    report: dict[str, Any] = {"date": dt.date.today().isoformat(), "n": args.n, "seed": args.seed,
                              "quick": args.quick, "rounds": args.rounds, "machine": machine(), "corpus": {}, "builds": {}, "sample": {},
                              "bare_mkdocs": {}, "aggregation": {"rows": args.rows}}

    def save(final: bool = False) -> None:
        """Written after every step, so an interrupted run still leaves its figures."""
        report["harness_s"] = round(time.perf_counter() - started, 1)
        report["complete"] = final
        report["ratios"] = ratios(report)
        report["targets"] = targets(report)
        (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        (out / "report.md").write_text(markdown(report), encoding="utf-8")

    if args.hostile_only:
        import hostile

        found = hostile.run(out, log, TreeSampler, machine(), only=args.hostile_case)
        log(f"report: {out / 'hostile.md'}")
        print(hostile.markdown(found))
        return 0 if all(row["ok"] for row in hostile.verdicts(found)) else 1

    if args.joint_only:
        rows_root, rows_info = prepare_rows(out, args.rows, args.seed)
        joint_root = out / f"joint-{args.rows}"
        shutil.rmtree(joint_root, ignore_errors=True)
        shutil.copytree(rows_root / "data", joint_root / "data")
        report["joint_audit"] = {**rows_info, **runner.worker("joint", {"root": str(joint_root),
                                                                         "today": today})}
        log("joint audit: " + json.dumps(report["joint_audit"]))
        (out / "joint.json").write_text(json.dumps(report["joint_audit"], indent=2), encoding="utf-8")
        return 0

    if args.scaling_only:
        report["aggregation"]["rows"] = 0
        report["scaling_only"] = True
        scaling(args, runner, report, corpus_at_factory(args, out, report, log), today, log, save)
        save(final=True)
        print(markdown(report))
        return 0

    # (b) aggregation first: it does not depend on the corpus.
    rows_root, rows_info = prepare_rows(out, args.rows, args.seed)
    log(f"rows: {rows_info}")
    agg: dict[str, Any] = report["aggregation"]
    agg.update(rows_info)
    # Ours and the direct query take turns (--rounds, 5 by default): their ratio is the median of the
    # per-round ratios, so a slow spell on a shared machine does not land on one side only.
    agg["lintas"], agg["duckdb"] = runner.interleaved(
        [("agg_lintas", {"root": str(rows_root), "today": today}, "aggregate_s"),
         ("agg_duckdb", {"csv": rows_info["csv"]}, "total_s")], max(args.repeat, args.rounds))
    agg["pandas"] = runner.repeated("agg_pandas", {"csv": rows_info["csv"]}, args.repeat)
    log("aggregation: " + json.dumps({k: agg[k].get("aggregate_s", agg[k].get("total_s", agg[k].get("error")))
                                      for k in ("lintas", "duckdb", "pandas")}))
    save()

    trees = out / "trees"
    shutil.rmtree(trees, ignore_errors=True)

    # The sample site: `check`, the full build and bare MkDocs of its online trees.
    sample = copy_sample(out)
    report["sample"]["check"] = measure_check(sample, max(args.repeat, args.rounds))
    log(f"check (sample): {report['sample']['check'].get('total_s')} s")
    spec_sample = {"root": str(sample), "site_dir": str(sample / "site"), "today": dt.date.today().isoformat(),
                   "trees": str(trees / "sample")}
    if not args.quick:
        # Untimed: compiles bytecode and fills the disk cache, which only the first build pays.
        runner.worker("build", {**spec_sample, "trees": None})
    report["sample"]["build"] = runner.repeated("build", spec_sample, args.repeat)
    report["sample"]["bare"] = bare_repeated(trees / "sample", "online", args.repeat)
    log(f"sample: build {report['sample']['build'].get('total_s')} s, bare mkdocs "
        f"{report['sample']['bare'].get('total_s')} s")
    save()

    corpus_at = corpus_at_factory(args, out, report, log)

    # At N: the build (keeping its trees for the bare run), online only, bare mkdocs, one edit.
    root_n = corpus_at("N", args.n)
    spec = {"root": str(root_n), "site_dir": str(root_n / "site"), "today": today, "trees": str(trees / "corpus")}
    if args.n < 1000 and not args.quick:
        # Untimed: compiles bytecode and fills the disk cache, which only the first build pays;
        # at large N it is a small share of a build and not worth another build's time.
        warm = runner.worker("build", {**spec, "trees": None})
        report["warmup_s"] = warm.get("total_s", warm.get("error"))
        log(f"warm-up build: {report['warmup_s']}")
    report["builds"]["N"] = {**runner.repeated("build", spec, args.repeat), "n": args.n}
    log(f"build N: {report['builds']['N'].get('total_s')} s {report['builds']['N'].get('error', '')}")
    save()
    spec_online = {"root": str(root_n), "site_dir": str(out / "site-online"), "today": today, "bundle": False}
    report["online_build"] = runner.repeated("build", spec_online, args.repeat)
    log(f"online-only build N: {report['online_build'].get('total_s')} s")
    report["bare_mkdocs"] = {"online": bare_repeated(trees / "corpus", "online", args.repeat)}
    log(f"bare mkdocs: {json.dumps({k: v.get('total_s') for k, v in report['bare_mkdocs'].items()})}")
    save()
    spec_touch = {"root": str(root_n), "site_dir": str(root_n / "site"), "today": today, "touch": "rebuild"}
    report["rebuild"] = runner.worker("build", spec_touch)
    log(f"rebuild after one edit: {report['rebuild'].get('total_s')} s")
    if not args.no_serve:
        report["serve"] = measure_serve(root_n, today, out / "logs" / "serve.log", args.serve_timeout)
        log(f"serve: {report['serve']}")
    save()
    if args.profile:
        pn = args.profile_n or args.n
        root_p = root_n if pn == args.n else corpus_at("profile", pn)
        text = out / f"profile-{pn}.txt"
        prof = runner.worker("profile", {"root": str(root_p), "site_dir": str(out / "site-profile"),
                                         "today": today, "text": str(text)})
        report["profile"] = str(text) if "error" not in prof else prof["error"]
        log(f"profile: {report['profile']}")
        save()

    # (c) 2N and 4N, the longest last.
    scaling(args, runner, report, corpus_at, today, log, save, labels=("2N", "4N"))

    save(final=True)
    log(f"report: {out / 'report.md'}")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
