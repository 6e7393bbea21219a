"""A validated source: shared by validation and the checks that span files (lintas.checker)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from .yamlio import YamlDoc


@dataclass(frozen=True)
class Record:
    """A source that passed its schema: the typed entity and where it came from."""

    kind: str
    id: str
    src_path: str
    entity: BaseModel
    doc: YamlDoc
