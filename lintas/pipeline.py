"""The ordered stages: load -> validate -> model -> render + publish -> write (atomic swap)."""

from __future__ import annotations

import calendar
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .checker.pages import checker_outputs, checker_pages
from .config import BuildConfig
from .content.load import LoadCache, load_sources, tree_stamp
from .content.model import Site, build_model
from .content.validate import validate_sources
from .i18n import LANGS, lang_prefix
from .outputs import OutputError, Outputs
from .problems import Problem, has_errors, sort_problems
from .publish.feeds import feed_path, releases_feed
from .site.bundle import BUNDLE_PATH, fill_bundle_size, home_pages, with_outputs, zip_files
from .site.linkcheck import check_files, check_site
from .site.pages import Page
from .site.render import (
    Variant,
    footer_info,
    page_paths,
    render_pages,
    template_problem,
    with_page_head,
)
from .site.renderer import RenderError, RenderSettings, render_site, render_workers
from .site.search import SearchIndexError, build_search_index, search_page, with_search_index
from .site.ui import catalogue_problems
from .write import (
    WriteError,
    build_lock,
    discard,
    make_staging,
    mark_ours,
    remove_work_folder,
    swap_in,
    write_outputs,
)

if TYPE_CHECKING:
    from .datasets.definition import Dataset

log = logging.getLogger(__name__)


@dataclass
class CheckCache:
    """What `serve` keeps between checks: parsed content files by their identity, and the checked
    datasets for as long as data/, the organisation files and the date stay the same."""

    files: LoadCache = dataclasses.field(default_factory=LoadCache)
    data_key: object = None
    datasets: tuple[list[Dataset], list[Problem]] | None = None


def _checked_datasets(config: BuildConfig, cache: CheckCache | None) -> tuple[list[Dataset], list[Problem]]:
    from .datasets import load_datasets

    if cache is None:
        return load_datasets(config.root, config.today)
    # Dataset definitions name producers, checked against the organisation file names; their
    # released versions are verified too.
    key = (tree_stamp(config.root / "data"), tree_stamp(config.root / "releases"), config.today,
           tuple(sorted(os.listdir(config.root / "content" / "organisations")))
           if (config.root / "content" / "organisations").is_dir() else ())
    if cache.datasets is None or cache.data_key != key:
        cache.datasets = load_datasets(config.root, config.today)
        cache.data_key = key
    return cache.datasets


def check(config: BuildConfig, cache: CheckCache | None = None) -> tuple[Site | None, list[Problem]]:
    """Load and validate every source (content/ and data/); the model only when there is no error.

    With a `cache` (`serve`), unchanged files are not parsed again, nor unchanged datasets checked."""
    sources, problems = load_sources(config.root, cache=cache.files if cache is not None else None)
    datasets, data_problems = _checked_datasets(config, cache)
    # Pages that are not content entities but may be linked from content text.
    extra = [f"/data/{ds.slug}/" for ds in datasets]
    validated, found = validate_sources(sources, config.today, extra_pages=extra)
    problems = sort_problems([*problems, *found, *data_problems, *catalogue_problems()])
    if has_errors(problems) or validated.settings is None:
        return None, problems
    site = build_model(validated, config.today)
    return dataclasses.replace(site, datasets=tuple(datasets)), problems


@dataclass(frozen=True)
class BuildState:
    """What a build wrote into site/ (online variant), kept by `serve` to redo only what an edit changes."""

    site: Site
    outputs: Outputs  # publisher outputs: API, feeds, datasets, travel checker
    pages: dict[str, list[Page]]  # the pages of each language
    discovery: Outputs  # sitemap, robots.txt and the other files made from the page list


@dataclass(frozen=True)
class BuildResult:
    problems: list[Problem]
    written: bool
    pages: int = 0
    files: int = 0
    state: BuildState | None = None


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


def generate_pages(site: Site, config: BuildConfig, published: frozenset[str] = frozenset(),
                   variant: Variant | None = None) -> dict[str, list[Page]]:
    """Every page of every language (entities, sections, and the pages other features add)."""
    templates = config.root / "templates"
    from .datasets.regions import load_region_names

    variant = variant or Variant(regions=load_region_names(config.root))
    # Pages without search metadata (datasets, travel checker) get it from their kind (lintas.site.search).
    return {lang: with_search_index(render_pages(site, lang, templates, extra_pages(site, config, lang),
                                                 published, variant), lang, site, variant.regions)
            for lang in LANGS}


