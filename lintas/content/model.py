"""MODEL: the validated records as one frozen, typed Site with references resolved both ways."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .flows.schema import Flow
from .schemas import (
    Agreement,
    Entity,
    Event,
    GlossaryTerm,
    Notice,
    Organisation,
    Post,
    Procedure,
    SiteSettings,
    SourceRecord,
)
from .validate import Validated

E = TypeVar("E", bound=Entity)


@dataclass(frozen=True)
class Site:
    """Everything the renderers and publishers need, in stable (id) order."""

    settings: SiteSettings
    today: dt.date
    organisations: dict[str, Organisation]
    posts: dict[str, Post]
    agreements: dict[str, Agreement]
    procedures: dict[str, Procedure]
    notices: dict[str, Notice]
    glossary: dict[str, GlossaryTerm]
    src_paths: dict[tuple[str, str], str]
    flows: dict[str, Flow] = field(default_factory=dict)  # travel-checker flows (lintas/checker)
    events: dict[str, Event] = field(default_factory=dict)
    sources: dict[str, SourceRecord] = field(default_factory=dict)  # the source register, by id
    cited_by: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # source id -> (kind, id)
    datasets: tuple[Any, ...] = ()  # open-data definitions (lintas.datasets.Dataset), from data/
    # Reverse links, each a sorted tuple of ids.
    posts_by_office: dict[str, tuple[str, ...]] = field(default_factory=dict)
    agreements_by_org: dict[str, tuple[str, ...]] = field(default_factory=dict)
    agreements_by_post: dict[str, tuple[str, ...]] = field(default_factory=dict)
    procedures_by_post: dict[str, tuple[str, ...]] = field(default_factory=dict)
    procedures_by_office: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notices_by_post: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notices_by_procedure: dict[str, tuple[str, ...]] = field(default_factory=dict)
    children_by_org: dict[str, tuple[str, ...]] = field(default_factory=dict)
    events_by_org: dict[str, tuple[str, ...]] = field(default_factory=dict)
    related_by_procedure: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def is_active(self, notice: Notice) -> bool:
        return notice.valid_from <= self.today and (
            notice.valid_until is None or notice.valid_until >= self.today
        )

    def active_notices(self) -> list[tuple[str, Notice]]:
        return [(i, n) for i, n in self.notices.items() if self.is_active(n)]

    def archived_notices(self) -> list[tuple[str, Notice]]:
        return [(i, n) for i, n in self.notices.items()
                if n.valid_until is not None and n.valid_until < self.today]

    def upcoming_notices(self) -> list[tuple[str, Notice]]:
        return [(i, n) for i, n in self.notices.items() if n.valid_from > self.today]

    def kind_items(self, kind: str) -> dict[str, Entity]:
        return getattr(self, kind)


def _index(pairs: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        out[key].add(value)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def _collect(validated: Validated, kind: str, cls: type[E]) -> dict[str, E]:
    items = {r.id: r.entity for r in validated.records if r.kind == kind}
    out: dict[str, E] = {}
    for key in sorted(items):
        ent = items[key]
        assert isinstance(ent, cls)
        out[key] = ent
    return out


def _citers(validated: Validated) -> dict[str, set[tuple[str, str]]]:
    from .provenance import cited_ids

    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for rec in validated.records:
        if not isinstance(rec.entity, SourceRecord):
            for sid in cited_ids(rec.entity):
                out[sid].add((rec.kind, rec.id))
    return out


def build_model(validated: Validated, today: dt.date) -> Site:
    """MODEL stage. Expects validation to have passed (references exist)."""
    assert validated.settings is not None
    orgs = _collect(validated, "organisations", Organisation)
    posts = _collect(validated, "posts", Post)
    agreements = _collect(validated, "agreements", Agreement)
    procedures = _collect(validated, "procedures", Procedure)
    notices = _collect(validated, "notices", Notice)
    glossary = _collect(validated, "glossary", GlossaryTerm)
    related = [(p, r) for p, proc in procedures.items() for r in proc.related]
    related += [(r, p) for p, r in related]  # "related" is symmetric on the pages
    return Site(
        settings=validated.settings,
        today=today,
        organisations=orgs,
        posts=posts,
        agreements=agreements,
        procedures=procedures,
        notices=notices,
        glossary=glossary,
        src_paths={(r.kind, r.id): r.src_path for r in validated.records},
        flows=_collect(validated, "flows", Flow),
        events=(events := _collect(validated, "events", Event)),
        events_by_org=_index([(o, i) for i, e in events.items() for o in e.organisations]),
        sources={r.id: r.entity for r in sorted(validated.records, key=lambda r: r.id)
                 if isinstance(r.entity, SourceRecord)},
        cited_by={k: tuple(sorted(v)) for k, v in sorted(_citers(validated).items())},
        posts_by_office=_index(
            [(p.operating_office, i) for i, p in posts.items() if p.operating_office]
            + [(p.managed_by, i) for i, p in posts.items() if p.managed_by]
        ),
        agreements_by_org=_index([(o, i) for i, a in agreements.items() for o in a.parties]),
        agreements_by_post=_index([(p, i) for i, a in agreements.items() for p in a.related_posts]),
        procedures_by_post=_index([(p, i) for i, proc in procedures.items() for p in proc.posts]),
        procedures_by_office=_index([(o, i) for i, proc in procedures.items() for o in proc.offices]),
        notices_by_post=_index([(p, i) for i, n in notices.items() for p in n.related_posts]),
        notices_by_procedure=_index([(p, i) for i, n in notices.items() for p in n.related_procedures]),
        children_by_org=_index([(o.parent, i) for i, o in orgs.items() if o.parent]),
        related_by_procedure=_index(related),
    )
