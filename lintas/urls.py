"""Where every page lives. One scheme for the renderer, the API, feeds and the sitemap.

Paths are site-relative posix paths with directory URLs: 'posts/plbn-motaain/' is served from
'posts/plbn-motaain/index.html'. English pages sit under 'en/'.
"""

from __future__ import annotations

from .i18n import lang_prefix

# Section folders, in navigation order; each kind's pages live at '<section>/<id>/'.
SECTIONS: tuple[str, ...] = ("procedures", "posts", "organisations", "agreements", "notices", "glossary")


def page_src(kind: str, entity_id: str) -> str:
    """Markdown source path of an entity page inside a language's docs tree."""
    return f"{kind}/{entity_id}.md"


def entity_path(kind: str, entity_id: str, lang: str = "id") -> str:
    """Site-relative URL path of an entity page, e.g. 'en/posts/plbn-motaain/'."""
    if kind == "glossary":
        return f"{lang_prefix(lang)}glossary/#{entity_id}"
    return f"{lang_prefix(lang)}{kind}/{entity_id}/"


def section_path(kind: str, lang: str = "id") -> str:
    return f"{lang_prefix(lang)}{kind}/"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")