def extra_pages(site: Site, config: BuildConfig, lang: str) -> list[Page]:
    """Pages that other features add to the tree of `lang`."""
    from .datasets import dataset_pages

    pages: list[Page] = list(dataset_pages(list(site.datasets), site, lang, config.root / "templates"))
    pages.extend(dataclasses.replace(p, meta={**p.meta, "minimal": True})
                 for p in checker_pages(site, lang, config.root / "templates"))
    pages.append(search_page(lang, config.root / "templates"))
    return [with_page_head(site, lang, p) for p in pages]


def publish(site: Site, config: BuildConfig) -> tuple[Outputs, list[Problem]]:
    """Published files that do not depend on the rendered pages: API, GeoJSON, feeds, datasets."""
    from .datasets import publish_datasets
    from .datasets.releases import release_entries
    from .publish.api import publish_api
    from .publish.feeds import publish_feeds

    outputs = Outputs()
    problems: list[Problem] = []
    api, found = publish_api(site, config)
    outputs.update_from(api)
    problems.extend(found)
    outputs.update_from(publish_feeds(site, config))
    outputs.update_from(checker_outputs(site, config))
    data, found = publish_datasets(list(site.datasets), site, config)
    outputs.update_from(data)
    problems.extend(found)
    for lang in LANGS:
        outputs.add(feed_path("releases", lang), releases_feed(release_entries(site), lang, config, site))
    return outputs, problems


def build(config: BuildConfig, *, bundle: bool = True, cache: CheckCache | None = None,
          keep_state: bool = False) -> BuildResult:
    """Validate, render and publish everything, then replace site/ in one step.

    On any failure the previous site/ is left exactly as it was. `keep_state` returns what was
    built (for `serve`, which then redoes only what an edit changes)."""
    site, problems = check(config, cache)
    if site is None:
        return BuildResult(problems, written=False)
    try:
        # The render worker (if any) starts now: its start-up overlaps publishing and page making.
        with render_workers() as workers, build_lock(config.site_dir), source_date_epoch(site):
            staging = make_staging(config.site_dir)
            try:
                result = _build_into(site, config, staging, problems, bundle=bundle, workers=workers)
                if not result.written:
                    discard(staging)
                    return result
                swap_in(staging, config.site_dir)
                return result if keep_state else dataclasses.replace(result, state=None)
            except BaseException:
                discard(staging)
                raise
    except WriteError as exc:
        return _failure("output", str(exc))


def render_settings(site: Site, config: BuildConfig, variant: Variant) -> RenderSettings:
    return RenderSettings(base_url=site.settings.base_url,
                          site_name={lang: site.settings.name.get(lang) for lang in LANGS},
                          templates_dir=config.root / "templates", bundle=variant.bundle_path is not None,
                          short_name=site.settings.short_name or "",
                          footer={lang: footer_info(site, lang) for lang in LANGS})


def published_paths(outputs: Outputs, variant: Variant) -> frozenset[str]:
    return frozenset(outputs) | ({variant.bundle_path} if variant.bundle_path else set())


def offline_shell(site: Site, config: BuildConfig) -> Outputs:
    """The page script, manifests and icons of offline reading (they depend on templates/ and site.yaml)."""
    from .site.offline import static_outputs
    from .site.webapp import webapp_outputs

    shell = static_outputs(config.root / "templates")
    shell.update_from(webapp_outputs(site.settings))
    return shell


def offline_step(site: Site, config: BuildConfig, site_dir: Path, pages: dict[str, list[Page]],
                 write: Callable[[Outputs], object] | None = None) -> list[Problem]:
    """Offline reading (lintas/site/offline.py): the page script, manifests and icons, then the worker
    with this build's essentials; problems when the essentials name nothing or exceed the budget."""
    from .content.flows.graph import reachable
    from .site.offline import offline_outputs

    put: Callable[[Outputs], object] = write or (lambda outputs: _write_changed(site_dir, outputs))
    templates = config.root / "templates"
    put(offline_shell(site, config))
    paths = page_paths(pages)
    flows = {lang: {fid: [p for p in [f"{prefix}checker/{fid}/"]
                          + [f"{prefix}checker/{fid}/{node}/" for node in reachable(flow)]
                          if p in set(paths[lang])]
                    for fid, flow in site.flows.items()}
             for lang in LANGS for prefix in [lang_prefix(lang)]}
    settings = site.settings.offline
    worker, _kept, problems = offline_outputs(
        site_dir, templates, config.root, list(settings.essentials), settings.budget_kb, settings.stale_after_days,
        paths, flows, [nid for nid, _ in site.active_notices()])
    if not has_errors(problems):
        put(worker)
    return problems


