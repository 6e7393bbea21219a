"""Search for the online site: a Pagefind index per language, built from the finished HTML.

Pagefind (its PyPI package, binary included: nothing is downloaded) reads each page's <html lang>,
so Indonesian and English get separate, stemmed indexes. Only the content wrapper
(data-pagefind-body, templates/material/main.html) is indexed; kind and region filters and the page's
ranking weight come from `search_index` in the page meta. The search page loads Pagefind when someone
searches; no other page loads anything of it.

Ranking (docs/search.md has the measurements): Pagefind multiplies a word's count by the weight of
the element it sits in, and headings carry their own default weights (h1 7 ... h6 2) that a wrapper's
weight does not reach. So before indexing, every heading inside the wrapper gets its default weight
times the page's weight, related-page link lists are down-weighted, and citations and the glossary
list are left out. Each glossary term becomes its own record ('glossary/#wna'), so an abbreviation
finds its entry rather than one long page of all terms.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from ..i18n import lang_prefix
from ..outputs import OutputError
from .pages import Page
from .search_canon import CanonError, canonicalise
from .ui import UI
from ..write import WriteError, write_outputs

PAGEFIND_DIR = "pagefind"

# Pagefind word weights by page kind: tasks first, reference material after.
SEARCH_WEIGHTS: dict[str, float] = {
    "procedures": 1.4,
    "posts": 1.4,
    "checker": 1.0,
    "organisations": 1.0,
    "agreements": 0.9,
    "events": 0.7,
    "data": 0.8,
    "section": 0.6,
    "notices": 0.35,
    "glossary": 0.4,
    "home": 0.4,
}
# A title match adds a boost on top of the word scores (Pagefind: 5 x for the `title` meta field),
# the same for every page, and it outweighs the word weights. So `title` is shown but not ranked,
# and the title is repeated in a field per page weight whose boost is TITLE_BOOST x the weight.
TITLE_BOOST = 5.0
# A glossary record also carries the bare term ('PLB') in a field of its own, boosted like a task
# page's title: typing an abbreviation finds its entry, while ordinary words ('lintas batas') that
# only appear in the expansion leave the entry below the pages about them.
TERM_FIELD, TERM_BOOST = "term", 7.0
TERM_SIMILARITY = 2.0
# Pagefind's own heading weights; a page's weight scales them. Pagefind caps weights at 10.
HEADING_WEIGHTS = {1: 7.0, 2: 6.0, 3: 5.0, 4: 4.0, 5: 3.0, 6: 2.0}
MAX_WEIGHT = 10.0
# Names of related pages (the lists under 'Procedures', 'Related posts'...): they say what a page
# links to, not what it is about.
LINK_LIST_FACTOR = 0.4
# Not indexed: citations, the sources box and the marks next to facts (news headlines and publishers
# would make a page match words it does not explain), and
# the glossary list (each term is a record of its own, see glossary_records); the offline "keep"
# widget (the same words on every key page: "perangkat" would match "berangkat" everywhere).
EXCLUDE_SELECTORS = [".lintas-sources", ".lintas-glossary", ".lintas-refs", ".lintas-asof", ".lintas-keep"]

# Page kinds (meta["kind"]) of pages other features add -> their search kind; None: not indexed.
OTHER_KINDS: dict[str, str | None] = {
    "dataset": "data",
    "data-catalogue": "section",
    "checker-start": "checker",
    # An outcome answers one path of questions; found out of context it would crowd out the
    # procedures it points to. Search leads to the start page; the questions lead on from there.
    "checker-outcome": None,
    "checker-question": None,  # one question with its options: a step, not an answer
    "checker-review": None,
    # A version of a dataset repeats the dataset's page (the dataset page is the result); a region's
    # data package lists the datasets of a region, found through the region filter instead.
    "dataset-version": None,
    "data-region": None,
    "search": None,
}


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


# ------------------------------------------------------------------------------ page metadata

def region_filters(codes: Iterable[str], lang: str, regions: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Province and regency filter values for region codes ('53', '5304'), names from regions.yaml."""
    ui = UI[lang]
    provinces: list[str] = []
    regencies: list[str] = []
    for code in codes:
        for target, key in ((provinces, code[:2]), (regencies, code if len(code) == 4 else "")):
            names = regions.get(key)
            name = names.get(lang, names.get("id")) if names else None
            if name and name not in target:
                target.append(name)
    out: dict[str, list[str]] = {}
    if provinces:
        out[ui["filter_province"]] = sorted(provinces)
    if regencies:
        out[ui["filter_regency"]] = sorted(regencies)
    return out


