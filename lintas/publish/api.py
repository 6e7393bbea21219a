"""PUBLISH: the static JSON API under api/v1/, with its JSON Schemas and OpenAPI description.

`publish_api(site, config)` is a pure function of the model. A registry of kinds (`API_KINDS`)
drives it: each kind brings its document model (api_models.py), how to list its entities and how
to build one document. Every document is validated against its published schema before it leaves
this module; a mismatch is a build problem, never a silently published file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import jsonschema
from pydantic import BaseModel, ValidationError

from ..config import BuildConfig
from ..content.model import Site
from ..content.provenance import review_due
from ..content.schemas import (
    Agreement,
    Contact,
    ContactValue,
    Event,
    GlossaryTerm,
    Notice,
    Organisation,
    Post,
    Procedure,
    Schema,
    SourceRecord,
    Text,
)
from ..i18n import LANGS
from ..outputs import Outputs
from ..problems import Problem
from ..urls import absolute, entity_path
from .api_models import (
    API_VERSION,
    ApiAgreement,
    ApiCaveat,
    ApiCitation,
    ApiContact,
    ApiCoordinates,
    ApiCounterpart,
    ApiDocument,
    ApiEndpoint,
    ApiEntity,
    ApiEvent,
    ApiEventDoc,
    ApiFee,
    ApiGlossaryTerm,
    ApiIndex,
    ApiList,
    ApiListItem,
    ApiNotice,
    ApiOpeningHours,
    ApiOrganisation,
    ApiOrganisationRelated,
    ApiParticipant,
    ApiPost,
    ApiPostRelated,
    ApiProcedure,
    ApiProcedureRelated,
    ApiRef,
    ApiRequirement,
    ApiSource,
    ApiStep,
    ApiText,
    ApiUrls,
)
from .facts import expand_texts
from .geojson import MEDIA_TYPE as GEOJSON_TYPE
from .geojson import PLACES_PATH, PlaceCollection, places

API_ROOT = "api/v1/"
INDEX_PATH = f"{API_ROOT}index.json"
OPENAPI_PATH = f"{API_ROOT}openapi.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Schema names used by documents that are not entities; no kind may take them.
INDEX_SCHEMA, LIST_SCHEMA, PLACES_SCHEMA = "index", "list", "places"
RESERVED_KINDS = frozenset({INDEX_SCHEMA, LIST_SCHEMA, PLACES_SCHEMA, "geo", "schemas", "openapi"})

M = TypeVar("M", bound=BaseModel)


def dump_json(data: Any) -> bytes:
    """The one serialisation of every published JSON file: stable bytes for the same data."""
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def list_path(kind: str) -> str:
    return f"{API_ROOT}{kind}/index.json"


def item_path(kind: str, entity_id: str) -> str:
    return f"{API_ROOT}{kind}/{entity_id}.json"


def schema_path(name: str) -> str:
    return f"{API_ROOT}schemas/{name}.schema.json"


# ---- the registry ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApiKind:
    """How one collection is published."""

    kind: str
    title: ApiText  # collection name, for the index and OpenAPI
    model: type[ApiEntity]
    items: Callable[[Site], Mapping[str, Any]]  # id -> source record, in id order
    build: Callable[[ApiContext, str, Any], ApiEntity]
    label: Callable[[Any], Text]  # the name shown in lists
    page_path: Callable[[str, str, str], str] = entity_path  # (kind, id, lang) -> site path


API_KINDS: dict[str, ApiKind] = {}


def register_api_kind(spec: ApiKind) -> ApiKind:
    if spec.kind in RESERVED_KINDS or spec.kind in API_KINDS:
        raise ValueError(f"API kind name {spec.kind!r} is reserved or already registered")
    API_KINDS[spec.kind] = spec
    return spec


# ---- building documents -----------------------------------------------------------------------

@dataclass(frozen=True)
class ApiContext:
    """The site plus the URL rules every builder shares."""

    site: Site

    @property
    def base_url(self) -> str:
        return self.site.settings.base_url

    def abs(self, path: str) -> str:
        return absolute(self.base_url, path)

    def urls(self, kind: str, entity_id: str) -> ApiUrls:
        spec = API_KINDS.get(kind)
        page_path = spec.page_path if spec else entity_path
        paths = {lang: self.abs(page_path(kind, entity_id, lang)) for lang in LANGS}
        return ApiUrls(**paths)

    def api_url(self, kind: str, entity_id: str) -> str:
        return self.abs(item_path(kind, entity_id))

    def ref(self, kind: str, entity_id: str) -> ApiRef:
        return ApiRef(kind=kind, id=entity_id, url=self.urls(kind, entity_id),
                      api_url=self.api_url(kind, entity_id))

    def sources(self, ids: list[str]) -> list[ApiSource]:
        return [api_source(i, self.site.sources[i]) for i in ids if i in self.site.sources]

    def opt_ref(self, kind: str, entity_id: str | None) -> ApiRef | None:
        return self.ref(kind, entity_id) if entity_id else None

    def refs(self, kind: str, ids: tuple[str, ...] | list[str]) -> list[ApiRef]:
        return [self.ref(kind, i) for i in ids]

    def common(self, kind: str, entity_id: str, ent: Any) -> dict[str, Any]:
        """The fields of ApiEntity."""
        return {
            "api_version": API_VERSION,
            "kind": kind,
            "id": entity_id,
            "url": self.urls(kind, entity_id),
            "api_url": self.api_url(kind, entity_id),
            "sources": self.sources(cited_sources(ent)),
            "reviewed_on": ent.reviewed_on,
            "review_due": review_due(self.site.settings, kind, ent.reviewed_on),
            "caveats": copy_all(ApiCaveat, ent.caveats),
            "citations": {k: ApiCitation(cite=list(v.cite), as_of=v.as_of) for k, v in ent.citations.items()},
        }


def api_source(source_id: str, src: SourceRecord) -> ApiSource:
    full = dt.date.fromisoformat(src.published) if src.published and len(src.published) == 10 else None
    return ApiSource(id=source_id, title=src.title, title_verified=src.title_verified, publisher=src.publisher,
                     author=src.author, url=src.url, date=full, published=src.published, accessed=src.accessed,
                     language=src.language, source_kind=src.kind, note=text(src.note))


def cited_sources(ent: Any) -> list[str]:
    """The entity's own sources first, then every other source its facts cite; each once."""
    from ..content.provenance import cited_ids

    return list(dict.fromkeys([*ent.sources, *cited_ids(ent)]))


