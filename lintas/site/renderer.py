"""RENDER (renderer-specific half): Material for MkDocs, behind one seam.

Everything that knows about MkDocs or Material lives here and in templates/material/: the generated
mkdocs.yml, the docs tree written to disk, and the call into MkDocs' Python API. No MkDocs plugin is
used, no hooks and no third-party plugins, so the successor renderer (which reads the same
mkdocs.yml) can take over by replacing this module (and offline_search.py, which it uses).

The site is rendered once. The templates write what only the online site or only the offline
bundle shows between markers (`<!--lintas:online-->...<!--/lintas:online-->`, the same with
`offline`); `online_html` and `offline_html` keep one side. The offline copy is the same render
with folder links pointing at their index.html, Material's JavaScript and built-in search (its
index made from the rendered pages by offline_search.py, in the format of Material's `search`
plugin, which is not run) and the Web Worker shim it needs from file://.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from markupsafe import escape

from . import csp, offline_search
from .assets import minify_css
from ..content.sanitize import MARKDOWN_EXTENSIONS
from ..i18n import LANGS, lang_prefix
from ..escape import single_line
from .pages import Page
from .template_cache import with_cache
from .ui import UI
from .webapp import THEME_COLOR

log = logging.getLogger(__name__)

NAV_SECTIONS = ("procedures", "posts", "organisations", "agreements", "events", "notices", "glossary", "data",
                "checker", "sources")


class RenderError(Exception):
    """MkDocs could not build a language; the message says why."""


@dataclass(frozen=True)
class RenderSettings:
    base_url: str  # public address of the site, ending in '/'
    site_name: Mapping[str, str]  # by language: English pages carry the English name
    templates_dir: Path
    bundle: bool = False  # also write the offline (file://) copy, with Material's own (lunr) search
    short_name: str = ""  # the header's name on phones (default: the full name)
    footer: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by language (render.footer_info)


def theme_overrides(templates_dir: Path, dest: Path) -> Path:
    """A copy of templates/material/ with its *.html templates only: MkDocs publishes every other
    file of a theme's custom_dir, and nothing but declared sources may reach the site."""
    source = templates_dir / "material"
    if dest.exists():
        shutil.rmtree(dest)
    for path in sorted(source.rglob("*.html")):
        if path.is_symlink() or not path.is_file():
            continue
        target = dest / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def mkdocs_config(pages: list[Page], lang: str, docs_dir: Path, site_dir: Path, settings: RenderSettings,
                  theme_dir: Path | None = None) -> dict[str, Any]:
    """The mkdocs.yml of one language, as data."""
    other = next(lg for lg in LANGS if lg != lang)
    known = {p.src for p in pages}
    nav: list[Any] = [{UI[lang]["home"]: "index.md"}]
    nav += [{UI[lang]["sections"][s]: f"{s}/index.md"} for s in NAV_SECTIONS if f"{s}/index.md" in known]
    root_path = urlparse(settings.base_url).path or "/"
    return {
        "site_name": settings.site_name[lang],
        "site_url": settings.base_url + lang_prefix(lang),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": True,
        "strict": True,
        "theme": {
            "name": "material",
            "language": lang,
            "custom_dir": str(theme_dir or settings.templates_dir / "material"),
            "font": False,  # system fonts: nothing fetched from other hosts
            "favicon": "assets/favicon.svg",  # 0.2 KB instead of Material's 1.9 KB PNG, on every first visit
            "features": ["navigation.top", "content.tooltips"],
        },
        # None: not even MkDocs' default `search`. The offline copy's index is made by
        # offline_search.py; Material's `offline` plugin is not used either (split_variants does its work).
        "plugins": [],
        "markdown_extensions": MARKDOWN_EXTENSIONS,
        "extra_css": ["assets/lintas.css"],
        "extra": {
            "generator": False,
            "alternate": [{"name": UI[lang]["language_name"], "lang": lang, "link": "./"}],
            "lintas": {
                "lang": lang,
                "other_lang": other,
                "other_name": UI[lang]["other_language"],
                # From this language's root to the other language's root.
                "other_prefix": "en/" if lang == "id" else "../",
                # From this language's root to the site's root (the worker and its script live there).
                "site_root": "../" * lang_prefix(lang).count("/"),
                "theme_color": THEME_COLOR,
                "not_found_title": UI[lang]["not_found_title"],
                "not_found_text": UI[lang]["not_found_text"],
                "home_url": root_path + lang_prefix(lang),
                "home_name": UI[lang]["home"],
                "search_label": UI[lang]["search_label"],
                "search_button": UI[lang]["search_button"],
                "short_name": settings.short_name or settings.site_name[lang],
                "footer": dict(settings.footer.get(lang, {})),
                "csp": csp.meta_tag(),
                "csp_search": csp.meta_tag(wasm=True),
                # Material's search dialog and the index marks (partials/header.html, content.html).
                "offline_search": settings.bundle,
            },
        },
        "nav": nav,
        # Our own link check runs over the finished site (it also sees links inside HTML parts and
        # across languages, which MkDocs cannot resolve), so MkDocs only reports these.
        "validation": {
            "nav": {"omitted_files": "info", "not_found": "warn", "absolute_links": "info"},
            "links": {"not_found": "info", "absolute_links": "info", "unrecognized_links": "info",
                      "anchors": "info"},
        },
    }


