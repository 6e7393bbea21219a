"""schema.org JSON-LD for page heads: who or what a page is about, and where it sits.

GovernmentOrganization for organisations (every kind we publish is a government body or team),
Place for posts (GeoCoordinates only when a source gives coordinates), WebPage for every other
page, and a BreadcrumbList everywhere. Dataset JSON-LD comes from the datasets publisher.
Facts that are not in the content are never added: no guessed phone numbers or addresses.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

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
    "checker": Text(id="Cek perjalanan", en="Travel checker"),  # as the navigation names it
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
    known = dict(org.contact.known()) if org.contact else {}
    for name, key in (("address", "address"), ("phone", "telephone"), ("email", "email")):
        if name in known:
            data[key] = known[name].value
    if "website" in known:
        data["sameAs"] = [known["website"].value]
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


def citations(site: Site, entity: BaseModel) -> list[dict[str, Any]]:
    """schema.org CreativeWorks for every source the entity cites, with their dates."""
    from ..content.provenance import cited_ids

    out = []
    for sid in dict.fromkeys(cited_ids(entity)):
        src = site.sources.get(sid)
        if src is None:
            continue
        work: dict[str, Any] = {"@type": "CreativeWork", "@id": absolute(site.settings.base_url, f"sources/#{sid}"),
                                "name": src.title, "publisher": {"@type": "Organization", "name": src.publisher}}
        if src.url:
            work["url"] = src.url
        if src.published:
            work["datePublished"] = src.published
        if src.author:
            work["author"] = src.author
        if src.language:
            work["inLanguage"] = src.language
        out.append(work)
    return out


def provenance(site: Site, kind: str | None, entity_id: str | None) -> dict[str, Any]:
    """`citation` (every source) and `isBasedOn` (the sources of the critical facts, with the date
    each fact holds as of), plus the review date."""
    if not kind or not entity_id or kind not in API_KINDS:
        return {}
    entity = site.kind_items(kind).get(entity_id)
    if entity is None:
        return {}
    from ..content.provenance import iter_models
    from ..content.schemas import Cited

    based: dict[str, str | None] = {}
    for _, obj in iter_models(entity):
        if isinstance(obj, Cited):
            for sid in obj.cite:
                based[sid] = based.get(sid) or obj.as_of
    for citation in getattr(entity, "citations", {}).values():
        for sid in citation.cite:
            based[sid] = based.get(sid) or citation.as_of
    data: dict[str, Any] = {"citation": citations(site, entity),
                            "lastReviewed": entity.reviewed_on.isoformat()}
    if based:
        data["isBasedOn"] = [{"@id": absolute(site.settings.base_url, f"sources/#{sid}"),
                              **({"temporalCoverage": as_of} if as_of else {})} for sid, as_of in based.items()]
    return data


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
        main.update(provenance(site, kind, entity_id))
        return [main, breadcrumbs(site, lang, neutral_path, title)]
    # An organisation or a place is what the page is about; the page carries the provenance
    # (schema.org `citation`, `isBasedOn` and `lastReviewed` are properties of creative works).
    page = web_page(site, lang, url, title, description)
    page["about"] = {"@id": main["@id"]}
    page.update(provenance(site, kind, entity_id))
    return [main, page, breadcrumbs(site, lang, neutral_path, title)]
