"""Content schemas: one pydantic model per kind, the single declaration of every field.

The models give the typed objects, the per-file validation (with positions mapped back to the YAML)
and the published JSON Schema (`python build.py schema`). Cross-file rules (references exist, ids
are unique) live in validate.py. Every field carries a description: it flows into the JSON Schema,
and so into editors' tooltips.

Values are strict: YAML hands over strings, integers, floats, booleans and null, and nothing is
coerced (a region code written as a number is an error, not silently re-typed).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

# \Z, not $: `$` also matches before a final newline ("abc\n" would pass).
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
ID_MAX = 64
# Names Windows refuses as file names; an id becomes a folder name in site/.
RESERVED_IDS = frozenset(
    {"con", "prn", "aux", "nul", "index", "en", "assets", "api", "search", "data"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


class RefTo:
    """Marks a string field as a reference to an entity of `kinds` (checked in validate.py)."""

    def __init__(self, *kinds: str) -> None:
        self.kinds = kinds

    def __repr__(self) -> str:
        return f"RefTo{self.kinds!r}"


def _check_id(value: str) -> str:
    if not ID_RE.match(value) or len(value) > ID_MAX:
        raise PydanticCustomError(
            "bad-value",
            "'{value}' is not a valid id: use lowercase letters, digits and single hyphens",
            {"value": value},
        )
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError(
            "bad-date", "'{value}' is not a date: write YYYY-MM-DD", {"value": str(value)}
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "bad-date", "'{value}' is not a real calendar date", {"value": value}
        ) from None


_URL_RE = re.compile(r"^(?:https?://[^\s/?#]+[^\s]*|mailto:[^\s@]+@[^\s@]+|tel:\+?[0-9 ()-]+)$")


def _check_url(value: str) -> str:
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in ("http", "https", "mailto", "tel"):
        raise PydanticCustomError(
            "bad-url",
            "'{value}' is not allowed: a URL must start with http://, https://, mailto: or tel:",
            {"value": value},
        )
    if not _URL_RE.match(value):
        raise PydanticCustomError("bad-url", "'{value}' is not a well-formed URL", {"value": value})
    return value


def _check_time(value: str) -> str:
    if not re.fullmatch(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00", value):
        raise PydanticCustomError(
            "bad-value", "'{value}' is not a time of day: write HH:MM, e.g. 08:00", {"value": value}
        )
    return value


def _check_region(value: str) -> str:
    if not re.fullmatch(r"\d{2}(?:\d{2})?", value):
        raise PydanticCustomError(
            "bad-value",
            "'{value}' is not a region code: write the 2-digit province or 4-digit "
            "regency/city code (BPS/Kemendagri), e.g. '5305'",
            {"value": value},
        )
    return value


_PARTIAL_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?\Z")


def _check_partial_date(value: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD: a source or fact is often dated only to the month or year."""
    if not _PARTIAL_DATE.match(value):
        raise PydanticCustomError(
            "bad-date", "'{value}' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY", {"value": value}
        )
    parts = [int(x) for x in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise PydanticCustomError(
            "bad-date", "'{value}' is not a real calendar date", {"value": value}
        ) from None
    return value


def _partial_date_in(value: Any) -> Any:
    """A YAML date (unquoted 2024-09-05) or year (2022) is accepted as its text."""
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    return value.isoformat() if isinstance(value, dt.date) else value


ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[str, AfterValidator(_check_id), Field(json_schema_extra={"pattern": ID_PATTERN})]
Date = Annotated[dt.date, BeforeValidator(_parse_date), Field(json_schema_extra={"format": "date"})]
Url = Annotated[str, AfterValidator(_check_url),
               Field(json_schema_extra={"pattern": r"^(https?://|mailto:|tel:)"})]
TimeOfDay = Annotated[str, AfterValidator(_check_time),
                      Field(json_schema_extra={"pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"})]
RegionCode = Annotated[str, AfterValidator(_check_region),
                       Field(json_schema_extra={"pattern": r"^[0-9]{2}([0-9]{2})?$"})]
NonEmpty = Annotated[str, Field(min_length=1)]
PartialDate = Annotated[str, BeforeValidator(_partial_date_in), AfterValidator(_check_partial_date),
                        Field(json_schema_extra={"pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"})]


def partial_date_start(value: str) -> dt.date:
    """The first day a partial date ('2024', '2024-09', '2024-09-05') can mean."""
    parts = [int(x) for x in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def Ref(*kinds: str) -> Any:
    """A reference to an entity of one of `kinds`, by id."""
    return Annotated[str, AfterValidator(_check_id), RefTo(*kinds),
                     Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": list(kinds)})]


OrganisationRef = Annotated[str, AfterValidator(_check_id), RefTo("organisations"),
                            Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": ["organisations"]})]
PostRef = Annotated[str, AfterValidator(_check_id), RefTo("posts"),
                    Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": ["posts"]})]
ProcedureRef = Annotated[str, AfterValidator(_check_id), RefTo("procedures"),
                         Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": ["procedures"]})]
NoticeRef = Annotated[str, AfterValidator(_check_id), RefTo("notices"),
                      Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": ["notices"]})]
SourceRef = Annotated[str, AfterValidator(_check_id), RefTo("sources"),
                      Field(json_schema_extra={"pattern": ID_PATTERN, "x-reference": ["sources"]})]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=False)


class Text(Schema):
    """A text in Indonesian (required) and English (optional: pages fall back to Indonesian)."""

    id: NonEmpty = Field(description="Indonesian text (required).")
    en: NonEmpty | None = Field(None, description="English text; when absent, English pages show the Indonesian text with a notice.")

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.id

    def is_fallback(self, lang: str) -> bool:
        return lang == "en" and not self.en


class Source(Schema):
    """Where a dataset's figures come from (written inline in data/; content cites the register)."""

    title: NonEmpty = Field(description="Title of the article, page or document.")
    publisher: NonEmpty = Field(description="Who published it (e.g. ANTARA Kupang).")
    url: Url | None = Field(None, description="Address of the source (http or https).")
    date: Date | None = Field(None, description="Publication date, YYYY-MM-DD.")


SourceKind = Literal["law", "official", "press", "secondary"]


class SourceRecord(Schema):
    """content/sources/<id>.yaml: one source in the register; entities cite it by id."""

    title: NonEmpty = Field(description="Title of the article, page or document, as published.")
    title_verified: bool = Field(
        True, description="False when the title was not read on the source itself (e.g. rebuilt from "
                          "the URL); `note` then says so.")
    publisher: NonEmpty = Field(description="Who published it (e.g. ANTARA Kupang).")
    author: NonEmpty | None = Field(None, description="Author, when the source names one.")
    published: PartialDate | None = Field(
        None, description="Publication date: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known.")
    url: Url | None = Field(None, description="Address of the source (http or https).")
    accessed: Date | None = Field(None, description="When a person last read the source at its address.")
    language: Literal["id", "en", "pt", "tet", "de", "fr"] | None = Field(None, description="Language of the source.")
    kind: SourceKind = Field(description="law: a legal text; official: a government page; press: news "
                                         "media; secondary: blogs, encyclopedias, aggregators, journals.")
    note: Text | None = Field(None, description="What a reader should know about this source.")


class Citation(Schema):
    """Where a plain fact (a status, a date, a text) comes from, and as of when it was true."""

    cite: list[SourceRef] = Field(min_length=1, description="Ids of the sources (content/sources/) that give the fact.")
    as_of: PartialDate | None = Field(
        None, description="When the fact was true per the sources (YYYY-MM-DD, YYYY-MM or YYYY); "
                          "the source's publication date when absent.")


class Cited(Schema):
    """A fact that carries its own citation: `cite` (source ids) and `as_of`."""

    cite: list[SourceRef] = Field(default_factory=list, description="Ids of the sources (content/sources/) that give this fact.")
    as_of: PartialDate | None = Field(
        None, description="When the fact was true per the sources (YYYY-MM-DD, YYYY-MM or YYYY); "
                          "the source's publication date when absent.")


class Caveat(Cited):
    """A fact that the sources mark as uncertain, conflicting or unverified; shown on the page."""

    kind: Literal["uncertain", "conflict", "unverified"] = Field(description="How weak the fact is.")
    text: Text = Field(description="What is uncertain, in plain words.")


class Entity(Schema):
    """Fields every kind carries."""

    # Fields whose facts readers act on (hours, fees, documents, status, processing time, contact):
    # each needs a citation (`check`: error[uncited-fact]). Nested parts declare their own.
    CRITICAL: ClassVar[tuple[str, ...]] = ()

    sources: list[SourceRef] = Field(
        min_length=1, description="Ids of the sources (content/sources/) for the page's text as a whole "
                                  "(at least one); single facts cite theirs with `cite`.")
    reviewed_on: Date = Field(description="When a person last checked this content against its sources.")
    caveats: list[Caveat] = Field(default_factory=list, description="Uncertain or conflicting facts, shown in a callout.")
    citations: dict[NonEmpty, Citation] = Field(
        default_factory=dict, description="Citations of plain fields (status, dates, texts), keyed by "
                                          "field name, e.g. `status: {cite: [id], as_of: 2025-09-12}`.")


NOT_KNOWN: Literal["not-known"] = "not-known"


class ContactValue(Cited):
    """One contact detail as published, with its source."""

    value: NonEmpty = Field(description="The detail exactly as the source gives it; never guessed.")


def _contact_in(value: Any) -> Any:
    if isinstance(value, str) and value != NOT_KNOWN:
        raise PydanticCustomError(
            "bad-value", "'{value}' needs its source: write it as `value:` with `cite: [<source id>]` "
                         "under it, or write not-known", {"value": value[:60]})
    return value


ContactField = Annotated[Literal["not-known"] | ContactValue, BeforeValidator(_contact_in)]


class Contact(Schema):
    """How to reach an office. Every detail is cited, or written `not-known` when no source gives it."""

    CRITICAL: ClassVar[tuple[str, ...]] = ("address", "phone", "email", "website", "office_hours")

    address: ContactField = Field(NOT_KNOWN, description="Street address (or `not-known`).")
    phone: ContactField = Field(NOT_KNOWN, description="Phone number as published (or `not-known`).")
    email: ContactField = Field(NOT_KNOWN, description="E-mail address (or `not-known`).")
    website: ContactField = Field(NOT_KNOWN, description="Official website (or `not-known`).")
    office_hours: ContactField = Field(NOT_KNOWN, description="Office hours (or `not-known`).")

    def known(self) -> list[tuple[str, ContactValue]]:
        return [(name, value) for name in self.CRITICAL
                if isinstance(value := getattr(self, name), ContactValue)]


class Coordinates(Cited):
    lat: float = Field(ge=-90, le=90, description="Latitude in decimal degrees (WGS 84; south is negative).")
    lon: float = Field(ge=-180, le=180, description="Longitude in decimal degrees (WGS 84; east is positive).")
    approximate: bool = Field(True, description="True unless surveyed; pages say 'approximate'.")


OrgKind = Literal[
    "immigration-office",
    "regional-immigration-office",
    "directorate-general",
    "ministry",
    "regional-government",
    "regional-agency",
    "national-agency",
    "inter-agency-team",
]
OfficeClass = Literal["kelas-i-khusus", "kelas-i-tpi", "kelas-i-non-tpi", "kelas-ii-tpi", "kelas-ii-non-tpi"]


class Organisation(Entity):
    """An immigration office, a regional government, an agency or an inter-agency team."""

    CRITICAL: ClassVar[tuple[str, ...]] = ("contact",)
    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    name: Text = Field(description="Official name.")
    short_name: NonEmpty | None = Field(None, description="Abbreviation in common use (e.g. Kanim Atambua).")
    kind: OrgKind = Field(description="What sort of organisation this is.")
    office_class: OfficeClass | None = Field(None, description="Class of an immigration office (e.g. kelas-ii-tpi).")
    parent: OrganisationRef | None = Field(None, description="Id of the organisation this one belongs to.")
    summary: Text | None = Field(None, description="One or two sentences on what it does.")
    body: Text | None = Field(None, description="Longer description in Markdown.")
    contact: Contact | None = Field(
        None, description="How to reach it: each detail cited, or `not-known`. Offices the public "
                          "deals with should have one.")
    region: RegionCode | None = Field(None, description="Region code (BPS/Kemendagri) where it sits, as a quoted string.")
    working_area: list[RegionCode] = Field(default_factory=list, description="Region codes it serves.")
    coordinates: Coordinates | None = Field(None, description="Where the office is.")

    @model_validator(mode="after")
    def _class_only_for_offices(self) -> Organisation:
        if self.office_class and self.kind != "immigration-office":
            raise PydanticCustomError(
                "bad-value", "office_class is only for kind: immigration-office"
            )
        return self


class OpeningHours(Cited):
    days: Text = Field(description="Which days, e.g. 'Setiap hari' / 'Every day'.")
    opens: TimeOfDay = Field(description="Opening time, HH:MM, local time.")
    closes: TimeOfDay = Field(description="Closing time, HH:MM, local time.")
    timezone: Literal["WIB", "WITA", "WIT"] = Field(description="Indonesian time zone (WITA = UTC+8, WIT = UTC+9).")


class Counterpart(Cited):
    name: NonEmpty = Field(description="Name of the post on the other side.")
    place: Text | None = Field(None, description="Where it is.")


PostKind = Literal["plbn", "plb-traditional", "tpi-land", "tpi-sea", "tpi-air", "immigration-post"]
PostStatus = Literal["active", "inactive", "planned", "closed", "unknown"]


class Post(Entity):
    """A border crossing point or immigration post."""

    CRITICAL: ClassVar[tuple[str, ...]] = ("opening_hours", "status")
    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    name: Text = Field(description="Name of the post.")
    kind: PostKind = Field(description="Kind of crossing point.")
    summary: Text | None = Field(None, description="One or two sentences.")
    body: Text | None = Field(None, description="Longer description in Markdown.")
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="Neighbouring country, ISO 3166-1 alpha-2 (e.g. 'TL')."
    )
    counterpart: Counterpart | None = Field(None, description="The post on the other side of the border.")
    location: Text | None = Field(None, description="Village, district and regency in words.")
    region: RegionCode | None = Field(None, description="Regency code (BPS/Kemendagri), a quoted string.")
    coordinates: Coordinates | None = Field(None, description="Point location; leave out when no source gives it.")
    opening_hours: list[OpeningHours] = Field(default_factory=list, description="Ordinary opening hours.")
    services: list[Text] = Field(default_factory=list, description="Services offered at the post.")
    operating_office: OrganisationRef | None = Field(None, description="Id of the immigration office that runs it.")
    managed_by: OrganisationRef | None = Field(None, description="Id of the body that manages the site (e.g. BNPP for a PLBN).")
    status: PostStatus = Field(description="Whether it is open for crossings.")
    status_since: Date | None = Field(None, description="Date the status took effect.")
    opened_on: Date | None = Field(None, description="Inauguration or opening date.")


AgreementKind = Literal["pks", "mou", "nota-kesepakatan", "letter-of-support", "arrangement", "other"]
AgreementStatus = Literal["draft", "signed", "in-force", "expired", "terminated", "unknown"]
EventKind = Literal["signed", "in-force", "amended", "expired", "terminated", "reviewed", "other"]


class Document(Schema):
    title: Text = Field(description="Document title.")
    url: Url | None = Field(None, description="Where it can be read.")


class AgreementEvent(Cited):
    date: Date = Field(description="When it happened.")
    kind: EventKind = Field(description="What happened.")
    note: Text | None = Field(None, description="Details.")


class Agreement(Entity):
    """A cooperation agreement, memorandum or letter between organisations."""

    CRITICAL: ClassVar[tuple[str, ...]] = ("status",)
    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    title: Text = Field(description="Title of the agreement.")
    kind: AgreementKind = Field(description="PKS, MoU, letter of support, ...")
    number: NonEmpty | None = Field(None, description="Official number, only when published.")
    parties: list[OrganisationRef] = Field(min_length=1, description="Ids of the organisations that signed.")
    signed_on: Date = Field(description="Signing date (not in the future).")
    signed_at: NonEmpty | None = Field(None, description="Place of signing.")
    scope: Text = Field(description="What the agreement covers.")
    body: Text | None = Field(None, description="Longer description in Markdown.")
    status: AgreementStatus = Field(description="Current status.")
    related_posts: list[PostRef] = Field(default_factory=list, description="Ids of posts it concerns.")
    documents: list[Document] = Field(default_factory=list, description="Published documents.")
    events: list[AgreementEvent] = Field(default_factory=list, description="Timeline: signed, in force, expired...")


class Link(Schema):
    text: Text = Field(description="Link text.")
    url: Url = Field(description="Address.")


class Step(Cited):
    """One step of a GOV.UK-style step-by-step list."""

    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    title: Text = Field(description="What to do, as an instruction.")
    body: Text | None = Field(None, description="Details in Markdown.")
    optional: bool = Field(False, description="True when the step applies only to some people.")
    logic: Literal["and", "or"] = Field(
        "and", description="How this step joins the next: 'and' (then do) or 'or' (alternatively)."
    )
    links: list[Link] = Field(default_factory=list, description="Links for this step.")


class Requirement(Cited):
    text: Text = Field(description="A document or condition.")
    optional: bool = Field(False, description="True when needed only in some cases (the text says which).")


class Fee(Cited):
    item: Text = Field(description="What is paid for.")
    amount_idr: int = Field(ge=0, description="Amount in rupiah, a whole number (0 for free).")
    legal_basis: NonEmpty = Field(description="Regulation that sets the fee (e.g. PP 45/2024).")
    effective_from: Date = Field(description="Date the fee applies from.")


class Procedure(Entity):
    """A public procedure: what to do, in steps, with requirements and fees."""

    CRITICAL: ClassVar[tuple[str, ...]] = ("requirements", "fees", "processing_time")
    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    title: Text = Field(description="Title as a task, e.g. 'Apply for a passport'.")
    summary: Text = Field(description="One or two sentences: who it is for and what it gives.")
    body: Text | None = Field(None, description="Introduction in Markdown.")
    audience: list[Literal["wni", "wna", "border-residents", "pilgrims", "accommodation-providers", "local-government"]] = Field(
        default_factory=list, description="Who it is for."
    )
    steps: list[Step] = Field(min_length=1, description="The steps, in order.")
    requirements: list[Requirement] = Field(default_factory=list, description="Documents and conditions.")
    fees: list[Fee] = Field(default_factory=list, description="Fees with their legal basis.")
    processing_time: Text | None = Field(None, description="How long it takes, with its basis.")
    offices: list[OrganisationRef] = Field(default_factory=list, description="Ids of offices where it is done.")
    posts: list[PostRef] = Field(default_factory=list, description="Ids of posts where it is done or that it concerns.")
    related: list[ProcedureRef] = Field(default_factory=list, description="Ids of related procedures.")


Audience = Literal["public", "wni", "wna", "pilgrims", "border-residents", "travellers", "accommodation-providers"]


class Notice(Entity):
    """An announcement or advisory, valid for a period; archived, never deleted, once it expires."""

    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    title: Text = Field(description="Headline.")
    summary: Text = Field(description="One or two sentences shown in banners.")
    body: Text | None = Field(None, description="Full text in Markdown.")
    level: Literal["info", "advisory", "warning"] = Field("info", description="How urgent.")
    valid_from: Date = Field(description="First day it applies.")
    valid_until: Date | None = Field(None, description="Last day it applies; after this it is archived.")
    audience: list[Audience] = Field(default_factory=list, description="Who it is for.")
    issued_by: OrganisationRef | None = Field(None, description="Id of the organisation behind it.")
    related_posts: list[PostRef] = Field(default_factory=list, description="Ids of posts it concerns.")
    related_procedures: list[ProcedureRef] = Field(default_factory=list, description="Ids of procedures it concerns.")


class GlossaryTerm(Entity):
    """A term or abbreviation, explained in both languages."""

    term: NonEmpty = Field(description="The term as written, e.g. 'WNA'.")
    expansion: NonEmpty | None = Field(None, description="What an abbreviation stands for, e.g. 'Warga Negara Asing'.")
    definition: Text = Field(description="Plain-language meaning.")
    abbreviation: bool = Field(False, description="True for abbreviations: pages explain them where they appear.")


class Participant(Cited):
    """A person at an event, by role, with the name the sources give as of that date."""

    role: Text = Field(description="Their role or office, e.g. 'Kepala Seksi Intelijen dan Penindakan Keimigrasian'.")
    name: NonEmpty | None = Field(None, description="Their name as the source gives it (as of the event); leave out when not given.")
    organisation: OrganisationRef | None = Field(None, description="Id of the organisation they represented.")
    part: Literal["led", "received", "attended"] = Field(
        "attended", description="led: led the meeting or delegation; received: hosted it; attended.")


class Event(Entity):
    """A meeting, visit or review that happened: when, where, who by role, what it aimed at."""

    markdown_fields: ClassVar[tuple[str, ...]] = ("body",)  # the rest is plain text

    title: Text = Field(description="What happened, e.g. 'Coordination meeting of ... and ...'.")
    summary: Text = Field(description="One or two sentences.")
    body: Text | None = Field(None, description="Longer description in Markdown.")
    date: PartialDate = Field(description="When it happened: YYYY-MM-DD, or YYYY-MM / YYYY when the sources give no day.")
    date_note: Text | None = Field(None, description="How the date is known (e.g. only the report's month).")
    venue: Text | None = Field(None, description="Where it took place.")
    organisations: list[OrganisationRef] = Field(min_length=1, description="Ids of the organisations that took part.")
    participants: list[Participant] = Field(default_factory=list, description="Who took part, by role.")
    aims: list[Text] = Field(default_factory=list, description="What it set out to do.")
    outcomes: list[Text] = Field(default_factory=list, description="What was agreed or committed to.")
    related_posts: list[PostRef] = Field(default_factory=list, description="Ids of posts it concerns.")
    related_procedures: list[ProcedureRef] = Field(default_factory=list, description="Ids of procedures it concerns.")


BASE_KIND_MODELS: dict[str, type[Entity]] = {
    "organisations": Organisation,
    "posts": Post,
    "agreements": Agreement,
    "procedures": Procedure,
    "notices": Notice,
    "glossary": GlossaryTerm,
    "events": Event,
}


class Task(Schema):
    """A task on the home page: a person's goal linked to where it is answered."""

    title: Text = Field(description="The task in the reader's words, e.g. 'Cross into Timor-Leste'.")
    summary: Text = Field(description="One line under the title.")
    link: NonEmpty = Field(
        description="Site path it opens, e.g. 'procedures/passport-application/' or 'data/'."
    )


class OfflineSettings(Schema):
    """What a phone keeps for offline reading (docs/offline.md)."""

    budget_kb: int = Field(1500, ge=1, description="Most a language's essentials may weigh, in KB gzip (1 KB = 1000 bytes).")
    stale_after_days: int = Field(
        7, ge=1, description="A kept page older than this many days says it may be out of date.")
    essentials: list[NonEmpty] = Field(
        default_factory=lambda: ["home"],
        description="Pages every reader's phone keeps, in each language: 'home', a site path "
                    "('procedures/passport-application/'), a pattern ('posts/*'), 'flow:<id>' (every page "
                    "reachable in a travel checker) or 'notices:active'.")

class Licence(Schema):
    """A licence, by its usual short name and its address."""

    name: NonEmpty = Field(description="Short name, e.g. 'CC BY 4.0'.")
    url: Url = Field(description="Address of the licence text.")


class SiteSettings(Schema):
    """content/site.yaml: the site's name, address and home-page tasks."""

    name: Text = Field(description="Site name.")
    short_name: NonEmpty | None = Field(
        None, description="Short name shown in the header on phones, e.g. 'Lintas' (default: the name).")
    tagline: Text = Field(description="One line under the name on the home page.")
    base_url: Url = Field(description="Public address the site is deployed at, ending in '/'.")
    publisher: Text = Field(description="Who publishes the site.")
    contact_email: NonEmpty | None = Field(
        None, description="Where readers write about the site (shown in the footer and on the about page).")
    licence: Licence | None = Field(
        None, description="Licence of the site's text (the footer and the about page name it).")
    source_url: Url | None = Field(
        None, description="Address of the site's sources (content and generator), if they are public.")
    tasks: list[Task] = Field(min_length=1, description="Home-page tasks, in order.")
    review_intervals: dict[Literal["organisations", "posts", "agreements", "procedures", "notices",
                                   "glossary", "flows", "events"],
                           Annotated[int, Field(ge=1, le=120)]] = Field(
        default_factory=dict, description="Months between reviews, per kind (e.g. posts: 6 for hours, "
                                          "agreements: 12); `check` warns when an entity's reviewed_on "
                                          "is older (review-overdue). Kinds not listed are not flagged.")
    mirror_hosts: list[NonEmpty] = Field(
        default_factory=list, description="Hosts that copy other sites (e.g. Wikipedia mirrors): a source "
                                          "at one of them, or a subdomain, is refused (mirror-source).")
    offline: OfflineSettings = Field(default_factory=OfflineSettings,
                                     description="Offline reading: the essentials every phone keeps and their budget.")