def copy(model: type[M], value: Schema | None) -> M | None:
    """A source value as its API model, field by field (a renamed source field fails here)."""
    return None if value is None else model.model_validate(value.model_dump())


def copy_all(model: type[M], values: list[Any]) -> list[M]:
    return [model.model_validate(v.model_dump()) for v in values]


def text(value: Text | None) -> ApiText | None:
    return copy(ApiText, value)


def req_text(value: Text) -> ApiText:
    return ApiText(id=value.id, en=value.en)


def _address(o: Organisation) -> ApiText | None:
    value = o.contact.address if o.contact else None
    return ApiText(id=value.value, en=None) if isinstance(value, ContactValue) else None


def _contact(o: Organisation) -> ApiContact | None:
    if o.contact is None:
        return None
    known = dict(o.contact.known())
    return ApiContact(**{name: (known[name].value if name in known else None) for name in Contact.CRITICAL},
                      citations={name: ApiCitation(cite=list(v.cite), as_of=v.as_of) for name, v in known.items()})


def _organisation(ctx: ApiContext, i: str, o: Organisation) -> ApiOrganisation:
    s = ctx.site
    return ApiOrganisation(
        **ctx.common("organisations", i, o),
        name=req_text(o.name), short_name=o.short_name, type=o.kind, office_class=o.office_class,
        parent=ctx.opt_ref("organisations", o.parent), summary=text(o.summary), body=text(o.body),
        address=_address(o), contact=_contact(o), region=o.region,
        working_area=list(o.working_area), coordinates=copy(ApiCoordinates, o.coordinates),
        related=ApiOrganisationRelated(
            children=ctx.refs("organisations", s.children_by_org.get(i, ())),
            posts=ctx.refs("posts", s.posts_by_office.get(i, ())),
            procedures=ctx.refs("procedures", s.procedures_by_office.get(i, ())),
            agreements=ctx.refs("agreements", s.agreements_by_org.get(i, ())),
        ),
    )


def _post(ctx: ApiContext, i: str, p: Post) -> ApiPost:
    s = ctx.site
    return ApiPost(
        **ctx.common("posts", i, p),
        name=req_text(p.name), type=p.kind, status=p.status, status_since=p.status_since,
        opened_on=p.opened_on, summary=text(p.summary), body=text(p.body), country=p.country,
        counterpart=copy(ApiCounterpart, p.counterpart), location=text(p.location),
        region=p.region, coordinates=copy(ApiCoordinates, p.coordinates),
        opening_hours=copy_all(ApiOpeningHours, p.opening_hours),
        services=[req_text(t) for t in p.services],
        operating_office=ctx.opt_ref("organisations", p.operating_office),
        managed_by=ctx.opt_ref("organisations", p.managed_by),
        related=ApiPostRelated(
            procedures=ctx.refs("procedures", s.procedures_by_post.get(i, ())),
            agreements=ctx.refs("agreements", s.agreements_by_post.get(i, ())),
            notices=ctx.refs("notices", s.notices_by_post.get(i, ())),
        ),
    )


