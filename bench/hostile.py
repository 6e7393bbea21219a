"""Bounded Markdown cost, measured (issue 13, item 5): `bench/run.py --hostile-only`.

"No source file of up to 1 MiB may make `check` or `build` take more than twice the sample build's
time or 1 GB." In one run: the sample `build.py build` (the baseline, before and after the cases),
then for each pathological input, written into a copy of the sample content as a ~1 MiB file in a
field an office editor can fill, `build.py check` and `build.py build`, each a fresh process,
with wall time and peak RSS. Peak RSS is the largest process of the command's tree
(`getrusage(RUSAGE_CHILDREN)` in a fresh meter process around the command; the meter itself adds
~10 MB at most) and the tree's sum (sampled every 50 ms). Where `check` refuses the file (exit 1,
`path:line:col: error[...]`), the check time is what counts and the build is refused: both shown.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
MAX_BYTES = 1 << 20  # lintas/content/yamlio.py: the size limit of a source file
MAX_RATIO = 2.0
MAX_MB = 1024.0
POST = "content/posts/plbn-wini.yaml"  # its body.en (Markdown) or name.en (plain text) is replaced
DATASET = "data/crossings-wini-annual.yaml"  # its description.en (Markdown)

# The meter: a fresh process that runs the command and reports the largest RSS among its children
# (RUSAGE_CHILDREN covers every process it waited for, grandchildren included once reaped).
METER = r"""
import json, os, resource, signal, subprocess, sys, time
spec = json.loads(sys.argv[1])
started = time.perf_counter()
proc = subprocess.Popen(spec["cmd"], cwd=spec["cwd"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, start_new_session=True)
try:
    _, err = proc.communicate(timeout=spec["timeout"])
    rc = proc.returncode
except subprocess.TimeoutExpired:
    os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    rc = None
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
lines = err.decode("utf-8", "replace").splitlines()
print(json.dumps({"rc": rc, "s": round(seconds, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                  "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
                  "errors": [l for l in lines if ": error[" in l][:3],
                  "n_errors": sum(": error[" in l for l in lines),
                  "n_warnings": sum(": warning[" in l for l in lines),
                  "traceback": any(l.startswith("Traceback") for l in lines),
                  "tail": lines[-2:]}))
"""


def measure(root: Path, command: str, timeout: float, sampler_cls: Any) -> dict[str, Any]:
    """`build.py --root ROOT COMMAND` in a fresh process: exit code, seconds, peak RSS."""
    spec = {"cmd": [PYTHON, str(REPO / "build.py"), "--root", str(root), command],
            "cwd": str(REPO), "timeout": timeout}
    with sampler_cls() as tree:
        proc = subprocess.run([PYTHON, "-c", METER, json.dumps(spec)], capture_output=True,
                              text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-500:]}
    result: dict[str, Any] = json.loads(proc.stdout)
    result["tree_rss_mb"] = tree.report()["peak_tree_rss_mb"]
    return result


# ------------------------------------------------------------------------------- the inputs


def _fill(unit: str, budget: int, head: str = "", tail: str = "") -> str:
    """`head` + `unit` repeated + `tail`, as long as fits in `budget` bytes once indented by 4 in a
    YAML block (each line costs 4 more bytes)."""
    def cost(s: str) -> int:
        return len(s.encode("utf-8")) + 4 * (s.count("\n") - s.count("\n\n"))

    n = max(0, (budget - cost(head) - cost(tail)) // max(1, cost(unit)))
    return head + unit * n + tail


def _growing(line: Callable[[int], str], budget: int, head: str = "") -> str:
    """Lines line(0), line(1), ... as many as fit in `budget` bytes once indented by 4."""
    parts, used, i = [head], len(head) + 4, 0
    while True:
        nxt = line(i)
        used += len(nxt.encode("utf-8")) + 4
        if used > budget:
            return "".join(parts)
        parts.append(nxt)
        i += 1


P = "Teks uji.\n\n"  # the first line of every body: plain, so the YAML block's indentation is 4
PROSE = "Pos lintas batas ini buka setiap hari; bawa paspor yang masih berlaku.\n\n"
LIST10 = "".join("    " * i + "- butir\n" for i in range(10)) + "\n"
QUOTE10 = "".join(">" * i + " kutipan\n" for i in range(1, 11)) + "\n"
ROW = "| Pos {i} | 12.345 | 6.789 | keterangan |\n"
BRACKETS = '"' + "[" * 200 + "\n\n"  # the shape at the paragraph limit
LINKS = "[PLBN Motaain](/posts/plbn-motaain/) " * 100 + "\n\n"
ABBR = "".join(f"*[AB{i}]: Singkatan {i}\n" for i in range(20)) + "\nAB1 AB2 AB3\n\n"

# name -> (field, make(budget) -> text, size). Fields: "body" (a post's body.en, Markdown), "name"
# and "summary" (its name.en and summary.en, plain text shown on many pages), "dataset" (a
# dataset's description.en, Markdown).
# Size "file": the text fills the file to ~1 MiB (the file size limit); "markdown": the largest
# text the file may hold (MAX_TEXT_PER_FILE, all its texts together), so it passes check and is built.
CASES: dict[str, tuple[str, Callable[[int], str], str]] = {
    # The inputs at full size: each past a limit, refused by check.
    "quote + '[' run (the issue's 20,000 '[')": ("body", lambda b: _fill("[", b, P + '"'), "file"),
    "'*a _' run": ("body", lambda b: _fill("*a _", b, P), "file"),
    "'<a ' run": ("body", lambda b: _fill("<a ", b, P), "file"),
    "list nested ~700 deep": ("body", lambda b: _growing(lambda i: "    " * i + "- x\n", b, P), "file"),
    "block quotes, growing '>'": ("body", lambda b: _growing(lambda i: ">" * (i + 1) + " x\n", b, P), "file"),
    "backtick run": ("body", lambda b: _fill("`", b, P), "file"),
    # Shapes within every per-paragraph limit, repeated to 1 MiB.
    "'[' x200 paragraphs": ("body", lambda b: _fill(BRACKETS, b, P), "file"),
    "same heading repeated": ("body", lambda b: _fill("## Jadwal\n\n", b, P), "file"),
    "abbreviation definitions": ("body", lambda b: _growing(
        lambda i: f"*[AB{i}]: Singkatan {i}\n" + ("\n" if i % 100 == 99 else ""), b, P + "AB1 AB2\n\n"), "file"),
    "one 1 MiB line of words": ("body", lambda b: _fill("kata ", b, P), "file"),
    "plain prose": ("body", lambda b: _fill(PROSE, b, P), "file"),
    "zero-width spaces in prose": ("body", lambda b: _fill("kata\u200b ", b, P), "file"),
    "1 MiB name (plain text)": ("name", lambda b: _fill("Pos ", b), "file"),
    "name of 500 characters (the limit)": ("name", lambda b: ("Pos " * 125)[:499], "markdown"),  # + its newline
    "summary as long as the file allows (plain text)": ("summary", lambda b: _fill("Pos lintas batas. ", b),
                                                        "markdown"),
    # The largest Markdown a file may hold, at every other limit: accepted and built.
    "5 paragraphs of '\"' + 200 '[', then prose": ("body", lambda b: _fill(PROSE, b, P + BRACKETS * 5), "markdown"),
    "1,000 links, then prose": ("body", lambda b: _fill(PROSE, b, P + LINKS * 10), "markdown"),
    "']' x200 paragraphs": ("body", lambda b: _fill("]" * 200 + "\n\n", b, P), "markdown"),
    "'*a _' x100 paragraphs": ("body", lambda b: _fill("*a _" * 100 + "\n\n", b, P), "markdown"),
    "'_' x400 paragraphs": ("body", lambda b: _fill("_" * 400 + "\n\n", b, P), "markdown"),
    "'`' x200 paragraphs": ("body", lambda b: _fill("`" * 200 + "\n\n", b, P), "markdown"),
    "100 '<a ', then prose": ("body", lambda b: _fill(PROSE, b, P + "<a " * 100 + "\n\n"), "markdown"),
    "lists 10 deep, repeated": ("body", lambda b: _fill(LIST10, b, P), "markdown"),
    "block quotes 10 deep, repeated": ("body", lambda b: _fill(QUOTE10, b, P), "markdown"),
    "code indented 10 levels": ("body", lambda b: _fill("    " * 10 + "kode\n", b, P), "markdown"),
    "table of ~3,000 rows": ("body", lambda b: _growing(
        lambda i: ROW.format(i=i), b, P + "| Pos | Berangkat | Datang | Catatan |\n|---|--:|--:|---|\n"), "markdown"),
    "same heading repeated (fits)": ("body", lambda b: _fill("## Jadwal\n\n", b, P), "markdown"),
    "20 abbreviations, then prose": ("body", lambda b: _fill(PROSE, b, P + ABBR), "markdown"),
    "admonitions repeated": ("body", lambda b: _fill('!!! note "Catatan"\n    Isi catatan.\n\n', b, P), "markdown"),
    "zero-width spaces in prose (fits)": ("body", lambda b: _fill("kata\u200b ", b, P), "markdown"),
    "plain prose (fits)": ("body", lambda b: _fill(PROSE, b, P), "markdown"),
    "dataset description: 5 x 200 '[', then prose": ("dataset", lambda b: _fill(
        PROSE, b, P + BRACKETS * 5), "markdown"),
}


def _replace_block(text: str, parent: str, key: str, value: str) -> str:
    """`parent:` / `  key: |` block replaced by `value` (indented by 4)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == f"{parent}:")
    at = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(f"  {key}:"))
    end = at + 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    block = "".join(("    " + line if line.strip() else "\n") for line in value.splitlines(keepends=True))
    if not block.endswith("\n"):
        block += "\n"
    return "".join([*lines[:at], f"  {key}: |\n", block, *lines[end:]])


