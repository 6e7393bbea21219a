"""The ordered stages: load -> validate -> model -> render + publish -> write (atomic swap)."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import BuildConfig
from .i18n import LANGS
from .linkcheck import check_site
from .load import load_sources
from .model import Site, build_model
from .outputs import OutputError, Outputs
from .pages import Page
from .problems import Problem, has_errors, sort_problems
from .render import render_pages
from .renderer import RenderError, RenderSettings, render_site
from .validate import validate_sources
from .write import WriteError, build_lock, discard, make_staging, swap_in, write_outputs

log = logging.getLogger(__name__)


def check(config: BuildConfig) -> tuple[Site | None, list[Problem]]:
    """Load and validate every source; the model only when there is no error."""
    sources, problems = load_sources(config.root)
    validated, found = validate_sources(sources, config.today)
    problems = sort_problems([*problems, *found])
    if has_errors(problems) or validated.settings is None:
        return None, problems
    return build_model(validated, config.today), problems


@dataclass(frozen=True)
class BuildResult:
    problems: list[Problem]
    written: bool
    pages: int = 0
    files: int = 0


@contextlib.contextmanager
def source_date_epoch(site: Site) -> Iterator[None]:
    """Pin every date the renderer takes from the clock (sitemaps, gzip headers) for reproducibility:
    SOURCE_DATE_EPOCH when set, else the newest review date in the content."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    newest = max((e.reviewed_on for kind in ("organisations", "posts", "agreements", "procedures",
                                            "notices", "glossary") for e in site.kind_items(kind).values()),
                 default=dt.date(2024, 1, 1))
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(newest.timetuple()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _failure(code: str, message: str) -> BuildResult:
    return BuildResult([Problem("site", None, None, code, message)], written=False)


def generate_pages(site: Site, config: BuildConfig, published: frozenset[str] = frozenset()) -> dict[str, list[Page]]:
    """Every page of every language (entities, sections, and the pages other features add)."""
    templates = config.root / "templates"
    return {lang: render_pages(site, lang, templates, extra_pages(site, config, lang), published)
            for lang in LANGS}


def extra_pages(site: Site, config: BuildConfig, lang: str) -> list[Page]:
    return []


def publish(site: Site, config: BuildConfig) -> tuple[Outputs, list[Problem]]:
    """Language-neutral published files (datasets, API, feeds, sitemap)."""
    return Outputs(), []


def build(config: BuildConfig, *, offline: bool = False) -> BuildResult:
    """Validate, render and publish everything, then replace site/ in one step.

    On any failure the previous site/ is left exactly as it was."""
    site, problems = check(config)
    if site is None:
        return BuildResult(problems, written=False)
    try:
        with build_lock(config.site_dir), source_date_epoch(site):
            staging = make_staging(config.site_dir)
            try:
                result = _build_into(site, config, staging, problems, offline=offline)
                if not result.written:
                    discard(staging)
                    return result
                swap_in(staging, config.site_dir)
                return result
            except BaseException:
                discard(staging)
                raise
    except WriteError as exc:
        return _failure("output", str(exc))


def _build_into(site: Site, config: BuildConfig, staging: Path, problems: list[Problem], *, offline: bool) -> BuildResult:
    outputs, found = publish(site, config)
    pages = generate_pages(site, config, frozenset(outputs))
    problems = sort_problems([*problems, *found])
    if has_errors(problems):
        return BuildResult(problems, written=False)
    settings = RenderSettings(base_url=site.settings.base_url, site_name=site.settings.name.id,
                              templates_dir=config.root / "templates", offline=offline)
    with tempfile.TemporaryDirectory(prefix="lintas-docs-") as work:
        try:
            render_site(pages, Path(work), staging, settings)
        except RenderError as exc:
            return _failure("output", str(exc))
    try:
        write_outputs(staging, outputs)
    except OutputError as exc:
        return _failure("output", str(exc))
    broken = check_site(staging)
    if broken:
        return BuildResult([Problem("site", None, None, "output", line) for line in broken], written=False)
    count = sum(len(p) for p in pages.values())
    return BuildResult(problems, written=True, pages=count, files=sum(1 for _ in staging.rglob("*") if _.is_file()))