def _agreement(ctx: ApiContext, i: str, a: Agreement) -> ApiAgreement:
    return ApiAgreement(
        **ctx.common("agreements", i, a),
        title=req_text(a.title), type=a.kind, number=a.number,
        parties=ctx.refs("organisations", a.parties), signed_on=a.signed_on,
        signed_at=a.signed_at, status=a.status, scope=req_text(a.scope), body=text(a.body),
        related_posts=ctx.refs("posts", a.related_posts),
        documents=copy_all(ApiDocument, a.documents), events=copy_all(ApiEvent, a.events),
    )


def _procedure(ctx: ApiContext, i: str, p: Procedure) -> ApiProcedure:
    s = ctx.site
    return ApiProcedure(
        **ctx.common("procedures", i, p),
        title=req_text(p.title), summary=req_text(p.summary), body=text(p.body),
        audience=list(p.audience), steps=copy_all(ApiStep, p.steps),
        requirements=copy_all(ApiRequirement, p.requirements), fees=copy_all(ApiFee, p.fees),
        processing_time=text(p.processing_time), offices=ctx.refs("organisations", p.offices),
        posts=ctx.refs("posts", p.posts),
        related=ApiProcedureRelated(
            procedures=ctx.refs("procedures", s.related_by_procedure.get(i, ())),
            notices=ctx.refs("notices", s.notices_by_procedure.get(i, ())),
        ),
    )


def notice_status(site: Site, n: Notice) -> str:
    if n.valid_from > site.today:
        return "upcoming"
    return "active" if site.is_active(n) else "archived"


def _notice(ctx: ApiContext, i: str, n: Notice) -> ApiNotice:
    return ApiNotice(
        **ctx.common("notices", i, n),
        title=req_text(n.title), summary=req_text(n.summary), body=text(n.body), level=n.level,
        valid_from=n.valid_from, valid_until=n.valid_until, status=notice_status(ctx.site, n),
        audience=list(n.audience), issued_by=ctx.opt_ref("organisations", n.issued_by),
        related_posts=ctx.refs("posts", n.related_posts),
        related_procedures=ctx.refs("procedures", n.related_procedures),
    )


def _glossary(ctx: ApiContext, i: str, g: GlossaryTerm) -> ApiGlossaryTerm:
    return ApiGlossaryTerm(
        **ctx.common("glossary", i, g),
        term=g.term, expansion=g.expansion, definition=req_text(g.definition),
        abbreviation=g.abbreviation,
    )


def _event(ctx: ApiContext, i: str, e: Event) -> ApiEventDoc:
    return ApiEventDoc(
        **ctx.common("events", i, e),
        title=req_text(e.title), summary=req_text(e.summary), body=text(e.body), date=e.date,
        date_note=text(e.date_note), venue=text(e.venue), organisations=ctx.refs("organisations", e.organisations),
        participants=[ApiParticipant(role=req_text(p.role), name=p.name, part=p.part, cite=list(p.cite), as_of=p.as_of,
                                     organisation=ctx.opt_ref("organisations", p.organisation))
                      for p in e.participants],
        aims=[req_text(a) for a in e.aims], outcomes=[req_text(o) for o in e.outcomes],
        related_posts=ctx.refs("posts", e.related_posts), related_procedures=ctx.refs("procedures", e.related_procedures),
    )


def _t(id_: str, en: str) -> ApiText:
    return ApiText(id=id_, en=en)


for _spec in (
    ApiKind("organisations", _t("Organisasi", "Organisations"), ApiOrganisation,
            lambda s: s.organisations, _organisation, lambda o: o.name),
    ApiKind("posts", _t("Pos lintas batas", "Border posts"), ApiPost,
            lambda s: s.posts, _post, lambda p: p.name),
    ApiKind("agreements", _t("Perjanjian", "Agreements"), ApiAgreement,
            lambda s: s.agreements, _agreement, lambda a: a.title),
    ApiKind("procedures", _t("Prosedur", "Procedures"), ApiProcedure,
            lambda s: s.procedures, _procedure, lambda p: p.title),
    ApiKind("notices", _t("Pengumuman", "Notices"), ApiNotice,
            lambda s: s.notices, _notice, lambda n: n.title),
    ApiKind("events", _t("Kegiatan", "Events"), ApiEventDoc,
            lambda s: s.events, _event, lambda e: e.title),
    ApiKind("glossary", _t("Glosarium", "Glossary"), ApiGlossaryTerm,
            lambda s: s.glossary, _glossary,
            lambda g: Text(id=g.term, en=g.term)),
):
    register_api_kind(_spec)


