"""Offline reading on phones: the essentials each language keeps, their budget, and the service worker.

After the online site is rendered, the `essentials` of content/site.yaml are resolved against its
pages, each language's list grows by the files those pages load (stylesheets, scripts, images, the
manifest and its icons), and the total is weighed gzip-compressed against `budget_kb`. Over budget
is a build error at the essentials' line. The worker (`sw.js`, at the site root so its scope is the
whole site, both languages) is templates/assets/sw.js with this build's lists, strings and cache
version filled in; the version is a hash of everything it keeps, so any change to a kept file is a
new worker, which re-keeps and drops the old caches. See docs/offline.md.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

from ..i18n import LANGS, lang_prefix
from ..outputs import Outputs
from ..problems import Problem
from .ui import UI
from .webapp import manifest_path
from ..content.yamlio import parse_yaml, read_text

WORKER_PATH = "sw.js"
SCRIPT_PATH = "assets/offline.js"
SITE_YAML = "content/site.yaml"
NETWORK_TIMEOUT_MS = 4000  # a page the network has not sent by then comes from the cache
KB = 1000

_REF = re.compile(r'<(?:link|script|img|source)\b[^>]*?\b(?:href|src|srcset)="([^"]+)"[^>]*>', re.I)
_DATA_SRC = re.compile(r'\bdata-src="([^"]+)"')
_TEXT_TYPES = (".html", ".css", ".js", ".svg", ".json", ".webmanifest", ".xml", ".txt")


@dataclass(frozen=True)
class Essentials:
    """One language's kept files (site paths, pages end in '/') and their gzip weight."""

    lang: str
    pages: tuple[str, ...]
    files: tuple[str, ...]  # the pages, then the files they load
    weights: Mapping[str, int]  # file -> bytes gzip

    @property
    def total(self) -> int:
        return sum(self.weights.values())


def essentials_position(root: Path, index: int | None = None) -> tuple[int | None, int | None]:
    """Line and column of `offline.essentials` (or one entry of it) in content/site.yaml."""
    found: list[Problem] = []
    text = read_text(root / SITE_YAML, SITE_YAML, found)
    doc = parse_yaml(text, SITE_YAML, found) if text is not None else None
    if doc is None:
        return None, None
    loc: tuple[str | int, ...] = ("offline", "essentials") + ((index,) if index is not None else ())
    try:
        return doc.position(loc)
    except (KeyError, IndexError, TypeError):
        return None, None