def plant(root: Path, field: str, make: Callable[[int], str], size: str) -> tuple[str, int]:
    """Write the case into the copy at `root`; (file, its size in bytes)."""
    from lintas.content.sanitize import MAX_TEXT_PER_FILE

    rel = DATASET if field == "dataset" else POST
    path = root / rel
    text = path.read_text(encoding="utf-8")
    parent = {"name": "name", "summary": "summary", "dataset": "description"}.get(field, "body")
    placeholder = _replace_block(text, parent, "en", "X")
    if size == "file":
        budget = MAX_BYTES - len(placeholder.encode("utf-8")) - 64
        value = make(budget)
    else:  # the largest text the file may hold: every other text of the file counts too
        others = sum(len(t) for t in _strings(yaml.safe_load(placeholder))) - 1
        room = MAX_TEXT_PER_FILE - others - 64
        value = make(room)[:room]
    data = _replace_block(text, parent, "en", value).encode("utf-8")
    assert len(data) <= MAX_BYTES and (size != "file" or len(data) > MAX_BYTES - 16384), (rel, len(data))
    path.write_bytes(data)
    return rel, len(data)


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def copy_sample(dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    for name in ("content", "data", "templates", "releases"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    return dest


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def run(out: Path, log: Callable[[str], None], sampler_cls: Any, machine: dict[str, Any],
        only: list[str] | None = None, timeout_factor: float = 4.0) -> dict[str, Any]:
    """Every case; the report (also written to out/hostile.json and out/hostile.md)."""
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "machine": machine, "load_start": load(), "baseline": [], "cases": {}}
    sample = copy_sample(out / "hostile-sample")

    def baseline() -> None:
        shutil.rmtree(sample / "site", ignore_errors=True)
        result = measure(sample, "build", 3600, sampler_cls)
        report["baseline"].append(result)
        log(f"sample build (baseline): {result.get('s')} s, {result.get('max_rss_mb')} MB, "
            f"load {load()}")

    measure(sample, "check", 600, sampler_cls)  # untimed warm-up: bytecode and disk cache
    baseline()
    base_s = report["baseline"][0]["s"]
    timeout = max(60.0, timeout_factor * base_s)
    for name, (field, make, fit) in CASES.items():
        if only and not any(o in name for o in only):
            continue
        root = copy_sample(out / "hostile-case")
        rel, size = plant(root, field, make, fit)
        check = measure(root, "check", timeout, sampler_cls)
        build = measure(root, "build", timeout, sampler_cls)
        report["cases"][name] = {"file": rel, "field": field, "bytes": size, "check": check,
                                 "build": build, "load": load()}
        log(f"{name}: check rc {check.get('rc')} {check.get('s')} s {check.get('max_rss_mb')} MB; "
            f"build rc {build.get('rc')} {build.get('s')} s {build.get('max_rss_mb')} MB "
            f"{(check.get('errors') or [''])[0][:160]}")
        _save(out, report)
    baseline()
    report["load_end"] = load()
    shutil.rmtree(out / "hostile-case", ignore_errors=True)
    _save(out, report)
    return report


def _base(report: dict[str, Any], key: str = "s") -> float:
    """The baseline: the mean of the sample builds before and after the cases (wall seconds, or
    CPU seconds of the build and its child processes with key="cpu_s")."""
    runs = [r[key] for r in report["baseline"] if r.get("rc") == 0]
    return sum(runs) / len(runs) if runs else float("nan")


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    base = _base(report)
    rows = []
    for name, case in report["cases"].items():
        check, build = case["check"], case["build"]
        refused = check.get("rc") == 1 and check.get("n_errors", 0) > 0
        seconds = max(check.get("s") or 0, build.get("s") or 0)
        mb = max(check.get("max_rss_mb") or 0, build.get("max_rss_mb") or 0)
        timed_out = check.get("rc") is None or build.get("rc") is None
        # Accepted and built, or refused with a content error (path:line:col: error[...]).
        clean = all(r.get("rc") == 0 or (r.get("rc") == 1 and r.get("n_errors", 0) > 0) for r in (check, build))
        ok = (not timed_out and clean and not check.get("traceback") and not build.get("traceback")
              and seconds / base <= MAX_RATIO and mb <= MAX_MB and (not refused or build.get("rc") == 1))
        cpu = max(check.get("cpu_s") or 0, build.get("cpu_s") or 0)
        rows.append({"case": name, "refused": refused, "ratio": round(seconds / base, 2), "mb": mb,
                     "cpu_ratio": round(cpu / _base(report, "cpu_s"), 2), "ok": ok, "timed_out": timed_out})
    return rows


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    base = _base(report)
    lines = [f"Run {report['date']}, commit {m.get('git_commit')}, {m.get('cpus')} CPU ({m.get('cpu')}), "
             f"{m.get('memory_gb')} GB; load average {report['load_start']} at the start, "
             f"{report.get('load_end', '?')} at the end.", "",
             "Sample build (baseline): " + ", ".join(f"{r.get('s')} s ({r.get('cpu_s')} CPU s) / "
                                                     f"{r.get('max_rss_mb')} MB" for r in report["baseline"])
             + f"; mean {base:.1f} s, so the bound is {MAX_RATIO * base:.1f} s.", "",
             "| input | field | file KB | check | check s | build | build s | worst / sample build "
             "(wall; CPU) | peak RSS MB (largest process / tree) | within bounds |",
             "|---|---|--:|---|--:|---|--:|--:|--:|---|"]
    for row in verdicts(report):
        case = report["cases"][row["case"]]
        check, build = case["check"], case["build"]

        def outcome(r: dict[str, Any]) -> str:
            if r.get("rc") is None:
                return "**timed out**" if "error" not in r else "meter error"
            if r["rc"] == 0:
                return "ok" + (f", {r['n_warnings']} warnings" if r.get("n_warnings") else "")
            first = (r.get("errors") or [f"exit {r['rc']}"])[0]
            code = first.split("error[", 1)[1].split("]", 1)[0] if "error[" in first else first
            return f"refused `{code}`"

        lines.append(f"| {row['case']} | {case['field']} | {case['bytes'] // 1024} | {outcome(check)} | {check.get('s')} | "
                     f"{outcome(build)} | {build.get('s')} | {row['ratio']}; {row['cpu_ratio']} | "
                     f"{max(check.get('max_rss_mb') or 0, build.get('max_rss_mb') or 0)} / "
                     f"{max(check.get('tree_rss_mb') or 0, build.get('tree_rss_mb') or 0)} | "
                     f"{'yes' if row['ok'] else '**no**'} |")
    return "\n".join(lines) + "\n"


def _save(out: Path, report: dict[str, Any]) -> None:
    (out / "hostile.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if report["baseline"]:
        (out / "hostile.md").write_text(markdown(report), encoding="utf-8")
