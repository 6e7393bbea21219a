"""Search weight at national scale (issue 10): what a first visit transfers, and what a search adds.

Builds the synthetic corpus (bench/corpus.py) at N entities into a temporary project (online site,
both languages; the offline bundle is left out, it changes nothing online), serves it, and measures
in real Chromium with a cold cache, every response gzip-compressed the way bench/page_weight.py does:

- a content page of each kind (procedure, post, notice) and the search page without ?q=: every byte,
  and the bytes under /pagefind/ (must be 0: nothing of the search is loaded before a search);
- the search page with ?q=<query>: the same, once the results are shown (index chunks, fragments).

    .venv/bin/python bench/search_weight.py [--n 2000] [--out bench/out] [--keep DIR]

prints a table and writes bench/out/search-weight.{json,md}; exits 1 when a first visit to a content
page loads anything under /pagefind/ or exceeds FIRST_VISIT_BUDGET.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

import corpus as corpus_mod  # noqa: E402  (bench/ is not a package)
from page_weight import CHROMIUM_ARGS, serve, transfer_size  # noqa: E402

FIRST_VISIT_BUDGET = 100_000  # bytes, gzip (issue 10: a first visit stays within 100 KB)
QUERIES = {"id": "paspor", "en": "passport"}  # words every synthetic page kind uses
CONTENT_KINDS = {"procedure": "procedures/prosedur-00001/", "post": "posts/pos-00001/",
                 "notice": "notices/pengumuman-00001/"}


def build_corpus(root: Path, n: int) -> tuple[float, int]:
    """Generate the corpus at `root` and build its online site; (seconds, pages)."""
    from lintas.config import BuildConfig
    from lintas.pipeline import build

    corpus_mod.generate(root, n)
    start = time.perf_counter()
    result = build(BuildConfig.for_root(root, today=corpus_mod.TODAY), bundle=False)
    if not result.written:
        raise SystemExit("build failed:\n" + "\n".join(p.format() for p in result.problems[:20]))
    return time.perf_counter() - start, result.pages


def visit(browser: Any, url: str, wait_for: str | None = None) -> dict[str, int]:
    """Open `url` with a cold cache; bytes as transferred (gzip for text), all and under /pagefind/."""
    seen: dict[str, Any] = {}
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.on("response", lambda r: seen.setdefault(r.url, r))
        page.goto(url, wait_until="load")
        if wait_for:
            page.wait_for_selector(wait_for, timeout=30_000)
        page.wait_for_load_state("networkidle")
        total = search = requests = 0
        for u, response in seen.items():
            try:
                body = response.body()
            except Exception:  # redirects have no body
                continue
            size = transfer_size(body, response.headers.get("content-type", ""))
            total += size
            requests += 1
            if "/pagefind/" in u:
                search += size
        return {"bytes": total, "pagefind_bytes": search, "requests": requests}
    finally:
        context.close()


def measure(site: Path, chromium: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            for lang in ("id", "en"):
                prefix = "" if lang == "id" else "en/"
                for kind, path in CONTENT_KINDS.items():
                    out[f"{lang}:{kind}"] = visit(browser, f"{base}/{prefix}{path}")
                out[f"{lang}:search page"] = visit(browser, f"{base}/{prefix}search/")
                out[f"{lang}:search '{QUERIES[lang]}'"] = visit(
                    browser, f"{base}/{prefix}search/?q={QUERIES[lang]}", wait_for="#lintas-results li")
        finally:
            browser.close()
    return out


def index_size(site: Path) -> dict[str, int]:
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def table(rows: dict[str, Any]) -> str:
    lines = ["| visit | requests | transferred (gzip) | of it under /pagefind/ |", "|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['requests']} | {r['bytes'] / 1000:.1f} KB | {r['pagefind_bytes'] / 1000:.1f} KB |")
    return "\n".join(lines)


def problems(rows: dict[str, Any]) -> list[str]:
    out = []
    for name, r in rows.items():
        if "'" in name:
            continue  # a search is meant to load the index
        if r["pagefind_bytes"]:
            out.append(f"{name}: loaded {r['pagefind_bytes']} bytes under /pagefind/ before any search")
        if r["bytes"] > FIRST_VISIT_BUDGET:
            out.append(f"{name}: {r['bytes']} bytes > {FIRST_VISIT_BUDGET}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it (default: a temporary folder)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lintas-search-weight-") as tmp:
        root = args.keep or Path(tmp) / "corpus"
        seconds, pages = build_corpus(root, args.n)
        rows = measure(root / "site", args.chromium)
        index = index_size(root / "site")
    report = {"n": args.n, "pages": pages, "build_seconds": round(seconds, 1), "index": index,
              "method": "Chromium, cold cache, every response; text types gzip level 6; 1 KB = 1000 bytes",
              "budget": FIRST_VISIT_BUDGET, "visits": rows, "problems": problems(rows)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search-weight.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = (f"# Search weight at N = {args.n}\n\n{pages} pages, built in {seconds:.0f} s; Pagefind bundle "
          f"{index['files']} files, {index['bytes'] / 1e6:.1f} MB on disk.\n\n{report['method']}.\n\n"
          f"{table(rows)}\n")
    (args.out / "search-weight.md").write_text(md, encoding="utf-8")
    print(md)
    for line in report["problems"]:
        print(line, file=sys.stderr)
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
