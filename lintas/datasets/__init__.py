"""Open-data publisher: dataset definitions in data/, aggregated with DuckDB, protected by
disclosure control, published as CSV/XLSX/JSON/Data Package with DCAT catalogs, frozen in releases.

Integration points: `load_datasets` (check), `publish_datasets` (build outputs), `dataset_pages`
(site pages per language); `lintas.pipeline.release_dataset` runs `python build.py release <dataset>`.
"""

from .definition import Dataset
from .load import load_datasets
from .pages import dataset_pages
from .publish import publish_datasets

__all__ = ["Dataset", "dataset_pages", "load_datasets", "publish_datasets"]
