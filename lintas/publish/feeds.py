"""PUBLISH: Atom feeds (RFC 4287) per language: notices, agreements and dataset releases.

Feeds must not change when nothing changed: entry ids are tag: URIs built from kind and id, every
date comes from the content (never the clock), and the feed's <updated> is its newest entry's.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..config import BuildConfig
from ..content.model import Site
from ..content.sanitize import markdown_html
from ..content.schemas import Text
from ..i18n import LANGS, lang_prefix
from ..outputs import Outputs
from ..urls import absolute, entity_path

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
# The date in every tag: URI (RFC 4151): when the authority first minted ids. Never change it.
TAG_DATE = "2025"


@dataclass(frozen=True)
class FeedInfo:
    name: str
    title: Text
    section: str  # site path (without language prefix) of the page the feed mirrors


FEEDS: dict[str, FeedInfo] = {
    "notices": FeedInfo("notices", Text(id="Pengumuman", en="Notices"), "notices/"),
    "agreements": FeedInfo("agreements", Text(id="Perjanjian kerja sama", en="Agreements"),
                           "agreements/"),
    "releases": FeedInfo("releases", Text(id="Rilis data", en="Data releases"), "data/"),
}


@dataclass(frozen=True)
class FeedEntry:
    """One entry, in both languages.

    `key` is what makes the entry unique and stable, e.g. 'notices/plb-not-accepted' or
    'datasets/crossings/1.2.0'; `path` is the linked page's site path without the language prefix
    (the feed adds 'en/' for English). Dates are content dates, never the build time.
    """

    key: str
    title: Text
    summary: Text
    path: str
    updated: dt.date
    published: dt.date | None = None
    content: Text | None = None  # Markdown
    categories: tuple[str, ...] = field(default_factory=tuple)


def feed_path(name: str, lang: str) -> str:
    """'feeds/notices.xml' (Indonesian) or 'en/feeds/notices.xml'."""
    return f"{lang_prefix(lang)}feeds/{name}.xml"


def tag_uri(site: Site, key: str, lang: str) -> str:
    """A permanent id: tag:<host>,2025:<lang>/<key>. The two languages are distinct entries."""
    host = urlsplit(site.settings.base_url).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{lang}/{key}"


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _text_el(parent: ET.Element, tag: str, value: Text, lang: str, type_: str | None = None,
             transform: Callable[[str], str] | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    body = value.get(lang)
    el.text = transform(body) if transform else body
    if type_:
        el.set("type", type_)
    if value.is_fallback(lang):
        el.set(XML_LANG, "id")  # English feed, Indonesian text: say so to readers and screen readers
    return el


def _markdown_html(text: str) -> str:
    return markdown_html(text, ("extra", "sane_lists"))


def _content_dates(site: Site) -> dt.date:
    """Fallback <updated> for an empty feed: the newest review date in the content."""
    dates = [e.reviewed_on for kind in ("organisations", "posts", "agreements", "procedures",
                                        "notices", "glossary")
             for e in site.kind_items(kind).values()]
    return max(dates, default=dt.date(1970, 1, 1))


def render_feed(site: Site, name: str, title: Text, section: str, entries: list[FeedEntry],
                lang: str) -> bytes:
    """One Atom document; entries newest first (ties by key), deterministic bytes."""
    base = site.settings.base_url
    entries = sorted(entries, key=lambda e: (-e.updated.toordinal(), e.key))
    # Plain tag names plus an xmlns attribute: ElementTree cannot mix a default namespace
    # with unqualified attributes (rel, href).
    root = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: lang})
    ET.SubElement(root, "id").text = tag_uri(site, f"feeds/{name}", lang)
    site_name = site.settings.name.get(lang)
    ET.SubElement(root, "title").text = f"{title.get(lang)} — {site_name}"
    ET.SubElement(root, "subtitle").text = site.settings.tagline.get(lang)
    updated = entries[0].updated if entries else _content_dates(site)
    ET.SubElement(root, "updated").text = _timestamp(updated)
    ET.SubElement(root, "link", {
        "rel": "self", "type": MEDIA_TYPE, "href": absolute(base, feed_path(name, lang))})
    ET.SubElement(root, "link", {
        "rel": "alternate", "type": "text/html", "href": absolute(base, lang_prefix(lang) + section)})
    for other in LANGS:
        if other != lang:
            ET.SubElement(root, "link", {
                "rel": "alternate", "type": MEDIA_TYPE, "hreflang": other,
                "href": absolute(base, feed_path(name, other))})
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = site.settings.publisher.get(lang)
    ET.SubElement(author, "uri").text = absolute(base, lang_prefix(lang))
    for e in entries:
        item = ET.SubElement(root, "entry")
        ET.SubElement(item, "id").text = tag_uri(site, e.key, lang)
        _text_el(item, "title", e.title, lang, "text")
        ET.SubElement(item, "updated").text = _timestamp(e.updated)
        if e.published:
            ET.SubElement(item, "published").text = _timestamp(e.published)
        ET.SubElement(item, "link", {
            "rel": "alternate", "type": "text/html",
            "href": absolute(base, lang_prefix(lang) + e.path)})
        for term in e.categories:
            ET.SubElement(item, "category", {"term": term})
        _text_el(item, "summary", e.summary, lang, "text")
        if e.content:
            content = _text_el(item, "content", e.content, lang, "html", _markdown_html)
            # Links in the Markdown are site-root-relative ('/agreements/x/'): resolve them here.
            content.set("{http://www.w3.org/XML/1998/namespace}base", absolute(base, lang_prefix(lang)))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def notice_entries(site: Site) -> list[FeedEntry]:
    """Every notice, archived ones included: a feed is a history. Its date is valid_from."""
    return [
        FeedEntry(key=f"notices/{i}", title=n.title, summary=n.summary,
                  path=entity_path("notices", i, "id"), updated=n.valid_from,
                  published=n.valid_from, content=n.body, categories=(n.level, *n.audience))
        for i, n in site.notices.items()
    ]


def agreement_entries(site: Site) -> list[FeedEntry]:
    """Every agreement; updated on its newest dated event (signing at the latest)."""
    return [
        FeedEntry(key=f"agreements/{i}", title=a.title, summary=a.scope,
                  path=entity_path("agreements", i, "id"),
                  updated=max([a.signed_on, *(ev.date for ev in a.events)]),
                  published=a.signed_on, content=a.body, categories=(a.kind, a.status))
        for i, a in site.agreements.items()
    ]


def releases_feed(entries: list[FeedEntry], lang: str, config: BuildConfig, site: Site) -> bytes:
    """The dataset-releases feed of one language; write it to `feed_path('releases', lang)`."""
    del config  # content dates only
    info = FEEDS["releases"]
    return render_feed(site, info.name, info.title, info.section, entries, lang)


def publish_feeds(site: Site, config: BuildConfig) -> Outputs:
    """Notices and agreements feeds in both languages (releases: see releases_feed)."""
    del config
    out = Outputs()
    for name, entries in (("notices", notice_entries(site)),
                          ("agreements", agreement_entries(site))):
        info = FEEDS[name]
        for lang in LANGS:
            out.add(feed_path(name, lang),
                    render_feed(site, name, info.title, info.section, entries, lang))
    return out
