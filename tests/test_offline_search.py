"""The offline bundle's search index (lintas/site/offline_search.py) against the one Material's own
`search` plugin makes: the plugin no longer runs in our render, so these tests run it beside ours,
on hand-written pages (its parser, fast) and on the whole sample site (a render with the plugin)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lintas.site.offline_search import page_entries, strip_marks

ROOT = Path(__file__).resolve().parent.parent


def _norm(text: str) -> str:
    """White space collapsed: an HTML5 parser drops the newline that opens a <pre>, html.parser
    keeps it (the only difference seen; the sample's texts are byte for byte equal)."""
    return re.sub(r"\s+", " ", text).strip()


def _comparable(entries: list[dict[str, Any]]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(e["location"], e["title"], _norm(e["text"]), tuple(sorted(e))) for e in entries]


def _materials(content: str, title: str, location: str, meta: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex()
    page = SimpleNamespace(content=content, toc=[], url=location, title=title, meta={"title": title, **(meta or {})})
    index.add_entry_from_context(page)
    return list(index.entries)


PAGES = {
    "no heading of its own": '<p>Intro &amp; more</p>\n<h2 id="a">A</h2>\n<p>x &lt;y&gt;</p>',
    "an h1 and a permalink": ('<h1 id="t">Title <code>c</code></h1>\n<p>p</p>\n<h2 id="b">B<a class="headerlink" '
                              'href="#b">¶</a></h2>\n<ul>\n<li>one</li>\n<li><code>two</code></li>\n</ul>'),
    "a heading nested in a block": ('<h1 id="t">T</h1><div class="admonition"><p class="admonition-title">Note'
                                    '</p><h3 id="n">N</h3><p>in</p></div><p>after</p><h2 id="z">Z</h2><p>end</p>'),
    "excluded parts": ('<h1 id="t">T</h1><div data-search-exclude><p>hidden</p></div><p>shown</p>'
                       '<h2 id="x" data-search-exclude>X</h2><p>under x</p><h2 id="y">Y</h2><p>y</p>'),
    "skipped and empty elements": ('<h1 id="t">T</h1><script>var a = 1;</script><style>p{}</style><p></p>'
                                   '<p> </p><ul><li>a</li><li> </li></ul><p>H<sub>2</sub>O x<sup>2</sup></p>'
                                   '<div class="linenodiv"><pre>1\n2</pre></div>'),
    "code blocks and tables": ('<h1 id="t">T</h1><pre><code>line 1\n  line 2\n</code></pre>'
                               '<table><thead><tr><th>k</th></tr></thead><tbody><tr><td>v <em>w</em></td>'
                               '</tr></tbody></table><hr><p>a<br>b</p><img alt="i" src="x.png">'),
    "headings without ids": '<h2>Not a section</h2><p>text</p><h3 id="s">S</h3><h4>Also text</h4><p>t</p>',
    "a first heading below h1": '<p>before</p><h3 id="deep">Deep</h3><p>d</p>',
    "an h2 first": '<h2 id="first">First</h2><p>f</p><h2 id="second">Second</h2><p>s</p>',
}


@pytest.mark.parametrize("content", PAGES.values(), ids=PAGES.keys())
def test_entries_match_materials_parser(content: str) -> None:
    title = "Page &amp; title &#34;quoted&#34;"  # as MkDocs holds it: lintas.pages.Page.text escapes it
    html = f"<article><h1>x</h1><!--lintas:index {title}-->{content}<!--/lintas:index--><p>out</p></article>"
    ours = page_entries(html, "p/index.html")
    assert ours  # every page above has at least one entry
    assert _comparable(ours) == _comparable(_materials(content, title, "p/index.html"))


@pytest.mark.parametrize("content", ["", "  \n"])
def test_empty_content_gives_what_materials_parser_gives(content: str) -> None:
    html = f"<!--lintas:index T-->{content}<!--/lintas:index-->"
    assert page_entries(html, "a/index.html") == _materials(content, "T", "a/index.html")


def test_a_page_without_marks_has_no_entries_and_marks_leave_both_variants() -> None:
    assert page_entries("<h1 id='a'>A</h1><p>x</p>", "a/index.html") == []
    marked = "<p>a</p>\n<!--lintas:index T-->\n<p>b</p><!--/lintas:index-->"
    assert strip_marks(marked) == "<p>a</p>\n\n<p>b</p>"


@pytest.mark.slow  # renders the sample site's two languages with Material's plugin (a few CPU seconds)
def test_index_matches_materials_plugin_on_the_sample_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same render with Material's `search` plugin added: its search_index.json (locations made
    index.html, as the copy's) against the index split_variants makes for the copy."""
    import lintas.site.renderer as renderer
    from lintas.config import BuildConfig
    from lintas.datasets.regions import load_region_names
    from lintas.pipeline import BUNDLE_PATH, check, generate_pages, render_settings
    from lintas.site.render import Variant

    config = BuildConfig.for_root(ROOT)
    site, problems = check(config)
    assert site is not None, problems
    variant = Variant(bundle_path=BUNDLE_PATH, regions=load_region_names(ROOT))
    pages_by_lang = generate_pages(site, config, variant=variant)
    settings = render_settings(site, config, variant)
    mkdocs_config = renderer.mkdocs_config

    def with_plugin(*args: Any, **kwargs: Any) -> dict[str, Any]:
        cfg = mkdocs_config(*args, **kwargs)
        assert cfg["plugins"] == []  # the render runs no plugin
        return {**cfg, "plugins": [{"search": {"lang": ["en"]}}]}

    monkeypatch.setattr(renderer, "mkdocs_config", with_plugin)
    for lang, pages in pages_by_lang.items():
        site_dir = tmp_path / f"site-{lang}"
        search_config = renderer.render_language(pages, lang, tmp_path, site_dir, settings)
        theirs = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
        online_only = frozenset(p.src.removesuffix(".md") + ".html" for p in pages if p.meta.get("online_only"))
        copy = renderer.split_variants(site_dir, search_config, settings.templates_dir, online_only)
        assert copy is not None
        ours = json.loads(copy["search/search_index.json"])
        assert copy["search/search_index.js"] == b"var __index = " + copy["search/search_index.json"]
        for doc in theirs["docs"]:
            path, sep, anchor = doc["location"].partition("#")
            doc["location"] = (path if path.endswith(".html") else path + "index.html") + sep + anchor
        assert ours["config"] == theirs["config"], lang
        assert len(ours["docs"]) > 300 and len(ours["docs"]) == len(theirs["docs"]), lang
        assert _comparable(ours["docs"]) == _comparable(theirs["docs"]), lang
        assert not any("lintas:index" in data.decode("utf-8") for rel, data in copy.items() if rel.endswith(".html"))