def search_index(kind: str, lang: str, region_codes: Iterable[str] = (),
                 regions: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The `search_index` meta of a page of search kind `kind` (SEARCH_WEIGHTS' keys)."""
    ui = UI[lang]
    filters: dict[str, list[str]] = {}
    if kind in ui["kind_names"]:
        filters[ui["filter_kind"]] = [ui["kind_names"][kind]]
    filters.update(region_filters(region_codes, lang, regions or {}))
    return {"weight": SEARCH_WEIGHTS.get(kind, 1.0), "filters": filters}


def entity_regions(site: Any, kind: str, entity: Any) -> list[str]:
    """Region codes of an entity: its own, else those of the posts and offices it concerns."""
    own = getattr(entity, "region", None)
    if isinstance(own, str):
        return [own]
    posts: list[str] = []
    orgs: list[str] = []
    if kind == "procedures":
        posts, orgs = list(entity.posts), list(entity.offices)
    elif kind == "agreements":
        posts = list(entity.related_posts)
        orgs = [] if posts else list(entity.parties)  # parties include ministries: only without posts
    elif kind == "notices":
        posts = list(entity.related_posts)
        if not posts:
            posts = sorted({p for pid in entity.related_procedures for p in site.procedures[pid].posts})
    codes = [site.posts[p].region for p in posts if p in site.posts]
    codes += [site.organisations[o].region for o in orgs if o in site.organisations]
    return sorted({c for c in codes if isinstance(c, str)})


def with_search_index(pages: Sequence[Page], lang: str, site: Any = None,
                      regions: dict[str, dict[str, str]] | None = None) -> list[Page]:
    """Pages other features add get their `search_index` (kind filter, weight, places) from their
    meta kind; pages that opt out (meta search.exclude) are left out of the index."""
    datasets = {f"data/{ds.slug}/index.md": ds for ds in getattr(site, "datasets", ())}
    out = []
    for page in pages:
        meta = page.meta
        if "search_index" in meta:
            out.append(page)
            continue
        kind = OTHER_KINDS.get(meta.get("kind", ""), "")
        if (meta.get("search") or {}).get("exclude") or kind is None:
            index: dict[str, Any] = {"exclude": True}
        elif kind:
            ds = datasets.get(page.src)
            index = search_index(kind, lang, ds.spatial if ds is not None else (), regions)
        else:
            out.append(page)  # no kind of its own: indexed with default weight, never dropped
            continue
        out.append(replace(page, meta={**meta, "search_index": index}))
    return out


# ------------------------------------------------------------------------------ indexing

_BODY = re.compile(r'<div data-pagefind-body(?: data-pagefind-weight="([0-9.]+)")?>')
_HEADING = re.compile(r"<h([1-6])((?:\s[^>]*)?)>")
_LINK_LIST = re.compile(r'<ul class="lintas-links"')
_ABBR = re.compile(r"<abbr(?=\s)")
_TITLE = re.compile(r'<span data-pagefind-meta="title:([^"]*)" hidden></span>')


def rank_field(weight: float) -> str:
    """The meta field that carries the title of pages of this weight ('rank140' for 1.4)."""
    return f"rank{round(weight * 100)}"


def ranking() -> dict[str, Any]:
    """Pagefind's `ranking` options for the search page (docs/search.md has the measurements)."""
    # termSimilarity 2 (default 1): 'PLB' prefers the entry for PLB over pages full of 'PLBN'.
    return {"termSimilarity": TERM_SIMILARITY, "metaWeights": meta_weights()}


def meta_weights() -> dict[str, float]:
    """Pagefind's ranking.metaWeights: no boost for `title`, one per page weight."""
    weights = {*SEARCH_WEIGHTS.values(), 1.0}
    return {"title": 0.0, TERM_FIELD: TERM_BOOST, **{rank_field(w): round(TITLE_BOOST * w, 3) for w in sorted(weights)}}


def _weight(value: float) -> str:
    return f"{min(MAX_WEIGHT, value):.2f}".rstrip("0").rstrip(".")


# Words people search with that a page may not use (issue 16: "papal visit" found only a dataset).
# A page whose title contains a term of a group (whole words, any case, in either language) is also
# found by the group's other terms: they are added to what Pagefind indexes, never to the published
# page. Only the title: a page that merely mentions the Pope must not crowd out the one about him.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("paus", "pope", "papal", "papal visit", "kunjungan paus", "paus fransiskus", "pope francis"),
    ("ziarah", "peziarah", "berziarah", "pilgrim", "pilgrims", "pilgrimage"),
    ("misa", "mass"),
)
_SYNONYM_RES = tuple(re.compile(r"\b(?:" + "|".join(re.escape(t) for t in group) + r")\b", re.I)
                     for group in SYNONYMS)


def synonyms_for(text: str) -> list[str]:
    """The search aliases of a page's text: every term of each group one of whose terms it uses."""
    words: list[str] = []
    for group, pattern in zip(SYNONYMS, _SYNONYM_RES, strict=True):
        if pattern.search(text):
            words += [t for t in group if t not in words]
    return words


def prepare_html(html: str) -> str:
    """The page as Pagefind should read it: headings weighted by the page's weight, related-page
    lists down-weighted, abbreviations searchable by their expansion (their title), and the
    page's search aliases (SYNONYMS) indexed with its title."""
    body = _BODY.search(html)
    if body is None:
        return html
    page_weight = float(body.group(1) or 1.0)
    head, rest = html[:body.end()], html[body.end():]

    def heading(m: re.Match[str]) -> str:
        if "data-pagefind-weight" in m.group(2):
            return m.group(0)
        weight = _weight(HEADING_WEIGHTS[int(m.group(1))] * page_weight)
        return f'<h{m.group(1)}{m.group(2)} data-pagefind-weight="{weight}">'

    rest = _HEADING.sub(heading, rest)
    title = _TITLE.search(rest)
    aliases = synonyms_for(title.group(1)) if title else []  # what the page is about, not every mention
    extra = (f'<span data-pagefind-index-attrs="title" title="{escape(" ".join(aliases))}" hidden></span>'
             if aliases else "")
    rest = _TITLE.sub(lambda m: f'{m.group(0)}<span data-pagefind-meta="{rank_field(page_weight)}:{m.group(1)}" hidden></span>{extra}',
                      rest, count=1)
    rest = _LINK_LIST.sub(f'<ul data-pagefind-weight="{_weight(LINK_LIST_FACTOR * page_weight)}" class="lintas-links"', rest)
    rest = _ABBR.sub('<abbr data-pagefind-index-attrs="title"', rest)
    return head + rest


def glossary_records(site: Any, langs: Iterable[str]) -> list[tuple[str, str]]:
    """(url, html) of one record per glossary term and language: 'WNA', its expansion, its definition."""
    out = []
    for lang in langs:
        ui = UI[lang]
        weight = SEARCH_WEIGHTS["glossary"]
        for gid, term in sorted(site.glossary.items()):
            title = f"{term.term} ({term.expansion})" if term.expansion else term.term
            expansion = f"<p>{escape(term.expansion)}</p>" if term.expansion else ""
            html = (f'<!DOCTYPE html><html lang="{lang}"><head><title>{escape(title)}</title></head><body>'
                    f'<div data-pagefind-body data-pagefind-weight="{weight}">'
                    f'<span data-pagefind-filter="{escape(ui["filter_kind"])}:{escape(ui["kind_names"]["glossary"])}" hidden></span>'
                    f'<span data-pagefind-meta="title:{escape(title)}" hidden></span>'
                    f'<span data-pagefind-meta="{TERM_FIELD}:{escape(term.term)}" hidden></span>'
                    f"<h2>{escape(term.term)}</h2>{expansion}<p>{escape(term.definition.get(lang))}</p>"
                    "</div></body></html>")
            out.append((f"/{lang_prefix(lang)}glossary/#{gid}", prepare_html(html)))
    return out


def _html_files(site_dir: Path) -> Iterable[Path]:
    for path in sorted(site_dir.rglob("*.html")):
        if path.relative_to(site_dir).parts[0] != PAGEFIND_DIR:
            yield path


# One response of the service may hold the whole index (get_files): allow up to 1 GiB.
_READ_LIMIT = 2**30


def _service_class() -> type[Any]:
    """Pagefind's service client without its 0.1 s pause before reading each response, and able
    to read a response as large as the whole index.

    The client sleeps 0.1 s before every read, so with one page sent at a time (for a reproducible
    index, see below) indexing took at least 0.1 s per page: 6 minutes for 3,600 pages. Reading
    a response needs no pause: `readuntil` waits for data. Its read limit (2 MiB) is below the
    size of the index at national scale, which `get_files` returns in one response."""
    import base64
    import os

    from pagefind.service import PagefindService

    class Service(PagefindService):
        async def launch(self) -> Any:
            self._backend = await asyncio.create_subprocess_exec(
                self._bin, "--service", cwd=os.getcwd(), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, limit=_READ_LIMIT)
            self._poll_task = self._loop.create_task(self._wait_for_responses())
            return self

        async def _wait_for_responses(self) -> None:
            assert self._backend.stdout is not None
            while True:
                message = json.loads(base64.b64decode((await self._backend.stdout.readuntil(b","))[:-1]))
                if message is None:
                    continue
                payload = message.get("payload") or {}
                message_id = message.get("message_id")
                if message_id is None and payload.get("original_message"):
                    # The service could not parse a request: it returns the request instead of its id.
                    message_id = (json.loads(payload["original_message"]) or {}).get("message_id")
                future = self._responses.get(message_id)
                if future is None or future.done():
                    continue
                if payload.get("type") == "Error":
                    future.set_exception(SearchIndexError(f"Pagefind: {payload.get('message')}"))
                else:
                    future.set_result(payload)  # type: ignore[arg-type]  # one of its TypedDicts

    return Service


async def _index(site_dir: Path, records: list[tuple[str, str]], out_dir: Path,
                 hold: Callable[[str], None] | None = None) -> tuple[dict[str, bytes], int]:
    """The index files (path -> bytes) and the number of records indexed. Each page is read just
    before it is sent, after `hold(path)` returns (the build holds back pages still being written)."""
    from pagefind.index import IndexConfig, PagefindIndex

    def pages() -> Iterator[tuple[str, str]]:
        for path in _html_files(site_dir):
            rel = path.relative_to(site_dir).as_posix()
            if hold is not None:
                hold(rel)
            url = "/" + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)
            yield url, prepare_html(path.read_text(encoding="utf-8"))

    count = 0
    config = IndexConfig(output_path=str(out_dir), exclude_selectors=EXCLUDE_SELECTORS)
    service = await _service_class()().launch()
    index = PagefindIndex(config=config, _service=service,
                          _index_id=(await service.create_index(config))._index_id)
    try:
        # Sequential adds in sorted order: add_directory indexes in parallel, and the order pages
        # reach the index shows in its files, which would make two builds differ.
        for url, html in itertools.chain(pages(), records):
            await index.add_html_file(content=html, url=url)
            count += 1
        # The files come back in memory and the build writes them: the service's own
        # `write_files` answers before its last file is on disk, and closing it then (it is
        # terminated) left empty or missing files, e.g. an empty pagefind-worker.js, under load.
        files = await index.get_files()
    finally:
        assert index._service is not None
        await index._service.close()
    return {f["path"]: f["content"] for f in files}, count


