"""The preview behind `serve` (lintas/preview.py): after an edit it redoes only what changed, and
what it leaves in site/ is exactly what a full build writes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from lintas.config import BuildConfig
from lintas.i18n import LANGS, lang_prefix
from lintas.pipeline import CheckCache, build, check
from lintas.preview import Preview

pytestmark = pytest.mark.slow  # every test builds a copy of the sample site (without the bundle) first


def tree(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def full_build_of(project: Path, dest: Path) -> dict[str, str]:
    """What `python build.py` (without the offline bundle) writes for the sources now in `project`."""
    for name in ("content", "data", "templates", "releases"):  # releases: the notes' hashes anchor them
        if (project / name).exists():
            shutil.copytree(project / name, dest / name)
    result = build(BuildConfig.for_root(dest), bundle=False)
    assert result.written, result.problems
    return tree(dest / "site")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def started(project: Path, log: list[str]) -> Preview:
    preview = Preview(BuildConfig.for_root(project), log=log.append)
    assert preview.full().kind == "full"
    return preview


def test_an_edit_patches_site_to_what_a_full_build_writes(project: Path, tmp_path: Path) -> None:
    log: list[str] = []
    preview = started(project, log)
    try:
        before = tree(project / "site")
        # A post's name shows on its own page, on the pages that link to it and in lists.
        edit(project / "content/posts/plbn-wini.yaml", "  id: PLBN Wini\n", "  id: PLBN Wini Baru\n")
        edit(project / "content/posts/plbn-wini.yaml", "  en: Wini State Border Post (PLBN)\n",
             "  en: New Wini State Border Post (PLBN)\n")
        update = preview.update()
        assert update.kind == "patched", log
        assert update.seconds_to_visible is not None
        assert any(line.startswith("serve: posts/plbn-wini shown after") for line in log), log
        after = tree(project / "site")
        assert after == full_build_of(project, tmp_path / "fresh")
        changed = {path for path in after if before.get(path) != after[path]}
        # Its own page in both languages, other pages that name it, and published files (API, feeds).
        assert {"posts/plbn-wini/index.html", "en/posts/plbn-wini/index.html"} < changed
        assert any(path.startswith("api/") for path in changed)
        assert any(path.startswith("pagefind/") for path in changed)
        assert update.pages > 2
        # Nothing else was rendered: far fewer pages than the site has.
        assert update.pages < sum(1 for p in after if p.endswith(".html")) / 4
    finally:
        preview.close()


def test_live_renderer_renders_every_page_as_the_full_build(project: Path) -> None:
    preview = started(project, [])
    try:
        assert preview.state is not None
        site = project / "site"
        for lang in LANGS:
            html = preview.live[lang].render(preview.state.pages[lang])
            assert len(html) == len(preview.state.pages[lang])
            for path, data in html.items():
                assert data == (site / (lang_prefix(lang) + path)).read_bytes(), path
    finally:
        preview.close()


def test_a_broken_edit_keeps_the_site_and_names_the_line(project: Path, capsys: object) -> None:
    log: list[str] = []
    preview = started(project, log)
    try:
        before = tree(project / "site")
        edit(project / "content/posts/plbn-wini.yaml", "kind: plbn\n", "kind: plbn-typo\n")
        assert preview.update().kind == "failed"
        err = capsys.readouterr().err  # type: ignore[attr-defined]
        assert "content/posts/plbn-wini.yaml:4:7: error[" in err
        assert tree(project / "site") == before
        # Fixing it patches again.
        edit(project / "content/posts/plbn-wini.yaml", "kind: plbn-typo\n", "kind: plbn\n")
        assert preview.update().kind == "patched"
        assert tree(project / "site") == before
    finally:
        preview.close()


def test_a_new_file_or_a_template_edit_builds_in_full(project: Path, tmp_path: Path) -> None:
    log: list[str] = []
    preview = started(project, log)
    try:
        shutil.copyfile(project / "content/posts/plbn-wini.yaml", project / "content/posts/plbn-wini-dua.yaml")
        edit(project / "content/posts/plbn-wini-dua.yaml", "  id: PLBN Wini\n", "  id: PLBN Wini Dua\n")
        assert preview.update().kind == "full", log
        assert (project / "site/posts/plbn-wini-dua/index.html").is_file()
        css = project / "templates/assets/lintas.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n.lintas-test { color: red }\n", encoding="utf-8")
        assert preview.update().kind == "full", log
        assert tree(project / "site") == full_build_of(project, tmp_path / "fresh")
    finally:
        preview.close()


def test_an_edit_arriving_during_the_update_stops_it_and_the_next_update_completes(
        project: Path, tmp_path: Path) -> None:
    preview = started(project, [])
    try:
        edit(project / "content/posts/plbn-wini.yaml", "  id: PLBN Wini\n", "  id: PLBN Wini Baru\n")
        update = preview.update(pending=lambda: True)
        assert update.kind == "interrupted"
        assert "PLBN Wini Baru" in (project / "site/posts/plbn-wini/index.html").read_text(encoding="utf-8")
        assert preview.update().kind == "patched"
        assert tree(project / "site") == full_build_of(project, tmp_path / "fresh")
    finally:
        preview.close()


def test_a_second_check_renders_only_the_markdown_that_changed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview checks every file after each edit: a Markdown text already checked is not
    rendered again (lintas/content/validate.py: markdown_removals), and the problems are the same."""
    from lintas.content import sanitize

    rendered: list[str] = []
    original = sanitize.MarkdownChecker.render
    monkeypatch.setattr(sanitize.MarkdownChecker, "render",
                        lambda self, text: rendered.append(text) or original(self, text))
    config, cache = BuildConfig.for_root(project), CheckCache()
    first = check(config, cache)[1]
    rendered.clear()
    assert check(config, cache)[1] == first and rendered == []
    edit(project / "content/posts/plbn-wini.yaml", "PLBN Wini termasuk PLBN tipe A.", "PLBN Wini termasuk PLBN tipe A (uji).")
    again = check(config, cache)[1]
    assert len(rendered) == 1 and "PLBN tipe A (uji)." in rendered[0]
    assert again == check(config)[1]


def test_a_cached_check_parses_only_changed_files_and_reports_what_a_fresh_check_does(project: Path) -> None:
    config = BuildConfig.for_root(project)
    cache = CheckCache()
    site, problems = check(config, cache)
    assert site is not None and len(cache.files.read) > 20
    assert check(config, cache)[1] == problems and cache.files.read == []
    # Saved by renaming a new file over the old one, as many editors do: a new inode, same size.
    post = project / "content/posts/plbn-wini.yaml"
    replacement = project / "content/posts/.plbn-wini.yaml.swp"
    replacement.write_text(post.read_text(encoding="utf-8").replace("kind: plbn\n", "kind: plbx\n"), encoding="utf-8")
    replacement.replace(post)
    cached = check(config, cache)
    assert cache.files.read == ["content/posts/plbn-wini.yaml"]
    assert cached[0] is None
    assert cached[1] == check(config)[1]
    assert any(p.src_path == "content/posts/plbn-wini.yaml" and p.line == 4 for p in cached[1])
