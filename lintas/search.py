"""Search for the online site: a Pagefind index per language, built from the finished HTML.

Pagefind (its PyPI package, binary included: nothing is downloaded) reads each page's <html lang>,
so Indonesian and English get separate, stemmed indexes. Only the content wrapper
(data-pagefind-body) is indexed; kind and region filters and ranking weights come from attributes
the templates put on that wrapper. The search page loads Pagefind when someone searches; no other
page loads anything of it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from .i18n import lang_prefix
from .pages import Page
from .ui import UI

PAGEFIND_DIR = "pagefind"

# Pagefind word weights by page kind: tasks first, reference material after.
SEARCH_WEIGHTS: dict[str, float] = {
    "procedures": 2.0,
    "posts": 2.0,
    "organisations": 1.0,
    "agreements": 1.0,
    "data": 1.0,
    "checker": 1.0,
    "notices": 0.6,
    "glossary": 0.5,
    "section": 0.8,
    "home": 0.5,
}


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


async def _index(site_dir: Path) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(site_dir / PAGEFIND_DIR))
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site_dir))
        return int(result.get("page_count", 0))


def build_search_index(site_dir: Path) -> int:
    """Index every page of the built site into site_dir/pagefind/; returns the number of pages."""
    logging.getLogger("pagefind").setLevel(logging.WARNING)
    try:
        return asyncio.run(_index(site_dir))
    except Exception as exc:  # the service reports failures as assorted exceptions
        raise SearchIndexError(f"Pagefind could not index the site: {exc}") from exc


def search_page(lang: str, templates_dir: Path) -> Page:
    """The search page: a form that works without JavaScript plus Pagefind results with filters."""
    ui = UI[lang]
    script = (templates_dir / "assets" / "search.js").read_text(encoding="utf-8")
    here = f"{lang_prefix(lang)}search/"
    bundle = "../" * here.count("/") + PAGEFIND_DIR + "/"
    html = f"""
<div class="lintas-search" data-pagefind-ignore="all">
<form class="lintas-search__form" role="search" action="./" method="get">
<label for="lintas-q">{ui['search_label']}</label>
<input id="lintas-q" name="q" type="search" autocomplete="off">
<button type="submit">{ui['search_button']}</button>
</form>
<fieldset class="lintas-search__filters" hidden><legend>{ui['search_filters']}</legend><div id="lintas-filters"></div></fieldset>
<p id="lintas-status" class="lintas-muted" role="status" aria-live="polite"></p>
<ol id="lintas-results" class="lintas-search__results"></ol>
<noscript><p>{ui['search_needs_js']}</p></noscript>
</div>
<script>window.lintasSearch={{bundle:"{bundle}",ui:{{none:"{ui['search_none']}",found:"{ui['search_found']}",loading:"{ui['search_loading']}"}}}};</script>
<script>{script}</script>
"""
    return Page(src="search/index.md", title=ui["search_title"], markdown=html,
                meta={"description": ui["search_title"], "kind": "search", "path": here, "lang": lang,
                      "search": {"exclude": True}})
