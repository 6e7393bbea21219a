"""The allowlist for Markdown from content/ and data/: what an editor's text may turn into.

Every Markdown field is rendered with the site's own Markdown extensions, then passed through nh3
(the Python binding of Ammonia, an allowlist sanitizer on a real HTML5 parser). Anything the
sanitizer would remove is a problem at its place in the source: content is refused, never
silently altered. What was removed is found by comparing the parsed trees (Lexbor, an HTML5
parser) of the rendered and the sanitized HTML, not by patterns of known attacks.

Allowed: the elements and attributes our Markdown extensions produce, nothing else. No `style`,
no event handlers, no forms, frames, media or `srcset`; links only relative, https:, mailto:, tel:
and geo:; images only from this site (a relative path). An attribute list (`{: ...}`) may set an
id or a class, never a link target or any other attribute.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from selectolax.lexbor import LexborHTMLParser, LexborNode

# The Markdown extensions of the site, as mkdocs.yml lists them (renderer.py uses this list).
MARKDOWN_EXTENSIONS: list[Any] = [
    "abbr", "attr_list", "md_in_html", {"tables": {"use_align_attribute": True}}, "admonition",
    {"toc": {"permalink": False}},
]

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", *HEADINGS, "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "abbr", "div",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    **{h: {"id"} for h in HEADINGS},
}
# The admonition extension's classes (Material styles these types), nothing else.
ADMONITIONS = frozenset({"note", "abstract", "info", "tip", "success", "question", "warning",
                         "failure", "danger", "bug", "example", "quote"})
ALLOWED_CLASSES: dict[str, set[str]] = {"div": {"admonition", *ADMONITIONS},
                                         "p": {"admonition-title"}}
URL_SCHEMES = frozenset({"https", "mailto", "tel", "geo"})
URL_ATTRIBUTES = frozenset({"href", "src"})
# What an attribute list may set; anything else (href, src, style, on...) is refused.
ATTR_LIST_KEYS = frozenset({"id", "class"})

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _scheme(url: str) -> str | None:
    """The scheme a browser would see (it drops tabs and line breaks first), or None if relative."""
    match = _SCHEME.match(_CONTROL.sub("", url))
    return match.group(1).lower() if match else None


def _other_host(url: str) -> bool:
    """'//host/x' and '/\\host/x' leave the site without a scheme."""
    clean = _CONTROL.sub("", url)
    return len(clean) >= 2 and clean[0] in "/\\" and clean[1] in "/\\"


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute not in URL_ATTRIBUTES:
        return value
    if _other_host(value):
        return None
    if tag == "img" and _scheme(value) is not None:
        return None  # images only from this site
    return value


def sanitize(html: str) -> str:
    """The allowlisted HTML of `html` (what could be published; check refuses any difference)."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     allowed_classes=ALLOWED_CLASSES, attribute_filter=_attribute_filter,
                     url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True,
                     clean_content_tags={"script", "style"})


# ------------------------------------------------------------------------------------ render


@dataclass(frozen=True)
class Removal:
    """One thing the allowlist removes, and the texts that may locate it in the source."""

    what: str
    needles: tuple[str, ...]


class _AttrListGuard(AttrListTreeprocessor):
    """attr_list that refuses to set anything but an id or a class (and records what it refused)."""

    def __init__(self, md: markdown.Markdown, refused: list[Removal]) -> None:
        super().__init__(md)
        self.refused = refused

    def assign_attrs(self, elem: Element, attrs_string: str, *, strict: bool = False) -> str:
        before = dict(elem.attrib)
        remainder = super().assign_attrs(elem, attrs_string, strict=strict)
        for key in list(elem.attrib):
            if key in ATTR_LIST_KEYS or (key in before and before[key] == elem.attrib[key]):
                continue
            self.refused.append(Removal(
                f"an attribute list setting '{_shown(key)}' is not allowed: it may set only an id or a class", (key,)))
            if key in before:
                elem.set(key, before[key])
            else:
                del elem.attrib[key]
        return remainder


class _GuardExtension(Extension):
    def __init__(self, refused: list[Removal]) -> None:
        super().__init__()
        self.refused = refused

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_AttrListGuard(md, self.refused), "attr_list", 8)


def _extensions() -> tuple[list[Any], dict[str, Any]]:
    names, configs = [], {}
    for ext in MARKDOWN_EXTENSIONS:
        if isinstance(ext, dict):
            (name, config), = ext.items()
            names.append(name)
            configs[name] = config
        else:
            names.append(ext)
    return names, configs


_CONVERTERS = threading.local()


