"""PREVIEW: what `serve` does after an edit, redoing only what changed, the edited page first.

A full build renders every page of both languages; at national scale that takes minutes. After an
edit the preview instead:

1. checks again, parsing only the files that changed (`LoadCache`) and keeping the checked
   datasets while data/ is unchanged: every problem is still reported, with its line;
2. renders the edited entity's own page in both languages with MkDocs kept loaded
   (`LiveRenderer`) and writes it into site/: the edit is visible;
3. regenerates the Markdown of every page, re-renders the pages whose Markdown changed (lists,
   links from other pages, the home page), rewrites the published files that changed (API, feeds,
   datasets, sitemap) and rebuilds the search index.

Anything the preview cannot patch falls back to a full build: the first build, an edit under
templates/, a page or published file added or removed, a render error. After step 3, site/ holds
exactly what `python build.py` writes without the offline bundle (tests/test_preview.py compares
the two trees). A new edit arriving during step 3 stops it; the next update redoes it in full.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import BuildConfig
from .content.load import tree_stamp
from .content.model import Site
from .datasets.regions import load_region_names
from .i18n import LANGS, lang_prefix
from .outputs import OutputError, Outputs
from .pipeline import (
    BuildState,
    CheckCache,
    build,
    check,
    generate_pages,
    offline_step,
    publish,
    published_paths,
    render_settings,
    source_date_epoch,
)
from .problems import Problem, format_text, has_errors
from .site.pages import Page
from .site.render import Variant, page_paths, render_entity_pages
from .site.renderer import LiveRenderer, RenderError
from .site.search import PAGEFIND_DIR, SearchIndexError, build_search_index
from .write import WriteError, replace_files, replace_folder

# Kinds whose entities have a page of their own (step 2); an edit to any other file goes to step 3.
PAGE_KINDS = ("organisations", "posts", "agreements", "procedures", "notices")


@dataclass(frozen=True)
class Update:
    """What one call of `Preview.update` did."""

    kind: str  # 'full', 'patched', 'failed' (problems in the content) or 'interrupted'
    seconds_to_visible: float | None = None  # until the edited page was written (step 2)
    pages: int = 0  # pages re-rendered
    files: int = 0  # published files rewritten


class Preview:
    """The state `serve` keeps between edits."""

    def __init__(self, config: BuildConfig, *, log: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.cache = CheckCache()
        self.log = log or _to_stderr
        self.state: BuildState | None = None
        self.templates: object = None
        self.texts: dict[str, dict[str, str]] = {}
        self.live: dict[str, LiveRenderer] = {}
        self.work: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self.work is not None:
            self.work.cleanup()
            self.work = None

    # -- full build ------------------------------------------------------------------------

    def full(self) -> Update:
        """The same build as `python build.py` without the offline bundle, then ready to patch."""
        started = time.perf_counter()
        templates = tree_stamp(self.config.root / "templates")
        result = build(self.config, bundle=False, cache=self.cache, keep_state=True)
        self._report(result.problems)
        if not result.written or result.state is None:
            self.log("serve: build failed; still serving the last good site")
            return Update("failed")
        self._prime(result.state, templates)
        self.log(f"serve: rebuilt in {time.perf_counter() - started:.2f} s")
        return Update("full", pages=result.pages, files=result.files)

    def _prime(self, state: BuildState, templates: object) -> None:
        self.close()
        self.work = tempfile.TemporaryDirectory(prefix="lintas-preview-")
        settings = render_settings(state.site, self.config, Variant())
        self.live = {lang: LiveRenderer(state.pages[lang], lang, Path(self.work.name), settings) for lang in LANGS}
        self.texts = {lang: {p.src: p.text() for p in state.pages[lang]} for lang in LANGS}
        self.state = state
        self.templates = templates

    # -- after an edit ---------------------------------------------------------------------

    def update(self, pending: Callable[[], bool] = lambda: False) -> Update:
        """Bring site/ up to date with the sources; `pending` says a newer edit is waiting."""
        templates = tree_stamp(self.config.root / "templates")
        if self.state is None or templates != self.templates:
            return self.full()
        started = time.perf_counter()
        site, problems = check(self.config, self.cache)
        self._report(problems)
        if site is None or has_errors(problems):
            self.log("serve: the sources have errors; still serving the last good site")
            return Update("failed")
        try:
            with source_date_epoch(site):
                return self._patch(site, started, pending)
        except (RenderError, OutputError, SearchIndexError, WriteError, _Unpatchable) as exc:
            self.log(f"serve: {exc}; building in full")
            return self.full()

    def _patch(self, site: Site, started: float, pending: Callable[[], bool]) -> Update:
        assert self.state is not None
        variant = Variant(regions=load_region_names(self.config.root))
        published = published_paths(self.state.outputs, variant)
        templates_dir = self.config.root / "templates"
        # Step 2: the edited entities' own pages.
        edited = [ref for ref in map(_entity_of, self.cache.files.read)
                  if ref is not None and ref[1] in site.kind_items(ref[0])]
        visible = None
        rendered = 0
        if edited:
            own = {lang: render_entity_pages(site, lang, templates_dir, edited, published, variant) for lang in LANGS}
            rendered += self._write_pages(own)
            visible = time.perf_counter() - started
            self.log(f"serve: {', '.join(f'{k}/{i}' for k, i in edited)} shown after {visible:.2f} s")
        if pending():
            return Update("interrupted", visible, rendered)
        # Step 3: everything else.
        pages = generate_pages(site, self.config, published, variant)
        for lang in LANGS:
            if {p.src for p in pages[lang]} != set(self.texts[lang]):
                raise _Unpatchable("pages were added or removed")
        rendered += self._write_pages(pages)
        if pending():
            return Update("interrupted", visible, rendered)
        outputs, found = publish(site, self.config)
        if has_errors(found):
            self._report(found)
            raise _Unpatchable("the published files have problems")
        if set(outputs) != set(self.state.outputs):
            raise _Unpatchable("published files were added or removed")
        from .publish.discovery import publish_discovery

        discovery = publish_discovery(site, self.config, page_paths(pages))
        if set(discovery) != set(self.state.discovery):
            raise _Unpatchable("discovery files were added or removed")
        files = self._write_files({**_changed(outputs, self.state.outputs), **_changed(discovery, self.state.discovery)})
        self.state = BuildState(site, outputs, pages, discovery)
        if pending():
            return Update("interrupted", visible, rendered, files)
        # The offline worker's cache version hashes the kept pages: redone on every patch, so an
        # interrupted update's next run brings sw.js up to date too (as a full build writes it).
        found = offline_step(site, self.config, self.config.site_dir, pages,
                             write=lambda out: self._write_files(_changed_in(self.config.site_dir, out)))
        if has_errors(found):
            self._report(found)
            raise _Unpatchable("offline reading has problems")
        self._reindex(site)
        self.log(f"serve: site updated in {time.perf_counter() - started:.2f} s "
                 f"({rendered} page(s) rendered, {files} published file(s) rewritten, search index rebuilt)")
        return Update("patched", visible, rendered, files)

    def _write_pages(self, pages: Mapping[str, list[Page]]) -> int:
        """Render the pages whose Markdown differs from what site/ holds, and write them."""
        html: dict[str, bytes] = {}
        texts: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        for lang in LANGS:
            changed = []
            for page in pages[lang]:
                text = page.text()
                if self.texts[lang].get(page.src) != text:
                    changed.append(page)
                    texts[lang][page.src] = text
            if changed:
                prefix = lang_prefix(lang)
                html.update({prefix + path: data for path, data in self.live[lang].render(changed).items()})
        self._write_files(html)
        for lang in LANGS:
            self.texts[lang].update(texts[lang])
        return len(html)

    def _write_files(self, files: Mapping[str, bytes]) -> int:
        """Replace files of site/, each in one rename (write.py)."""
        return replace_files(self.config.site_dir, files)

    def _reindex(self, site: Site) -> None:
        site_dir = self.config.site_dir
        replace_folder(site_dir, PAGEFIND_DIR, lambda out: build_search_index(site_dir, site, out_dir=out))

    def _report(self, problems: list[Problem]) -> None:
        sys.stderr.write(format_text(problems))


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class _Unpatchable(Exception):
    """The change needs a full build."""


def _entity_of(src_path: str) -> tuple[str, str] | None:
    parts = src_path.split("/")
    if len(parts) == 3 and parts[0] == "content" and parts[1] in PAGE_KINDS and parts[2].endswith(".yaml"):
        return parts[1], parts[2].removesuffix(".yaml")
    return None


def _changed(new: Mapping[str, bytes], old: Mapping[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in new.items() if old.get(path) != data}


def _changed_in(site_dir: Path, outputs: Outputs) -> dict[str, bytes]:
    """The outputs whose file in site/ is missing or differs."""
    return {path: outputs[path] for path in outputs
            if not ((site_dir / path).is_file() and (site_dir / path).read_bytes() == outputs[path])}
