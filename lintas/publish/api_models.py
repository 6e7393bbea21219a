"""The documents of the static JSON API (v1), as pydantic models.

These models are the single declaration of the API's shape: the builders in api.py fill them, and
the JSON Schemas published under api/v1/schemas/ are generated from them. They are kept apart from
the content schemas (schemas.py) on purpose: the API is a public contract that must only grow
(v1 promise: additive changes only), while source files may be reorganised. Leaf values are copied
from the source records by field name, so a renamed source field fails loudly at build time.

Every key is always present (None becomes null), so consumers never have to test for absent keys;
no model forbids extra keys, so a consumer validating against an older schema accepts newer documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..content.schemas import (
    ID_PATTERN,
    AgreementKind,
    AgreementStatus,
    Audience,
    EventKind,
    OfficeClass,
    OrgKind,
    PostKind,
    PostStatus,
)

API_VERSION = "1"
ApiVersion = Literal["1"]
IdStr = str


class ApiModel(BaseModel):
    # Serialization schema: defaults are still emitted, so every key is required in the schema.
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


def _id_field(description: str) -> Any:
    return Field(description=description, pattern=ID_PATTERN)


# ---- values ----------------------------------------------------------------------------------

class ApiText(ApiModel):
    """A text in Indonesian and English; `en` is null when no English text exists yet."""

    id: str = Field(description="Indonesian text.")
    en: str | None = Field(description="English text, or null (English pages then show the Indonesian).")


class ApiUrls(ApiModel):
    """Absolute URLs of a page in each language."""

    id: str = Field(description="Indonesian page.", json_schema_extra={"format": "uri"})
    en: str = Field(description="English page.", json_schema_extra={"format": "uri"})


class ApiRef(ApiModel):
    """A reference to another entity: its id plus where to read it (site pages and API document)."""

    kind: str = Field(description="Collection the entity belongs to, e.g. 'posts'.")
    id: IdStr = _id_field("Id of the entity, unique within its kind.")
    url: ApiUrls = Field(description="Its pages on the site.")
    api_url: str = Field(description="Its API document.", json_schema_extra={"format": "uri"})


class ApiSource(ApiModel):
    """Where a fact comes from: an entry of the source register (content/sources/)."""

    id: str | None = Field(None, description="Id of the source in the register; facts cite it by this id.")
    title: str = Field(description="Title of the article, page or document.")
    title_verified: bool = Field(True, description="False when the title was not checked against the source itself.")
    publisher: str = Field(description="Who published it.")
    author: str | None = Field(None, description="Author, or null.")
    url: str | None = Field(description="Address of the source, or null.")
    date: dt.date | None = Field(description="Publication date when known to the day, or null.")
    published: str | None = Field(None, description="Publication date as known: YYYY-MM-DD, YYYY-MM or YYYY, or null.")
    accessed: dt.date | None = Field(None, description="When a person last read the source, or null when not recorded.")
    language: str | None = Field(None, description="Language of the source, or null.")
    source_kind: str | None = Field(None, description="law, official, press or secondary.")
    note: ApiText | None = Field(None, description="What a reader should know about the source, or null.")


class ApiCitation(ApiModel):
    """Where one fact comes from, and as of when it was true."""

    cite: list[str] = Field(description="Ids of the sources (each listed in the document's `sources`).")
    as_of: str | None = Field(None, description="When the fact was true (YYYY-MM-DD, YYYY-MM or YYYY), or null: "
                                                "then the sources' publication dates apply.")


class ApiCited(ApiModel):
    """A fact with its own citation."""

    cite: list[str] = Field(default_factory=list, description="Ids of the sources that give this fact.")
    as_of: str | None = Field(None, description="When the fact was true (YYYY-MM-DD, YYYY-MM or YYYY), or null.")


class ApiCaveat(ApiCited):
    """A fact that the sources mark as uncertain, conflicting or unverified."""

    kind: Literal["uncertain", "conflict", "unverified"] = Field(description="How weak the fact is.")
    text: ApiText = Field(description="What is uncertain.")


class ApiCoordinates(ApiCited):
    """A point (WGS 84, decimal degrees)."""

    lat: float = Field(ge=-90, le=90, description="Latitude; south is negative.")
    lon: float = Field(ge=-180, le=180, description="Longitude; east is positive.")
    approximate: bool = Field(description="True unless surveyed: never use it to navigate.")


class ApiContact(ApiModel):
    phone: str | None = Field(description="Phone number as published by the office, or null when not known.")
    email: str | None = Field(description="E-mail address, or null when not known.")
    website: str | None = Field(description="Official website, or null when not known.")
    address: str | None = Field(None, description="Street address, or null when not known.")
    office_hours: str | None = Field(None, description="Office hours, or null when not known.")
    citations: dict[str, ApiCitation] = Field(
        default_factory=dict, description="Source of each known detail, keyed by field name.")


class ApiOpeningHours(ApiCited):
    days: ApiText = Field(description="Which days.")
    opens: str = Field(description="Opening time, HH:MM local time.")
    closes: str = Field(description="Closing time, HH:MM local time.")
    timezone: Literal["WIB", "WITA", "WIT"] = Field(description="Indonesian time zone.")


class ApiCounterpart(ApiCited):
    name: str = Field(description="Name of the post on the other side of the border.")
    place: ApiText | None = Field(description="Where it is, or null.")


class ApiLink(ApiModel):
    text: ApiText = Field(description="Link text.")
    url: str = Field(description="Address.")


class ApiStep(ApiCited):
    title: ApiText = Field(description="What to do.")
    body: ApiText | None = Field(description="Details in Markdown, or null.")
    optional: bool = Field(description="True when the step applies only to some people.")
    logic: Literal["and", "or"] = Field(description="How this step joins the next one.")
    links: list[ApiLink] = Field(description="Links for this step.")


class ApiRequirement(ApiCited):
    text: ApiText = Field(description="A document or condition.")
    optional: bool = Field(description="True when needed only in some cases.")


class ApiFee(ApiCited):
    item: ApiText = Field(description="What is paid for.")
    amount_idr: int = Field(ge=0, description="Amount in rupiah (0 = free).")
    legal_basis: str = Field(description="Regulation that sets the fee.")
    effective_from: dt.date = Field(description="Date the fee applies from.")


class ApiDocument(ApiModel):
    title: ApiText = Field(description="Document title.")
    url: str | None = Field(description="Where it can be read, or null.")


class ApiEvent(ApiCited):
    date: dt.date = Field(description="When it happened.")
    kind: EventKind = Field(description="What happened.")
    note: ApiText | None = Field(description="Details, or null.")


# ---- entity documents -------------------------------------------------------------------------

class ApiEntity(ApiModel):
    """Fields every entity document carries."""

    api_version: ApiVersion = Field(description="Major version of the API: always '1' under /api/v1/.")
    kind: str = Field(description="Collection the entity belongs to.")
    id: IdStr = _id_field("Id of the entity, unique within its kind; never reused.")
    url: ApiUrls = Field(description="The entity's pages on the site.")
    api_url: str = Field(description="This document.", json_schema_extra={"format": "uri"})
    sources: list[ApiSource] = Field(min_length=1, description="Sources for the facts.")
    reviewed_on: dt.date = Field(description="When a person last checked the content against its sources.")
    review_due: dt.date | None = Field(None, description="When the next review is due (site.yaml review_intervals), or null.")
    caveats: list[ApiCaveat] = Field(description="Uncertain or conflicting facts.")
    citations: dict[str, ApiCitation] = Field(
        default_factory=dict, description="Sources of plain facts (status, dates, texts), keyed by field name; "
                                          "facts in lists and parts carry their own `cite` and `as_of`.")


class ApiOrganisationRelated(ApiModel):
    children: list[ApiRef] = Field(description="Organisations that belong to this one.")
    posts: list[ApiRef] = Field(description="Posts it runs or manages.")
    procedures: list[ApiRef] = Field(description="Procedures done at this office.")
    agreements: list[ApiRef] = Field(description="Agreements it is a party to.")


class ApiOrganisation(ApiEntity):
    """An immigration office, a regional government, an agency or an inter-agency team."""

    kind: Literal["organisations"] = Field(description="Always 'organisations'.")
    name: ApiText = Field(description="Official name.")
    short_name: str | None = Field(description="Abbreviation in common use, or null.")
    type: OrgKind = Field(description="What sort of organisation this is (may gain values within v1).")
    office_class: OfficeClass | None = Field(description="Class of an immigration office, or null.")
    parent: ApiRef | None = Field(description="The organisation this one belongs to, or null.")
    summary: ApiText | None = Field(description="One or two sentences, or null.")
    body: ApiText | None = Field(description="Longer description in Markdown, or null.")
    address: ApiText | None = Field(description="Postal address, or null.")
    contact: ApiContact | None = Field(description="Published contact details, or null.")
    region: str | None = Field(description="Region code (BPS/Kemendagri), or null.")
    working_area: list[str] = Field(description="Region codes it serves.")
    coordinates: ApiCoordinates | None = Field(description="Where the office is, or null.")
    related: ApiOrganisationRelated = Field(description="Entities that refer to this one.")


class ApiPostRelated(ApiModel):
    procedures: list[ApiRef] = Field(description="Procedures that concern this post.")
    agreements: list[ApiRef] = Field(description="Agreements that concern this post.")
    notices: list[ApiRef] = Field(description="Notices that concern this post (active or archived).")


class ApiPost(ApiEntity):
    """A border crossing point or immigration post."""

    kind: Literal["posts"] = Field(description="Always 'posts'.")
    name: ApiText = Field(description="Name of the post.")
    type: PostKind = Field(description="Kind of crossing point (may gain values within v1).")
    status: PostStatus = Field(description="Whether it is open for crossings.")
    status_since: dt.date | None = Field(description="Date the status took effect, or null.")
    opened_on: dt.date | None = Field(description="Inauguration or opening date, or null.")
    summary: ApiText | None = Field(description="One or two sentences, or null.")
    body: ApiText | None = Field(description="Longer description in Markdown, or null.")
    country: str | None = Field(description="Neighbouring country, ISO 3166-1 alpha-2, or null.")
    counterpart: ApiCounterpart | None = Field(description="The post on the other side, or null.")
    location: ApiText | None = Field(description="Village, district and regency in words, or null.")
    region: str | None = Field(description="Regency code (BPS/Kemendagri), or null.")
    coordinates: ApiCoordinates | None = Field(description="Point location, or null when no source gives it.")
    opening_hours: list[ApiOpeningHours] = Field(description="Ordinary opening hours.")
    services: list[ApiText] = Field(description="Services offered at the post.")
    operating_office: ApiRef | None = Field(description="Immigration office that runs it, or null.")
    managed_by: ApiRef | None = Field(description="Body that manages the site, or null.")
    related: ApiPostRelated = Field(description="Entities that refer to this post.")


class ApiAgreement(ApiEntity):
    """A cooperation agreement, memorandum or letter between organisations."""

    kind: Literal["agreements"] = Field(description="Always 'agreements'.")
    title: ApiText = Field(description="Title of the agreement.")
    type: AgreementKind = Field(description="PKS, MoU, letter of support, ... (may gain values within v1).")
    number: str | None = Field(description="Official number when published, or null.")
    parties: list[ApiRef] = Field(min_length=1, description="Organisations that signed.")
    signed_on: dt.date = Field(description="Signing date.")
    signed_at: str | None = Field(description="Place of signing, or null.")
    status: AgreementStatus = Field(description="Current status.")
    scope: ApiText = Field(description="What the agreement covers.")
    body: ApiText | None = Field(description="Longer description in Markdown, or null.")
    related_posts: list[ApiRef] = Field(description="Posts it concerns.")
    documents: list[ApiDocument] = Field(description="Published documents.")
    events: list[ApiEvent] = Field(description="Timeline, oldest first as written in the source.")


class ApiProcedureRelated(ApiModel):
    procedures: list[ApiRef] = Field(description="Related procedures (in either direction).")
    notices: list[ApiRef] = Field(description="Notices that concern this procedure.")


class ApiProcedure(ApiEntity):
    """A public procedure: what to do, in steps, with requirements and fees."""

    kind: Literal["procedures"] = Field(description="Always 'procedures'.")
    title: ApiText = Field(description="Title as a task.")
    summary: ApiText = Field(description="Who it is for and what it gives.")
    body: ApiText | None = Field(description="Introduction in Markdown, or null.")
    audience: list[str] = Field(description="Who it is for (codes such as 'wni', 'wna').")
    steps: list[ApiStep] = Field(min_length=1, description="The steps, in order.")
    requirements: list[ApiRequirement] = Field(description="Documents and conditions.")
    fees: list[ApiFee] = Field(description="Fees with their legal basis.")
    processing_time: ApiText | None = Field(description="How long it takes, or null.")
    offices: list[ApiRef] = Field(description="Offices where it is done.")
    posts: list[ApiRef] = Field(description="Posts where it is done or that it concerns.")
    related: ApiProcedureRelated = Field(description="Related entities.")


class ApiNotice(ApiEntity):
    """An announcement or advisory, valid for a period; archived, never deleted."""

    kind: Literal["notices"] = Field(description="Always 'notices'.")
    title: ApiText = Field(description="Headline.")
    summary: ApiText = Field(description="One or two sentences.")
    body: ApiText | None = Field(description="Full text in Markdown, or null.")
    level: Literal["info", "advisory", "warning"] = Field(description="How urgent.")
    valid_from: dt.date = Field(description="First day it applies.")
    valid_until: dt.date | None = Field(description="Last day it applies, or null when open-ended.")
    status: Literal["active", "upcoming", "archived"] = Field(
        description="State on the day the site was built (see valid_from/valid_until to judge it yourself)."
    )
    audience: list[Audience] = Field(description="Who it is for.")
    issued_by: ApiRef | None = Field(description="Organisation behind it, or null.")
    related_posts: list[ApiRef] = Field(description="Posts it concerns.")
    related_procedures: list[ApiRef] = Field(description="Procedures it concerns.")


class ApiParticipant(ApiCited):
    role: ApiText = Field(description="Role or office.")
    name: str | None = Field(description="Name as the source gives it (as of the event), or null.")
    organisation: ApiRef | None = Field(description="Organisation they represented, or null.")
    part: Literal["led", "received", "attended"] = Field(description="What part they took.")


class ApiEventDoc(ApiEntity):
    """A meeting, visit or review that happened."""

    kind: Literal["events"] = Field(description="Always 'events'.")
    title: ApiText = Field(description="What happened.")
    summary: ApiText = Field(description="One or two sentences.")
    body: ApiText | None = Field(description="Longer description in Markdown, or null.")
    date: str = Field(description="When: YYYY-MM-DD, or YYYY-MM / YYYY when the sources give no day.")
    date_note: ApiText | None = Field(description="How the date is known, or null.")
    venue: ApiText | None = Field(description="Where it took place, or null.")
    organisations: list[ApiRef] = Field(description="Organisations that took part.")
    participants: list[ApiParticipant] = Field(description="Who took part, by role.")
    aims: list[ApiText] = Field(description="What it set out to do.")
    outcomes: list[ApiText] = Field(description="What was agreed or committed to.")
    related_posts: list[ApiRef] = Field(description="Posts it concerns.")
    related_procedures: list[ApiRef] = Field(description="Procedures it concerns.")


class ApiGlossaryTerm(ApiEntity):
    """A term or abbreviation, explained in both languages (no page of its own: an anchor)."""

    kind: Literal["glossary"] = Field(description="Always 'glossary'.")
    term: str = Field(description="The term as written.")
    expansion: str | None = Field(description="What an abbreviation stands for, or null.")
    definition: ApiText = Field(description="Plain-language meaning.")
    abbreviation: bool = Field(description="True for abbreviations.")


# ---- lists and the index ----------------------------------------------------------------------

class ApiListItem(ApiModel):
    id: IdStr = _id_field("Id of the entity.")
    name: ApiText = Field(description="Name or title of the entity.")
    url: ApiUrls = Field(description="Its pages on the site.")
    api_url: str = Field(description="Its API document.", json_schema_extra={"format": "uri"})


class ApiList(ApiModel):
    """Every entity of one kind, in id order."""

    api_version: ApiVersion = Field(description="Always '1'.")
    kind: str = Field(description="The collection.")
    count: int = Field(ge=0, description="Number of items.")
    schema_url: str = Field(description="JSON Schema of one item's document.", json_schema_extra={"format": "uri"})
    items: list[ApiListItem] = Field(description="The entities, in id order.")


class ApiEndpoint(ApiModel):
    name: str = Field(description="Stable name of the endpoint, e.g. 'posts' or 'posts-item'.")
    url: str = Field(description="Absolute URL; '{id}' stands for an entity id.")
    media_type: str = Field(description="Media type of the response.")
    schema_url: str | None = Field(description="JSON Schema of the response, or null.")
    description: ApiText = Field(description="What it returns.")
    count: int | None = Field(description="Number of entities for a collection, else null.")


class ApiIndex(ApiModel):
    """The entry point: what the API holds and where."""

    api_version: ApiVersion = Field(description="Always '1'.")
    name: ApiText = Field(description="Name of the site.")
    publisher: ApiText = Field(description="Who publishes the site.")
    site_url: ApiUrls = Field(description="Home pages of the site.")
    openapi_url: str = Field(description="OpenAPI 3.1 description.", json_schema_extra={"format": "uri"})
    kinds: list[str] = Field(description="The entity collections.")
    endpoints: list[ApiEndpoint] = Field(description="Every endpoint.")
