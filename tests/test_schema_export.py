"""The JSON Schemas in schemas/ (for editors): generated from the models, never edited by hand, and
they accept the sample content while refusing what the validator refuses."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lintas.content.kinds import KIND_MODELS
from lintas.content.schema_export import (
    kind_schemas,
    schema_bytes,
    with_field_reference,
    write_schemas,
)
from lintas.content.yamlio import parse_yaml, read_text
from lintas.problems import Problem

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
CONTENT_FILES = [*sorted((ROOT / "content").glob("*/*.yaml")), ROOT / "content/site.yaml"]
REGENERATE = "run: .venv/bin/python build.py schema --out schemas"


def schema_kind(path: Path) -> str:
    return "site" if path.name == "site.yaml" else path.parent.name


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def load(path: Path) -> Any:
    problems: list[Problem] = []
    text = read_text(path, path.name, problems)
    doc = parse_yaml(text, path.name, problems) if text is not None else None
    assert problems == [] and doc is not None
    return doc.data


def test_committed_schemas_equal_generated_ones() -> None:
    generated = {f"{kind}.schema.json": schema_bytes(s) for kind, s in kind_schemas().items()}
    committed = {p.name: p.read_bytes() for p in SCHEMAS.glob("*.schema.json")}
    assert sorted(committed) == sorted(generated), REGENERATE
    for name, data in generated.items():
        assert committed[name] == data, f"schemas/{name} is stale; {REGENERATE}"


def test_write_schemas_writes_one_file_per_kind(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(
        [f"{kind}.schema.json" for kind in KIND_MODELS] + ["sources.schema.json", "site.schema.json"])


@pytest.mark.parametrize("kind", sorted([*KIND_MODELS, "site"]))
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{kind}.schema.json")
    assert schema["additionalProperties"] is False  # editors flag unknown fields while typing


@pytest.mark.parametrize("path", CONTENT_FILES, ids=[f"{p.parent.name}/{p.name}" for p in CONTENT_FILES])
def test_sample_content_validates_against_its_schema(path: Path) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in validator(schema_kind(path)).iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", CONTENT_FILES, ids=[f"{p.parent.name}/{p.name}" for p in CONTENT_FILES])
def test_schema_comment_points_at_the_right_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    if match is None:
        assert "yaml-language-server" not in first
        return  # the comment is optional: the VS Code mapping covers every file
    target = (path.parent / match.group(1)).resolve()
    assert target == (SCHEMAS / f"{schema_kind(path)}.schema.json").resolve()


POST = ROOT / "content/posts/plbn-motaain.yaml"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("region", 5306), "5306 is not of type 'string'"),
        (("opening_hour", []), "Additional properties are not allowed ('opening_hour' was unexpected)"),
        (("opened_on", "2024-02-30"), "'2024-02-30' is not a 'date'"),
        (("kind", "pbln"), "'pbln' is not one of ['plbn', 'plb-traditional', 'tpi-land', "
                           "'tpi-sea', 'tpi-air', 'immigration-post']"),
        (("operating_office", "Kanim Atambua"), "'Kanim Atambua' does not match "
                                                "'^[a-z0-9]+(?:-[a-z0-9]+)*$'"),
        (("coordinates", {"lat": -98.0, "lon": 124.9}), "-98.0 is less than the minimum of -90"),
        (("sources", ["Not An Id"]), "'Not An Id' does not match '^[a-z0-9]+(?:-[a-z0-9]+)*$'"),
        (("citations", {"status": {"cite": []}}), "[] should be non-empty"),
    ],
)
def test_schema_refuses_what_the_validator_refuses(change: tuple[str, Any], message: str) -> None:
    data = load(POST)
    key, value = change
    data[key] = value
    errors = list(validator("posts").iter_errors(data))
    # One error, at the changed field (an unknown field is reported on its mapping).
    assert [list(e.absolute_path)[:1] for e in errors] == [[] if key == "opening_hour" else [key]]
    assert message in leaf_messages(errors)


def leaf_messages(errors: list[jsonschema.ValidationError]) -> list[str]:
    """Messages of the innermost errors: an optional field is anyOf [its type, null]."""
    out = []
    for error in errors:
        out.extend(leaf_messages(list(error.context)) if error.context else [error.message])
    return out


def test_editing_guide_field_reference_is_current() -> None:
    """docs/editing.md's field reference is generated; LINTAS_UPDATE_GOLDEN=1 rewrites it."""
    path = ROOT / "docs/editing.md"
    text = path.read_text(encoding="utf-8")
    fresh = with_field_reference(text)
    if os.environ.get("LINTAS_UPDATE_GOLDEN") == "1":
        path.write_text(fresh, encoding="utf-8")
    assert text == fresh
    for kind in [*KIND_MODELS, "site"]:
        assert f"\n### {kind}\n" in fresh
    # Every field of every kind is listed (a spot check that the generator walks the models).
    assert "| `operating_office` |  | id of [post](#posts)" not in fresh
    assert "| `operating_office` |  | id of [organisation](#organisations) |" in fresh
    assert '| `region` |  | region code (quoted, e.g. `"5306"`) |' in fresh
    assert "#### Text\n" in fresh and "#### Coordinates\n" in fresh


def test_editing_guide_maps_every_kind_to_its_schema() -> None:
    text = (ROOT / "docs/editing.md").read_text(encoding="utf-8")
    for kind in [*KIND_MODELS, "sources"]:
        assert f'"schemas/{kind}.schema.json": "content/{kind}/*.yaml"' in text
    assert '"schemas/site.schema.json": "content/site.yaml"' in text
