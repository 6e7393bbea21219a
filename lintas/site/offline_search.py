"""The offline copy's search index, in the format Material for MkDocs' own (lunr) search reads.

Material's `search` plugin used to make it during the render, parsing every page with Python's
pure-Python `html.parser` (about 0.4 CPU s of a sample build, issue 18). The renderer now renders
without the plugin, and the index is made here from the rendered pages with Lexbor (selectolax, a
C HTML parser). Used by `renderer.split_variants` only.

`templates/material/partials/content.html` marks, on the pages of a build with the bundle, the
HTML the plugin indexed (MkDocs' `page.content`) between `<!--lintas:index TITLE-->` and
`<!--/lintas:index-->`, TITLE being the plugin's title for a page without a heading of its own
(the page's title, as MkDocs holds it). Pages whose meta sets `search: {exclude: true}` carry no
mark. The marks are removed from both variants (`strip_marks`).

`page_entries` walks the marked HTML with the rules of Material's parser
(material/plugins/search/plugin.py, 9.x, MIT): one entry for the text before the first heading
with an id (titled by the page's first <h1> or TITLE), one per heading with an id; the text keeps
`p`, `code`, `pre`, `li`, `ol`, `ul`, `sub`, `sup` as bare tags and nothing else; `script`,
`style`, `object` and elements with `data-search-exclude` or class `linenodiv` are skipped; a
heading nested in an element ends with it. The entries match the plugin's up to white space (an
HTML5 parser drops the newline that opens a <pre>, and Lexbor's text nodes are not split where
`html.parser`'s chunks are); tests/test_offline_search.py compares the two over the sample site.
Page `tags` and a `search.boost` meta are not carried (no page sets them; the test would see one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

# The marked part of a page (the title is HTML-escaped, so it holds no '>').
_MARKED = re.compile(r"<!--lintas:index (.*?)-->(.*?)<!--/lintas:index-->", re.S)
_MARKS = re.compile(r"<!--lintas:index .*?-->|<!--/lintas:index-->")

# lunr has no Indonesian pipeline: both languages tokenise as English rather than fail.
LUNR_LANG = ["en"]
# Material's default field boosts (its plugin's on_config).
FIELDS = {"title": {"boost": 1e3}, "text": {"boost": 1e0}, "tags": {"boost": 1e6}}

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_KEEP = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
_ALWAYS_SKIPPED = frozenset({"script", "style", "object"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})


def strip_marks(html: str) -> str:
    """The page without the index marks."""
    return _MARKS.sub("", html) if "<!--lintas:index" in html else html


def index_config(separator: str, pipeline: str) -> dict[str, Any]:
    """The index's `config`, from Material's translations of `search.config.separator` and
    `search.config.pipeline` for the page language (as the plugin reads them)."""
    return {"lang": LUNR_LANG, "separator": separator,
            "pipeline": [p for p in re.split(r"\s*,\s*", pipeline) if p], "fields": FIELDS}


def index_json(config: Mapping[str, Any], docs: Sequence[Mapping[str, Any]]) -> str:
    """The index as Material's search reads it (`search/search_index.json`)."""
    return json.dumps({"config": config, "docs": docs}, separators=(",", ":"))


class _Section:
    __slots__ = ("tag", "depth", "title", "text", "id", "excluded")

    def __init__(self, tag: str, depth: float, excluded: bool = False) -> None:
        self.tag = tag  # the heading's tag, "hx" for the part before the first heading
        self.depth = depth
        self.title: list[str] = []
        self.text: list[str] = []
        self.id: str | None = None
        self.excluded = excluded


class _Walk:
    """Material's search `Parser`, fed by a walk over a Lexbor tree instead of html.parser's
    events. Like the original, elements are told apart by their tag: the skipped elements, the
    current heading and the `pre` around a text are looked up by tag name in the open elements."""

    def __init__(self) -> None:
        self.context: list[tuple[str, LexborNode]] = []
        self.tags: list[str] = []  # the tags of `context`
        self.skip: set[str] = set(_ALWAYS_SKIPPED)
        self.section: _Section | None = None
        self.data: list[_Section] = []

    def _skipping(self) -> bool:
        return not self.skip.isdisjoint(self.tags)

    def _target(self, section: _Section) -> list[str]:
        return section.title if section.tag in self.tags else section.text

    def start(self, tag: str, node: LexborNode) -> bool:
        """Open an element; False when it is void (no end event follows)."""
        if tag in _VOID:
            return False
        self.context.append((tag, node))
        self.tags.append(tag)
        attrs = node.attrs
        if tag in _HEADINGS and "id" in attrs:
            depth = len(self.context)
            if tag != "h1" and not self.data:
                self.section = _Section("hx", depth)
                self.data.append(self.section)
            section = _Section(tag, depth, excluded="data-search-exclude" in attrs)
            if self.data:
                section.id = attrs.get("id") or ""
            self.section = section
            self.data.append(section)
        if self.section is None:
            self.section = _Section("hx", 0)
            self.data.append(self.section)
        if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
            self.skip.add(tag)
            return True
        if tag in _KEEP and not self._skipping():
            self._target(self.section).append(f"<{tag}>")
        return True

    def end(self, tag: str) -> None:
        if not self.tags or self.tags[-1] != tag:
            return
        assert self.section is not None
        if self.section.depth > len(self.context):
            for section in reversed(self.data):
                if section.depth <= len(self.context):
                    self.section.depth = float("inf")
                    self.section = section
                    break
        self.context.pop()
        self.tags.pop()
        if tag in self.skip:
            if tag not in _ALWAYS_SKIPPED:
                self.skip.remove(tag)
            return
        if tag in _KEEP and not self._skipping():
            data = self._target(self.section)
            opening = f"<{tag}>"
            index = data.index(opening) if opening in data else len(data)
            if all(part.isspace() for part in data[index + 1:]):
                del data[index:]  # an empty element: dropped with its opening tag
            else:
                data.append(f"</{tag}>")

    def text(self, data: str) -> None:
        if self._skipping():
            return
        if "pre" not in self.tags:
            data = " " if data.isspace() else data.replace("\n", " ")
        if self.section is None:
            self.section = _Section("hx", 0)
            self.data.append(self.section)
        section = self.section
        if section.tag in self.tags:
            if not any(t == "a" and n.attrs.get("class") == "headerlink" for t, n in self.context):
                section.title.append(escape(data, quote=False))
        elif data.isspace():
            if not section.text or not section.text[-1].isspace() or "pre" in self.tags:
                section.text.append(data)
        else:
            section.text.append(escape(data, quote=False))

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                value = child.text_content
                if value:
                    self.text(value)
            elif tag is not None and not tag.startswith("-"):  # elements; comments are ignored
                if self.start(tag, child):
                    self.walk(child)
                    self.end(tag)


def page_entries(html: str, location: str) -> list[dict[str, str]]:
    """The index entries of one rendered page, at `location` (its path in the copy): none when the
    page carries no index mark."""
    entries: list[dict[str, str]] = []
    for match in _MARKED.finditer(html):
        page_title, content = match.group(1), match.group(2)
        walk = _Walk()
        root = LexborHTMLParser(content, is_fragment=True).root
        if root is not None:  # None: nothing to parse
            walk.walk(root)
        for section in walk.data:
            if section.excluded:
                continue
            title = "".join(section.title).strip() if section.title else page_title
            entries.append({"location": location + (f"#{section.id}" if section.id else ""),
                            "title": title.strip(), "text": "".join(section.text).strip()})
    return entries
