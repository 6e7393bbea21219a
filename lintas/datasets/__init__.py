"""Open-data publisher: dataset definitions in data/, aggregated with DuckDB, protected by
disclosure control, published as CSV/XLSX/JSON/Data Package with DCAT catalogs, frozen in releases.

Integration points: `load_datasets` (check), `publish_datasets` (build outputs), `dataset_pages`
(site pages per language); `lintas.pipeline.release_dataset` runs `python build.py release <dataset>`.

The names are imported on first use (PEP 562): `check` needs only `load_datasets`, and the
publishing side pulls in DuckDB, SciPy and rdflib (about half a second of imports).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definition import Dataset
    from .load import load_datasets
    from .pages import dataset_pages
    from .publish import publish_datasets

_HOME = {"Dataset": "definition", "load_datasets": "load", "dataset_pages": "pages",
         "publish_datasets": "publish"}

__all__ = ["Dataset", "dataset_pages", "load_datasets", "publish_datasets"]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