# ---- schemas and OpenAPI ------------------------------------------------------------------------

def schema_models() -> dict[str, type[BaseModel]]:
    """Schema name -> the model it is generated from: one per kind, plus index, list and places."""
    return {
        **{kind: spec.model for kind, spec in API_KINDS.items()},
        INDEX_SCHEMA: ApiIndex,
        LIST_SCHEMA: ApiList,
        PLACES_SCHEMA: PlaceCollection,
    }


def json_schema(model: type[BaseModel], schema_id: str) -> dict[str, Any]:
    """Draft 2020-12 schema of a document as it is serialised."""
    generated = model.model_json_schema(mode="serialization")
    return {"$schema": DIALECT, "$id": schema_id, **generated}


def api_schemas(base_url: str) -> dict[str, dict[str, Any]]:
    return {name: json_schema(model, absolute(base_url, schema_path(name)))
            for name, model in schema_models().items()}


def _response(description: str, schema_name: str, media_type: str = "application/json"
              ) -> dict[str, Any]:
    return {"description": description,
            "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def openapi(site: Site) -> dict[str, Any]:
    """OpenAPI 3.1: every endpoint, each response referring to its published JSON Schema."""
    from ..content.schemas import ID_PATTERN

    paths: dict[str, Any] = {
        "/index.json": {"get": {
            "operationId": "getIndex", "summary": "The API index: every endpoint.",
            "tags": ["index"], "responses": {"200": _response("The index.", INDEX_SCHEMA)}}},
    }
    for kind, spec in API_KINDS.items():
        label = spec.title.en or spec.title.id
        paths[f"/{kind}/index.json"] = {"get": {
            "operationId": f"list_{kind}", "summary": f"{label}: every item, in id order.",
            "tags": [kind], "responses": {"200": _response(f"List of {kind}.", LIST_SCHEMA)}}}
        paths[f"/{kind}/{{id}}.json"] = {"get": {
            "operationId": f"get_{kind}", "summary": f"{label}: one item, both languages.",
            "tags": [kind],
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "description": f"Id of the item (see /{kind}/index.json).",
                            "schema": {"type": "string", "pattern": ID_PATTERN}}],
            "responses": {"200": _response(f"One item of {kind}.", kind),
                          "404": {"description": "No item with this id."}}}}
    paths["/" + PLACES_PATH.removeprefix(API_ROOT)] = {"get": {
        "operationId": "getPlaces", "summary": "Posts and offices with coordinates (GeoJSON).",
        "tags": ["geo"],
        "responses": {"200": _response("A GeoJSON FeatureCollection.", PLACES_SCHEMA, GEOJSON_TYPE)}}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": f"{site.settings.name.en or site.settings.name.id} — API",
            "version": API_VERSION,
            "summary": "Static, read-only JSON documents; no keys, no rate limits, GET only.",
            "description": (
                "Every entity of the site in Indonesian and English, with its sources. "
                "Stability: within v1 only additive changes are made (new endpoints, new keys, "
                "new enumeration values); nothing is renamed or removed. A breaking change "
                "means a new /api/v2/ published alongside v1."
            ),
        },
        "servers": [{"url": absolute(site.settings.base_url, API_ROOT).rstrip("/")}],
        "paths": paths,
        "components": {"schemas": {
            name: {"$ref": f"schemas/{name}.schema.json"} for name in schema_models()}},
    }


# ---- lists, index, publishing -----------------------------------------------------------------

def _list(ctx: ApiContext, spec: ApiKind, items: Mapping[str, Any]) -> ApiList:
    rows = [ApiListItem(id=i, name=req_text(spec.label(ent)), url=ctx.urls(spec.kind, i),
                        api_url=ctx.api_url(spec.kind, i)) for i, ent in items.items()]
    return ApiList(api_version=API_VERSION, kind=spec.kind, count=len(rows),
                   schema_url=ctx.abs(schema_path(spec.kind)), items=rows)