def markdown_html(text: str, extensions: tuple[str, ...]) -> str:
    """`markdown.markdown(text, extensions=...)`, with one converter per extension set and thread,
    reset between texts: building a converter (loading its extensions) cost more than converting
    the short texts of a page (7 of 18 s at N = 2,000, docs/benchmarks.md)."""
    held: dict[tuple[str, ...], markdown.Markdown] | None = getattr(_CONVERTERS, "held", None)
    if held is None:
        held = _CONVERTERS.held = {}
    md = held.get(extensions)
    if md is None:
        md = held[extensions] = markdown.Markdown(extensions=list(extensions), output_format="html")
    md.reset()
    return md.convert(text)


class MarkdownChecker:
    """Renders one Markdown text the way the site does, with the attribute-list guard."""

    def __init__(self) -> None:
        self.refused: list[Removal] = []
        names, configs = _extensions()
        self.md = markdown.Markdown(extensions=[*names, _GuardExtension(self.refused)],
                                    extension_configs=configs, output_format="html")

    def render(self, text: str) -> tuple[str, list[Removal]]:
        self.refused.clear()
        self.md.reset()
        html = self.md.convert(text)
        return html, list(self.refused)


# ------------------------------------------------------------------------- comparing trees


@dataclass(frozen=True)
class _El:
    tag: str
    attrs: dict[str, str | None]


def _elements(html: str) -> list[_El]:
    """Every element and comment of `html` parsed as a browser would, in document order."""
    root = LexborHTMLParser(html).root
    if root is None:
        return []
    out = []
    node: LexborNode
    for node in root.traverse(include_text=False):
        tag = node.tag or ""
        if tag.startswith(("-", "_")) and tag not in ("-comment", "_comment"):
            continue
        out.append(_El("!--" if "comment" in tag else tag, dict(node.attributes)))
    return out


def _shown(text: str) -> str:
    text = text if len(text) <= 60 else text[:57] + "..."
    return "".join(c if c >= " " and c != "\x7f" else f"\\x{ord(c):02x}" for c in text)


def _describe_url(tag: str, url: str) -> str:
    if tag == "img":
        return (f"the image '{_shown(url)}' is not allowed: images must come from this site "
                "(a path such as /assets/x.png)")
    if _other_host(url):
        return f"the link '{_shown(url)}' is not allowed: it leaves the site without a scheme (write https://...)"
    if _scheme(url) == "http":
        return f"the link '{_shown(url)}' is not allowed: use https:"
    return (f"the link '{_shown(url)}' is not allowed: links may be relative or start with https:, "
            "mailto:, tel: or geo:")


def removals(html: str) -> list[Removal]:
    """What the allowlist removes from `html`: elements, attributes, classes and URLs."""
    raw = _elements(html)
    clean = _elements(sanitize(html))
    found: list[Removal] = []
    j = 0
    for el in raw:
        match = None
        if el.tag in ("html", "head", "body") or el.tag in ALLOWED_TAGS:
            # Allowed elements are kept; look a little ahead in case a removal moved things.
            for k in range(j, min(j + 4, len(clean))):
                if clean[k].tag == el.tag:
                    match, j = clean[k], k + 1
                    break
        if match is None:
            if el.tag == "!--":
                found.append(Removal("an HTML comment is not allowed", ("<!--",)))
            elif el.tag in ("html", "head", "body"):
                continue
            else:
                found.append(Removal(f"the <{_shown(el.tag)}> element is not allowed", (f"<{el.tag}",)))
            continue
        for name, value in el.attrs.items():
            kept = match.attrs.get(name, None) if name in match.attrs else None
            if name in match.attrs and kept == value:
                continue
            if name == "class" and name in match.attrs:
                gone = sorted(set((value or "").split()) - set((kept or "").split()))
                found.append(Removal(f"the class '{_shown(' '.join(gone))}' on <{el.tag}> is not allowed",
                                     (*gone, "class")))
            elif name in URL_ATTRIBUTES and name in ALLOWED_ATTRIBUTES.get(el.tag, ()):
                found.append(Removal(_describe_url(el.tag, value or ""), (value or "", name)))
            else:
                found.append(Removal(f"the attribute '{_shown(name)}' on <{el.tag}> is not allowed",
                                     (name, f"<{el.tag}")))
    return found


# ------------------------------------------------------------------------------- placing


def locate(text: str, needles: tuple[str, ...], start: int) -> int | None:
    """Offset of the first needle found in `text` (case-insensitive), from `start`, else anywhere."""
    folded = text.casefold()
    for needle in needles:
        if not needle:
            continue
        target = needle.casefold()
        at = folded.find(target, start)
        if at < 0:
            at = folded.find(target)
        if at >= 0:
            return at
    return None


# ------------------------------------------------------------------------------- cost

