"""PROVENANCE: where each fact comes from, as of when, and when it is due for review.

Rules that span files, called from validate.validate_sources (errors and warnings are collected):

- the source register (content/sources/<id>.yaml): a source at a mirror host is refused
  (`mirror-source`); a source that nothing cites is a warning (`uncited-source`);
- critical facts (fields a kind lists in `CRITICAL`: hours, fees, documents, status, processing
  time, contact) need a citation, inline (`cite:`) or in the entity's `citations:` (`uncited-fact`);
- `citations:` keys must name a field the entity has and fills (`unknown-field`);
- references to other entities' facts in text, `{{ post:<id>.<field> }}`, must resolve
  (`unknown-reference`); a clock time or a fee typed into a text while it is a structured fact
  elsewhere is a warning (`duplicated-fact`): write a reference instead, so one edit changes every page;
- an entity whose `reviewed_on` is older than its kind's interval in site.yaml is a warning
  (`review-overdue`), with the due date.

Nothing here imports rendering: pages and the API use `review_due`, `fact_refs` and `FACT_REF`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from ..problems import Problem, Severity, did_you_mean
from .memo import per_text
from .record import Record
from .schemas import NOT_KNOWN, Cited, Entity, Fee, OpeningHours, SiteSettings, SourceRecord

Loc = tuple[Any, ...]

# `{{ post:plbn-motaain.opening_hours }}`: a fact of another entity, shown from that entity.
FACT_REF = re.compile(r"\{\{\s*([a-z]+):([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z_]+)\s*\}\}")
# Which facts can be referred to, per kind (the prefix is the kind in the singular).
REF_FIELDS: dict[str, tuple[str, ...]] = {
    "posts": ("opening_hours", "status", "name"),
    "organisations": ("contact", "name"),
}
REF_PREFIX = {"post": "posts", "organisation": "organisations"}
# `{{ cite: sinmeta-2024-07-imigrasi-atambua-bersiap @ 2024-07 }}`: a citation inside prose (counts,
# distances, names as of a date): a numbered reference on pages, nothing in the API's text.
CITE_REF = re.compile(r"\{\{\s*cite:\s*([a-z0-9]+(?:-[a-z0-9]+)*(?:\s*,\s*[a-z0-9]+(?:-[a-z0-9]+)*)*)"
                      r"\s*(?:@\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?))?\s*\}\}")

_CLOCK = re.compile(r"(?<![\d.,:])([01]?\d|2[0-4])[.:]([0-5]\d)(?![\d,:]|\.\d)")
_RUPIAH = re.compile(r"\bRp\s?(\d{1,3}(?:[.,]\d{3})+|\d+)(?![\d.,]*\d)")


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def review_due(settings: SiteSettings, kind: str, reviewed_on: dt.date) -> dt.date | None:
    """When an entity of `kind` reviewed on `reviewed_on` is due again; None when its kind has no interval."""
    months = settings.review_intervals.get(kind)  # type: ignore[call-overload]
    return add_months(reviewed_on, months) if months else None


def is_overdue(settings: SiteSettings, kind: str, reviewed_on: dt.date, today: dt.date) -> dt.date | None:
    """The due date when the review is overdue on `today`, else None."""
    due = review_due(settings, kind, reviewed_on)
    return due if due is not None and due < today else None


def blank_references(text: str) -> str:
    """`text` with every `{{ ... }}` reference and cite mark replaced by as many x's: the Markdown
    allowlist sees plain words at the same offsets (a trailing `{...}` would read as attributes)."""
    if "{{" not in text:
        return text
    for pattern in (FACT_REF, CITE_REF):
        text = pattern.sub(lambda m: "x" * len(m.group(0)), text)
    return text


def fact_refs(text: str) -> Iterator[tuple[int, str, str, str]]:
    """(offset, kind, id, field) of every `{{ kind:id.field }}` in a text."""
    for match in FACT_REF.finditer(text):
        yield match.start(), match.group(1), match.group(2), match.group(3)


# ---------------------------------------------------------------------------- walking facts


def _children(obj: BaseModel, loc: Loc) -> Iterator[tuple[Loc, BaseModel]]:
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            yield (*loc, name), value
        elif isinstance(value, list):
            yield from (((*loc, name, i), v) for i, v in enumerate(value) if isinstance(v, BaseModel))
        elif isinstance(value, dict):
            yield from (((*loc, name, k), v) for k, v in value.items() if isinstance(v, BaseModel))


def iter_models(obj: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, BaseModel]]:
    """Every model object in a tree, with its location, depth first (the object itself first)."""
    yield loc, obj
    for here, child in _children(obj, loc):
        yield from iter_models(child, here)


def cited_ids(entity: BaseModel) -> Iterator[str]:
    """Every source id an entity cites: its `sources`, `citations`, every inline `cite` and every
    `{{ cite: ... }}` in its texts."""
    for _, text in _texts(entity.model_dump()):
        for match in CITE_REF.finditer(text):
            yield from (x.strip() for x in match.group(1).split(","))
    for _, obj in iter_models(entity):
        if isinstance(obj, Entity):
            yield from obj.sources
            for citation in obj.citations.values():
                yield from citation.cite
        if isinstance(obj, Cited):
            yield from obj.cite
        extra = getattr(obj, "sources", None)
        if not isinstance(obj, Entity) and isinstance(extra, list):
            yield from (s for s in extra if isinstance(s, str))


def uncited_critical(entity: Entity) -> list[tuple[Loc, str]]:
    """(location, field) of every critical fact without a citation."""
    gaps: list[tuple[Loc, str]] = []
    covered = set(entity.citations)
    for loc, obj in iter_models(entity):
        top = loc == ()
        for name in getattr(type(obj), "CRITICAL", ()):
            value = getattr(obj, name, None)
            if value is None or value == [] or value == NOT_KNOWN or value == "unknown":
                continue
            if top and name in covered:
                continue
            if isinstance(value, list):
                gaps.extend(((*loc, name, i), name) for i, item in enumerate(value)
                            if isinstance(item, Cited) and not item.cite)
                if value and not isinstance(value[0], Cited):
                    gaps.append(((*loc, name), name))
            elif isinstance(value, Cited):
                if not value.cite:
                    gaps.append(((*loc, name), name))
            elif isinstance(value, BaseModel):
                continue  # a part with its own CRITICAL fields (e.g. contact), walked in turn
            else:
                gaps.append(((*loc, name), name))
    return gaps


def _texts(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _texts(value, (*loc, i))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_prose(loc: Loc) -> bool:
    """Texts a person writes (not ids, codes, URLs or times): the language keys of Text fields."""
    return bool(loc) and loc[-1] in ("id", "en") and not (len(loc) >= 2 and loc[-2] in ("opens", "closes"))


# ---------------------------------------------------------------------------- the checks


def _host_matches(url: str, hosts: Sequence[str]) -> str | None:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for mirror in hosts:
        mirror = mirror.lower().strip(".")
        if host == mirror or host.endswith("." + mirror):
            return mirror
    return None


def _register_problems(records: Sequence[Record], settings: SiteSettings | None, today: dt.date) -> list[Problem]:
    problems = []
    hosts = settings.mirror_hosts if settings is not None else []
    for rec in records:
        src = rec.entity
        if not isinstance(src, SourceRecord):
            continue

        def at(loc: Loc, code: str, message: str, *, hint: str | None = None,
               rec: Record = rec) -> None:
            line, col = rec.doc.position(loc)
            problems.append(Problem(rec.src_path, line, col, code, message, hint=hint))

        mirror = _host_matches(src.url, hosts) if src.url else None
        if mirror:
            at(("url",), "mirror-source", f"url: {mirror} copies other sites and is not a source",
               hint="cite the page it copies, or the original publisher")
        elif "mirror" in src.publisher.casefold():
            at(("publisher",), "mirror-source", f"publisher: '{src.publisher}' is a mirror, not a source",
               hint="cite the page it copies, or the original publisher")
        if not src.title_verified and src.note is None:
            at(("title_verified",), "missing-field", "note: a source whose title is not verified needs a note saying so",
               hint="say where the title comes from, e.g. 'rebuilt from the URL'")
        if src.accessed and src.accessed > today:
            at(("accessed",), "future-date", f"accessed: {src.accessed} is in the future")
        if src.published and src.published > today.isoformat()[: len(src.published)]:
            at(("published",), "future-date", f"published: {src.published} is in the future")
    return problems


def _uncited_sources(records: Sequence[Record], mentioned: Set[str]) -> list[Problem]:
    used: set[str] = set(mentioned)
    for rec in records:
        if not isinstance(rec.entity, SourceRecord):
            used.update(cited_ids(rec.entity))
    return [Problem(rec.src_path, 1, 1, "uncited-source", f"source '{rec.id}' is cited by no page",
                    severity=Severity.WARNING,
                    hint="cite it where its facts are used (`cite: [" + rec.id + "]`), or delete the file")
            for rec in records if isinstance(rec.entity, SourceRecord) and rec.id not in used]


def _entity_problems(rec: Record) -> list[Problem]:
    ent = rec.entity
    assert isinstance(ent, Entity)
    problems = []
    for loc, name in uncited_critical(ent):
        line, col = rec.doc.position(loc)
        problems.append(Problem(
            rec.src_path, line, col, "uncited-fact",
            f"{_dotted(loc)}: {name} is a critical fact and cites no source",
            hint=f"add `cite: [<source id>]` (and `as_of`) here, or `citations: {{{name}: {{cite: [...]}}}}`"))
    fields = type(ent).model_fields
    for key in ent.citations:
        if key not in fields or key in ("sources", "reviewed_on", "caveats", "citations"):
            line, col = rec.doc.position(("citations", key), key=True)
            problems.append(Problem(rec.src_path, line, col, "unknown-field",
                                    f"citations.{key}: this kind has no fact field '{key}'",
                                    hint=did_you_mean(key, [f for f in fields if f not in ("sources", "citations")])))
        elif getattr(ent, key) in (None, []):
            line, col = rec.doc.position(("citations", key), key=True)
            problems.append(Problem(rec.src_path, line, col, "unknown-field",
                                    f"citations.{key}: cites a field that is not filled in"))
    return problems


def _reference_problems(rec: Record, known: dict[str, set[str]]) -> list[Problem]:
    problems = []
    for loc, text in _texts(rec.doc.data):
        for match in CITE_REF.finditer(text):
            for sid in (x.strip() for x in match.group(1).split(",")):
                if sid not in known.get("sources", set()):
                    line, col = rec.doc.position_in_text(loc, match.start())
                    problems.append(Problem(rec.src_path, line, col, "unknown-reference",
                                            f"{_dotted(loc)}: no source with id '{sid}'",
                                            hint=did_you_mean(sid, known.get("sources", set()))))
        for offset, prefix, id_, field in fact_refs(text):
            line, col = rec.doc.position_in_text(loc, offset)
            kind = REF_PREFIX.get(prefix)
            if kind is None:
                problems.append(Problem(rec.src_path, line, col, "unknown-reference",
                                        f"{_dotted(loc)}: '{prefix}:' names no kind of fact",
                                        hint=f"use one of: {', '.join(sorted(REF_PREFIX))}"))
            elif id_ not in known.get(kind, set()):
                problems.append(Problem(rec.src_path, line, col, "unknown-reference",
                                        f"{_dotted(loc)}: no {prefix} with id '{id_}'",
                                        hint=did_you_mean(id_, known.get(kind, set()))))
            elif field not in REF_FIELDS[kind]:
                problems.append(Problem(rec.src_path, line, col, "unknown-reference",
                                        f"{_dotted(loc)}: '{field}' is not a fact a {prefix} reference can show",
                                        hint=f"use one of: {', '.join(REF_FIELDS[kind])}"))
    return problems


def _structured_facts(records: Sequence[Record]) -> tuple[dict[str, list[str]], dict[int, list[str]]]:
    """Clock times ('08:00' -> ['posts/plbn-motaain']) and fee amounts held as structured facts."""
    times: dict[str, list[str]] = {}
    fees: dict[int, list[str]] = {}
    for rec in records:
        if isinstance(rec.entity, SourceRecord):
            continue
        for _, obj in iter_models(rec.entity):
            if isinstance(obj, OpeningHours):
                for value in (obj.opens, obj.closes):
                    times.setdefault(value, [])
                    if f"{rec.kind}/{rec.id}" not in times[value]:
                        times[value].append(f"{rec.kind}/{rec.id}")
            elif isinstance(obj, Fee) and obj.amount_idr >= 1000:
                fees.setdefault(obj.amount_idr, [])
                if f"{rec.kind}/{rec.id}" not in fees[obj.amount_idr]:
                    fees[obj.amount_idr].append(f"{rec.kind}/{rec.id}")
    return times, fees


# What a typed value is checked against: (pattern, the value it stands for, its word, the field that
# holds such facts, the hint).
_TYPED_FACTS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | int], str, str, str], ...] = (
    (_CLOCK, lambda m: f"{int(m.group(1)):02d}:{m.group(2)}", "time", "opening_hours",
     "refer to it instead, e.g. {{ post:<id>.opening_hours }}, so one edit changes every page"),
    (_RUPIAH, lambda m: int(re.sub(r"[.,]", "", m.group(1))), "fee", "fees",
     "show the procedure's fee table instead (in a flow: `fees: {procedure: <id>}`)"),
)


def _duplicated_facts(records: Sequence[Record]) -> list[Problem]:
    times, fees = _structured_facts(records)
    owned: dict[str, Mapping[Any, list[str]]] = {"opening_hours": times, "fees": fees}
    problems = []
    for rec in records:
        if isinstance(rec.entity, SourceRecord):
            continue
        for loc, text in _texts(rec.doc.data):
            if not _is_prose(loc) or loc[0] in ("opening_hours", "fees", "citations"):
                continue
            for which, start, typed, shown in _typed_values(text):
                _, _, word, field_name, hint = _TYPED_FACTS[which]
                owners = owned[field_name].get(typed, [])
                if owners and f"{rec.kind}/{rec.id}" not in owners:  # the entity's own fact: one place
                    line, col = rec.doc.position_in_text(loc, start)
                    problems.append(Problem(
                        rec.src_path, line, col, "duplicated-fact", severity=Severity.WARNING,
                        message=f"{_dotted(loc)}: the {word} {shown} is typed here but is a "
                                f"structured fact of {', '.join(owners)} ({field_name})",
                        hint=hint))
    return problems


@per_text
def _typed_values(text: str) -> tuple[tuple[int, int, str | int, str], ...]:
    """(which of _TYPED_FACTS, offset, the value, the text matched) of every typed time and fee in
    `text`, in the order _duplicated_facts reports them; remembered, as the preview asks again for
    every unchanged text after each edit (the patterns were most of `check` there at N = 2,000)."""
    return tuple((which, match.start(), value(match), match.group(0))
                 for which, (pattern, value, _, _, _) in enumerate(_TYPED_FACTS)
                 for match in pattern.finditer(text))


def _review_problems(records: Sequence[Record], settings: SiteSettings, today: dt.date) -> list[Problem]:
    problems = []
    for rec in records:
        ent = rec.entity
        if not isinstance(ent, Entity):
            continue
        due = is_overdue(settings, rec.kind, ent.reviewed_on, today)
        if due is None:
            continue
        months = settings.review_intervals.get(rec.kind)  # type: ignore[call-overload]
        line, col = rec.doc.position(("reviewed_on",))
        problems.append(Problem(
            rec.src_path, line, col, "review-overdue", severity=Severity.WARNING,
            message=f"reviewed_on: {ent.reviewed_on}; the review was due on {due} "
                    f"({rec.kind}: every {months} months)",
            hint="check the facts against their sources, update them and set reviewed_on to that day"))
    return problems


def mentioned_ids(data: Any) -> set[str]:
    """Every text in raw YAML data, and the ids in its `{{ cite: ... }}` marks: what a file that
    failed its schema may still cite (its sources are not reported as cited by no page)."""
    out: set[str] = set()
    for _, text in _texts(data):
        out.add(text)
        for match in CITE_REF.finditer(text):
            out.update(x.strip() for x in match.group(1).split(","))
    return out


def check_provenance(records: Sequence[Record], settings: SiteSettings | None, today: dt.date,
                     known: dict[str, set[str]] | None = None,
                     mentioned: Set[str] | None = frozenset()) -> list[Problem]:
    """Every provenance rule over the validated records (see the module docstring).

    `known` (kind -> ids): every file with a valid name, also those that failed their schema;
    `mentioned`: texts of the files that failed their schema (see `mentioned_ids`); None when a
    file could not be read at all (then no source is reported as cited by no page)."""
    if known is None:
        known = {}
        for rec in records:
            known.setdefault(rec.kind, set()).add(rec.id)
    problems = _register_problems(records, settings, today)
    if mentioned is not None:  # None: some file could not be read, so what it cites is unknown
        problems.extend(_uncited_sources(records, mentioned))
    for rec in records:
        if isinstance(rec.entity, Entity):
            problems.extend(_entity_problems(rec))
            problems.extend(_reference_problems(rec, known))
    problems.extend(_duplicated_facts(records))
    if settings is not None:
        problems.extend(_review_problems(records, settings, today))
    return problems
