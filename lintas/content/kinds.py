"""The registry of content kinds: folder name -> schema model. Add a kind here and in load.py."""

from __future__ import annotations

from pydantic import BaseModel

from .flows.schema import Flow
from .schemas import BASE_KIND_MODELS, Entity, SourceRecord

KIND_MODELS: dict[str, type[Entity]] = {**BASE_KIND_MODELS}
KIND_MODELS["flows"] = Flow
# Every folder of content/ and its model: the entity kinds plus the source register (not an
# entity: it has no page of its own and cites nothing).
FILE_MODELS: dict[str, type[BaseModel]] = {**KIND_MODELS, "sources": SourceRecord}
