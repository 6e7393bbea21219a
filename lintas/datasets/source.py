"""Reading one YAML file of data/: parsed with positions, then checked against its model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..content.load import SourceDoc
from ..content.validate import schema_problems
from ..content.yamlio import parse_yaml, read_text
from ..problems import Problem


def validate_model(model: type[Any], doc: Any, src_path: str, problems: list[Problem]) -> Any:
    if not isinstance(doc.data, dict):
        problems.append(Problem(src_path, 1, 1, "not-a-mapping", "the file must be a mapping of fields"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(schema_problems(exc, model, doc))
        return None


def parse_source(path: Path, src_path: str, problems: list[Problem]) -> SourceDoc | None:
    text = read_text(path, src_path, problems)
    if text is None:
        return None
    doc = parse_yaml(text, src_path, problems)
    return SourceDoc("datasets", path.stem, src_path, doc) if doc else None
