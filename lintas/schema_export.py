"""JSON Schema of every content kind, generated from the pydantic models (never kept by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .kinds import KIND_MODELS
from .schemas import SiteSettings

SCHEMA_BASE = "https://lintas.example/schemas/"


def kind_schemas() -> dict[str, dict[str, Any]]:
    """kind -> JSON Schema (draft 2020-12) describing one source file of that kind."""
    models: dict[str, type[BaseModel]] = {**KIND_MODELS, "site": SiteSettings}
    out = {}
    for kind, model in models.items():
        schema = model.model_json_schema(mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}{kind}.schema.json",
            **schema,
        }
        out[kind] = schema
    return out


def schema_bytes(schema: dict[str, Any]) -> bytes:
    return (json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in kind_schemas().items():
        path = out_dir / f"{kind}.schema.json"
        path.write_bytes(schema_bytes(schema))
        written.append(path)
    return written
