"""schema.org JSON-LD for page heads: who or what a page is about, and where it sits.

GovernmentOrganization for organisations (every kind we publish is a government body or team),
Place for posts (GeoCoordinates only when a source gives coordinates), WebPage for every other
page, and a BreadcrumbList everywhere. Dataset JSON-LD comes from the datasets publisher.
Facts that are not in the content are never added: no guessed phone numbers or addresses.
"""

from __future__ import annotations

from typing import Any

from ..content.model import Site
from ..content.schemas import Organisation, Post, Text
from ..i18n import lang_prefix
from ..urls import absolute, entity_path
from .api import API_KINDS

CONTEXT = "https://schema.org"
HOME = Text(id="Beranda", en="Home")
# Sections that are not API kinds; API kinds bring their own titles.
EXTRA_SECTIONS: dict[str, Text] = {
    "data": Text(id="Data", en="Data"),
    "feeds": Text(id="Umpan", en="Feeds"),
    "api": Text(id="API", en="API"),
    "search": Text(id="Pencarian", en="Search"),
}


def section_title(section: str, lang: str) -> str | None:
    spec = API_KINDS.get(section)
    if spec is not None:
        return spec.title.en if lang == "en" and spec.title.en else spec.title.id
    extra = EXTRA_SECTIONS.get(section)
    return extra.get(lang) if extra else None


def breadcrumbs(site: Site, lang: str, neutral_path: str, title: str) -> dict[str, Any]:
    """Home > Section > Page; the home page is a one-item list, a section page two items."""
    base = site.settings.base_url
    crumbs = [(HOME.get(lang), absolute(base, lang_prefix(lang)))]
    parts = [p for p in neutral_path.split("#", 1)[0].split("/") if p]
    if parts:
        section = parts[0]
        section_url = absolute(base, lang_prefix(lang) + section + "/")
        if len(parts) == 1:
            crumbs.append((title, section_url))
        else:
            crumbs.append((section_title(section, lang) or section, section_url))
            crumbs.append((title, absolute(base, lang_prefix(lang) + neutral_path)))
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def _geo(lat: float, lon: float) -> dict[str, Any]:
    return {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}


def organisation(site: Site, org_id: str, org: Organisation, lang: str, url: str
                 ) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "GovernmentOrganization",
        "@id": url + "#organization",
        "name": org.name.get(lang),
        "url": url,
    }
    if org.short_name:
        data["alternateName"] = org.short_name
    if org.summary:
        data["description"] = org.summary.get(lang)
    if org.parent and org.parent in site.organisations:
        parent = site.organisations[org.parent]
        parent_url = absolute(site.settings.base_url, entity_path("organisations", org.parent, lang))
        data["parentOrganization"] = {"@type": "GovernmentOrganization", "@id":
                                      parent_url + "#organization", "name": parent.name.get(lang),
                                      "url": parent_url}
    if org.address:
        data["address"] = org.address.get(lang)
    if org.contact:
        if org.contact.phone:
            data["telephone"] = org.contact.phone
        if org.contact.email:
            data["email"] = org.contact.email
        if org.contact.website:
            data["sameAs"] = [org.contact.website]
    if org.coordinates:
        data["location"] = {"@type": "Place",
                            "geo": _geo(org.coordinates.lat, org.coordinates.lon)}
    return data


def post(post_id: str, p: Post, lang: str, url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Place",
        "@id": url + "#place",
        "name": p.name.get(lang),
        "url": url,
    }
    if p.summary:
        data["description"] = p.summary.get(lang)
    if p.location:
        data["address"] = p.location.get(lang)
    if p.coordinates:
        data["geo"] = _geo(p.coordinates.lat, p.coordinates.lon)
    return data


def web_page(site: Site, lang: str, url: str, title: str, description: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": "WebPage",
        "name": title,
        "description": description,
        "url": url,
        "inLanguage": lang,
        "isPartOf": {"@type": "WebSite", "name": site.settings.name.get(lang),
                     "url": absolute(site.settings.base_url, lang_prefix(lang))},
    }


def page_jsonld(site: Site, lang: str, neutral_path: str, kind: str | None,
                entity_id: str | None, title: str, description: str, url: str
                ) -> list[dict[str, Any]]:
    main: dict[str, Any]
    if kind == "organisations" and entity_id and entity_id in site.organisations:
        main = organisation(site, entity_id, site.organisations[entity_id], lang, url)
    elif kind == "posts" and entity_id and entity_id in site.posts:
        main = post(entity_id, site.posts[entity_id], lang, url)
    else:
        main = web_page(site, lang, url, title, description)
    return [main, breadcrumbs(site, lang, neutral_path, title)]