def build_search_index(site_dir: Path, site: Any = None, langs: Sequence[str] = ("id", "en"),
                       out_dir: Path | None = None, hold: Callable[[str], None] | None = None) -> int:
    """Index every page of the built site (plus one record per glossary term when `site` is given)
    into `out_dir` (default site_dir/pagefind/); returns the number of records. `hold(path)` is
    called before each page is read (the pages in site order: 'en/index.html')."""
    out_dir = out_dir or site_dir / PAGEFIND_DIR
    logging.getLogger("pagefind").setLevel(logging.WARNING)
    records = glossary_records(site, langs) if site is not None else []
    try:
        # In a thread of its own: the caller may already run an event loop (a preview server, or
        # Playwright's sync API in the same test process).
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            files, count = pool.submit(asyncio.run, _index(site_dir, records, out_dir, hold)).result()
        if "pagefind-entry.json" not in files:
            raise SearchIndexError("Pagefind returned no index")
        write_outputs(out_dir, canonicalise(files))
        return count
    except CanonError as exc:
        raise SearchIndexError(f"Pagefind's output could not be made reproducible: {exc}") from exc
    except (SearchIndexError, OutputError, WriteError):
        raise
    except Exception as exc:  # the service reports failures as assorted exceptions
        raise SearchIndexError(f"Pagefind could not index the site: {exc}") from exc