def _index(ctx: ApiContext, counts: dict[str, int]) -> ApiIndex:
    s = ctx.site.settings
    endpoints = [ApiEndpoint(
        name="index", url=ctx.abs(INDEX_PATH), media_type="application/json",
        schema_url=ctx.abs(schema_path(INDEX_SCHEMA)), count=None,
        description=_t("Indeks API ini.", "This index."))]
    for kind, spec in API_KINDS.items():
        endpoints += [
            ApiEndpoint(name=kind, url=ctx.abs(list_path(kind)), media_type="application/json",
                        schema_url=ctx.abs(schema_path(LIST_SCHEMA)), count=counts[kind],
                        description=_t(f"Daftar: {spec.title.id}.", f"List: {spec.title.en}.")),
            ApiEndpoint(name=f"{kind}-item", url=ctx.abs(item_path(kind, "{id}")),
                        media_type="application/json", schema_url=ctx.abs(schema_path(kind)),
                        count=None,
                        description=_t(f"Satu dokumen: {spec.title.id}.",
                                       f"One document: {spec.title.en}.")),
        ]
    endpoints += [
        ApiEndpoint(name="places", url=ctx.abs(PLACES_PATH), media_type=GEOJSON_TYPE,
                    schema_url=ctx.abs(schema_path(PLACES_SCHEMA)), count=None,
                    description=_t("Pos dan kantor yang berkoordinat (GeoJSON).",
                                   "Posts and offices with coordinates (GeoJSON).")),
        ApiEndpoint(name="openapi", url=ctx.abs(OPENAPI_PATH), media_type="application/json",
                    schema_url=None, count=None,
                    description=_t("Deskripsi OpenAPI 3.1.", "OpenAPI 3.1 description.")),
        ApiEndpoint(name="schemas", url=ctx.abs(schema_path("{name}")),
                    media_type="application/schema+json", schema_url=None, count=None,
                    description=_t("JSON Schema (draft 2020-12) tiap dokumen.",
                                   "JSON Schema (draft 2020-12) of each document.")),
    ]
    return ApiIndex(
        api_version=API_VERSION, name=req_text(s.name), publisher=req_text(s.publisher),
        site_url=ApiUrls(**{lang: ctx.abs("" if lang == "id" else f"{lang}/") for lang in LANGS}),
        openapi_url=ctx.abs(OPENAPI_PATH), kinds=list(API_KINDS), endpoints=endpoints)


@cache
def _validator(schema_bytes: bytes) -> jsonschema.protocols.Validator:
    """The schemas are generated from our own models, not written by hand: tests/test_api.py checks
    each against the draft 2020-12 metaschema, so the build does not (0.8 s of every build)."""
    schema = json.loads(schema_bytes)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_document(data: bytes, schema: bytes) -> list[str]:
    """Messages for every way the published bytes break the published schema ('' = root)."""
    validator = _validator(schema)
    errors = sorted(validator.iter_errors(json.loads(data)), key=lambda e: list(e.absolute_path))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def publish_api(site: Site, config: BuildConfig) -> tuple[Outputs, list[Problem]]:
    """Every API file, and the problems found while checking them against their schemas."""
    del config  # the API depends on the model only (site.today judges notice status)
    ctx = ApiContext(site)
    out = Outputs()
    problems: list[Problem] = []
    schemas = {name: dump_json(s) for name, s in api_schemas(site.settings.base_url).items()}
    # (output path, document, schema name, source file blamed for a problem)
    docs: list[tuple[str, BaseModel, str, str]] = []
    counts: dict[str, int] = {}
    for kind, spec in API_KINDS.items():
        items = spec.items(site)
        built: dict[str, Any] = {}
        for entity_id, ent in items.items():
            src = site.src_paths.get((kind, entity_id), item_path(kind, entity_id))
            try:
                doc = spec.build(ctx, entity_id, expand_texts(ent, site))
            except ValidationError as err:
                problems.append(Problem(src, None, None, "api-schema",
                                        f"cannot build {item_path(kind, entity_id)}: "
                                        f"{err.errors()[0]['msg']} at {err.errors()[0]['loc']}"))
                continue
            built[entity_id] = ent
            docs.append((item_path(kind, entity_id), doc, kind, src))
        counts[kind] = len(built)
        docs.append((list_path(kind), _list(ctx, spec, built), LIST_SCHEMA, list_path(kind)))
    docs.append((PLACES_PATH, places(site, ctx.urls, ctx.api_url), PLACES_SCHEMA, PLACES_PATH))
    docs.append((INDEX_PATH, _index(ctx, counts), INDEX_SCHEMA, INDEX_PATH))

    for path, document, schema_name, src in docs:
        data = dump_json(document.model_dump(mode="json"))
        problems.extend(
            Problem(src, None, None, "api-schema",
                    f"{path} breaks {schema_path(schema_name)} at {message}")
            for message in validate_document(data, schemas[schema_name]))
        out.add(path, data)
    for name, data in schemas.items():
        out.add(schema_path(name), data)
    out.add(OPENAPI_PATH, dump_json(openapi(site)))
    return out, problems
