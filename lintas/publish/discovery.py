"""PUBLISH: what search engines and readers use to find pages: sitemap.xml, robots.txt and the
data every page <head> carries (canonical, hreflang alternates, Open Graph, feeds, JSON-LD).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..config import BuildConfig
from ..content.model import Site
from ..i18n import DEFAULT_LANG, LANGS, lang_prefix
from ..outputs import Outputs
from ..urls import absolute
from .api import API_KINDS, PLACES_PATH, item_path
from .feeds import FEEDS, feed_path
from .feeds import MEDIA_TYPE as ATOM_TYPE
from .jsonld import page_jsonld

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OG_LOCALES = {"id": "id_ID", "en": "en_GB"}


def neutral_path(path: str, lang: str) -> str:
    """A page path without its language prefix: 'en/posts/x/' -> 'posts/x/'; '' is the home page."""
    prefix = lang_prefix(lang)
    path = path.lstrip("/")
    if prefix and (path == prefix.rstrip("/") or path.startswith(prefix)):
        return path[len(prefix):]
    return path


def language_paths(neutral: str) -> dict[str, str]:
    return {lang: lang_prefix(lang) + neutral for lang in LANGS}


def alternates(base_url: str, paths: dict[str, str]) -> list[dict[str, str]]:
    """hreflang links for the languages a page exists in, plus x-default (the Indonesian page)."""
    links = [{"hreflang": lang, "href": absolute(base_url, paths[lang])}
             for lang in LANGS if lang in paths]
    if DEFAULT_LANG in paths:
        links.append({"hreflang": "x-default", "href": absolute(base_url, paths[DEFAULT_LANG])})
    return links


# ---- sitemap and robots ------------------------------------------------------------------------

def sitemap(site: Site, page_paths: dict[str, list[str]]) -> bytes:
    """Every page of both languages, each with its hreflang alternates (sorted by URL)."""
    base = site.settings.base_url
    groups: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        for raw in page_paths.get(lang, []):
            path = raw.split("#", 1)[0].lstrip("/")  # an anchor is not a page
            groups.setdefault(neutral_path(path, lang), {})[lang] = path
    entries = sorted(
        (absolute(base, path), paths) for paths in groups.values() for path in paths.values()
    )
    # Plain names plus xmlns attributes: ElementTree cannot mix a default namespace with
    # unqualified attributes, and 'xhtml:link' must keep its conventional prefix.
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    for loc, paths in entries:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = loc
        if len(paths) > 1:
            for link in alternates(base, paths):
                ET.SubElement(url, "xhtml:link", {"rel": "alternate", **link})
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    """Allow every crawler everywhere (open information) and point at the sitemap."""
    sitemap_url = absolute(site.settings.base_url, "sitemap.xml")
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()


def publish_discovery(site: Site, config: BuildConfig, page_paths: dict[str, list[str]]
                      ) -> Outputs:
    del config
    out = Outputs()
    out.add("sitemap.xml", sitemap(site, page_paths))
    out.add("robots.txt", robots(site))
    return out


# ---- the page head -----------------------------------------------------------------------------

def head_feeds(site: Site, lang: str) -> list[dict[str, str]]:
    name = site.settings.name.get(lang)
    return [{"title": f"{info.title.get(lang)} — {name}",
             "href": absolute(site.settings.base_url, feed_path(feed, lang)),
             "type": ATOM_TYPE} for feed, info in FEEDS.items()]


def data_links(site: Site, kind: str | None, entity_id: str | None) -> list[dict[str, str]]:
    """Machine-readable versions of the page: its API document; the GeoJSON on post pages."""
    base = site.settings.base_url
    links = []
    spec = API_KINDS.get(kind or "")
    if kind and spec and entity_id and entity_id in spec.items(site):
        links.append({"title": "JSON (API v1)", "type": "application/json",
                      "href": absolute(base, item_path(kind, entity_id))})
    if kind == "posts":
        links.append({"title": "GeoJSON", "type": "application/geo+json",
                      "href": absolute(base, PLACES_PATH)})
    return links


def page_head(site: Site, lang: str, path: str, kind: str | None, entity_id: str | None,
              title: str, description: str) -> dict[str, Any]:
    """What a page's <head> needs; `path` is the page's site path ('en/posts/x/' or 'posts/x/').

    Keys: canonical, alternates, og, feeds, jsonld (as agreed with the renderer), plus data_links
    (rel=alternate links to the page's machine-readable versions).
    """
    base = site.settings.base_url
    neutral = neutral_path(path.split("#", 1)[0], lang)
    paths = language_paths(neutral)
    canonical = absolute(base, paths[lang])
    og = {
        "og:title": title,
        "og:description": description,
        "og:url": canonical,
        "og:type": "website",
        "og:locale": OG_LOCALES.get(lang, lang),
        # One other language: a string like every other og value.
        "og:locale:alternate": ", ".join(OG_LOCALES.get(o, o) for o in LANGS if o != lang),
        "og:site_name": site.settings.name.get(lang),
    }
    return {
        "canonical": canonical,
        "alternates": alternates(base, paths),
        "og": og,
        "feeds": head_feeds(site, lang),
        "data_links": data_links(site, kind, entity_id),
        "jsonld": page_jsonld(site, lang, neutral, kind, entity_id, title, description, canonical),
    }
