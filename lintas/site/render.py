"""RENDER (renderer-neutral half): the model becomes Markdown pages with embedded HTML parts.

Structured parts (post card, step list, fee table, agreement facts, sources box) come from our own
Jinja2 templates in templates/partials/, so they look the same under any renderer that passes raw
HTML through Python-Markdown. Nothing here knows about MkDocs; renderer.py does.
"""

from __future__ import annotations

import contextvars
import functools
import posixpath
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..config import build_datetime
from ..content.model import Site
from ..content.sanitize import markdown_html, sanitize
from ..content.schemas import (
    Contact,
    Entity,
    Event,
    GlossaryTerm,
    Notice,
    Organisation,
    Post,
    Procedure,
    Text,
)
from ..i18n import LANGS, format_clock, format_date, format_idr, format_partial_date, lang_prefix
from ..publish.facts import expand
from . import citerender
from ..escape import finalize, plain, single_line
from ..problems import Problem
from .pages import Page
from .template_cache import with_cache
from .search import SEARCH_WEIGHTS, entity_regions, search_index
from .ui import UI
from ..urls import SECTIONS, entity_path, page_src, relative, section_path

# Set per page while its templates render: did any text fall back to Indonesian?
_fallback: contextvars.ContextVar[list[bool]] = contextvars.ContextVar("fallback")

_ROOT_LINK = re.compile(r"\]\((/[^)\s]*)\)")
_HTML_ROOT_LINK = re.compile(r'href="(/[^"]*)"')


@dataclass(frozen=True)
class Variant:
    """What the pages are built with: the offline bundle (file://) beside the online site or not,
    and the region names. One render serves both (lintas/renderer.py)."""

    bundle_path: str | None = None  # site path of the offline zip, when there is one
    regions: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {"id": name, "en": name}


@dataclass(frozen=True)
class Renderer:
    """Holds the Jinja2 environment; `render_pages` is the entry point."""

    env: Environment
    state: dict[str, Any] = field(default_factory=dict)  # 'site': the Site being rendered

    @classmethod
    def create(cls, templates_dir: Path) -> Renderer:
        env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=finalize,  # every printed text is plain text, safe in Markdown too
        )
        return cls(with_cache(env))

    def use_language(self, lang: str, page_path: str) -> Environment:
        """Point the text filters (tr, md, langattr, date, idr) at one language and page."""
        env = self.env
        site = self.state.get("site")
        env.filters["tr"] = lambda text: tr(text, lang, site)
        env.filters["md"] = lambda text: md_html(text, lang, page_path, site)
        env.filters["cite"] = lambda fact: citerender.cite_of(fact, lang)
        env.filters["cite_ids"] = lambda ids: citerender.marks(ids, None, lang)  # a text resting on sources
        env.filters["clock"] = lambda value: format_clock(value, lang)
        env.filters["pdate"] = lambda value: format_partial_date(value, lang)
        env.filters["langattr"] = lambda text: _lang_attr(text, lang)
        env.filters["date"] = lambda d: format_date(d, lang)
        env.filters["idr"] = lambda amount: format_idr(amount, lang)
        return env

    def partial(self, name: str, lang: str, page_path: str, **context: Any) -> str:
        """Render templates/partials/<name>.html; the result is a raw HTML block for Markdown."""
        env = self.use_language(lang, page_path)
        html = env.get_template(f"partials/{name}.html").render(ui=UI[lang], lang=lang, **context)
        # A blank line ends an HTML block in Markdown: keep each part one block.
        return "\n" + re.sub(r"\n\s*\n", "\n", html.strip()) + "\n"


class _Marks:
    """Citation marks are our markup, not content: they stand in the text as placeholders while the
    text around them is escaped or sanitized, then go back in."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.items: list[str] = []

    def __call__(self, fact: Any) -> str:
        self.items.append(str(citerender.cite_of(fact, self.lang)))
        return f"\ue000{len(self.items) - 1}\ue001"

    def restore(self, text: str) -> str:
        return re.sub("\ue000(\\d+)\ue001", lambda m: self.items[int(m.group(1))], text) if self.items else text


def _as_text(fact: str) -> str:
    """A fact's value (plain text) made text inside Markdown."""
    return str(plain(fact))


def tr(text: Text | None, lang: str, site: Site | None = None) -> Markup:
    """Text in `lang`; an English page showing Indonesian marks it with lang="id".

    Fact references (`{{ post:<id>.opening_hours }}`) show the fact's current value, with its citations."""
    if text is None:
        return Markup("")
    if text.is_fallback(lang):
        _mark_fallback()
        return Markup('<span lang="id">') + _expanded(text.id, lang, site) + Markup("</span>")
    return _expanded(text.get(lang), lang, site)


