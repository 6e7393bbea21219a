"""The region table, data/regions.yaml: region codes and names the datasets and the site use."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from ..content.schemas import NonEmpty, Schema, Source, Text
from ..content.validate import text_limits
from ..content.yamlio import parse_yaml, read_text
from ..problems import Problem
from .source import parse_source, validate_model

REGIONS_FILE = "regions.yaml"


class Region(Schema):
    code: NonEmpty = Field(pattern=r"^[0-9]{2}([0-9]{2})?$", description="BPS/Kemendagri code, undotted.")
    name: Text = Field(description="Name of the province, regency (kabupaten) or city (kota).")
    level: Literal["province", "regency", "city"] = Field(description="Administrative level.")
    iso: NonEmpty | None = Field(None, description="ISO 3166-2 code, provinces only.")
    sources: list[int] = Field(min_length=1, description="Indexes into the file's sources list.")


class RegionTable(Schema):
    """data/regions.yaml: the region codes the datasets use, each with its source."""

    sources: list[Source] = Field(min_length=1, description="Sources, referred to by index.")
    caveat: Text | None = Field(None, description="What is uncertain about the codes.")
    regions: list[Region] = Field(min_length=1, description="Regions.")


def load_regions(root: Path, problems: list[Problem]) -> RegionTable | None:
    path = root / "data" / REGIONS_FILE
    src = f"data/{REGIONS_FILE}"
    if not path.is_file():
        problems.append(Problem(src, None, None, "missing-field", "data/regions.yaml is missing"))
        return None
    source = parse_source(path, src, problems)
    if source is None:
        return None
    problems.extend(text_limits(RegionTable, source.doc, src))  # a region name is on many pages
    table = validate_model(RegionTable, source.doc, src, problems)
    if table is None:
        return None
    seen: set[str] = set()
    for i, region in enumerate(table.regions):
        line, col = source.doc.position(("regions", i, "code"))
        if region.code in seen:
            problems.append(Problem(src, line, col, "duplicate-id", f"region {region.code} is listed twice"))
        seen.add(region.code)
        if any(s >= len(table.sources) or s < 0 for s in region.sources):
            problems.append(Problem(src, line, col, "unknown-reference",
                                    f"region {region.code}: a source index is out of range"))
    return table


def load_region_names(root: Path) -> dict[str, dict[str, str]]:
    """Region code -> names, from data/regions.yaml (validated with the datasets)."""
    path = root / "data" / "regions.yaml"
    if not path.is_file():
        return {}
    found: list[Problem] = []
    text = read_text(path, "data/regions.yaml", found)
    doc = parse_yaml(text, "data/regions.yaml", found) if text is not None else None
    if doc is None or not isinstance(doc.data, dict):
        return {}
    names: dict[str, dict[str, str]] = {}
    for region in doc.data.get("regions") or []:
        if isinstance(region, dict) and isinstance(region.get("code"), str) and isinstance(region.get("name"), dict):
            names[region["code"]] = {k: v for k, v in region["name"].items() if isinstance(v, str)}
    return names
