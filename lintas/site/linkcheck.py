"""Checks a finished site tree: every internal link and asset resolves, nothing loads from elsewhere.

Links to other hosts are fine in <a href> (sources, official websites); anything the browser would
fetch by itself (scripts, styles, images, fonts, frames, CSS url()) must be local.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
_FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
            ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href")}


def _refs(text: str) -> list[tuple[str, str, str, dict[str, str]]]:
    """(tag, attr, value, attrs) of every href, src and data attribute, in document order.

    Parsed by lexbor (selectolax), a C HTML parser: about ten times faster than `html.parser`,
    which took most of the link check's time at national scale (docs/benchmarks.md). Imported
    here: `check` imports the pipeline but never checks links."""
    from selectolax.lexbor import LexborHTMLParser

    refs: list[tuple[str, str, str, dict[str, str]]] = []
    seen: set[int] = set()
    for node in LexborHTMLParser(text).css("[href], [src], [data]"):
        if node.mem_id in seen:  # an element with two of the attributes matches twice
            continue
        seen.add(node.mem_id)
        values = {k: v or "" for k, v in node.attributes.items()}
        refs.extend((node.tag or "", attr, values[attr], values) for attr in ("href", "src", "data")
                    if attr in values)
    return refs


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.scheme not in ("file",)) or url.startswith("//")


class _Tree:
    """The files of the finished site, listed once: a link resolves by set lookups, not by a file
    system call per link (a page at national scale carries dozens of links)."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files: set[str] = set(files)
        self.dirs = {posixpath.dirname(f) for f in self.files}
        for d in list(self.dirs):
            while d:
                d = posixpath.dirname(d)
                self.dirs.add(d)

    @classmethod
    def on_disk(cls, site: Path) -> _Tree:
        files: list[str] = []
        for dirpath, _dirs, names in os.walk(site):
            rel = Path(dirpath).relative_to(site).as_posix()
            prefix = "" if rel == "." else rel + "/"
            files.extend(prefix + name for name in names if os.path.isfile(os.path.join(dirpath, name)))
        return cls(files)

    def resolve(self, page: str, url: str) -> str | None:
        """The site file a relative or root-relative URL from `page` points at, or None."""
        path = unquote(urlsplit(url).path)
        if not path:
            return page
        target = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(page), path)
        norm = posixpath.normpath(target)
        if norm == ".":
            norm = ""
        if norm in self.dirs:
            norm = posixpath.join(norm, "index.html")
        return norm if norm in self.files else None


def _path_order(rel: str) -> list[str]:
    return rel.split("/")  # the order of sorted Paths: part by part


def check_site(site: Path, *, root_prefix: str = "/") -> list[str]:
    """Problems as human-readable lines; empty when every link resolves and nothing is remote."""
    site = site.resolve()
    return _check(_Tree.on_disk(site), lambda rel: (site / rel).read_text(encoding="utf-8", errors="replace"))


def check_files(files: Mapping[str, bytes]) -> list[str]:
    """The same check over a site held in memory (file bytes by site path): the offline bundle."""
    return _check(_Tree(files), lambda rel: files[rel].decode("utf-8", errors="replace"))


def _check(tree: _Tree, read: Callable[[str], str]) -> list[str]:
    problems: list[str] = []
    for rel in sorted((f for f in tree.files if f.endswith(".html")), key=_path_order):
        text = read(rel)
        for tag, attr, url, attrs in _refs(text):
            if url.startswith(("#", "mailto:", "tel:", "geo:", "data:", "javascript:void")):
                continue
            fetched = (tag, attr) in _FETCHED and not (tag == "link" and attrs.get("rel") in
                                                      ("canonical", "alternate"))
            if _is_external(url):
                if fetched:
                    problems.append(f"{rel}: <{tag} {attr}> loads {url} from another host")
                continue
            if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
                continue
            if rel in ("404.html", "en/404.html") and url.startswith("/"):
                continue  # served at any depth: root-relative on purpose
            if tree.resolve(rel, url) is None:
                problems.append(f"{rel}: broken link {url}")
        for match in _CSS_URL.finditer(text if "<style" in text else ""):
            url = match.group(1) or match.group(2)
            if url and _is_external(url):
                problems.append(f"{rel}: inline style loads {url} from another host")
    for rel in sorted((f for f in tree.files if f.endswith(".css")), key=_path_order):
        for match in _CSS_URL.finditer(read(rel)):
            url = match.group(1) or match.group(2)
            if url and _is_external(url) and not url.startswith("data:"):
                problems.append(f"{rel}: loads {url} from another host")
    return problems