def _expanded(value: str, lang: str, site: Site | None) -> Markup:
    """Escaped text with fact references replaced by the facts (escaped) and their marks (markup)."""
    if site is None or "{{" not in value:
        return plain(value)
    marks = _Marks(lang)
    return Markup(marks.restore(str(plain(expand(value, site, lang, marks, UI[lang])))))


def _mark_fallback() -> None:
    flags = _fallback.get(None)
    if flags is not None:
        flags.append(True)


def _lang_attr(text: Text | None, lang: str) -> Markup:
    return Markup(' lang="id"') if text is not None and text.is_fallback(lang) else Markup("")


def md_html(text: Text | None, lang: str, page_path: str, site: Site | None = None) -> Markup:
    """Markdown of a Text rendered to HTML (for Markdown that sits inside an HTML part)."""
    if text is None:
        return Markup("")
    if text.is_fallback(lang):
        _mark_fallback()
    value = text.get(lang)
    marks = _Marks(lang)
    if site is not None:
        value = expand(value, site, lang, marks, UI[lang], escape=_as_text)
    source = rewrite_root_links(value, lang, page_path, html=True)
    html = markdown_html(source, ("attr_list", "tables"))
    # `check` refused anything outside the allowlist already; this keeps a page safe even if a
    # caller skipped it (the sanitizer changes nothing in checked content).
    clean = sanitize(html)
    return Markup(marks.restore(clean))  # marks go in after the allowlist


def rewrite_root_links(markdown: str, lang: str, page_path: str, *, html: bool = False) -> str:
    """Content links to site paths ('/procedures/x/') become relative links in the page's language.

    In Markdown they point at the target's index.md (the renderer resolves them in any URL mode);
    inside HTML parts they are relative folder URLs.
    """

    def target(path: str) -> str:
        clean, _, anchor = path.partition("#")
        site_path = lang_prefix(lang) + clean.lstrip("/")
        if html:
            return relative(page_path, site_path) + (f"#{anchor}" if anchor else "")
        md_path = posixpath.join(site_path.rstrip("/"), "index.md") if site_path.endswith("/") or not site_path else site_path
        rel = posixpath.relpath(md_path, page_path.rstrip("/") or ".")
        return rel + (f"#{anchor}" if anchor else "")

    out = _ROOT_LINK.sub(lambda m: f"]({target(m.group(1))})", markdown)
    return _HTML_ROOT_LINK.sub(lambda m: f'href="{target(m.group(1))}"', out) if html else out


def name_of(entity: Entity, lang: str) -> str:
    for attr in ("name", "title"):
        value = getattr(entity, attr, None)
        if isinstance(value, Text):
            return value.get(lang)
    term = getattr(entity, "term", None)
    return str(term) if term else ""


def summary_of(entity: Entity, lang: str) -> str:
    value = getattr(entity, "summary", None)
    if isinstance(value, Text):
        return value.get(lang)
    definition = getattr(entity, "definition", None)
    return definition.get(lang) if isinstance(definition, Text) else ""


