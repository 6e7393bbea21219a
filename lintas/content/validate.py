"""VALIDATE: every source against its schema, then the rules that span files.

All problems are collected; nothing stops at the first one. Positions come from the YAML node marks
kept by yamlio, so every message points at the line and column to fix.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..problems import Problem, Severity, did_you_mean
from .flows.graph import check_flows
from .hidden import alike, hidden_in, is_name
from .kinds import FILE_MODELS, KIND_MODELS
from .load import SourceDoc, Sources
from .memo import per_text
from .provenance import blank_references, check_provenance, mentioned_ids
from .record import Record
from .sanitize import MAX_NAME, MAX_TEXT_PER_FILE, MarkdownChecker, check_markdown, cost_limits
from .schemas import ID_RE, Entity, RefTo, SiteSettings
from .yamlio import Path_, YamlDoc


@dataclass(frozen=True)
class Validated:
    settings: SiteSettings | None
    settings_doc: YamlDoc | None
    records: tuple[Record, ...]


# ---------------------------------------------------------------------------- schema errors


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/list/Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


@dataclass(frozen=True)
class _Field:
    """What the raw-data walkers need of one field of a model, worked out once per class."""

    name: str
    markdown: bool  # named in the model's `markdown_fields`
    refs: tuple[str, ...]  # the kinds it refers to (RefTo), if it is a reference
    keyed: bool  # a mapping whose values are `nested`
    nested: type[BaseModel] | None  # the model inside it, for a field that holds models
    walked: type[BaseModel] | None  # the model inside it, mappings left out (for references)


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, _Field]:
    """The plan of each field of `model`, by name, in the model's order (do not change it)."""
    markdown = getattr(model, "markdown_fields", ())
    out = {}
    for name, field in model.model_fields.items():
        keyed = typing.get_origin(field.annotation) is dict
        inner = typing.get_args(field.annotation)[1] if keyed else field.annotation
        nested = [t for t in _unwrap(inner) if isinstance(t, type) and issubclass(t, BaseModel)]
        walked = [t for t in _unwrap(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
        out[name] = _Field(name, name in markdown, _ref_kinds(field), keyed, nested[0] if nested else None,
                           walked[0] if walked else None)
    return out


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the fields at `loc` (list indices skipped)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = _fields(current).get(part)
        if field is None:
            return None
        current = field.walked
    return current


def schema_problems(exc: ValidationError, model: type[BaseModel], doc: YamlDoc) -> list[Problem]:
    """Turn pydantic's errors into our codes and wording, at the right position."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        where = _dotted(loc)
        hint = None
        line, col = doc.position(loc)
        if kind == "missing":
            code = "missing-field"
            line, col = doc.position(loc[:-1])
            message = f"{where}: required field is missing"
        elif kind == "extra_forbidden":
            code = "unknown-field"
            line, col = doc.position(loc, key=True)
            message = f"{where}: unknown field"
            holder = _model_at(model, loc[:-1])
            if holder is not None:
                hint = did_you_mean(str(loc[-1]), holder.model_fields)
        elif kind in ("bad-date", "bad-url", "bad-value"):
            code = kind
            message = f"{where}: {err['msg']}"
        elif kind == "string_type":
            code = "bad-type"
            message = f"{where}: must be text, got {_describe(value)}"
            if isinstance(value, (int, float, bool)):
                hint = f"put it in quotes: \"{value}\""
        elif kind in ("int_type", "int_from_float"):
            code = "bad-type"
            message = f"{where}: must be a whole number, got {_describe(value)}"
        elif kind == "float_type":
            code = "bad-type"
            message = f"{where}: must be a number, got {_describe(value)}"
            if isinstance(value, str):
                hint = "remove the quotes and write the number with a '.' for decimals"
        elif kind == "bool_type":
            code = "bad-type"
            message = f"{where}: must be true or false, got {_describe(value)}"
            if isinstance(value, str):
                hint = "write true or false; yes/no and on/off are text"
        elif kind in ("list_type", "tuple_type"):
            code = "bad-type"
            message = f"{where}: must be a list (lines starting with '- '), got {_describe(value)}"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            code = "bad-type" if loc else "not-a-mapping"
            message = f"{where}: must be a mapping of fields, got {_describe(value)}"
        elif kind == "literal_error":
            code = "bad-value"
            allowed = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
            message = f"{where}: '{value}' is not allowed; use one of: {', '.join(allowed)}"
            if isinstance(value, str):
                hint = did_you_mean(value, allowed)
        elif kind in ("string_too_short", "too_short"):
            code = "bad-value"
            minimum = err.get("ctx", {}).get("min_length", 1)
            message = (f"{where}: must not be empty" if kind == "string_too_short"
                       else f"{where}: needs at least {minimum} item(s)")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            code = "out-of-range"
            ctx = err.get("ctx", {})
            bound = {"greater_than_equal": "at least", "less_than_equal": "at most",
                     "greater_than": "more than", "less_than": "less than"}[kind]
            limit = next(iter(ctx.values()), "?")
            if isinstance(limit, float) and limit.is_integer():
                limit = int(limit)
            message = f"{where}: {value} is out of range: must be {bound} {limit}"
            if loc and loc[-1] == "lat" and isinstance(value, (int, float)) and abs(value) <= 180:
                hint = "latitude comes first and lies between -90 and 90; are lat and lon swapped?"
        elif kind == "string_pattern_mismatch":
            code = "bad-value"
            message = f"{where}: '{value}' does not have the expected form"
            if loc and loc[-1] == "country":
                hint = "use a two-letter ISO country code in capitals, e.g. \"TL\""
        else:
            code = "bad-value"
            message = f"{where}: {err['msg']}"
        problems.append(Problem(doc.src_path, line, col, code, message, hint=hint))
    return problems


def validate_doc(source: SourceDoc, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    if not isinstance(source.doc.data, dict):
        return None, [Problem(source.src_path, 1, 1, "not-a-mapping",
                              f"the file must be a mapping of fields, got {_describe(source.doc.data)}")]
    try:
        return model.model_validate(source.doc.data), []
    except ValidationError as exc:
        return None, schema_problems(exc, model, source.doc)


# ---------------------------------------------------------------------------- walking entities


def iter_fields(obj: Any, loc: Path_ = ()) -> Iterator[tuple[Path_, Any, Any]]:
    """(loc, value, field-annotation) for every field value in a model tree, depth first."""
    if not isinstance(obj, BaseModel):
        return
    for name, field in type(obj).model_fields.items():
        value = getattr(obj, name)
        here = (*loc, name)
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield (*here, i), item, field
                yield from iter_fields(item, (*here, i))
        else:
            yield here, value, field
            yield from iter_fields(value, here)


def _ref_kinds(field: Any) -> tuple[str, ...]:
    for meta in field.metadata:
        if isinstance(meta, RefTo):
            return meta.kinds
    for typ in [field.annotation, *typing.get_args(field.annotation)]:
        for arg in typing.get_args(typ) if typing.get_origin(typ) is typing.Annotated else ():
            if isinstance(arg, RefTo):
                return arg.kinds
        for sub in typing.get_args(typ):
            if typing.get_origin(sub) is typing.Annotated:
                for arg in typing.get_args(sub)[1:]:
                    if isinstance(arg, RefTo):
                        return arg.kinds
    return ()


def iter_strings(data: Any, loc: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from iter_strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_strings(value, (*loc, i))


# ---------------------------------------------------------------------------- cross-file rules

def markdown_texts(model: type[BaseModel], data: Any, loc: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """(loc, text) of every Markdown field in raw YAML data, following the model's fields.

    A model names its Markdown fields in `markdown_fields`; every other text is plain and escaped
    wherever it is shown. Works on files that failed their schema too.
    """
    if not isinstance(data, dict):
        return
    for field in _fields(model).values():
        if field.name not in data:
            continue
        value, here = data[field.name], (*loc, field.name)
        if field.markdown:
            yield from iter_strings(value, here)
            continue
        if field.nested is None:
            continue
        if isinstance(value, dict) and field.keyed:
            for key, item in value.items():
                yield from markdown_texts(field.nested, item, (*here, key))
        elif isinstance(value, dict):
            yield from markdown_texts(field.nested, value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from markdown_texts(field.nested, item, (*here, i))


def unsafe_html(model: type[BaseModel], doc: YamlDoc, src_path: str | None = None) -> list[Problem]:
    """Everything the allowlist would remove from any Markdown field of `doc`: reported at its
    place, never stripped (content is refused, not altered)."""
    past = _past_budget(doc)
    problems = text_limits(model, doc, src_path, past)
    past_budget = {loc for loc, _ in past}
    for loc, text in markdown_texts(model, doc.data):
        limits = _cost_limits(text)  # linear in the text: always measured
        for offset, what in limits:
            line, col = doc.position_in_text(loc, offset)
            problems.append(Problem(src_path or doc.src_path, line, col, "markdown-limit",
                                    f"{_dotted(loc)}: {what}"))
        if limits or loc in past_budget:
            continue  # not rendered: that is what could take minutes
        for offset, what in markdown_removals(blank_references(text)):
            line, col = doc.position_in_text(loc, offset)
            problems.append(Problem(src_path or doc.src_path, line, col, "unsafe-html",
                                    f"{_dotted(loc)}: {what}"))
    return problems


def _past_budget(doc: YamlDoc) -> list[tuple[Path_, int]]:
    """(loc, offset) of the text where the file's texts pass MAX_TEXT_PER_FILE, then every text
    after it (offset 0)."""
    budget, past = MAX_TEXT_PER_FILE, []
    for loc, text in iter_strings(doc.data):
        if budget < len(text):
            past.append((loc, max(budget, 0)))
        budget -= len(text)
    return past


def text_limits(model: type[BaseModel], doc: YamlDoc, src_path: str | None = None,
                past: list[tuple[Path_, int]] | None = None) -> list[Problem]:
    """Sizes that keep a build cheap: all the texts of a file together (Markdown and plain), and
    each name, title, term or code (shown on many pages: lists, menus, feeds, search). `past`:
    `_past_budget(doc)`, when the caller has it already."""
    problems = []
    past = _past_budget(doc) if past is None else past
    if past:
        loc, offset = past[0]
        line, col = doc.position_in_text(loc, offset)
        problems.append(Problem(src_path or doc.src_path, line, col, "text-too-long",
                                f"{_dotted(loc)}: the texts of this file pass {MAX_TEXT_PER_FILE:,} "
                                "characters here (the limit, all its texts together): split it "
                                "into several pages"))
    markdown = {loc for loc, _ in markdown_texts(model, doc.data)}
    for loc, text in iter_strings(doc.data):
        if loc not in markdown and is_name(loc) and len(text) > MAX_NAME:
            line, col = doc.position_in_text(loc, MAX_NAME)
            problems.append(Problem(src_path or doc.src_path, line, col, "text-too-long",
                                    f"{_dotted(loc)}: more than {MAX_NAME} characters in a name, "
                                    "title, term or code (the limit): shorten it"))
    return problems


_CHECKERS = threading.local()


@per_text
def _cost_limits(text: str) -> tuple[tuple[int, str], ...]:
    return tuple(cost_limits(text))


@per_text
def markdown_removals(text: str) -> tuple[tuple[int, str], ...]:
    """`check_markdown` of one text (within `cost_limits`), remembered: it depends on the text
    alone, and the preview checks every file again after each edit (at N = 2,000 rendering every
    text took 6 of the 7 s of `validate`). One converter per thread, reset between texts."""
    checker = getattr(_CHECKERS, "checker", None)
    if checker is None:
        checker = _CHECKERS.checker = MarkdownChecker()
    return tuple(check_markdown(text, checker))


def hidden_characters(doc: YamlDoc, src_path: str | None = None) -> list[Problem]:
    """Invisible characters: errors in names, titles, terms and codes; warnings in prose."""
    problems = []
    for loc, offset, char, strict in hidden_in(iter_strings(doc.data)):
        line, col = doc.position_in_text(loc, offset)
        where = "a name, title, term or code" if strict else "text"
        problems.append(Problem(src_path or doc.src_path, line, col, "hidden-character",
                                f"{_dotted(loc)}: invisible character {char} in {where}",
                                severity=Severity.ERROR if strict else Severity.WARNING,
                                hint="delete it and retype the text around it"))
    return problems


def _raw_references(model: type[BaseModel], data: Any,
                    loc: Path_ = ()) -> Iterator[tuple[Path_, str, tuple[str, ...]]]:
    """(loc, id, kinds) for every reference written in raw YAML data, following the model's fields.

    Works on files that failed their schema too, so one run also shows their broken references.
    Values that are not well-formed ids are left to the schema's own error.
    """
    if not isinstance(data, dict):
        return
    for field in _fields(model).values():
        if field.name not in data:
            continue
        value, here = data[field.name], (*loc, field.name)
        if field.refs:
            items = enumerate(value) if isinstance(value, list) else [(None, value)]
            for i, item in items:
                if isinstance(item, str) and ID_RE.match(item):
                    yield (here if i is None else (*here, i)), item, field.refs
            continue
        nested = field.walked
        if nested is None:
            continue
        if isinstance(value, dict):
            yield from _raw_references(nested, value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from _raw_references(nested, item, (*here, i))


def reference_problems(kind: str, id_: str, doc: YamlDoc, known: dict[str, set[str]]) -> list[Problem]:
    """References in one file that name no existing entity (`known`: kind -> ids)."""
    problems = []
    for loc, value, kinds in _raw_references(FILE_MODELS[kind], doc.data):
        line, col = doc.position(loc)
        if kind == "organisations" and loc == ("parent",) and value == id_:
            problems.append(Problem(doc.src_path, line, col, "bad-value",
                                    "parent: an organisation cannot be its own parent"))
            continue
        if any(value in known.get(k, ()) for k in kinds):
            continue
        candidates = set().union(*(known.get(k, set()) for k in kinds))
        problems.append(Problem(doc.src_path, line, col, "unknown-reference",
                                f"{_dotted(loc)}: no {' or '.join(k.rstrip('s') for k in kinds)} "
                                f"with id '{value}'",
                                hint=did_you_mean(value, candidates)))
    return problems


def check_references(records: list[Record], known: dict[str, set[str]] | None = None) -> list[Problem]:
    """References between entities; `known` (kind -> ids) defaults to the records' own ids."""
    if known is None:
        known = {}
        for rec in records:
            known.setdefault(rec.kind, set()).add(rec.id)
    problems = []
    for rec in records:
        problems.extend(reference_problems(rec.kind, rec.id, rec.doc, known))
    return problems


def check_dates(records: list[Record], today: dt.date) -> list[Problem]:
    problems = []

    def at(rec: Record, loc: Path_, code: str, message: str) -> None:
        line, col = rec.doc.position(loc)
        problems.append(Problem(rec.src_path, line, col, code, message))

    for rec in records:
        ent = rec.entity
        if not isinstance(ent, Entity):
            continue  # the source register's dates are checked in provenance.py
        if ent.reviewed_on > today:
            at(rec, ("reviewed_on",), "future-date", f"reviewed_on: {ent.reviewed_on} is in the future")
        signed = getattr(ent, "signed_on", None)
        if signed and signed > today:
            at(rec, ("signed_on",), "future-date",
               f"signed_on: {signed} is in the future; an agreement is recorded once signed")
        start, end = getattr(ent, "valid_from", None), getattr(ent, "valid_until", None)
        if start and end and end < start:
            at(rec, ("valid_until",), "date-order",
               f"valid_until: {end} is before valid_from {start}")
    return problems


def check_duplicates(records: list[Record]) -> list[Problem]:
    """Ids used twice in one kind; glossary terms defined twice (ignoring case).

    Every file involved is reported, naming the others: which one is the mistake is for the
    editor to decide.
    """
    problems: list[Problem] = []
    by_id: dict[tuple[str, str], list[Record]] = {}
    terms: list[Record] = []
    for rec in records:
        by_id.setdefault((rec.kind, rec.id), []).append(rec)
        if rec.kind == "glossary" and isinstance(getattr(rec.entity, "term", None), str):
            terms.append(rec)
    for (_, id_), group in by_id.items():
        problems.extend(Problem(rec.src_path, 1, 1, "duplicate-id",
                                f"id '{id_}' is already used by {group[0].src_path}")
                        for rec in group[1:])
    # Hidden characters, NFKC, case and look-alike letters do not make a term different.
    for indexes in alike(str(getattr(rec.entity, "term", "")) for rec in terms):
        group = [terms[i] for i in indexes]
        for rec in group:
            others = ", ".join(o.src_path for o in group if o is not rec)
            line, col = rec.doc.position(("term",))
            problems.append(Problem(rec.src_path, line, col, "duplicate-id",
                                    f"term: '{getattr(rec.entity, 'term', '')}' is also defined in {others}"))
    return problems


SECTIONS = ("organisations", "posts", "agreements", "events", "procedures", "notices", "glossary", "data",
            "checker", "sources")


# Markdown link targets: inline `[text](target "title")` (images too) and reference definitions.
_LINK_TARGETS = [
    re.compile(r"\]\(\s*<?([^)\s>]*)"),
    re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M),
]
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def site_pages(known: dict[str, set[str]], extra: Iterable[str] = ()) -> set[str]:
    """Every root path an internal link may name: '/', '/<section>/', '/<kind>/<id>/', `extra`."""
    pages = {"/", *(f"/{section}/" for section in SECTIONS), *extra}
    for kind, ids in known.items():
        if kind not in SECTIONS:
            continue  # e.g. flows: their pages live under /checker/, passed in `extra`
        pages.update(f"/{kind}/{id_}/" for id_ in ids)
    return pages


def _link_problem(target: str, pages: set[str]) -> tuple[str, str, str | None] | None:
    """(code, message, hint) when `target` is not a usable link, else None.

    Schemes and links to other hosts are the allowlist's (unsafe-html); this checks site paths."""
    if not target or target.startswith(("#", "?")) or _SCHEME.match(target):
        return None
    if target.startswith("//"):
        return None
    if not target.startswith("/"):
        return ("unknown-reference", f"link '{target}' is relative",
                "internal links start at the site root, e.g. '/procedures/<id>/'")
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    if not path.endswith("/"):
        path += "/"  # '/posts' and '/posts/' name the same page
    if path in pages:
        return None
    message = f"link '{target}' does not lead to a page of this site"
    if path.startswith("/en/") and path[3:] in pages:
        return ("unknown-reference", message,
                f"write '{path[3:]}' without '/en': links open the page in the reader's language")
    return ("unknown-reference", message, did_you_mean(path, pages))


def link_problems(model: type[BaseModel], doc: YamlDoc, pages: set[str]) -> list[Problem]:
    """Links in the Markdown fields of `doc` that lead nowhere, at the link target's position."""
    problems = []
    for loc, text in markdown_texts(model, doc.data):
        if "](" not in text and "]:" not in text:
            continue
        for pattern in _LINK_TARGETS:
            for match in pattern.finditer(text):
                found = _link_problem(match.group(1), pages)
                if found is None:
                    continue
                code, message, hint = found
                line, col = doc.position_in_text(loc, match.start(1))
                problems.append(Problem(doc.src_path, line, col, code,
                                        f"{_dotted(loc)}: {message}", hint=hint))
    return problems


def check_settings(settings: SiteSettings, doc: YamlDoc, records: list[Record]) -> list[Problem]:
    ids = {(r.kind, r.id) for r in records}
    problems = []
    for i, task in enumerate(settings.tasks):
        parts = [p for p in task.link.split("/") if p]
        ok = bool(parts) and parts[0] in SECTIONS and ".." not in parts
        if ok and len(parts) >= 2 and parts[0] in KIND_MODELS:
            ok = (parts[0], parts[1]) in ids
        if not ok or task.link.startswith("/") or "://" in task.link:
            line, col = doc.position(("tasks", i, "link"))
            problems.append(Problem(doc.src_path, line, col, "unknown-reference",
                                    f"tasks[{i}].link: '{task.link}' is not a page of this site",
                                    hint="write a path such as 'procedures/<id>/' or 'data/'"))
    if not settings.base_url.endswith("/"):
        line, col = doc.position(("base_url",))
        problems.append(Problem(doc.src_path, line, col, "bad-url", "base_url: must end with '/'"))
    return problems


def validate_sources(sources: Sources, today: dt.date,
                     extra_pages: Iterable[str] = ()) -> tuple[Validated, list[Problem]]:
    """VALIDATE stage: schema per file, then references, links, dates, duplicates, unsafe Markdown.

    `extra_pages`: further root paths internal links may name (e.g. '/data/crossings/').
    """
    problems: list[Problem] = []
    records: list[Record] = []
    # Every file with a valid name counts as existing, even when it cannot be parsed or fails its
    # schema: a reference to it is not the mistake, and reporting it would bury the real one.
    known: dict[str, set[str]] = {}
    for kind, id_ in [*((d.kind, d.id) for d in sources.docs), *sources.unreadable]:
        known.setdefault(kind, set()).add(id_)
    pages = site_pages(known, extra_pages)
    failed_texts: set[str] = set()
    for source in sources.docs:
        entity, found = validate_doc(source, FILE_MODELS[source.kind])
        problems.extend(found)
        problems.extend(unsafe_html(FILE_MODELS[source.kind], source.doc))
        problems.extend(hidden_characters(source.doc))
        problems.extend(link_problems(FILE_MODELS[source.kind], source.doc, pages))
        if entity is not None:
            records.append(Record(source.kind, source.id, source.src_path, entity, source.doc))
        else:
            problems.extend(reference_problems(source.kind, source.id, source.doc, known))
            if source.kind != "sources":
                failed_texts |= mentioned_ids(source.doc.data)
    settings = None
    if sources.settings is not None:
        problems.extend(unsafe_html(SiteSettings, sources.settings.doc))
        problems.extend(hidden_characters(sources.settings.doc))
        problems.extend(link_problems(SiteSettings, sources.settings.doc, pages))
        entity, found = validate_doc(sources.settings, SiteSettings)
        problems.extend(found)
        if isinstance(entity, SiteSettings):
            settings = entity
            problems.extend(check_settings(settings, sources.settings.doc, records))
    problems.extend(check_duplicates(records))
    problems.extend(check_references(records, known))
    problems.extend(check_dates(records, today))
    problems.extend(check_flows(records, known))
    # A file that could not be read may cite any source: then no source is reported as uncited.
    unread = any(kind != "sources" for kind, _ in sources.unreadable)
    problems.extend(check_provenance(records, settings, today, known, None if unread else failed_texts))
    return Validated(settings, sources.settings.doc if sources.settings else None, tuple(records)), problems
