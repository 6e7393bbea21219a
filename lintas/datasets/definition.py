"""The schema of a dataset definition, `data/<slug>.yaml`: one pydantic model, strict like content.

A definition names its input table (record-level or already counted), the dimensions and the one
measure of the published table, how each dimension is derived (period from a date, geography rolled
up from a post), the disclosure rule, and the release notes. Everything the publisher writes comes
from here and from the input, so the same definition and input always give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from ..content.schemas import Date, Id, NonEmpty, OrganisationRef, Schema, Source, Text
from .regions import RegionTable

SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
COLUMN = r"^[a-z][a-z0-9_]*$"
ColumnName = Annotated[str, Field(pattern=COLUMN, max_length=40)]
Version = Annotated[str, Field(pattern=SEMVER.pattern)]

# EU Data Theme vocabulary codes (DCAT-AP requires at least one theme from it).
EuTheme = Literal["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI",
                  "SOCI", "TECH", "TRAN"]
Frequency = Literal["daily", "weekly", "monthly", "quarterly", "annual", "irregular", "never"]
ColumnType = Literal["string", "integer", "date"]
TOTAL = "_T"  # SDMX code for "all values of this dimension"
PERIODS = ("month", "quarter", "year")  # the derives that make a period from a date, finest first


class InputColumn(Schema):
    """One column of the input file, as it stands in the file."""

    name: ColumnName = Field(description="Column name exactly as in the CSV header.")
    type: ColumnType = Field(description="How the column is read: string, integer or date (YYYY-MM-DD).")
    pii: bool = Field(False, description="True when it identifies a person (name, passport or NIK "
                                         "number, birth date, free text): it never reaches an output.")
    description: Text | NonEmpty | None = Field(None, description=(
        "What the column holds; {id: ..., en: ...} for a column that is published (the attribute)."))


class InputTable(Schema):
    path: NonEmpty = Field(description="File under data/, e.g. 'tables/crossings-records.csv'.")
    format: Literal["csv", "parquet"] = Field("csv", description="File format.")
    level: Literal["records", "counts"] = Field(
        description="'records': one row per person or event, counted here; 'counts': already counted.")
    columns: list[InputColumn] = Field(min_length=1, description="Every column of the file, in order.")
    records: Id | None = Field(None, description=(
        "Name of the set of records (people or events) this input counts, e.g. 'crossings'. Every "
        "table published from the same records (each granularity, region package and release) is "
        "audited together. Leave out when no other dataset counts them; inputs at the same path "
        "count the same records anyway."))


class Code(Schema):
    code: NonEmpty = Field(description="The value as published (always text), e.g. 'plbn-motaain' or 'WNA'.")
    label: Text = Field(description="What the code means.")


class Dimension(Schema):
    """A column of the published table that classifies the count."""

    name: ColumnName = Field(description="Column name in the published table.")
    title: Text = Field(description="Column title.")
    description: Text | None = Field(None, description="What the column means.")
    source: ColumnName = Field(description="Input column it comes from.")
    derive: Literal["value", "month", "quarter", "year", "office", "regency", "province"] = Field(
        "value", description="How it is derived: the value as is; the month/quarter/year of a date; "
                             "or a post rolled up to its office, regency or province.")
    codes: list[Code] = Field(default_factory=list, description="Allowed codes in published order; "
                              "required unless the dimension is a period.")
    total: bool = Field(False, description="Publish totals over this dimension (code '_T').")


class Measure(Schema):
    name: ColumnName = Field(description="Column name of the count in the published table.")
    title: Text = Field(description="Column title.")
    description: Text | None = Field(None, description="What is counted, and what is not.")
    unit: Text = Field(description="Unit, e.g. 'orang' / 'persons' or 'perlintasan' / 'crossings'.")
    source: ColumnName | None = Field(None, description="For counted inputs: the input column summed. "
                                                        "For record inputs leave it out: rows are counted.")


ZeroRule = Literal["published", "suppressed"]


class Disclosure(Schema):
    """How small counts and zeros are published; the audit assumes exactly what the page says."""

    counts_people: bool = Field(description="True when the table counts people (or their crossings): "
                                            "small cells are then suppressed.")
    k: int = Field(5, ge=5, le=100, description="Threshold: cells of 1 to k-1 are suppressed (at least 5).")
    rounding: Literal[5] | None = Field(None, description="Round every published count to base 5 "
                                                           "(deterministic), or leave out.")
    zeros: ZeroRule | None = Field(None, description=(
        "Required when counts_people: 'published' = every true 0 is published as 0 (so a hidden "
        "cell is at least 1, and no 0 is ever hidden); 'suppressed' = a 0 is treated like a "
        "small count and hidden (so a hidden cell may be 0)."))
    structural_zeros: list[dict[ColumnName, NonEmpty]] = Field(default_factory=list, description=(
        "Combinations that cannot occur, e.g. {post: plbn-wini, nationality_group: OTHER}: every "
        "cell with these codes is 0 and always published as 0 (the input must hold no record there)."))


class QuotedTotal(Schema):
    """A figure the methodology quotes, checked against the data at `check`."""

    cell: dict[ColumnName, NonEmpty] = Field(description="The published cell: a code (or '_T') for "
                                             "every dimension, e.g. {direction: arrival, citizenship: _T}.")
    value: int = Field(ge=0, description="The figure as quoted in the methodology.")


class Temporal(Schema):
    start: Date = Field(description="First day covered.")
    end: Date = Field(description="Last day covered.")


class Contact(Schema):
    name: Text = Field(description="Who answers questions about the dataset.")
    email: Annotated[str, Field(pattern=r"^[^\s@]+@[^\s@]+\.[a-z]+$")] = Field(
        description="A monitored e-mail address.")


class Release(Schema):
    version: Version = Field(description="Semantic version, MAJOR.MINOR.PATCH.")
    date: Date = Field(description="Release date.")
    notes: Text = Field(description="What changed and why.")
    manifest_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None, description="SHA-256 of releases/<slug>/<version>/manifest.json, written by "
                          "`build.py release`: anchors the hash chain of the released versions.")


class Chart(Schema):
    x: ColumnName = Field(description="Dimension along the horizontal axis.")
    where: dict[str, NonEmpty] = Field(default_factory=dict,
                                       description="Fixed codes of the other dimensions, e.g. {post: _T}.")


class DatasetDefinition(Schema):
    """data/<slug>.yaml: one published table with its metadata."""

    markdown_fields: ClassVar[tuple[str, ...]] = ('description', 'methodology', 'note')  # the rest is plain text

    title: Text = Field(description="Title.")
    description: Text = Field(description="What is counted, from where, and what is left out "
                                          "(50 characters or more).")
    synthetic: bool = Field(description="True for generated demonstration data; shown on every output.")
    official: bool = Field(False, description="True only when the figures are an official data release "
                                              "of their producer; real figures quoted from the press or "
                                              "other reports leave it false, and their page says so.")
    publisher: Text = Field(description="Who publishes the dataset (used in the citation).")
    producers: list[OrganisationRef] = Field(default_factory=list,
                                                  description="Ids of the organisations whose figures these are.")
    contact: Contact = Field(description="Contact point.")
    licence: Literal["CC-BY-4.0"] = Field("CC-BY-4.0", description="Licence of the published data.")
    themes: list[Id] = Field(min_length=1, description="Local themes for the catalogue, e.g. crossings.")
    eu_themes: list[EuTheme] = Field(min_length=1, description="EU Data Theme codes, e.g. JUST, GOVE.")
    keywords: list[Text] = Field(default_factory=list, description="Keywords.")
    spatial: list[Annotated[str, Field(pattern=r"^[0-9]{2}([0-9]{2})?$")]] = Field(
        min_length=1, description="Region codes covered (see data/regions.yaml), as quoted strings.")
    temporal: Temporal = Field(description="Period covered.")
    frequency: Frequency = Field(description="How often it is updated.")
    sources: list[Source] = Field(min_length=1, description="Where the figures or the method come from.")
    methodology: Text = Field(description="How the table is produced.")
    input: InputTable = Field(description="The input table.")
    dimensions: list[Dimension] = Field(min_length=1, description="Classifying columns, in order.")
    measure: Measure = Field(description="The count.")
    attribute: ColumnName | None = Field(None, description="Counted inputs only: a text column "
                                         "carried to each published base row unchanged (e.g. source_url).")
    disclosure: Disclosure = Field(description="Disclosure rule.")
    chart: Chart | None = Field(None, description="Chart on the dataset page.")
    releases: list[Release] = Field(min_length=1, description="Release notes, oldest first; the last "
                                                              "one is the version being built.")
    note: Text | None = Field(None, description="Extra remark shown on the page.")
    expected: list[dict[ColumnName, NonEmpty]] | None = Field(None, description=(
        "Counted inputs: the combinations that must each have a row, as patterns of dimension "
        "codes (e.g. {direction: arrival}). Leave out: every combination of the code lists and "
        "periods. A missing one is an error at check, unless it is a structural zero."))
    quoted_totals: list[QuotedTotal] = Field(default_factory=list, description=(
        "Totals the methodology quotes in its text; each must equal the data and appear in the "
        "methodology (e.g. 36.418 or 36,418)."))

    @property
    def version(self) -> str:
        return self.releases[-1].version

    @model_validator(mode="after")
    def _coherent(self) -> DatasetDefinition:
        names = [d.name for d in self.dimensions] + [self.measure.name]
        if len(set(names)) != len(names):
            raise PydanticCustomError("bad-value", "dimension and measure names must be unique")
        if self.temporal.end < self.temporal.start:
            raise PydanticCustomError("date-order", "temporal.end is before temporal.start")
        seen: list[tuple[int, ...]] = []
        for rel in self.releases:
            key = tuple(int(p) for p in rel.version.split("."))
            if seen and key <= seen[-1]:
                raise PydanticCustomError("bad-value", "releases: versions must increase "
                                          "('{v}' does not)", {"v": rel.version})
            seen.append(key)
        for dim in self.dimensions:
            if dim.derive not in PERIODS and not dim.codes:
                raise PydanticCustomError("missing-field", "dimensions: '{n}' needs its codes",
                                          {"n": dim.name})
            if len({c.code for c in dim.codes}) != len(dim.codes):
                raise PydanticCustomError("bad-value", "dimensions: '{n}' lists a code twice",
                                          {"n": dim.name})
            if any(c.code == TOTAL for c in dim.codes):
                raise PydanticCustomError("bad-value", "'_T' is reserved for totals")
        if (self.input.level == "counts") != (self.measure.source is not None):
            raise PydanticCustomError("bad-value", "measure.source is required for counted inputs "
                                      "and not allowed for record inputs")
        if self.disclosure.counts_people and self.disclosure.zeros is None:
            raise PydanticCustomError("missing-field", "disclosure.zeros is required for tables "
                                      "that count people ('published' or 'suppressed')")
        by_name = {d.name: d for d in self.dimensions}
        for combo in self.disclosure.structural_zeros:
            for name, code in combo.items():
                found = by_name.get(name)
                if found is None:
                    raise PydanticCustomError("unknown-reference", "disclosure.structural_zeros: "
                                              "'{n}' is not a dimension", {"n": name})
                if found.codes and code not in {c.code for c in found.codes}:
                    raise PydanticCustomError("unknown-reference", "disclosure.structural_zeros: "
                                              "'{c}' is not a code of '{n}'", {"c": code, "n": name})
        for total in self.quoted_totals:
            if set(total.cell) != set(by_name):
                raise PydanticCustomError("bad-value", "quoted_totals: a cell names every "
                                          "dimension ({n})", {"n": ", ".join(by_name)})
            for name, code in total.cell.items():
                dim = by_name[name]
                if code == TOTAL and not dim.total:
                    raise PydanticCustomError("bad-value", "quoted_totals: '{n}' has no total",
                                              {"n": name})
                if code != TOTAL and dim.codes and code not in {c.code for c in dim.codes}:
                    raise PydanticCustomError("unknown-reference", "quoted_totals: '{c}' is not a "
                                              "code of '{n}'", {"c": code, "n": name})
        for pattern in self.expected or []:
            for name in pattern:
                if name not in by_name:
                    raise PydanticCustomError("unknown-reference", "expected: '{n}' is not a "
                                              "dimension", {"n": name})
        if self.attribute and self.input.level != "counts":
            raise PydanticCustomError("bad-value", "attribute is only for counted inputs")
        published = next((c for c in self.input.columns if c.name == self.attribute), None)
        if published is not None and isinstance(published.description, str):
            # It is shown in each language's data dictionary: a bare text would be English on Indonesian pages.
            raise PydanticCustomError("bad-value", "input column '{n}' is published (attribute): write its "
                                      "description in both languages, {{id: ..., en: ...}}", {"n": self.attribute})
        return self


@dataclass(frozen=True)
class Dataset:
    """A validated dataset definition with its input file."""

    slug: str
    src_path: str  # 'data/<slug>.yaml'
    definition: DatasetDefinition
    root: Path
    input_src: str  # 'data/tables/...'
    regions: RegionTable
    cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def title(self) -> Text:
        return self.definition.title

    @property
    def themes(self) -> list[str]:
        return list(self.definition.themes)

    @property
    def spatial(self) -> list[str]:
        return list(self.definition.spatial)

    @property
    def version(self) -> str:
        return self.definition.version

    @property
    def input_path(self) -> Path:
        return self.root / self.input_src

    def region_name(self, code: str, lang: str) -> str:
        for region in self.regions.regions:
            if region.code == code:
                return region.name.get(lang)
        return code