def resolve(entries: list[str], lang: str, pages: set[str], flows: Mapping[str, list[str]],
            active_notices: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """Site paths of `lang` the entries name, in order without repeats; and (index, message) for
    entries that name nothing. `pages` are the language's page paths; `flows` flow id -> pages."""
    prefix = lang_prefix(lang)
    out: list[str] = []
    bad: list[tuple[int, str]] = []
    for i, entry in enumerate(entries):
        found: list[str]
        if entry == "home":
            found = [prefix]
        elif entry == "notices:active":
            found = [f"{prefix}notices/{nid}/" for nid in active_notices]
        elif entry.startswith("flow:"):
            found = flows.get(entry.removeprefix("flow:"), [])
            if not found:
                bad.append((i, f"'{entry}': no travel checker has the id '{entry.removeprefix('flow:')}'"))
                continue
        else:
            path = entry.strip("/") + "/"
            pattern = prefix + path
            if "*" in path or "?" in path or "[" in path:
                # '*' stays within one folder level: 'posts/*' is every post, not deeper pages.
                found = sorted(p for p in pages if fnmatch.fnmatchcase(p, pattern)
                               and p.count("/") == pattern.count("/"))
            else:
                found = [pattern] if pattern in pages else []
            if not found:
                bad.append((i, f"'{entry}' is not a page of this site" if "*" not in path
                            else f"'{entry}' matches no page"))
                continue
        for path in found:
            if path not in out:
                out.append(path)
    return out, bad


def page_file(site_dir: Path, path: str) -> Path:
    return site_dir / path / "index.html" if path.endswith("/") or path == "" else site_dir / path


def linked_files(site_dir: Path, path: str) -> list[str]:
    """Site paths of the same-site files a page (or manifest) loads: stylesheets, scripts, images,
    icons, the manifest, and scripts it loads on request (data-src)."""
    source = page_file(site_dir, path)
    text = source.read_text(encoding="utf-8")
    if path.endswith(".webmanifest"):
        refs = [icon["src"] for icon in json.loads(text).get("icons", [])]
    else:
        refs = [m for m in _REF.findall(text) if not m.startswith("#")]
        refs += _DATA_SRC.findall(text)
        refs = [r for r in refs if not _is_link_to_page(text, r)]
    base = "http://site/" + path
    out = []
    for ref in refs:
        ref = ref.split()[0]  # srcset: the first candidate
        url = urlparse(urljoin(base, ref))
        if url.netloc != "site" or url.scheme != "http":
            continue
        target = url.path.lstrip("/")
        if target and not target.endswith("/") and (site_dir / target).is_file() and target not in out:
            out.append(target)
    return out


def _is_link_to_page(html: str, ref: str) -> bool:
    """<link rel="alternate|canonical|..."> name pages or feeds, not files the page loads."""
    m = re.search(r'<link\b[^>]*\bhref="' + re.escape(ref) + r'"[^>]*>', html)
    if not m:
        return False
    rel = re.search(r'\brel="([^"]+)"', m.group(0))
    return not rel or not set(rel.group(1).split()) & {"stylesheet", "icon", "manifest", "apple-touch-icon",
                                                        "preload", "modulepreload"}


def gzip_size(path: str, data: bytes) -> int:
    """What a web server sends: text gzip level 6 (as bench/page_weight.py), other files as they are."""
    if path == "" or path.endswith("/") or path.endswith(_TEXT_TYPES):
        return len(gzip.compress(data, compresslevel=6, mtime=0))
    return len(data)


def collect(site_dir: Path, lang: str, pages: list[str]) -> Essentials:
    files: list[str] = []
    queue = [*pages, SCRIPT_PATH, manifest_path(lang)]
    while queue:
        path = queue.pop(0)
        if path in files:
            continue
        files.append(path)
        if path.endswith("/") or path.endswith((".html", ".webmanifest")):
            queue.extend(linked_files(site_dir, path))
    weights = {f: gzip_size(f, page_file(site_dir, f).read_bytes()) for f in files}
    return Essentials(lang, tuple(pages), tuple(files), weights)


def content_version(site_dir: Path, kept: Mapping[str, Essentials], code: bytes) -> str:
    """Hash of every kept file's path and bytes, and of the worker's code."""
    digest = hashlib.sha256(code)
    for path in sorted({f for e in kept.values() for f in e.files}):
        digest.update(path.encode() + b"\0" + page_file(site_dir, path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def worker_strings(lang: str) -> dict[str, str]:
    ui = UI[lang]
    return {"saved": ui["offline_saved"], "stale": ui["offline_stale"], "ended": ui["offline_ended"],
            "search_offline": ui["offline_search_offline"], "search_none": ui["offline_search_none"],
            "not_kept_title": ui["offline_not_kept_title"], "not_kept_text": ui["offline_not_kept_text"],
            "home": ui["home"]}


def worker_source(templates_dir: Path, config: dict[str, object]) -> str:
    template = (templates_dir / "assets" / "sw.js").read_text(encoding="utf-8")
    return template.replace("/*LINTAS_CONFIG*/", json.dumps(config, ensure_ascii=False, sort_keys=True))


def strip_js(text: str) -> str:
    """Leading comment lines and indentation removed (our own scripts only: no comment markers in
    strings at a line start)."""
    lines = []
    in_comment = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_comment or stripped.startswith("/*"):
            in_comment = "*/" not in stripped
            continue
        if stripped:
            lines.append(stripped)
    return "\n".join(lines) + "\n"


def page_script(templates_dir: Path) -> bytes:
    return strip_js((templates_dir / "assets" / "offline.js").read_text(encoding="utf-8")).encode("utf-8")


def budget_problems(kept: Mapping[str, Essentials], budget_kb: int, root: Path) -> list[Problem]:
    problems = []
    for lang, e in kept.items():
        if e.total <= budget_kb * KB:
            continue
        line, col = essentials_position(root)
        largest = sorted(e.weights.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        problems.append(Problem(
            SITE_YAML, line, col, "offline-budget",
            f"offline.essentials: the '{lang}' essentials weigh {e.total / KB:,.1f} KB gzip in {len(e.files)} "
            f"files, over the budget of {budget_kb:,} KB (largest: "
            + ", ".join(f"{f or '/'} {w / KB:,.1f} KB" for f, w in largest) + ")",
            hint="keep fewer pages (a narrower pattern than 'posts/*') or raise offline.budget_kb"))
    return problems


def offline_outputs(site_dir: Path, templates_dir: Path, root: Path, entries: list[str], budget_kb: int,
                    stale_after_days: int, pages: Mapping[str, list[str]], flows: Mapping[str, Mapping[str, list[str]]],
                    active_notices: list[str]) -> tuple[Outputs, dict[str, Essentials], list[Problem]]:
    """The worker, given the rendered online site in `site_dir` (with offline.js, the manifests
    and icons already written there); `pages` per language as site paths, `flows` per language."""
    problems: list[Problem] = []
    kept: dict[str, Essentials] = {}
    for lang in LANGS:
        listed, bad = resolve(entries, lang, set(pages[lang]), flows.get(lang, {}), active_notices)
        if lang == LANGS[0]:  # the same entries in both languages: report once
            for index, message in bad:
                line, col = essentials_position(root, index)
                problems.append(Problem(SITE_YAML, line, col, "unknown-reference",
                                        f"offline.essentials[{index}]: {message}",
                                        hint="write 'home', a site path such as 'posts/plbn-wini/', a pattern "
                                             "such as 'posts/*', 'flow:<id>' or 'notices:active'"))
        kept[lang] = collect(site_dir, lang, listed)
    problems.extend(budget_problems(kept, budget_kb, root))
    template = (templates_dir / "assets" / "sw.js").read_bytes()
    config = {
        "version": content_version(site_dir, kept, template),
        "essentials": {lang: list(e.files) for lang, e in kept.items()},
        "strings": {lang: worker_strings(lang) for lang in LANGS},
        "staleAfterDays": stale_after_days,
        "timeoutMs": NETWORK_TIMEOUT_MS,
    }
    out = Outputs()
    out.add(WORKER_PATH, worker_source(templates_dir, config))
    return out, kept, problems


def static_outputs(templates_dir: Path) -> Outputs:
    """The page script, written with the other published files before the worker is made."""
    out = Outputs()
    out.add(SCRIPT_PATH, page_script(templates_dir))
    return out

