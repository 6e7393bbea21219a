"""VALIDATE: every source against its schema, then the rules that span files.

All problems are collected; nothing stops at the first one. Positions come from the YAML node marks
kept by yamlio, so every message points at the line and column to fix.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .load import SourceDoc, Sources
from .problems import Problem, did_you_mean
from .kinds import KIND_MODELS
from .schemas import Entity, RefTo, SiteSettings
from .yamlio import Path_, YamlDoc


@dataclass(frozen=True)
class Record:
    """A source that passed its schema: the typed entity and where it came from."""

    kind: str
    id: str
    src_path: str
    entity: BaseModel
    doc: YamlDoc


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


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the fields at `loc` (list indices skipped)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        nested = [t for t in _unwrap(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
        current = nested[0] if nested else None
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
        elif kind == "bool_type":
            code = "bad-type"
            message = f"{where}: must be true or false, got {_describe(value)}"
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
            message = f"{where}: {value} is out of range ({err['msg'].lower()})"
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

_UNSAFE = [
    (re.compile(r"<\s*/?\s*(script|style|iframe|object|embed|frame|frameset|base|meta|link|form|svg|math)\b", re.I),
     "raw <{0}> is not allowed in content"),
    (re.compile(r"<[^>]*?\s(on[a-z]+)\s*=", re.I | re.S), "HTML event handler '{0}=' is not allowed"),
    (re.compile(r"\{[^}\n]*?\b(on[a-z]+)\s*=", re.I), "attribute-list event handler '{0}=' is not allowed"),
    (re.compile(r"\b(javascript|vbscript|livescript)\s*:", re.I), "'{0}:' URLs are not allowed"),
    (re.compile(r"\bdata\s*:\s*text/html", re.I), "'{0}' URLs are not allowed"),
]


def unsafe_markdown(doc: YamlDoc) -> list[Problem]:
    """Raw scripts, styles, frames, event handlers and script URLs in any text: reported, never stripped."""
    problems = []
    for loc, text in iter_strings(doc.data):
        # Entities could hide 'javascript:' (&#106;avascript:); check the decoded text too.
        for candidate in {text, html.unescape(text)}:
            for pattern, message in _UNSAFE:
                for match in pattern.finditer(candidate):
                    offset = match.start() if candidate is text else 0
                    line, col = doc.position_in_text(loc, offset)
                    problems.append(Problem(doc.src_path, line, col, "unsafe-markdown",
                                            f"{_dotted(loc)}: {message.format(match.group(1) if match.groups() else match.group(0))}"))
    return problems


def check_references(records: list[Record]) -> list[Problem]:
    ids: dict[str, set[str]] = {}
    for rec in records:
        ids.setdefault(rec.kind, set()).add(rec.id)
    problems = []
    for rec in records:
        for loc, value, field in iter_fields(rec.entity):
            kinds = _ref_kinds(field)
            if not kinds or not isinstance(value, str):
                continue
            if any(value in ids.get(k, ()) for k in kinds):
                continue
            candidates = set().union(*(ids.get(k, set()) for k in kinds))
            line, col = rec.doc.position(loc)
            problems.append(Problem(rec.src_path, line, col, "unknown-reference",
                                    f"{_dotted(loc)}: no {' or '.join(k.rstrip('s') for k in kinds)} "
                                    f"with id '{value}'",
                                    hint=did_you_mean(value, candidates)))
            if rec.kind == "organisations" and loc == ("parent",) and value == rec.id:
                problems.append(Problem(rec.src_path, line, col, "bad-value",
                                        "parent: an organisation cannot be its own parent"))
    return problems


def check_dates(records: list[Record], today: dt.date) -> list[Problem]:
    problems = []

    def at(rec: Record, loc: Path_, code: str, message: str) -> None:
        line, col = rec.doc.position(loc)
        problems.append(Problem(rec.src_path, line, col, code, message))

    for rec in records:
        ent = rec.entity
        assert isinstance(ent, Entity)
        if ent.reviewed_on > today:
            at(rec, ("reviewed_on",), "future-date", f"reviewed_on: {ent.reviewed_on} is in the future")
        for i, src in enumerate(ent.sources):
            if src.date and src.date > today:
                at(rec, ("sources", i, "date"), "future-date",
                   f"sources[{i}].date: {src.date} is in the future")
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
    problems = []
    seen: dict[tuple[str, str], Record] = {}
    terms: dict[str, Record] = {}
    for rec in records:
        key = (rec.kind, rec.id)
        if key in seen:
            problems.append(Problem(rec.src_path, 1, 1, "duplicate-id",
                                    f"id '{rec.id}' is already used by {seen[key].src_path}"))
        seen[key] = rec
        term = getattr(rec.entity, "term", None)
        if rec.kind == "glossary" and isinstance(term, str):
            folded = term.casefold()
            if folded in terms:
                line, col = rec.doc.position(("term",))
                problems.append(Problem(rec.src_path, line, col, "duplicate-id",
                                        f"term: '{term}' is already defined in {terms[folded].src_path}"))
            terms[folded] = rec
    return problems


SECTIONS = ("organisations", "posts", "agreements", "procedures", "notices", "glossary", "data", "checker")


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


def validate_sources(sources: Sources, today: dt.date) -> tuple[Validated, list[Problem]]:
    """VALIDATE stage: schema per file, then references, dates, duplicates and unsafe Markdown."""
    problems: list[Problem] = []
    records: list[Record] = []
    for source in sources.docs:
        problems.extend(unsafe_markdown(source.doc))
        entity, found = validate_doc(source, KIND_MODELS[source.kind])
        problems.extend(found)
        if entity is not None:
            records.append(Record(source.kind, source.id, source.src_path, entity, source.doc))
    settings = None
    if sources.settings is not None:
        problems.extend(unsafe_markdown(sources.settings.doc))
        entity, found = validate_doc(sources.settings, SiteSettings)
        problems.extend(found)
        if isinstance(entity, SiteSettings):
            settings = entity
            problems.extend(check_settings(settings, sources.settings.doc, records))
    problems.extend(check_duplicates(records))
    problems.extend(check_references(records))
    problems.extend(check_dates(records, today))
    return Validated(settings, sources.settings.doc if sources.settings else None, tuple(records)), problems
