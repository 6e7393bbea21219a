"""Where every page lives. One scheme for the renderer, the API, feeds and the sitemap.

Paths are site-relative posix paths with directory URLs: 'posts/plbn-motaain/' is served from
'posts/plbn-motaain/index.html'. English pages sit under 'en/'.
"""

from __future__ import annotations

from .i18n import lang_prefix

# Section folders, in navigation order; each kind's pages live at '<section>/<id>/'.
SECTIONS: tuple[str, ...] = ("procedures", "posts", "organisations", "agreements", "events", "notices", "glossary")


def page_src(kind: str, entity_id: str) -> str:
    """Markdown source path of an entity page inside a language's docs tree.

    Every page is '<folder>/index.md', so its URL has the same depth with directory URLs
    ('posts/x/') and in the offline bundle ('posts/x/index.html'); hand-computed relative links to
    non-page files (datasets, API documents) then work in both.
    """
    return f"{kind}/{entity_id}/index.md"


def page_dir(site_path: str) -> str:
    """The folder a page's URL path stands for: 'en/posts/x/' -> 'en/posts/x'."""
    return site_path.split("#", 1)[0].rstrip("/")


def relative(from_page: str, to_path: str) -> str:
    """Relative link from the page at site path `from_page` (a folder URL) to site path `to_path`."""
    import posixpath

    start = page_dir(from_page) or "."
    target, _, anchor = to_path.partition("#")
    trailing = "/" if target.endswith("/") else ""
    rel = posixpath.relpath(target.rstrip("/") or ".", start)
    if rel == ".":
        rel = ""
    out = (rel + trailing) if rel else "./"
    return out + (f"#{anchor}" if anchor else "")


def entity_path(kind: str, entity_id: str, lang: str = "id") -> str:
    """Site-relative URL path of an entity page, e.g. 'en/posts/plbn-motaain/'."""
    if kind == "glossary":
        return f"{lang_prefix(lang)}glossary/#{entity_id}"
    return f"{lang_prefix(lang)}{kind}/{entity_id}/"


def section_path(kind: str, lang: str = "id") -> str:
    return f"{lang_prefix(lang)}{kind}/"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")