class PageBuilder:
    """Builds every page of one language."""

    def __init__(self, site: Site, lang: str, renderer: Renderer, published: frozenset[str] = frozenset(),
                 variant: Variant | None = None) -> None:
        self.site = site
        self.published = published
        self.variant = variant or Variant()
        self.lang = lang
        self.r = renderer
        self.ui = UI[lang]
        renderer.state["site"] = site

    # -- helpers ------------------------------------------------------------------------------

    def path(self, kind: str, entity_id: str) -> str:
        return entity_path(kind, entity_id, self.lang)

    def link(self, here: str, kind: str, entity_id: str) -> dict[str, str]:
        entity = self.site.kind_items(kind)[entity_id]
        return {"href": relative(here, self.path(kind, entity_id)), "name": name_of(entity, self.lang)}

    def links(self, here: str, kind: str, ids: Iterable[str]) -> list[dict[str, str]]:
        return [self.link(here, kind, i) for i in ids]

    def link_section(self, here: str, heading_key: str, anchor: str, kind: str, ids: Iterable[str]) -> str:
        items = self.links(here, kind, ids)
        if not items:
            return ""
        return self.r.partial("link_list", self.lang, here, heading=self.ui[heading_key], anchor=anchor, items=items)

    def body(self, text: Text | None, here: str) -> str:
        if text is None:
            return ""
        marks = _Marks(self.lang)
        expanded = marks.restore(expand(text.get(self.lang), self.site, self.lang, marks, self.ui, escape=_as_text))
        source = rewrite_root_links(expanded, self.lang, here)
        if text.is_fallback(self.lang):
            _mark_fallback()
            return f'\n<div lang="id" markdown="1">\n\n{source.strip()}\n\n</div>\n'
        return "\n" + source.strip() + "\n"

    def lead(self, text: Text | None) -> str:
        if text is None:
            return ""
        return "\n" + str(Markup('<p class="lintas-lead">') + tr(text, self.lang) + Markup("</p>")) + "\n"

    def notices_banner(self, here: str, ids: Iterable[str]) -> str:
        active = [(i, self.site.notices[i]) for i in ids if self.site.is_active(self.site.notices[i])]
        if not active:
            return ""
        items = [
            {
                "href": relative(here, self.path("notices", i)),
                "title": n.title.get(self.lang),
                "summary": n.summary.get(self.lang),
                "level": n.level,
                # The service worker hides the banner of a kept page once this day has passed.
                "until": n.valid_until.isoformat() if n.valid_until else "",
            }
            for i, n in active
        ]
        return self.r.partial("notice_banner", self.lang, here, notices=items)

    def common_tail(self, entity: Entity, here: str, kind: str | None = None) -> str:
        """The page's numbered sources (those its facts cite first, then the page's own) and review date."""
        return self.sources_box(here, entity.sources, entity.reviewed_on, kind)

    def sources_box(self, here: str, own: Iterable[str], reviewed_on: Any, kind: str | None = None) -> str:
        from ..content.provenance import review_due

        citerender.register(own)
        page = citerender.current()
        entries = page.entries() if page is not None else []
        register_href = relative(here, f"{lang_prefix(self.lang)}sources/")
        due = review_due(self.site.settings, kind, reviewed_on) if kind else None
        return self.r.partial("sources_box", self.lang, here, entries=entries, reviewed_on=reviewed_on,
                              due=due, register_href=register_href, anchor=citerender.anchor)

    def contact_part(self, here: str, oid: str, heading: str | None = None) -> str:
        """An office's contact details, each cited or 'not known'; when none is known, the nearest
        parent office whose contact is known."""
        org = self.site.organisations[oid]
        contact = org.contact
        fields = [(name, getattr(contact, name)) for name in Contact.CRITICAL] if contact else []
        known = bool(contact and contact.known())
        fallback = None
        seen = {oid}
        parent = org.parent
        while not known and parent and parent not in seen:
            seen.add(parent)
            upper = self.site.organisations[parent]
            if upper.contact and upper.contact.known():
                fallback = {"href": relative(here, self.path("organisations", parent)),
                            "name": name_of(upper, self.lang),
                            "summary": _expanded("{{ organisation:" + parent + ".contact }}", self.lang, self.site)}
            parent = upper.parent
        data = {"anchor": oid, "heading": heading or self.ui["contact"], "fields": fields, "known": known,
                "fallback": fallback}
        return self.r.partial("contact", self.lang, here, contact=data)

    def review_notice(self, kind: str, entity: Entity) -> str:
        """'This information may be out of date' when the entity's review is overdue."""
        from ..content.provenance import is_overdue

        due = is_overdue(self.site.settings, kind, entity.reviewed_on, self.site.today)
        if due is None:
            return ""
        return self.r.partial("review_notice", self.lang, "", reviewed_on=entity.reviewed_on, due=due)

    def caveats(self, entity: Entity, here: str) -> str:
        if not entity.caveats:
            return ""
        return self.r.partial("caveats", self.lang, here, caveats=entity.caveats)

    def region_name(self, code: str | None) -> str | None:
        """'Kabupaten Belu (5306)', from data/regions.yaml; the bare code when it is not listed."""
        if code is None:
            return None
        names = self.variant.regions.get(code)
        if not names:
            return code
        return f"{names.get(self.lang) or names['id']} ({code})"

    def finish(self, src: str, title: str, parts: list[str], meta: dict[str, Any]) -> Page:
        text = "\n".join(p for p in parts if p)
        text += self.abbreviations(text)
        return Page(src=src, title=title, markdown=text, meta=self.with_head(title, meta))

    def with_head(self, title: str, meta: dict[str, Any]) -> dict[str, Any]:
        """Canonical URL, language alternates, Open Graph, feeds and JSON-LD for the page head."""
        from ..publish.discovery import page_head

        if "path" not in meta:
            return meta
        head = page_head(self.site, self.lang, meta["path"], meta.get("kind"), meta.get("entity_id"),
                         title, meta.get("description", ""))
        return {**meta, "head": head}

    def abbreviations(self, text: str) -> str:
        """Python-Markdown abbr definitions for glossary abbreviations that appear on the page."""
        pattern, meanings = self._abbr
        if pattern is None:
            return ""
        plain = re.sub(r"<[^>]+>", " ", text)
        found = sorted(set(pattern.findall(plain)))
        lines = [f"*[{term}]: {single_line(meanings[term])}" for term in found]
        return ("\n\n" + "\n".join(lines) + "\n") if lines else ""

    @functools.cached_property
    def _abbr(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        """One pattern for every abbreviation: a page is scanned once, whatever the glossary's size."""
        meanings = {}
        for term in self.site.glossary.values():
            # A term is matched in page text and written into one Markdown definition line.
            if term.abbreviation and term.expansion and not re.search(r"[\[\]\\\s]", term.term):
                meanings[term.term] = (term.expansion if self.lang == "id" else
                                       f"{term.expansion} ({term.definition.get('en').split(':')[0]})")
        if not meanings:
            return None, {}
        alternatives = "|".join(re.escape(t) for t in sorted(meanings, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])"), meanings

    def render_entity(self, kind: str, entity_id: str, entity: Entity) -> Page:
        token = _fallback.set([])
        cites = citerender.start_page(self.site.sources)
        try:
            page = getattr(self, f"_{kind}")(entity_id, entity)
            if _fallback.get():
                page = Page(page.src, page.title,
                            self.r.partial("fallback_notice", self.lang, "") + "\n" + page.markdown,
                            {**page.meta, "fallback": True})
            overdue = self.review_notice(kind, entity)
            if overdue:
                page = Page(page.src, page.title, overdue + "\n" + page.markdown, {**page.meta, "review_overdue": True})
            return page
        finally:
            citerender.end_page(cites)
            _fallback.reset(token)

    def meta(self, kind: str, entity_id: str, entity: Entity) -> dict[str, Any]:
        return {
            "description": summary_of(entity, self.lang),
            "kind": kind,
            "entity_id": entity_id,
            "path": self.path(kind, entity_id),
            "lang": self.lang,
            "reviewed_on": entity.reviewed_on.isoformat(),
            "search_index": search_index(kind, self.lang, entity_regions(self.site, kind, entity), self.variant.regions),
        }

    # -- kinds -------------------------------------------------------------------------------

    def _posts(self, pid: str, post: Post) -> Page:
        here = self.path("posts", pid)
        office = self.link(here, "organisations", post.operating_office) if post.operating_office else None
        manager = self.link(here, "organisations", post.managed_by) if post.managed_by else None
        geo_file = "api/v1/geo/places.geojson"
        geo = relative(here, geo_file) if post.coordinates and geo_file in self.published else None
        parts = [
            self.notices_banner(here, self.site.notices_by_post.get(pid, ())),
            self.lead(post.summary),
            self.caveats(post, here),
            self.r.partial("post_card", self.lang, here, post=post, office=office, manager=manager,
                           region=self.region_name(post.region), geo_href=geo),
            self.body(post.body, here),
            self.link_section(here, "procedures_here", "procedures", "procedures", self.site.procedures_by_post.get(pid, ())),
            self.link_section(here, "agreements_here", "agreements", "agreements", self.site.agreements_by_post.get(pid, ())),
            self.link_section(here, "notices_here", "notices", "notices", self.site.notices_by_post.get(pid, ())),
            self.common_tail(post, here, "posts"),
        ]
        return self.finish(page_src("posts", pid), post.name.get(self.lang), parts, self.meta("posts", pid, post))

    def _organisations(self, oid: str, org: Organisation) -> Page:
        here = self.path("organisations", oid)
        parent = self.link(here, "organisations", org.parent) if org.parent else None
        parts = [
            self.lead(org.summary),
            self.caveats(org, here),
            self.r.partial("org_card", self.lang, here, org=org, parent=parent,
                           region=self.region_name(org.region),
                           working_area=[self.region_name(c) for c in org.working_area]),
            self.contact_part(here, oid),
            self.body(org.body, here),
            self.link_section(here, "posts_here", "posts", "posts", self.site.posts_by_office.get(oid, ())),
            self.link_section(here, "procedures_here", "procedures", "procedures", self.site.procedures_by_office.get(oid, ())),
            self.link_section(here, "agreements_here", "agreements", "agreements", self.site.agreements_by_org.get(oid, ())),
            self.link_section(here, "children", "children", "organisations", self.site.children_by_org.get(oid, ())),
            self.link_section(here, "events_here", "events", "events", self.site.events_by_org.get(oid, ())),
            self.common_tail(org, here, "organisations"),
        ]
        return self.finish(page_src("organisations", oid), org.name.get(self.lang), parts,
                           self.meta("organisations", oid, org))

    def _agreements(self, aid: str, agreement: Any) -> Page:
        here = self.path("agreements", aid)
        parties = self.links(here, "organisations", agreement.parties)
        parts = [
            self.caveats(agreement, here),
            self.r.partial("agreement_facts", self.lang, here, agreement=agreement, parties=parties),
            self.body(agreement.body, here),
            self.link_section(here, "related_posts", "posts", "posts", agreement.related_posts),
            self.common_tail(agreement, here, "agreements"),
        ]
        meta = self.meta("agreements", aid, agreement)
        meta["description"] = agreement.scope.get(self.lang)
        return self.finish(page_src("agreements", aid), agreement.title.get(self.lang), parts, meta)

    def _procedures(self, pid: str, proc: Procedure) -> Page:
        here = self.path("procedures", pid)
        notice_ids = set(self.site.notices_by_procedure.get(pid, ()))
        parts = [
            self.notices_banner(here, sorted(notice_ids)),
            self.lead(proc.summary),
            self.caveats(proc, here),
            self.body(proc.body, here),
            self.r.partial("requirements", self.lang, here, requirements=proc.requirements) if proc.requirements else "",
            self.r.partial("steps", self.lang, here, steps=proc.steps),
            self.r.partial("fees", self.lang, here, fees=proc.fees) if proc.fees else "",
            (f"\n## {self.ui['processing_time']}\n\n" + str(tr(proc.processing_time, self.lang, self.site))
             + str(citerender.cite_of(proc.citations.get("processing_time"), self.lang)) + "\n") if proc.processing_time else "",
            self.link_section(here, "where", "where", "organisations", proc.offices),
            *(self.contact_part(here, o, f"{self.ui['contact']}: {name_of(self.site.organisations[o], self.lang)}")
              for o in proc.offices),
            self.link_section(here, "posts_here", "posts", "posts", proc.posts),
            self.link_section(here, "related_procedures", "related", "procedures", self.site.related_by_procedure.get(pid, ())),
            self.common_tail(proc, here, "procedures"),
        ]
        return self.finish(page_src("procedures", pid), proc.title.get(self.lang), parts, self.meta("procedures", pid, proc))

    def _events(self, eid: str, event: Event) -> Page:
        here = self.path("events", eid)
        participants = [{"name": p.name, "role": p.role, "part": p.part, "fact": p,
                         "org": self.link(here, "organisations", p.organisation) if p.organisation else None}
                        for p in event.participants]
        parts = [
            self.lead(event.summary),
            self.caveats(event, here),
            self.r.partial("event_facts", self.lang, here, event=event, participants=participants,
                           organisations=self.links(here, "organisations", event.organisations)),
            self.body(event.body, here),
            self.link_section(here, "related_posts", "posts", "posts", event.related_posts),
            self.link_section(here, "procedures_here", "procedures", "procedures", event.related_procedures),
            self.common_tail(event, here, "events"),
        ]
        return self.finish(page_src("events", eid), event.title.get(self.lang), parts, self.meta("events", eid, event))

    def sources_page(self) -> Page:
        """/sources/: every source of the register with the pages that cite it."""
        here = f"{lang_prefix(self.lang)}sources/"
        items = []
        for sid, src in self.site.sources.items():
            pages = []
            for kind, eid in self.site.cited_by.get(sid, ()):
                if kind == "flows":
                    flow = self.site.flows[eid]
                    pages.append({"href": relative(here, f"{lang_prefix(self.lang)}checker/{eid}/"),
                                  "name": flow.title.get(self.lang)})
                elif kind in self.site.__dataclass_fields__:
                    pages.append(self.link(here, kind, eid))
            items.append({"id": sid, "source": src, "pages": pages})
        body = [f"\n{self.ui['section_intro']['sources']}\n"]
        undated = sum(1 for src in self.site.sources.values() if not src.accessed)
        if undated:  # said once, plainly, besides each entry's "access date not recorded"
            body.append("\n" + plain(self.ui["sources_accessed_unknown"].format(
                n=undated, total=len(self.site.sources))) + "\n")
        body.append(self.r.partial("source_register", self.lang, here, items=items))
        title = self.ui["sections"]["sources"]
        return self.finish("sources/index.md", title, body,
                           {"description": self.ui["section_intro"]["sources"], "kind": "section", "path": here,
                            "lang": self.lang,
                            # Not a search result: it names every publisher, and a search for one
                            # would land here instead of on the pages about the subject.
                            "search_index": {"exclude": True}})

    def _notices(self, nid: str, notice: Notice) -> Page:
        here = self.path("notices", nid)
        until = format_date(notice.valid_until, self.lang) if notice.valid_until else self.ui["valid_until_open"]
        state = ""
        if notice.valid_until and notice.valid_until < self.site.today:
            state = f'\n<p class="lintas-banner lintas-banner--archived">{plain(self.ui["archived"])}</p>\n'
        elif notice.valid_from > self.site.today:
            state = f'\n<p class="lintas-banner lintas-banner--info">{plain(self.ui["upcoming"])}</p>\n'
        audience = ", ".join(self.ui["audiences"][a] for a in notice.audience)
        until_attr = f' data-lintas-until="{notice.valid_until.isoformat()}"' if notice.valid_until else ""
        facts = (f'\n<p class="lintas-notice-meta"{until_attr}><strong>{plain(self.ui["levels"][notice.level])}</strong> · '
                 f'{plain(self.ui["valid"])}: {plain(format_date(notice.valid_from, self.lang))} – {plain(until)}'
                 + (f" · {plain(self.ui['audience'])}: {plain(audience)}" if audience else "") + "</p>\n")
        parts = [
            state,
            facts,
            self.lead(notice.summary),
            self.caveats(notice, here),
            self.body(notice.body, here),
            self.link_section(here, "related_posts", "posts", "posts", notice.related_posts),
            self.link_section(here, "procedures_here", "procedures", "procedures", notice.related_procedures),
            self.link_section(here, "issued_by", "issued-by", "organisations",
                              [notice.issued_by] if notice.issued_by else []),
            self.common_tail(notice, here, "notices"),
        ]
        return self.finish(page_src("notices", nid), notice.title.get(self.lang), parts, self.meta("notices", nid, notice))

    # -- section, home and special pages ------------------------------------------------------

    def section(self, kind: str) -> Page:
        here = section_path(kind, self.lang)
        items: list[tuple[str, Entity]] = list(self.site.kind_items(kind).items())
        if kind == "notices":
            items = [(i, n) for i, n in self.site.notices.items() if not (n.valid_until and n.valid_until < self.site.today)]
        lines = [f"\n{self.ui['section_intro'][kind]}\n"]
        rows = []
        for eid, ent in sorted(items, key=lambda kv: name_of(kv[1], self.lang).casefold()):
            href = relative(here, self.path(kind, eid))
            summary = summary_of(ent, self.lang)
            rows.append(f'<li><a href="{plain(href)}">{plain(name_of(ent, self.lang))}</a>'
                        + (f'<br><span class="lintas-muted">{plain(summary)}</span>' if summary else "") + "</li>")
        if kind == "notices" and not rows:
            lines.append(f"\n{self.ui['no_active_notices']}\n")
        if rows:
            lines.append('\n<ul class="lintas-index">\n' + "\n".join(rows) + "\n</ul>\n")
        if kind == "notices":
            lines.append(f"\n[{self.ui['archive']}](archive/index.md)\n")
        return self.finish(f"{kind}/index.md", self.ui["sections"][kind], lines,
                           {"description": self.ui["section_intro"][kind], "kind": "section", "path": here, "lang": self.lang,
                            "search_index": {"weight": SEARCH_WEIGHTS["section"]}})

    def archive(self) -> Page:
        here = f"{lang_prefix(self.lang)}notices/archive/"
        rows = []
        for nid, n in sorted(self.site.archived_notices(), key=lambda kv: (kv[1].valid_from, kv[0]), reverse=True):
            href = relative(here, self.path("notices", nid))
            until = format_date(n.valid_until, self.lang) if n.valid_until else ""
            rows.append(f'<li><a href="{plain(href)}">{plain(n.title.get(self.lang))}</a> '
                        f'<span class="lintas-muted">({plain(format_date(n.valid_from, self.lang))} – {plain(until)})</span></li>')
        body = [f"\n{self.ui['archive_intro']}\n", '\n<ul class="lintas-index">\n' + "\n".join(rows) + "\n</ul>\n" if rows else ""]
        return self.finish("notices/archive/index.md", self.ui["archive"], body,
                           {"description": self.ui["archive_intro"], "kind": "section", "path": here, "lang": self.lang})

    def glossary(self) -> Page:
        here = section_path("glossary", self.lang)
        latest = max((t.reviewed_on for t in self.site.glossary.values()), default=None)
        cites = citerender.start_page(self.site.sources)  # each definition cites its term's sources
        try:
            entries = [self._term(gid, term) for gid, term in
                       sorted(self.site.glossary.items(), key=lambda kv: kv[1].term.casefold())]
            body = [f"\n{self.ui['glossary_intro']}\n",
                    '\n<dl class="lintas-glossary">\n' + "\n".join(entries) + "\n</dl>\n"]
            if latest:
                own = sorted({s for t in self.site.glossary.values() for s in t.sources})
                body.append(self.sources_box(here, own, latest))
        finally:
            citerender.end_page(cites)
        # No abbreviation markup on the glossary itself: the terms are spelt out right there.
        title = self.ui["sections"]["glossary"]
        return Page("glossary/index.md", title, "\n".join(body), self.with_head(title,
                    {"description": self.ui["glossary_intro"], "kind": "section", "path": here, "lang": self.lang,
                     "search_index": search_index("glossary", self.lang)}))

    def _bundle_note(self, here: str) -> str:
        """Online: the link to the offline bundle with its size (known once the bundle is made from
        this very render: BUNDLE_SIZE_MARK, filled in by fill_bundle_size). Offline: what it is.
        Marked for lintas/renderer.py; each marker its own block, so Markdown keeps them in place."""
        ui = self.ui
        if not self.variant.bundle_path:
            return ""
        href = relative(here, self.variant.bundle_path)
        # data-search-exclude: not in the offline copy's search index (the link is not in the copy).
        online = (f'<p class="lintas-bundle-note" data-search-exclude><a href="{plain(href)}" download>'
                  f'{plain(ui["offline_download"])}</a> (ZIP, {BUNDLE_SIZE_MARK} MB). '
                  f'{plain(ui["offline_explain"])}</p>')
        offline = f'<p class="lintas-bundle-note" role="note">{plain(ui["offline_note"])}</p>'
        return (f"\n<!--lintas:online-->\n\n{online}\n\n<!--/lintas:online-->\n"
                f"\n<!--lintas:offline-->\n\n{offline}\n\n<!--/lintas:offline-->\n")

    def keep_control(self, here: str) -> str:
        """The "Keep for offline reading" control (online site only: the bundle is already offline)."""
        return ("\n<!--lintas:online-->\n\n" + self.r.partial("keep", self.lang, here).strip()
                + "\n\n<!--/lintas:online-->\n")

    def about(self) -> Page:
        """About this site: who publishes it, where its content comes from, licences, privacy,
        its sources and the day it was built (the footer links here)."""
        ui, settings, lang = self.ui, self.site.settings, self.lang
        here = lang_prefix(lang) + "about/"
        info = footer_info(self.site, lang)
        contact = (f' {plain(ui["footer_contact"])}: <a href="mailto:{plain(info["contact_email"])}">'
                   f'{plain(info["contact_email"])}</a>.' if info["contact_email"] else "")
        licences = [f'<li>{plain(ui["footer_text_licence"])}: <a href="{plain(info["licence_url"])}" '
                    f'rel="license">{plain(info["licence_name"])}</a></li>'] if info["licence_url"] else []
        if info["data"]:
            licences.append(f'<li><a href="{plain(relative(here, lang_prefix(lang) + "data/"))}">'
                            f'{plain(ui["footer_data_licence"])}</a>: <a href="{DATA_LICENCE_URL}" '
                            f'rel="license">{DATA_LICENCE_NAME}</a></li>')
        source = [f"<li>{plain(ui['footer_built_with'])}</li>"]
        if settings.source_url:
            source.append(f'<li><a href="{plain(settings.source_url)}">{plain(ui["footer_source_code"])}</a></li>')
        parts = [
            f"# {ui['about_title']}\n",
            f"\n{plain(settings.tagline.get(lang))}\n",
            f"\n## {ui['about_publisher']}\n",
            f"\n<p>{plain(settings.publisher.get(lang))}.{contact}</p>\n",
            f"\n## {ui['about_content']}\n",
            f"\n{plain(ui['about_content_text'])}\n",
            f"\n## {ui['footer_licences']}\n",
            '\n<ul class="lintas-plain">' + "".join(licences) + "</ul>\n",
            f"\n## {ui['about_privacy']}\n",
            f"\n{plain(ui['about_privacy_text'])}\n",
            f"\n## {ui['footer_source']}\n",
            '\n<ul class="lintas-plain">' + "".join(source) + "</ul>\n",
            f'\n<p>{plain(ui["footer_built_on"])}: <time datetime="{info["built_iso"]}">'
            f'{plain(info["built"])}</time></p>\n',
        ]
        return self.finish("about/index.md", ui["about_title"], parts,
                           {"description": settings.tagline.get(lang), "kind": "about", "path": here,
                            "lang": lang})

    def _term(self, gid: str, term: GlossaryTerm) -> str:
        expansion = (f' <span class="lintas-muted">({plain(self.ui["abbreviation_of"])} {plain(term.expansion)})</span>'
                     if term.expansion else "")
        return (f'<dt id="{plain(gid)}"><dfn>{plain(term.term)}</dfn>{expansion}</dt>\n'
                f"<dd>{tr(term.definition, self.lang)}{citerender.marks(term.sources, None, self.lang, with_date=False)}</dd>")

    def home(self, known_pages: set[str]) -> Page:
        here = lang_prefix(self.lang)
        settings = self.site.settings
        tasks = [{"href": relative(here, lang_prefix(self.lang) + task.link),
                  "title": task.title.get(self.lang), "summary": task.summary.get(self.lang)}
                 for task in settings.tasks]
        active = [i for i, _ in self.site.active_notices()]
        sections = [f"- [{self.ui['sections'][s]}]({s}/index.md)" for s in (*SECTIONS, "data", "checker")
                    if f"{s}/index.md" in known_pages]
        parts = [
            f"# {plain(settings.name.get(self.lang))}\n",
            self.notices_banner(here, active),
            f"\n{plain(settings.tagline.get(self.lang))}\n",
            self._bundle_note(here),
            self.keep_control(here),
            f"\n## {self.ui['tasks_heading']}\n",
            self.r.partial("tasks", self.lang, here, tasks=tasks),
            f"\n## {self.ui['sections_heading']}\n",
            "\n" + "\n".join(sections) + "\n",
        ]
        return self.finish("index.md", settings.name.get(self.lang), parts,
                           {"description": settings.tagline.get(self.lang), "kind": "home", "path": here, "lang": self.lang,
                            "search_index": {"weight": SEARCH_WEIGHTS["home"]}})


BUNDLE_SIZE_MARK = "<!--lintas:bundle-size-->"


def bundle_size_text(size: int, lang: str) -> str:
    """The bundle's size in MB as the home page of `lang` shows it (decimal comma in Indonesian)."""
    return f"{size / 1_000_000:.1f}".replace(".", "," if lang == "id" else ".")


def render_pages(site: Site, lang: str, templates_dir: Path, extra: list[Page] | None = None,
                 published: frozenset[str] = frozenset(), variant: Variant | None = None) -> list[Page]:
    """Every page of the site in `lang`: home, sections, entities, glossary, archive, plus `extra`.

    `published` holds the site paths of published files, so pages link only to files that exist."""
    renderer = Renderer.create(templates_dir)
    builder = PageBuilder(site, lang, renderer, published, variant)
    pages: list[Page] = []
    for kind in SECTIONS:
        if kind == "glossary":
            pages.append(builder.glossary())
            continue
        pages.append(builder.section(kind))
        for eid, entity in site.kind_items(kind).items():
            pages.append(builder.render_entity(kind, eid, entity))
    pages.append(builder.archive())
    pages.append(builder.sources_page())
    pages.append(builder.about())
    pages.extend(extra or [])
    known = {p.src for p in pages}
    pages.insert(0, builder.home(known))
    return pages




DATA_LICENCE_NAME = "CC BY 4.0"  # every dataset's (lintas/datasets/outputs.py LICENCE_URL)
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def footer_info(site: Site, lang: str) -> dict[str, Any]:
    """What the footer of every page shows, in `lang`. Links are relative to the language's root
    (the theme makes them relative to the page; the offline copy points folder links at their
    index.html, lintas.site.renderer); the build date is SOURCE_DATE_EPOCH's, as every other
    timestamp of a reproducible build. The API link is online only (templates/material)."""
    settings = site.settings
    built = build_datetime().date()
    return {
        "labels": {k[len("footer_"):]: v for k, v in UI[lang].items() if k.startswith("footer_")},
        "site_name": settings.name.get(lang),
        "publisher": settings.publisher.get(lang),
        "contact_email": settings.contact_email or "",
        "licence_name": settings.licence.name if settings.licence else "",
        "licence_url": settings.licence.url if settings.licence else "",
        "data_licence_name": DATA_LICENCE_NAME,
        "data_licence_url": DATA_LICENCE_URL,
        "about": "about/",
        "about_title": UI[lang]["about_title"],
        "data": "data/" if site.datasets else "",
        "api": ("" if lang == "id" else "../") + "api/v1/index.json",
        "source_url": settings.source_url or "",
        "built": format_date(built, lang),
        "built_iso": built.isoformat(),
    }


def render_entity_pages(site: Site, lang: str, templates_dir: Path, entities: Iterable[tuple[str, str]],
                        published: frozenset[str] = frozenset(), variant: Variant | None = None) -> list[Page]:
    """The own pages of the given (kind, id) entities only, as `render_pages` makes them."""
    builder = PageBuilder(site, lang, Renderer.create(templates_dir), published, variant)
    return [builder.render_entity(kind, eid, site.kind_items(kind)[eid]) for kind, eid in entities]


def template_problem(exc: jinja2.TemplateError, root: Path) -> Problem:
    """A template error as a problem at the template's file and line: its own position for a
    syntax error, else the innermost template frame of the traceback (Jinja2 maps frames to
    template lines)."""
    filename, line = None, None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        filename, line = exc.filename, exc.lineno
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if "templates" in Path(frame.filename).parts:
                filename, line = frame.filename, frame.lineno
    where = "templates"
    if filename:
        path = Path(filename).resolve()
        where = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else str(path)
    return Problem(where, line, None, "template", f"{type(exc).__name__}: {exc.message or exc}")


def with_page_head(site: Site, lang: str, page: Page) -> Page:
    """Head metadata for pages other features add (datasets, checker); their search metadata comes
    from lintas.site.search.with_search_index in generate_pages."""
    if "head" in page.meta:
        return page
    from ..publish.discovery import page_head
    prefix = "" if lang == LANGS[0] else f"{lang}/"
    path = prefix + page.src.removesuffix("index.md")
    head = page_head(site, lang, path, None, None, page.title, str(page.meta.get("description", "")))
    extra_ld = page.meta.get("jsonld")
    if extra_ld:
        head = {**head, "jsonld": [*head["jsonld"], *(extra_ld if isinstance(extra_ld, list) else [extra_ld])]}
    meta: dict[str, object] = {"path": path, "lang": lang, **page.meta, "head": head}
    return Page(page.src, page.title, page.markdown, meta)


def page_paths(pages: dict[str, list[Page]]) -> dict[str, list[str]]:
    """Site path of every page, per language: 'posts/x/index.md' in English -> 'en/posts/x/'."""
    out: dict[str, list[str]] = {}
    for lang, items in pages.items():
        prefix = "" if lang == LANGS[0] else f"{lang}/"
        out[lang] = sorted(prefix + p.src.removesuffix("index.md") for p in items)
    return out
