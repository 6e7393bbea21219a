"""The registry of content kinds: folder name -> schema model. Add a kind here and in load.py."""

from __future__ import annotations

from .flows.schema import Flow
from .schemas import BASE_KIND_MODELS, Entity

KIND_MODELS: dict[str, type[Entity]] = {**BASE_KIND_MODELS}
KIND_MODELS["flows"] = Flow