# ------------------------------------------------------------------------------ the search page

def search_page(lang: str, templates_dir: Path) -> Page:
    """The search page: a form that works without JavaScript plus Pagefind results with filters."""
    ui = UI[lang]
    here = f"{lang_prefix(lang)}search/"
    config = {
        # Relative, so the page works under any sub-path; search.js derives Pagefind's baseUrl from it.
        "bundle": "../" * here.count("/") + PAGEFIND_DIR + "/",
        "filters": [ui["filter_kind"], ui["filter_province"], ui["filter_regency"]],
        "ranking": ranking(),
        "ui": {"none": ui["search_none"], "found": ui["search_found"], "loading": ui["search_loading"],
               "failed": ui["search_failed"]},
    }
    # JSON inside <script>: no '</' may close the element early, no '<!--' may open a comment.
    config_js = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    html = f"""
<div class="lintas-search" data-pagefind-ignore="all">
<form class="lintas-search__form" role="search" action="./" method="get">
<label for="lintas-q">{escape(ui['search_label'])}</label>
<input id="lintas-q" name="q" type="search" autocomplete="off">
<button type="submit">{escape(ui['search_button'])}</button>
</form>
<fieldset class="lintas-search__filters" hidden><legend>{escape(ui['search_filters'])}</legend><div id="lintas-filters"></div></fieldset>
<p id="lintas-status" class="lintas-muted" role="status" aria-live="polite"></p>
<ol id="lintas-results" class="lintas-search__results"></ol>
<button id="lintas-more" type="button" hidden>{escape(ui['search_more'])}</button>
<noscript><p>{escape(ui['search_needs_js'])}</p></noscript>
</div>
<script type="application/json" id="lintas-search-config">{config_js}</script>
<script src="../assets/search.js"></script>
"""
    return Page(src="search/index.md", title=ui["search_title"], markdown=html,
                meta={"description": ui["search_title"], "kind": "search", "path": here, "lang": lang,
                      "search_index": {"exclude": True}, "online_only": True,
                      "search": {"exclude": True}})  # nor in the offline copy's (Material's) index
