"""Page weight: the bytes a first visit transfers, per page type, measured in real Chromium.

Every page of the built site is opened in a fresh browser context (empty cache) from a local HTTP
server; every response is recorded (HTML, CSS, JS, images, fonts, anything fetched), and its body is
gzip-compressed the way a web server sends text (level 6, the common `gzip_comp_level`/mod_deflate
setting; images, fonts and already-compressed files are counted as they are). Each URL counts once,
as it would with a browser cache. A page type's weight is its heaviest page.

    .venv/bin/python bench/page_weight.py [--site site] [--out bench/out]

prints a table, writes bench/out/page-weight.json and .md, and exits 1 when a budget is exceeded.
The budgets (decimal kilobytes, 1 KB = 1000 bytes) come from issue 7.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LANGS = ("id", "en")  # Indonesian at the root, English under en/
KB = 1000

BUDGETS: dict[str, int] = {
    "post": 100 * KB,
    "procedure": 100 * KB,
    "notice": 100 * KB,
    "dataset": 100 * KB,
    # 30 KB + offline reading (decision 0009) + per-fact citations, post hours, footer (1 KB) + each
    # post's time-zone note with its citations (issue 15 item 3; outcomes measured 32.07 KB)
    "checker-start": 33 * KB,
    "checker-question": 33 * KB,
    "checker-outcome": 33 * KB,
}

# Entity sections: 'posts/' is a section index, 'posts/<id>/' an entity page.
ENTITY_TYPES = {"procedures": "procedure", "posts": "post", "organisations": "organisation",
                "agreements": "agreement", "notices": "notice", "data": "dataset", "events": "event"}
SECTION_TYPES = {"procedures", "posts", "organisations", "agreements", "notices", "checker", "events"}
# Every page type the site has; the checker's only when the site has the travel checker.
REQUIRED_TYPES = ("home", "section", "procedure", "post", "organisation", "agreement", "notice",
                  "notice-archive", "glossary", "dataset-catalogue", "dataset", "search", "404", "about",
                  "event", "sources", "dataset-version", "region-package")
CHECKER_TYPES = ("checker-start", "checker-question", "checker-outcome")  # budgeted at 33 KB
CHECKER_REVIEW = "checker-review"  # the reviewers' map of a flow
SKIP_DIRS = {"assets", "pagefind", "api", "downloads", "feeds"}

COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|x-javascript|json|ld\+json|xml|atom\+xml|"
                          r"geo\+json|manifest\+json)|image/svg\+xml)")
CATEGORIES = ("html", "css", "js", "images", "fonts", "other")
_RESOURCE_CATEGORY = {"document": "html", "stylesheet": "css", "script": "js", "image": "images",
                      "font": "fonts"}


# ------------------------------------------------------------------------------ page discovery

def page_type(site_dir: Path, path: str) -> str:
    """The type of the page at site path `path` ('en/posts/plbn-wini/', '404.html', '')."""
    rel = path.removeprefix("en/") if path.startswith("en/") else path
    if rel in ("", "index.html"):
        return "home"
    if rel == "404.html":
        return "404"
    parts = [p for p in rel.split("/") if p]
    if parts == ["search"]:
        return "search"
    if parts == ["glossary"]:
        return "glossary"
    if parts == ["about"]:
        return "about"
    if parts == ["notices", "archive"]:
        return "notice-archive"
    if parts == ["sources"]:
        return "sources"
    if parts == ["data"]:
        return "dataset-catalogue"
    if len(parts) == 3 and parts[:2] == ["data", "regions"]:
        return "region-package"  # data/regions/<code>/: every dataset's rows for one region
    if len(parts) == 4 and parts[0] == "data" and parts[2] == "v":
        return "dataset-version"  # data/<slug>/v/<version>/, a released version or its tombstone
    if len(parts) == 1 and parts[0] in SECTION_TYPES:
        return "section"
    if parts[0] == "checker":
        if len(parts) == 2:
            return "checker-start"
        if len(parts) == 3:
            if parts[2] == "review":
                return "checker-review"
            html = (site_dir / path / "index.html").read_text(encoding="utf-8")
            return "checker-outcome" if "lintas-checker__print" in html else "checker-question"
    if len(parts) == 2 and parts[0] in ENTITY_TYPES:
        return ENTITY_TYPES[parts[0]]
    return "other"


def site_pages(site_dir: Path) -> list[str]:
    """Site path of every HTML page ('' for the home page, folders end in '/'), sorted."""
    out = []
    for html in site_dir.rglob("*.html"):
        rel = html.relative_to(site_dir)
        if rel.parts[0] in SKIP_DIRS or (rel.parts[0] == "en" and len(rel.parts) > 1 and rel.parts[1] in SKIP_DIRS):
            continue
        if html.name == "index.html":
            folder = rel.parent.as_posix()
            out.append("" if folder == "." else folder + "/")
        elif html.name == "404.html":
            out.append(rel.as_posix())
    return sorted(out)


def lang_of(path: str) -> str:
    return "en" if path.startswith("en/") else "id"


def pages_by_type(site_dir: Path) -> dict[str, dict[str, list[str]]]:
    """type -> language -> site paths of that type."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in site_pages(site_dir):
        out.setdefault(page_type(site_dir, path), {}).setdefault(lang_of(path), []).append(path)
    return out


