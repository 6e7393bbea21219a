"""Atom feeds (issue 5): parsed with xml.etree, Atom namespace and required elements, stable ids,
content dates only (never the clock), both languages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lintas.config import BuildConfig
from lintas.content.model import Site
from lintas.content.schemas import Text
from lintas.pipeline import check
from lintas.publish.feeds import FeedEntry, feed_path, publish_feeds, releases_feed

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2030, 1, 1)
A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_FILES = ["feeds/notices.xml", "en/feeds/notices.xml",
              "feeds/agreements.xml", "en/feeds/agreements.xml"]


@pytest.fixture(scope="module")
def built() -> tuple[Site, BuildConfig, dict[str, bytes]]:
    config = BuildConfig.for_root(ROOT, today=TODAY)
    site, problems = check(config)
    assert site is not None, [p.format() for p in problems]
    return site, config, dict(publish_feeds(site, config))


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(data)


def when(el: ET.Element, tag: str) -> dt.datetime:
    text = el.findtext(A + tag)
    assert text is not None, f"missing <{tag}>"
    return dt.datetime.fromisoformat(text)  # RFC 3339 with a zone


def check_atom(root: ET.Element) -> None:
    """RFC 4287 essentials: namespace, feed id/title/updated/author/self link, entry
    id/title/updated/alternate link/summary."""
    assert root.tag == A + "feed"
    assert all(el.tag.startswith(A) for el in root.iter()), "an element outside the Atom namespace"
    for tag in ("id", "title", "updated"):
        assert len(root.findall(A + tag)) == 1, tag
    assert root.find(f"{A}author/{A}name") is not None
    assert [link.get("href") for link in root.findall(A + "link") if link.get("rel") == "self"]
    assert when(root, "updated").tzinfo is not None
    for entry in root.findall(A + "entry"):
        for tag in ("id", "title", "updated", "summary"):
            assert len(entry.findall(A + tag)) == 1, tag
        assert entry.findtext(A + "id", "").startswith("tag:")
        alternates = [x for x in entry.findall(A + "link") if x.get("rel") == "alternate"]
        assert len(alternates) == 1 and alternates[0].get("href", "").startswith("https://")


@pytest.mark.parametrize("path", FEED_FILES)
def test_feeds_are_valid_atom(built, path):
    _, _, outputs = built
    root = parse(outputs[path])
    check_atom(root)
    lang = "en" if path.startswith("en/") else "id"
    assert root.get(XML_LANG) == lang
    self_href = next(x.get("href") for x in root.findall(A + "link") if x.get("rel") == "self")
    assert self_href == "https://lintas.example/" + path


def test_every_notice_and_agreement_has_an_entry_in_both_languages(built):
    site, _, outputs = built
    for name, items in (("notices", site.notices), ("agreements", site.agreements)):
        for lang, prefix in (("id", ""), ("en", "en/")):
            root = parse(outputs[feed_path(name, lang)])
            links = sorted(e.find(A + "link").get("href") for e in root.findall(A + "entry"))
            assert links == sorted(f"https://lintas.example/{prefix}{name}/{i}/" for i in items)


def test_entry_dates_come_from_content_and_feed_updated_is_the_newest(built):
    site, _, outputs = built
    root = parse(outputs["feeds/notices.xml"])
    entries = root.findall(A + "entry")
    by_id = {e.findtext(A + "id").rsplit("/", 1)[1]: e for e in entries}
    for notice_id, notice in site.notices.items():
        assert when(by_id[notice_id], "updated").date() == notice.valid_from
    dates = [when(e, "updated") for e in entries]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert when(root, "updated") == max(dates)
    agreements = parse(outputs["feeds/agreements.xml"])
    for entry in agreements.findall(A + "entry"):
        agreement = site.agreements[entry.findtext(A + "id").rsplit("/", 1)[1]]
        newest = max([agreement.signed_on, *(ev.date for ev in agreement.events)])
        assert when(entry, "updated").date() == newest
        assert when(entry, "published").date() == agreement.signed_on


def test_entry_ids_are_stable_unique_and_never_the_build_time(built):
    site, config, outputs = built
    later = dataclasses.replace(config, built_at=config.built_at + dt.timedelta(days=365))
    assert dict(publish_feeds(site, later)) == outputs
    ids = [e.findtext(A + "id") for path in FEED_FILES
           for e in parse(outputs[path]).findall(A + "entry")]
    assert len(ids) == len(set(ids)), "the same id in two feeds or two languages"
    assert "tag:lintas.example,2025:en/notices/papal-visit-pilgrims-2024" in ids


def test_entry_content_is_escaped_html_with_a_base_for_site_links(built):
    _, _, outputs = built
    root = parse(outputs["en/feeds/agreements.xml"])
    contents = [e.find(A + "content") for e in root.findall(A + "entry")]
    contents = [c for c in contents if c is not None]
    assert contents
    for content in contents:
        assert content.get("type") == "html"
        assert content.text.startswith("<p>")  # Markdown rendered, then escaped by XML
        assert content.get("{http://www.w3.org/XML/1998/namespace}base") == "https://lintas.example/en/"
    assert b"&lt;p&gt;" in outputs["en/feeds/agreements.xml"]


def release(key: str, day: dt.date, title_en: str | None) -> FeedEntry:
    return FeedEntry(key=f"datasets/{key}", title=Text(id=f"Rilis {key}", en=title_en),
                     summary=Text(id="Data bulanan", en="Monthly data"), path="data/crossings/",
                     updated=day, categories=("crossings",))


def test_releases_feed(built):
    site, config, _ = built
    entries = [release("crossings/1.0.0", dt.date(2025, 1, 31), "Release 1.0.0"),
               release("crossings/1.1.0", dt.date(2025, 2, 28), None)]
    data = releases_feed(entries, "en", config, site)
    assert data == releases_feed(list(reversed(entries)), "en", config, site)
    root = parse(data)
    check_atom(root)
    first, second = root.findall(A + "entry")
    assert first.findtext(A + "id") == "tag:lintas.example,2025:en/datasets/crossings/1.1.0"
    assert when(root, "updated") == dt.datetime(2025, 2, 28, tzinfo=dt.UTC)
    # No English title: the Indonesian one is shown and marked as Indonesian.
    assert first.find(A + "title").text == "Rilis crossings/1.1.0"
    assert first.find(A + "title").get(XML_LANG) == "id"
    assert second.find(A + "title").get(XML_LANG) is None
    assert first.find(A + "link").get("href") == "https://lintas.example/en/data/crossings/"
    self_href = next(x.get("href") for x in root.findall(A + "link") if x.get("rel") == "self")
    assert self_href == "https://lintas.example/" + feed_path("releases", "en")


def test_empty_releases_feed_takes_its_date_from_content_not_the_clock(built):
    site, config, _ = built
    root = parse(releases_feed([], "id", config, site))
    check_atom(root)
    newest_review = max(e.reviewed_on for kind in ("organisations", "posts", "agreements",
                                                   "procedures", "notices", "glossary")
                        for e in site.kind_items(kind).values())
    assert when(root, "updated").date() == newest_review
    later = dataclasses.replace(config, built_at=config.built_at + dt.timedelta(days=3))
    assert releases_feed([], "id", later, site) == releases_feed([], "id", config, site)
