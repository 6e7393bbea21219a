"""Discovery (issue 5): sitemap.xml with hreflang alternates, robots.txt, and the page-head data
(canonical, alternates, Open Graph, feeds, schema.org JSON-LD) and its Jinja2 partial."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from lintas.config import BuildConfig
from lintas.content.model import Site
from lintas.pipeline import check
from lintas.publish.api import publish_api
from lintas.publish.discovery import page_head, publish_discovery
from lintas.publish.feeds import publish_feeds
from lintas.urls import entity_path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2030, 1, 1)
BASE = "https://lintas.example/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def site_config() -> tuple[Site, BuildConfig]:
    config = BuildConfig.for_root(ROOT, today=TODAY)
    site, problems = check(config)
    assert site is not None, [p.format() for p in problems]
    assert site.settings.base_url == BASE
    return site, config


def page_paths(site: Site) -> dict[str, list[str]]:
    """Pages as the renderer would list them: home, sections, entity pages; one page only in id."""
    paths: dict[str, list[str]] = {"id": ["", "data/", "data/only-indonesian/"], "en": ["en/", "en/data/"]}
    for kind in ("organisations", "posts", "agreements", "procedures", "notices"):
        for lang in ("id", "en"):
            prefix = "en/" if lang == "en" else ""
            paths[lang].append(f"{prefix}{kind}/")
            paths[lang] += [entity_path(kind, i, lang) for i in site.kind_items(kind)]
    paths["id"].append("glossary/#plbn")  # an anchor is not a page: it collapses into glossary/
    paths["id"].append("glossary/")
    paths["en"].append("en/glossary/")
    return paths


@pytest.fixture(scope="module")
def sitemap(site_config) -> ET.Element:
    site, config = site_config
    out = publish_discovery(site, config, page_paths(site))
    assert sorted(out) == ["robots.txt", "sitemap.xml"]
    data = out["sitemap.xml"]
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(data)


def test_sitemap_lists_every_page_once_in_the_sitemap_namespace(site_config, sitemap):
    site, _ = site_config
    assert sitemap.tag == SM + "urlset"
    locs = [u.findtext(SM + "loc") for u in sitemap.findall(SM + "url")]
    expected = {BASE + p.split("#")[0] for paths in page_paths(site).values() for p in paths}
    assert sorted(locs) == locs and len(locs) == len(set(locs))
    assert set(locs) == expected
    assert all("#" not in loc for loc in locs)


def test_sitemap_hreflang_alternates_are_reciprocal_with_x_default(sitemap):
    alternates: dict[str, dict[str, str]] = {}
    for url in sitemap.findall(SM + "url"):
        links = url.findall(XHTML + "link")
        assert all(link.get("rel") == "alternate" for link in links)
        alternates[url.findtext(SM + "loc")] = {x.get("hreflang"): x.get("href") for x in links}
    assert alternates[BASE + "posts/plbn-motaain/"] == {
        "id": BASE + "posts/plbn-motaain/", "en": BASE + "en/posts/plbn-motaain/",
        "x-default": BASE + "posts/plbn-motaain/"}
    assert alternates[BASE + "en/"]["id"] == BASE
    assert alternates[BASE + "data/only-indonesian/"] == {}  # no English version, no alternates
    for loc, links in alternates.items():
        if links:
            assert links["x-default"] == links["id"]
            assert loc in (links["id"], links["en"])  # a page lists itself
            for href in (links["id"], links["en"]):
                assert alternates[href] == links  # and every alternate lists the same set


def test_robots_allows_all_and_points_to_the_sitemap(site_config):
    site, config = site_config
    robots = publish_discovery(site, config, {"id": [""], "en": ["en/"]})["robots.txt"].decode()
    lines = robots.splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert not any(line.lower().startswith("disallow: /") for line in lines)
    assert f"Sitemap: {BASE}sitemap.xml" in lines


def test_discovery_is_reproducible(site_config):
    site, config = site_config
    paths = page_paths(site)
    shuffled = {lang: list(reversed(p)) for lang, p in paths.items()}
    assert dict(publish_discovery(site, config, paths)) == dict(
        publish_discovery(site, config, shuffled))


# ---- page head --------------------------------------------------------------------------------

def jsonld_types(head: dict) -> list[str]:
    return [item["@type"] for item in head["jsonld"]]


def test_head_of_an_english_post_page(site_config):
    site, _ = site_config
    head = page_head(site, "en", "en/posts/plbn-motaain/", "posts", "plbn-motaain",
                     "Mota'ain", "The busiest post")
    assert head["canonical"] == BASE + "en/posts/plbn-motaain/"
    assert head["alternates"] == [
        {"hreflang": "id", "href": BASE + "posts/plbn-motaain/"},
        {"hreflang": "en", "href": BASE + "en/posts/plbn-motaain/"},
        {"hreflang": "x-default", "href": BASE + "posts/plbn-motaain/"},
    ]
    og = head["og"]
    assert og["og:url"] == head["canonical"] and og["og:locale"] == "en_GB"
    assert og["og:title"] == "Mota'ain" and og["og:description"] == "The busiest post"
    assert og["og:site_name"] == site.settings.name.en
    assert all(isinstance(v, str) for v in og.values())
    place = head["jsonld"][0]
    coords = site.posts["plbn-motaain"].coordinates
    assert place["@type"] == "Place"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": coords.lat,
                            "longitude": coords.lon}
    assert place["name"] == site.posts["plbn-motaain"].name.en


def test_post_without_coordinates_has_no_geo(site_config):
    site, _ = site_config
    post_id = next(i for i, p in site.posts.items() if p.coordinates is None)
    head = page_head(site, "id", entity_path("posts", post_id), "posts", post_id, "x", "y")
    assert head["jsonld"][0]["@type"] == "Place"
    assert "geo" not in json.dumps(head["jsonld"])


def test_organisation_is_a_government_organization_without_invented_facts(site_config):
    site, _ = site_config
    org_id, org = next((i, o) for i, o in site.organisations.items() if o.parent)
    head = page_head(site, "id", entity_path("organisations", org_id), "organisations", org_id,
                     org.name.id, "desc")
    data = head["jsonld"][0]
    assert data["@type"] == "GovernmentOrganization"
    assert data["name"] == org.name.id
    assert data["parentOrganization"]["url"] == BASE + entity_path("organisations", org.parent)
    for org_id, org in site.organisations.items():
        data = page_head(site, "en", entity_path("organisations", org_id, "en"), "organisations",
                         org_id, "t", "d")["jsonld"][0]
        known = dict(org.contact.known()) if org.contact else {}
        phone = known["phone"].value if "phone" in known else None
        assert data.get("telephone") == phone  # only a published number, never a guess


@pytest.mark.parametrize(("lang", "path", "kind", "entity_id", "expected"), [
    ("id", "", None, None, ["Beranda"]),
    ("en", "en/", None, None, ["Home"]),
    ("en", "en/notices/", "notices", None, ["Home", "The page"]),
    ("id", "notices/plb-not-accepted-by-timor-leste/", "notices",
     "plb-not-accepted-by-timor-leste", ["Beranda", "Pengumuman", "The page"]),
    ("en", "en/data/crossings/", None, None, ["Home", "Data", "The page"]),
    ("en", "en/glossary/", "glossary", None, ["Home", "The page"]),
    # every section is named in the page's language, never by its slug ("checker" was)
    ("id", "checker/crossing-into-timor-leste/event/", None, None, ["Beranda", "Cek perjalanan", "The page"]),
    ("en", "en/checker/crossing-into-timor-leste/", None, None, ["Home", "Travel checker", "The page"]),
])
def test_breadcrumbs_everywhere_and_webpage_otherwise(site_config, lang, path, kind, entity_id,
                                                      expected):
    site, _ = site_config
    head = page_head(site, lang, path, kind, entity_id, "The page", "About it")
    assert jsonld_types(head) == ["WebPage", "BreadcrumbList"]
    crumbs = head["jsonld"][1]["itemListElement"]
    assert [c["name"] for c in crumbs] == expected
    assert [c["position"] for c in crumbs] == list(range(1, len(expected) + 1))
    assert crumbs[-1]["item"] == head["canonical"]
    assert head["jsonld"][0]["inLanguage"] == lang


def test_head_links_point_at_published_feeds_and_api_documents(site_config):
    site, config = site_config
    published = set(publish_feeds(site, config)) | set(publish_api(site, config)[0])
    for lang, path in (("id", "posts/plbn-napan/"), ("en", "en/posts/plbn-napan/")):
        head = page_head(site, lang, path, "posts", "plbn-napan", "Napan", "d")
        feeds = {f["href"].removeprefix(BASE) for f in head["feeds"]}
        prefix = "en/" if lang == "en" else ""
        assert {f"{prefix}feeds/notices.xml", f"{prefix}feeds/agreements.xml"} <= feeds <= published | {
            f"{prefix}feeds/releases.xml"}  # the releases feed is written by the build (datasets)
        assert all(f["type"] == "application/atom+xml" for f in head["feeds"])
        data = {link["href"].removeprefix(BASE) for link in head["data_links"]}
        assert data == {"api/v1/posts/plbn-napan.json", "api/v1/geo/places.geojson"}
        assert data <= published


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.parametrize("autoescape", [True, False])  # MkDocs' theme environment does not escape
def test_head_partial_renders_every_part_escaped(site_config, autoescape):
    site, _ = site_config
    title = 'Mota\'ain "<script>alert(1)</script>'
    head = page_head(site, "en", "en/posts/plbn-motaain/", "posts", "plbn-motaain", title, "d & e")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "templates" / "material"),
                             autoescape=autoescape)
    html = env.get_template("partials/lintas-head.html").render(head=head)
    parser = _Head()
    parser.feed(html)
    links = [a for t, a in parser.tags if t == "link"]
    metas = {a["property"]: a["content"] for t, a in parser.tags if t == "meta"}
    assert [a["href"] for a in links if a.get("rel") == "canonical"] == []  # the theme prints it
    assert {(a["hreflang"], a["href"]) for a in links if a.get("hreflang")} == {
        (x["hreflang"], x["href"]) for x in head["alternates"]}
    assert metas == head["og"]  # the title came back intact: escaped, not injected
    assert [a["href"] for a in links if a.get("type") == "application/atom+xml"] == [
        f["href"] for f in head["feeds"]]
    assert [json.loads(s) for s in parser.scripts] == head["jsonld"]
    assert "<script>alert" not in html
