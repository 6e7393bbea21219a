"""Facts of one entity shown in the text of another: `{{ post:plbn-motaain.opening_hours }}`.

A procedure step, a checker outcome or a notice names a post's hours instead of retyping them; the
pages and the API show the post's current value (with the post's citations on pages), so an edit of
the post changes every place that mentions it. References are checked in provenance.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from ..content.model import Site
from ..content.provenance import CITE_REF, FACT_REF, REF_PREFIX
from ..content.schemas import Citation, Cited, ContactValue, OpeningHours, Post, Text
from ..i18n import format_clock

# Labels a fact needs in words (a status, "not known", contact field names): the pages pass the
# interface strings of their language (lintas/site/ui.yaml); without them (the API's plain text)
# codes are shown as they are.
Labels = Mapping[str, Any]

T = TypeVar("T")
Marker = Callable[[Cited | Citation | None], str]


def hours_text(hours: list[OpeningHours], lang: str, mark: Marker | None = None) -> str:
    """'Setiap hari: 08.00–16.00 WITA' (hours in the language's clock format), each with its marks."""
    return "; ".join(f"{h.days.get(lang)}: {format_clock(h.opens, lang)}–{format_clock(h.closes, lang)} "
                     f"{h.timezone}" + (mark(h) if mark else "") for h in hours)


def post_status_text(post: Post, labels: Labels | None, mark: Marker | None = None) -> str:
    label = labels["post_status"][post.status] if labels else post.status
    return str(label) + (mark(post.citations.get("status")) if mark else "")


def fact_text(site: Site, prefix: str, entity_id: str, field: str, lang: str,
              mark: Marker | None = None, labels: Labels | None = None) -> str:
    """The current value of a referenced fact, in `lang`; `mark` adds citation marks (pages)."""
    kind = REF_PREFIX[prefix]
    entity = site.kind_items(kind)[entity_id]
    if field == "name":
        name = getattr(entity, "name", None)
        return name.get(lang) if isinstance(name, Text) else entity_id
    if isinstance(entity, Post):
        if field == "opening_hours":
            if not entity.opening_hours:
                return str(labels["not_known"]).lower() if labels else "-"
            return hours_text(entity.opening_hours, lang, mark)
        if field == "status":
            return post_status_text(entity, labels, mark)
    contact = getattr(entity, "contact", None)
    if field == "contact":
        known = contact.known() if contact is not None else []
        if not known:
            return str(labels["contact_not_known"]) if labels else "-"
        return "; ".join(f"{labels[name] if labels else name}: {value.value}" + (mark(value) if mark else "")
                         for name, value in known if isinstance(value, ContactValue))
    raise KeyError(field)  # provenance.py reports unknown fields before anything renders


def expand(text: str, site: Site, lang: str, mark: Marker | None = None, labels: Labels | None = None,
           escape: Callable[[str], str] | None = None) -> str:
    """`text` with every fact reference replaced by the fact's current value, and every
    `{{ cite: ... }}` by its marks (`mark`), or removed (no `mark`: the API's plain text).

    A fact is plain text: where `text` is Markdown, `escape` makes each value text there (marks
    that are markup must then be placeholders, put back after escaping)."""
    if "{{" not in text:
        return text

    def fact(m: re.Match[str]) -> str:
        value = fact_text(site, m.group(1), m.group(2), m.group(3), lang, mark, labels)
        return escape(value) if escape else value

    text = FACT_REF.sub(fact, text)

    def citation(match: re.Match[str]) -> str:
        if mark is None:
            return ""
        ids = [x.strip() for x in match.group(1).split(",")]
        return mark(Citation.model_construct(cite=ids, as_of=match.group(2)))

    return re.sub(r"\s?" + CITE_REF.pattern, citation, text) if mark is None else CITE_REF.sub(citation, text)


def expand_texts(obj: T, site: Site) -> T:
    """A copy of `obj` whose texts show referenced facts as plain text and carry no cite marks
    (the API's form: consumers get the current value, and the provenance in `cite` fields)."""
    if isinstance(obj, Text):
        if "{{" not in obj.id and "{{" not in (obj.en or ""):
            return obj
        return obj.model_copy(update={"id": expand(obj.id, site, "id"),
                                      "en": expand(obj.en, site, "en") if obj.en else None})
    if not isinstance(obj, BaseModel):
        return obj
    update: dict[str, Any] = {}
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            new: Any = expand_texts(value, site)
        elif isinstance(value, list):
            new = [expand_texts(v, site) for v in value]
        elif isinstance(value, dict):
            new = {k: expand_texts(v, site) for k, v in value.items()}
        else:
            continue
        if new != value:
            update[name] = new
    return obj.model_copy(update=update) if update else obj