def expected_types(site_dir: Path) -> tuple[str, ...]:
    return REQUIRED_TYPES + ((*CHECKER_TYPES, CHECKER_REVIEW) if (site_dir / "checker").is_dir() else ())


def representatives(site_dir: Path) -> dict[tuple[str, str], str]:
    """(type, lang) -> one page: the largest HTML of that type, the richest content to check."""
    def size(path: str) -> int:
        return (site_dir / (path if path.endswith(".html") else path + "index.html")).stat().st_size

    return {(kind, lang): max(paths, key=lambda p: (size(p), p))
            for kind, langs in pages_by_type(site_dir).items() for lang, paths in langs.items()}


# ------------------------------------------------------------------------------ measuring

@dataclass
class PageWeight:
    path: str
    kind: str
    lang: str
    bytes: dict[str, int] = field(default_factory=dict)  # category -> bytes as transferred (gzip)
    raw: dict[str, int] = field(default_factory=dict)  # category -> bytes before compression
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.bytes.values())


def transfer_size(body: bytes, content_type: str) -> int:
    """Bytes on the wire for a body a web server gzips when its type is text-like."""
    if COMPRESSIBLE.match(content_type.split(";")[0].strip().lower()):
        return len(gzip.compress(body, compresslevel=6, mtime=0))
    return len(body)


VIEWPORT = {"width": 1024, "height": 768}


def measure_page(browser: Any, base_url: str, path: str, kind: str = "", lang: str = "") -> PageWeight:
    """Open `path` in a fresh context (cold cache) and sum every response it caused."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        return measure_with(context.new_page(), base_url, path, kind, lang)
    finally:
        context.close()


@contextmanager
def cold_page(browser: Any) -> Iterator[Any]:
    """One page on which to measure many, each as on a first visit: the HTTP cache disabled (every
    request goes to the server, as from a fresh context; CDP's Network.setCacheDisabled, DevTools'
    'Disable cache') and service workers blocked (on a first visit none controls the page yet).
    Compared on every page of the sample site: the same bytes, requests and errors as a fresh context
    per page, in a third of the CPU seconds (no new context and renderer per page)."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        yield page
    finally:
        context.close()


def measure_with(page: Any, base_url: str, path: str, kind: str = "", lang: str = "") -> PageWeight:
    """Open `path` on `page` (measure_page's fresh one, or cold_page's) and sum every response it caused."""
    weight = PageWeight(path, kind, lang, dict.fromkeys(CATEGORIES, 0), dict.fromkeys(CATEGORIES, 0))
    responses: list[Any] = []
    pending: set[Any] = set()

    def request(r: Any) -> None:
        pending.add(r)

    def finished(r: Any) -> None:
        pending.discard(r)

    def failed(r: Any) -> None:
        pending.discard(r)
        weight.errors.append(f"failed: {r.url} {r.failure}")

    def response(r: Any) -> None:
        responses.append(r)

    handlers = {"request": request, "requestfinished": finished, "requestfailed": failed, "response": response}
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        page.goto(f"{base_url}/{path}", wait_until="load")
        _settle(page, pending, responses)
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)
    seen: set[str] = set()
    for response in responses:
        url = response.url
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        if response.status >= 400 and not (path.endswith("404.html") and url.endswith(path)):
            weight.errors.append(f"{response.status}: {url}")
        try:
            body = response.body()
        except Exception as exc:  # redirects and aborted requests have no body
            weight.errors.append(f"no body: {url} ({exc})")
            continue
        content_type = response.headers.get("content-type", "")
        category = _RESOURCE_CATEGORY.get(response.request.resource_type, "other")
        if category == "other" and content_type.startswith("image/"):
            category = "images"  # the favicon

        weight.raw[category] += len(body)
        weight.bytes[category] += transfer_size(body, content_type)
        weight.requests += 1
    return weight