def write_docs(pages: list[Page], docs_dir: Path, templates_dir: Path) -> None:
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    for page in pages:
        path = docs_dir / page.src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.text(), encoding="utf-8")
    assets = docs_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for css in ("lintas.css", "data.css"):  # data.css: linked by dataset pages only
        source = templates_dir / "assets" / css
        if source.is_file():
            (assets / css).write_text(minify_css(source.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copyfile(templates_dir / "assets" / "favicon.svg", assets / "favicon.svg")
    # The search page's script (online only: the offline copy searches with Material's own).
    shutil.copyfile(templates_dir / "assets" / "search.js", assets / "search.js")


MATERIAL_SCOPE = 'new URL("{{ config.extra.scope | d(base_url) }}",location)'


def material_start_script() -> str:
    """Material's inline start-up script (partials/javascripts/base.html, MIT) as a file, so no
    page needs an inline script: the scope it computes from the page's base_url is taken from the
    file's own address instead (assets/ sits in the language's root)."""
    import material

    template = Path(material.__file__).parent / "templates" / "partials" / "javascripts" / "base.html"
    text = template.read_text(encoding="utf-8")
    start, end = text.find("<script>"), text.rfind("</script>")
    body = text[start + len("<script>"):end] if 0 <= start < end else ""
    if MATERIAL_SCOPE not in body or "{{" in body.replace(MATERIAL_SCOPE, ""):
        raise RenderError(f"{template}: Material's start-up script changed; update lintas/renderer.py")
    scope = 'new URL("..",document.currentScript.src)'
    return ("/* Material for MkDocs start-up script (partials/javascripts/base.html, MIT licence),\n"
            "   moved into a file by Lintas so that no page needs an inline script (CSP). */\n"
            + body.replace(MATERIAL_SCOPE, scope).strip() + "\n")


# ------------------------------------------------------------------ one render, two variants

_ONLY = {variant: re.compile(rf"<!--lintas:{variant}-->(.*?)<!--/lintas:{variant}-->", re.S)
         for variant in ("online", "offline")}
# Material's search plugin dropped these from a page after indexing it; our index reads them
# (offline_search.py) and both variants lose them.
_SEARCH_ATTR = re.compile(r'\s?data-search-\w+(="[^"]*")?(?=[\s>])')
# href/src values without a scheme or query: relative and root-relative paths, with an anchor.
_LINK = re.compile(r'(href|src)="([^"#:?]*)(#[^"]*)?"')


_DROP = {variant: re.compile(rf"\s*<!--lintas:{variant}-->.*?<!--/lintas:{variant}-->", re.S)
         for variant in ("online", "offline")}


def _keep(html: str, variant: str) -> str:
    """The page with `variant`'s parts unmarked and the other's removed (with the white space before
    them: the online pages carry no trace of the offline ones, byte budgets are tight)."""
    other = "offline" if variant == "online" else "online"
    return offline_search.strip_marks(_ONLY[variant].sub(r"\1", _DROP[other].sub("", html)))


def online_html(html: str) -> str:
    """The page as the online site serves it."""
    return _SEARCH_ATTR.sub("", _keep(html, "online"))


def file_urls(html: str) -> str:
    """Relative links to folders ('../posts/x/', '../..', '.') point at their index.html: from
    file:// a folder URL shows a directory listing. Root-relative links (the 404 page) stay."""

    def fix(match: re.Match[str]) -> str:
        attr, path, anchor = match.group(1), match.group(2), match.group(3) or ""
        if not path or path.startswith("/"):
            return match.group(0)
        if path.endswith("/"):
            return f'{attr}="{path}index.html{anchor}"'
        if path.rsplit("/", 1)[-1] in (".", ".."):
            return f'{attr}="{path}/index.html{anchor}"'
        return match.group(0)

    return _LINK.sub(fix, html)


def offline_html(html: str) -> str:
    """The page as the offline bundle holds it."""
    return file_urls(_SEARCH_ATTR.sub("", _keep(html, "offline")))


LUNR_DIR = "assets/javascripts/lunr/"


def lunr_files(langs: list[str]) -> frozenset[str]:
    """Material's lunr files that its search worker (assets/javascripts/workers/search.*.js) loads
    for an index of `langs`: lunr.stemmer.support with lunr.<lang> for each language but English
    (built into lunr), tinyseg.js for Japanese, wordcut.js for Hindi and Thai, lunr.multi for more
    than one language. Paths under the language root."""
    files: list[str] = []
    for lang in langs:
        if lang == "ja":
            files.append("tinyseg.js")
        elif lang in ("hi", "th"):
            files.append("wordcut.js")
        if lang != "en":
            files.append(f"min/lunr.{lang}.min.js")
    if len(langs) > 1:
        files.append("min/lunr.multi.min.js")
    if files:
        files.append("min/lunr.stemmer.support.min.js")
    return frozenset(f"{LUNR_DIR}{name}" for name in files)


def left_out_offline(rel: str, lunr: frozenset[str]) -> bool:
    """Theme files the offline copy leaves out (decision 0015): source maps (for a debugger, never
    loaded by a page) and the lunr language files its search index does not use (`lunr`, from
    `lunr_files`). A third of the zipped copy, which readers download on weak connections."""
    return rel.endswith(".map") or (rel.startswith(LUNR_DIR) and rel not in lunr)


def _page_order(rel: str) -> tuple[tuple[str, ...], bool, str]:
    *folders, name = rel.split("/")
    return tuple(folders), name != "index.html", name


def split_variants(site_dir: Path, search_config: Mapping[str, Any] | None, templates_dir: Path,
                   online_only: frozenset[str] = frozenset()) -> dict[str, bytes] | None:
    """Turn one language's render into the online site (in place) and, with a `search_config` (the
    offline copy's search index `config`, see `search_config`), return its offline copy: file bytes
    by path under the language's root, kept in memory (the bundle is checked and zipped from there;
    writing it to disk and removing it cost more than making it). `online_only`: pages the offline
    copy leaves out (the Pagefind search page)."""
    copy: dict[str, bytes] | None = {} if search_config is not None else None
    lunr = lunr_files(list(search_config["lang"])) if search_config is not None else frozenset()
    docs: list[tuple[str, list[dict[str, str]]]] = []  # the copy's search index, by page
    for dirpath, _dirs, names in os.walk(site_dir):
        folder = Path(dirpath)
        rel_dir = folder.relative_to(site_dir)
        for name in names:
            path = folder / name
            rel = (rel_dir / name).as_posix()
            if rel in ("sitemap.xml", "sitemap.xml.gz"):
                continue
            if name.endswith(".html"):
                html = path.read_text(encoding="utf-8")
                online = online_html(html)
                if online != html:
                    path.write_text(online, encoding="utf-8")
                if copy is not None and rel not in online_only:
                    copy[rel] = offline_html(html).encode("utf-8")
                    docs.append((rel, offline_search.page_entries(html, rel)))
            elif copy is not None and not left_out_offline(rel, lunr):
                copy[rel] = path.read_bytes()
    # The online site publishes one sitemap of its own, with both languages (discovery.py), and
    # searches with Pagefind.
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        (site_dir / name).unlink(missing_ok=True)
    if copy is not None and search_config is not None:
        # Pages in MkDocs' order (a folder's index first, then its other files, then its
        # subfolders), sections in page order. Also inlined into a script, as Material's `offline`
        # plugin does: from file:// the index cannot be fetched.
        docs.sort(key=lambda doc: _page_order(doc[0]))
        index = offline_search.index_json(search_config, [e for _rel, entries in docs for e in entries])
        copy["search/search_index.json"] = index.encode("utf-8")
        copy["search/search_index.js"] = ("var __index = " + index).encode("utf-8")
    if copy is not None:
        # Material's JavaScript runs its search worker from file:// through a Web Worker shim; its
        # offline plugin would load it from unpkg: we ship it (MIT, npm package iframe-worker 1.0.4,
        # templates/assets/vendor/), its inline bootstrap as a file, and Material's inline start-up
        # script as a file (no inline script under the CSP, lintas/site/csp.py).
        for name in ("iframe-worker-shim.js", "iframe-worker-start.js"):
            copy[f"assets/{name}"] = (templates_dir / "assets" / "vendor" / name).read_bytes()
        copy["assets/lintas-material-start.js"] = material_start_script().encode("utf-8")
    return copy


def cached_templates(cfg: Any) -> None:
    """MkDocs makes its Jinja2 environment in `build()`: give it the template cache (lintas/site/template_cache.py)."""
    theme = cfg.theme
    make_env = theme.get_env
    theme.get_env = lambda: with_cache(make_env())


def search_config(cfg: Any) -> dict[str, Any]:
    """The offline search index's `config` for a loaded MkDocs config: Material's translations of
    its search settings for the page language, read as its `search` plugin reads them."""
    env = cfg.theme.get_env()
    t = env.get_template("partials/language.html", None, {"config": cfg}).module.t
    return offline_search.index_config(str(t("search.config.separator")), str(t("search.config.pipeline")))


def render_language(pages: list[Page], lang: str, work_dir: Path, site_dir: Path,
                    settings: RenderSettings) -> dict[str, Any] | None:
    """Write the docs tree and mkdocs.yml of one language and build it into `site_dir`. Returns,
    when the offline bundle is built, its search index's `config` (`search_config`)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    lang_dir = work_dir / lang
    docs_dir = lang_dir / "docs"
    write_docs(pages, docs_dir, settings.templates_dir)
    config_path = lang_dir / "mkdocs.yml"
    theme_dir = theme_overrides(settings.templates_dir, lang_dir / "theme")
    config_path.write_text(
        yaml.safe_dump(mkdocs_config(pages, lang, docs_dir, site_dir, settings, theme_dir),
                       allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    mk_log = logging.getLogger("mkdocs")
    previous = mk_log.level
    mk_log.setLevel(logging.WARNING)
    try:
        cfg = load_config(config_file=str(config_path))
        cached_templates(cfg)
        build(cfg)
        return search_config(cfg) if settings.bundle else None
    except (MkDocsException, SystemExit) as exc:
        raise RenderError(f"MkDocs could not build the '{lang}' site: {exc}") from exc
    finally:
        mk_log.setLevel(previous)


class LiveRenderer:
    """One language of the online site kept loaded in MkDocs, re-rendering only the pages it is
    given (`serve`). The online site uses no MkDocs plugin, so a page rendered here is the page a
    full build writes (tests/test_preview.py compares them byte for byte)."""

    def __init__(self, pages: list[Page], lang: str, work_dir: Path, settings: RenderSettings) -> None:
        from mkdocs.commands.build import get_navigation
        from mkdocs.config import load_config
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.pages import Page as MkPage

        if settings.bundle:
            raise ValueError("LiveRenderer renders the online site only (no MkDocs plugins)")
        lang_dir = work_dir / lang
        self.docs_dir = lang_dir / "docs"
        write_docs(pages, self.docs_dir, settings.templates_dir)
        config_path = lang_dir / "mkdocs.yml"
        theme_dir = theme_overrides(settings.templates_dir, lang_dir / "theme")
        config_path.write_text(
            yaml.safe_dump(mkdocs_config(pages, lang, self.docs_dir, lang_dir / "site", settings, theme_dir),
                           allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        # What MkDocs' build() gathers before it renders pages; only the pages in the nav need to
        # exist as Page objects for the others to render (the nav holds sections, not entities).
        self.config = load_config(config_file=str(config_path))
        self.files = get_files(self.config)
        self.env = with_cache(self.config.theme.get_env())
        self.files.add_files_from_theme(self.env, self.config)
        set_exclusions(self.files, self.config)
        self.nav = get_navigation(self.files, self.config)
        for file in self.files.documentation_pages():
            if file.page is None:
                MkPage(None, file, self.config)
        self.doc_files = self.files.documentation_pages()

    def render(self, pages: list[Page]) -> dict[str, bytes]:
        """The HTML of each page, by its path under the language's root ('posts/x/index.html')."""
        from mkdocs.commands.build import _populate_page, get_context
        from mkdocs.utils import CountHandler

        mk_log = logging.getLogger("mkdocs")
        warnings = CountHandler()
        warnings.setLevel(logging.WARNING)
        mk_log.addHandler(warnings)
        out: dict[str, bytes] = {}
        try:
            for page in pages:
                file = self.files.get_file_from_path(page.src)
                if file is None or file.page is None:
                    raise RenderError(f"'{page.src}' is not a page of this site; rebuild it in full")
                (self.docs_dir / page.src).write_text(page.text(), encoding="utf-8")
                mk = file.page
                _populate_page(mk, self.config, self.files)
                self.config._current_page = mk
                mk.active = True
                try:
                    context = get_context(self.nav, self.doc_files, self.config, mk)
                    html = self.env.get_template(mk.meta.get("template", "main.html")).render(context)
                finally:
                    mk.active = False
                    self.config._current_page = None
                out[file.dest_uri] = online_html(html).encode("utf-8", errors="xmlcharrefreplace")
        except Exception as exc:
            if isinstance(exc, RenderError):
                raise
            raise RenderError(f"MkDocs could not render a page: {exc}") from exc
        finally:
            mk_log.removeHandler(warnings)
        if counts := warnings.get_counts():
            raise RenderError("MkDocs warned: " + ", ".join(f"{n} {level.lower()}(s)" for level, n in counts))
        return out


def _render_one(args: tuple[list[Page], str, Path, Path, RenderSettings]) -> tuple[str, dict[str, bytes] | None]:
    pages, lang, work_dir, target, settings = args
    config = render_language(pages, lang, work_dir, target, settings)
    online_only = frozenset(p.src.removesuffix(".md") + ".html" for p in pages if p.meta.get("online_only"))
    return lang, split_variants(target, config, settings.templates_dir, online_only)


def spare_cores() -> float:
    """Cores this process may use that nothing else is using now (the usable cores less the load
    average of the last minute)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return usable - os.getloadavg()[0]


def render_in_parallel() -> bool:
    """Whether the languages render in parallel: LINTAS_RENDER_JOBS=1 or 2 says so; by default only
    when a second core is free (like `make -l`). On a busy machine a second process only adds its
    start-up and imports (about 0.5 CPU s) to the same work; the output is the same either way."""
    jobs = os.environ.get("LINTAS_RENDER_JOBS", "").strip()
    if jobs in ("1", "2"):
        return jobs == "2"
    return spare_cores() >= 1.0


def _warm_up() -> None:
    """A render worker's start: the imports its first render would pay."""
    import material  # noqa: F401
    import mkdocs.commands.build  # noqa: F401


def _started() -> None:
    """Nothing: submitted once, so that the worker process starts (and imports) right away."""


@contextlib.contextmanager
def render_workers(parallel: bool | None = None) -> Iterator[Executor | None]:
    """The worker process for the languages after the first, started now, so that its start-up and
    imports overlap whatever the caller does before `render_site`; None when the languages render
    one after the other in this process (`parallel`, default `render_in_parallel()`)."""
    if not (render_in_parallel() if parallel is None else parallel) or len(LANGS) < 2:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # 'spawn' keeps the worker independent of whatever state the parent process holds.
    with ProcessPoolExecutor(max_workers=len(LANGS) - 1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_warm_up) as pool:
        pool.submit(_started)
        yield pool


def render_site(pages_by_lang: dict[str, list[Page]], work_dir: Path, out_dir: Path, settings: RenderSettings,
                *, parallel: bool | None = None, workers: Executor | None = None) -> dict[str, bytes] | None:
    """Indonesian at the root of `out_dir`, English under en/; with `settings.bundle`, returns the
    offline copy of the same render (file bytes by site path, laid out the same way).

    The languages are independent MkDocs builds. This process renders the first; the others render
    in `workers` (from `render_workers`) or, without them and with `parallel` (default:
    `render_in_parallel()`), in a worker started here; else one after the other here. Each also
    splits its pages into the two variants and renders into its own folder (MkDocs empties its
    site_dir first); the English one is moved under en/."""
    jobs = [(pages_by_lang[lang], lang, work_dir, work_dir / f"site-{lang}", settings) for lang in LANGS]
    copies: dict[str, dict[str, bytes] | None] = {}
    with contextlib.ExitStack() as stack:
        if workers is None:
            workers = stack.enter_context(render_workers(parallel))
        others = [workers.submit(_render_one, job) for job in jobs[1:]] if workers is not None else []
        for job in jobs[:1] if workers is not None else jobs:
            lang, copy = _render_one(job)
            copies[lang] = copy
        for future in others:
            lang, copy = future.result()
            copies[lang] = copy
    _move_languages(work_dir, "site", out_dir)
    if not settings.bundle:
        return None
    return {lang_prefix(lang) + rel: data for lang in LANGS for rel, data in (copies[lang] or {}).items()}


def _move_languages(work_dir: Path, name: str, out_dir: Path) -> None:
    for lang in LANGS:
        built = work_dir / f"{name}-{lang}"
        prefix = lang_prefix(lang)
        if not prefix:
            for item in sorted(built.iterdir()):
                shutil.move(str(item), out_dir / item.name)
    for lang in LANGS:
        prefix = lang_prefix(lang)
        if prefix:
            shutil.move(str(work_dir / f"{name}-{lang}"), out_dir / prefix.rstrip("/"))