def _write_changed(site_dir: Path, outputs: Outputs) -> None:
    """Write the outputs whose file in `site_dir` is missing or differs (`serve` patches a built site)."""
    changed = {path: outputs[path] for path in outputs
               if not ((site_dir / path).is_file() and (site_dir / path).read_bytes() == outputs[path])}
    write_outputs(site_dir, changed, replace=frozenset(p for p in changed if (site_dir / p).exists()))


def _build_into(site: Site, config: BuildConfig, staging: Path, problems: list[Problem], *, bundle: bool,
                workers: Executor | None = None) -> BuildResult:
    """One render (MkDocs) for the online site and, with `bundle`, the offline copy made from it.

    Pagefind indexes the online site while the bundle is checked and zipped and the online site's
    links are checked (it waits for the home pages, which show the bundle's size, only when it
    reaches them)."""
    outputs, found = publish(site, config)
    problems = sort_problems([*problems, *found])
    if has_errors(problems):
        return BuildResult(problems, written=False)
    from .datasets.regions import load_region_names

    variant = Variant(bundle_path=BUNDLE_PATH if bundle else None, regions=load_region_names(config.root))
    sized = threading.Event()
    if not bundle:
        sized.set()
    homes = set(home_pages().values())  # Pagefind waits for these (the bundle's size)

    def hold(path: str) -> None:
        if path in homes:
            sized.wait()

    search: concurrent.futures.Future[int] | None = None
    cleaner: threading.Thread | None = None
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pages = generate_pages(site, config, published_paths(outputs, variant), variant)
            # Work files beside site/ (a killed build's leftovers are cleared by the next one's
            # recover()), removed in a thread while the later stages run (unlinking thousands of
            # files is slow on some file systems, and needs no CPU).
            work = Path(tempfile.mkdtemp(prefix=f".{config.site_dir.name}.new-docs-", dir=config.site_dir.parent))
            try:
                mark_ours(work)  # else a kill leaves it where recover() must not guess
                offline = render_site(pages, work, staging, render_settings(site, config, variant),
                                      workers=workers)
            finally:
                cleaner = threading.Thread(target=remove_work_folder, args=(work,), daemon=True)
                cleaner.start()
            write_outputs(staging, outputs)
            from .publish.discovery import publish_discovery

            discovery = publish_discovery(site, config, page_paths(pages))
            write_outputs(staging, discovery)
            search = pool.submit(build_search_index, staging, site, hold=hold)
            if offline is not None:
                # The offline copy never touches the disk: checked and zipped from memory.
                copy = with_outputs(offline, outputs)
                broken = check_files(copy)
                if broken:
                    return BuildResult([Problem("site", None, None, "output", f"offline bundle: {line}")
                                        for line in broken], written=False)
                archive = zip_files(copy)
                del copy, offline
                write_outputs(staging, {BUNDLE_PATH: archive})
                fill_bundle_size(staging, len(archive))
                outputs = _with(outputs, BUNDLE_PATH, archive)
            sized.set()
            found = offline_step(site, config, staging, pages)
            if has_errors(found):
                return BuildResult(sort_problems([*problems, *found]), written=False)
            broken = check_site(staging)
            search.result()
        except RenderError as exc:
            return _failure("output", str(exc))
        except jinja2.TemplateError as exc:
            return BuildResult([template_problem(exc, config.root)], written=False)
        except (OutputError, SearchIndexError) as exc:
            return _failure("output", str(exc))
        finally:
            sized.set()  # Pagefind never waits for a bundle that will not come
            if search is not None:
                search.exception()  # it writes into staging: done before staging is discarded
            if cleaner is not None:
                cleaner.join()
    if broken:
        return BuildResult([Problem("site", None, None, "output", line) for line in broken], written=False)
    count = sum(1 for _ in staging.rglob("*.html"))
    return BuildResult(problems, written=True, pages=count, files=sum(1 for _ in staging.rglob("*") if _.is_file()),
                       state=BuildState(site, outputs, pages, discovery))


def _with(outputs: Outputs, path: str, data: bytes) -> Outputs:
    combined = Outputs()
    combined.update_from(outputs)
    combined.add(path, data)
    return combined


def release_dataset(root: Path, slug: str,
                    report: list[str] | None = None) -> tuple[str, list[Problem]]:
    """`build.py release <slug>`: the whole check, then the dataset's current outputs frozen as the
    version of its last release note (lintas.datasets.publish.release). `report` receives the
    cells the joint disclosure audit hid beyond the table's own protection, and why."""
    from .datasets.publish import release

    config = BuildConfig.for_root(root)
    site, problems = check(config)
    return release(config, site, problems, slug, report)