def _settle(page: Any, pending: set[Any], responses: list[Any], timeout: float = 5.0) -> None:
    """Wait until nothing is in flight and the favicon (fetched after `load`) has answered.

    Faster than Playwright's 'networkidle' (a fixed 500 ms of quiet) and as complete here: the
    pages load nothing on a timer."""
    icons = page.eval_on_selector_all("link[rel~=icon][href]", "els => els.map(e => e.href)")
    icons = [icon for icon in icons if icon.startswith(("http://", "https://"))]  # data: is never fetched
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fetched = {r.url for r in responses}
        if not pending and all(icon in fetched for icon in icons):
            return
        page.wait_for_timeout(20)


def measure_site(browser: Any, base_url: str, site_dir: Path, kinds: Iterable[str] | None = None) -> list[PageWeight]:
    """Every page of the given types (default: all), both languages."""
    wanted = set(kinds) if kinds is not None else None
    out = []
    with cold_page(browser) as page:
        for kind, langs in sorted(pages_by_type(site_dir).items()):
            if wanted is not None and kind not in wanted:
                continue
            for lang, paths in sorted(langs.items()):
                out.extend(measure_with(page, base_url, p, kind, lang) for p in paths)
    return out


def heaviest(weights: Iterable[PageWeight]) -> dict[str, PageWeight]:
    """Page type -> its heaviest page."""
    out: dict[str, PageWeight] = {}
    for w in weights:
        if w.kind not in out or w.total > out[w.kind].total:
            out[w.kind] = w
    return out


def over_budget(weights: Iterable[PageWeight]) -> list[str]:
    return [f"{w.path or '/'} ({w.kind}): {w.total} bytes > budget {BUDGETS[w.kind]}"
            for w in weights if w.kind in BUDGETS and w.total > BUDGETS[w.kind]]


# ------------------------------------------------------------------------------ report

def report(weights: list[PageWeight]) -> dict[str, Any]:
    top = heaviest(weights)
    return {
        "method": "Chromium, cold cache, every response; text types gzip level 6; bytes (1 KB = 1000)",
        "budgets": BUDGETS,
        "types": {kind: {**asdict(w), "total": w.total, "budget": BUDGETS.get(kind),
                         "pages_measured": sum(1 for x in weights if x.kind == kind)}
                  for kind, w in sorted(top.items())},
        "pages": [{**asdict(w), "total": w.total} for w in weights],
        "over_budget": over_budget(weights),
    }


def table(rep: dict[str, Any]) -> str:
    head = "| page type | heaviest page | HTML | CSS | JS | images | fonts | other | total | budget |"
    lines = [head, "|" + "---|" * 10]
    for kind, t in rep["types"].items():
        b = t["bytes"]
        budget = f"{t['budget'] / KB:.0f} KB" if t["budget"] else "-"
        flag = " **over**" if t["budget"] and t["total"] > t["budget"] else ""
        lines.append(f"| {kind} | /{t['path']} | " + " | ".join(f"{b[c] / KB:.1f}" for c in CATEGORIES)
                     + f" | {t['total'] / KB:.1f} KB{flag} | {budget} |")
    return "\n".join(lines)


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(site_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("http.server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=5)


CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--disable-domain-reliability",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "site", help="built site (default: site/)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}/index.html missing: build the site first (python build.py)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with serve(args.site) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            weights = measure_site(browser, url, args.site)
        finally:
            browser.close()
    rep = report(weights)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "page-weight.json").write_text(json.dumps(rep, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = ("# Page weight (first visit, gzip)\n\n" + rep["method"] + ".\n\n" + table(rep) + "\n\n"
          + ("Over budget:\n" + "\n".join(f"- {x}" for x in rep["over_budget"]) if rep["over_budget"] else "All budgets hold.")
          + "\n")
    (args.out / "page-weight.md").write_text(md, encoding="utf-8")
    print(table(rep))
    errors = [e for w in weights for e in w.errors]
    for line in rep["over_budget"] + errors:
        print(line, file=sys.stderr)
    print(f"{len(weights)} pages measured; report in {args.out}/page-weight.{{json,md}}", file=sys.stderr)
    return 1 if rep["over_budget"] or errors else 0


if __name__ == "__main__":
    sys.exit(main())