# Python-Markdown's inline patterns and nested blocks cost more than linear time on some inputs
# (20,000 '[' after a '"', '*a _' repeated, '<a ' repeated, lists or quotes nested thousands deep).
# Text past these limits is refused before it is rendered, so `check` and `build` stay fast on any
# file up to the 1 MiB size limit. Real pages are far below them.
MAX_NESTING = 10  # levels of nested lists, code indentation or block quotes
INDENT = 4  # columns per level (Python-Markdown's tab_length)
MAX_PER_PARAGRAPH = {"[": 200, "]": 200, "*": 400, "_": 400, "`": 200}
# An unclosed '<' makes the HTML block parser rescan the rest of the field; an unclosed '[' costs
# in proportion to its paragraph, so many paragraphs at the paragraph limit add up: limits per field.
MAX_PER_FIELD = {"<": 100, "[": 1000}
# The abbreviation extension matches every definition against the whole text.
MAX_ABBREVIATIONS = 20
_ABBREVIATION = re.compile(r"^ {0,3}\*\[[^\]\n]*\]:", re.M)
# Each heading gets an id unlike the ones before it, found by counting up (Jadwal_1, Jadwal_2, ...),
# and lands in the page's table of contents: 6,000 equal headings took twice the sample build.
MAX_HEADINGS = 100
_HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)", re.M)  # ATX, or a setext underline
# Every other construct renders in time linear in its length, at up to ~25 ms per KB measured on a
# loaded 2-core machine (docs/benchmarks.md): the texts of one file (all its fields together, both
# languages, Markdown and plain) are limited so that no file costs more than a few seconds. The
# largest sample file has 5.5 KB of Markdown.
MAX_TEXT_PER_FILE = 32 * 1024  # characters
# A name, title, term or code is shown on many pages (lists, menus, feeds, search): a 1 MiB name
# doubled the sample build. The longest sample name has 122 characters.
MAX_NAME = 500
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_QUOTES = re.compile(r"[ \t]*(?:>[ \t]?)+")


def cost_limits(text: str) -> list[tuple[int, str]]:
    """(offset, message) where `text` passes a limit that keeps rendering it cheap."""
    found: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        width = len(line.expandtabs(INDENT)) - len(line.expandtabs(INDENT).lstrip(" "))
        if line.strip() and width > MAX_NESTING * INDENT:
            found.append((offset + len(line) - len(line.lstrip()),
                          f"the line is indented {width} columns: more than {MAX_NESTING} "
                          f"levels of {INDENT} (the limit)"))
            break
        quotes = _QUOTES.match(line)
        depth = quotes.group().count(">") if quotes else 0
        if depth > MAX_NESTING:
            found.append((offset + quotes.start(), f"block quotes nested {depth} deep: more than "  # type: ignore[union-attr]
                                                   f"{MAX_NESTING} (the limit)"))
            break
        offset += len(line) + 1
    start = 0
    for match in [*_PARAGRAPH.finditer(text), None]:
        end = match.start() if match else len(text)
        paragraph = text[start:end]
        for char, limit in MAX_PER_PARAGRAPH.items():
            if paragraph.count(char) > limit:
                at = start + _nth(paragraph, char, limit + 1)
                found.append((at, f"more than {limit} '{char}' in one paragraph (the limit): split it "
                                  "with blank lines or write fewer"))
        if match:
            start = match.end()
    for char, limit in MAX_PER_FIELD.items():
        if text.count(char) > limit:
            advice = "write fewer, or 'less than' in words" if char == "<" else "split the text"
            found.append((_nth(text, char, limit + 1), f"more than {limit} '{char}' in one text (the "
                                                       f"limit): {advice}"))
    abbreviations = list(itertools.islice(_ABBREVIATION.finditer(text), MAX_ABBREVIATIONS + 1))
    if len(abbreviations) > MAX_ABBREVIATIONS:
        found.append((abbreviations[-1].start(), f"more than {MAX_ABBREVIATIONS} abbreviation "
                                                 "definitions ('*[...]:') in one text (the limit)"))
    headings = list(itertools.islice(_HEADING.finditer(text), MAX_HEADINGS + 1))
    if len(headings) > MAX_HEADINGS:
        found.append((headings[-1].start(), f"more than {MAX_HEADINGS} headings (or '---' lines) in "
                                            "one text (the limit): split it into several pages"))
    return sorted(found)


def _nth(text: str, char: str, n: int) -> int:
    at = -1
    for _ in range(n):
        at = text.index(char, at + 1)
    return at


def check_markdown(text: str, checker: MarkdownChecker) -> Iterator[tuple[int, str]]:
    """(offset in `text`, what is removed) for everything the allowlist removes from the rendered
    Markdown `text`; offsets point at the source of each removal where it can be found. Call it
    only for text within `cost_limits`."""
    html, refused = checker.render(text)
    cursor = 0
    for removal in [*refused, *removals(html)]:
        at = locate(text, removal.needles, cursor)
        if at is not None:
            cursor = at
        yield (cursor if at is None else at), removal.what
