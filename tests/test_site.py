"""The public site: generated Markdown (golden), a full build, links, no remote loads, atomicity,
reproducibility and the preview server."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lintas.config import BuildConfig
from lintas.pipeline import build, check, generate_pages
from lintas.site.bundle import zip_files
from lintas.site.linkcheck import check_files, check_site
from lintas.site.renderer import file_urls

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "pages"
UPDATE = os.environ.get("LINTAS_UPDATE_GOLDEN") == "1"

# One page of every kind, in both languages.
GOLDEN_PAGES = [
    "index.md",
    "procedures/index.md",
    "procedures/passport-application/index.md",
    "posts/plbn-motaain/index.md",
    "organisations/kanim-atambua/index.md",
    "agreements/pks-pos-imigrasi-aplasi-2024/index.md",
    "notices/papal-visit-pilgrims-2024/index.md",
    "notices/archive/index.md",
    "glossary/index.md",
]


def copy_project(dest: Path) -> Path:
    for name in ("content", "data", "templates", "releases"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name)
    return dest


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built(built_site: Path) -> Path:
    """The sample content built once, as `python build.py` would (shared: tests/conftest.py)."""
    return built_site


# ------------------------------------------------------------------------------- generated Markdown


@pytest.fixture(scope="module")
def generated() -> dict[str, list[Any]]:
    """The sample's generated pages in both languages (made once: the golden tests only read them)."""
    config = BuildConfig.for_root(ROOT)
    site, problems = check(config)
    assert site is not None, problems
    return generate_pages(site, config)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_generated_markdown_matches_golden(lang: str, generated: dict[str, list[Any]]) -> None:
    pages = {p.src: p for p in generated[lang]}
    for src in GOLDEN_PAGES:
        golden = GOLDEN / lang / src
        text = pages[src].text()
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"missing golden file {golden}; run with LINTAS_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{lang}/{src} differs from its golden file"


def test_indonesian_dates_and_money(built: Path) -> None:
    html = (built / "procedures/passport-application/index.html").read_text(encoding="utf-8")
    assert "Rp650.000" in html and "17 Desember 2024" in html
    en = (built / "en/procedures/passport-application/index.html").read_text(encoding="utf-8")
    assert "Rp650,000" in en and "17 December 2024" in en


def test_every_entity_has_a_page_in_both_languages(built: Path) -> None:
    for kind in ("organisations", "posts", "agreements", "procedures", "notices"):
        for src in sorted((ROOT / "content" / kind).glob("*.yaml")):
            assert (built / kind / src.stem / "index.html").is_file()
            assert (built / "en" / kind / src.stem / "index.html").is_file()
    assert (built / "404.html").is_file() and (built / "en/404.html").is_file()
    assert (built / "notices/archive/index.html").is_file()


def test_language_switch_stays_on_the_same_page(built: Path) -> None:
    html = (built / "procedures/passport-application/index.html").read_text(encoding="utf-8")
    link = re.search(r'class="lintas-lang__link" href="([^"]+)"', html)
    assert link, "no language switch on the page"
    target = (built / "procedures/passport-application" / link.group(1)).resolve()
    assert target == (built / "en/procedures/passport-application").resolve()
    en = (built / "en/procedures/passport-application/index.html").read_text(encoding="utf-8")
    back = re.search(r'class="lintas-lang__link" href="([^"]+)"', en)
    assert back and (built / "en/procedures/passport-application" / back.group(1)).resolve() == \
        (built / "procedures/passport-application").resolve()


def test_pages_link_both_ways(built: Path) -> None:
    post = (built / "posts/plbn-motaain/index.html").read_text(encoding="utf-8")
    assert "../../organisations/kanim-atambua/" in post  # post -> office
    assert "../../procedures/cross-into-timor-leste/" in post  # post -> procedure
    office = (built / "organisations/kanim-atambua/index.html").read_text(encoding="utf-8")
    assert "../../posts/plbn-motaain/" in office  # office -> post
    assert "../../agreements/pks-pos-imigrasi-aplasi-2024/" in office  # office -> agreement


def test_abbreviations_are_explained_where_they_appear(built: Path) -> None:
    html = (built / "procedures/passport-application/index.html").read_text(encoding="utf-8")
    assert '<abbr title="Warga Negara Indonesia">WNI</abbr>' in html


def test_every_internal_link_resolves_and_nothing_is_remote(built: Path) -> None:
    assert check_site(built) == []
    for path in built.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), path
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', text), path
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path


def test_link_check_catches_broken_and_remote_references(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="missing/">x</a><script src="https://cdn.example/x.js"></script>'
        '<img src="nope.png" alt=""><a href="https://example.org/">fine</a>', encoding="utf-8")
    (tmp_path / "a/index.html").write_text('<link rel="stylesheet" href="//fonts.example/f.css">',
                                           encoding="utf-8")
    found = check_site(tmp_path)
    assert found == [
        "a/index.html: <link href> loads //fonts.example/f.css from another host",
        "index.html: broken link missing/",
        "index.html: <script src> loads https://cdn.example/x.js from another host",
        "index.html: broken link nope.png",
    ]


def test_link_check_reads_every_reference_once(tmp_path: Path) -> None:
    """Entities in attributes are decoded, an element with two references is checked for both
    (and reported once each), and SVG images and objects count as fetched."""
    (tmp_path / "a b").mkdir()
    (tmp_path / "a b/index.html").write_text("", encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="a%20b/?x=1&amp;y=2">ok</a><a href="gone/" data="also-gone.svg">x</a>'
        '<svg><image href="https://img.example/i.png"/></svg><object data="obj.svg"></object>'
        '<script>document.write(\'<a href="in-script/">\')</script>', encoding="utf-8")
    assert check_site(tmp_path) == [
        "index.html: broken link gone/",
        "index.html: broken link also-gone.svg",
        "index.html: <image href> loads https://img.example/i.png from another host",
        "index.html: broken link obj.svg",
    ]


def test_link_check_in_memory_finds_what_the_disk_check_finds(built: Path, tmp_path: Path) -> None:
    """The offline bundle is checked from memory (it never touches the disk): the same findings as
    the check of the same files on disk, clean for the real bundle, broken links when a page goes."""
    with zipfile.ZipFile(built / "downloads/lintas-offline.zip") as zf:
        zf.extractall(tmp_path)
        files = {name.removeprefix("lintas/"): zf.read(name) for name in zf.namelist()}
    assert check_files(files) == check_site(tmp_path / "lintas") == []
    gone = "en/posts/plbn-wini/index.html"
    assert gone in files
    del files[gone]
    (tmp_path / "lintas" / gone).unlink()
    found = check_files(files)
    assert found == check_site(tmp_path / "lintas")
    assert any("broken link" in line and "plbn-wini" in line for line in found)


def test_bundle_zip_is_deterministic_and_stores_compressed_files() -> None:
    files = {"b/index.html": b"<p>" + b"x" * 500 + b"</p>", "a.png": b"\x89PNG" + bytes(range(200)),
             "a/b.css": b"p{}" * 100}
    one = zip_files(files)
    assert one == zip_files(dict(reversed(list(files.items()))))
    with zipfile.ZipFile(io.BytesIO(one)) as zf:
        assert zf.namelist() == ["lintas/a/b.css", "lintas/a.png", "lintas/b/index.html"]  # Path order
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
        assert kinds["lintas/a.png"] == zipfile.ZIP_STORED
        assert kinds["lintas/b/index.html"] == kinds["lintas/a/b.css"] == zipfile.ZIP_DEFLATED
        assert all(zf.read("lintas/" + name) == data for name, data in files.items())


def test_a_work_folder_killed_while_removed_is_still_ours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The render's work folder is removed in a thread while the build goes on; its marker goes
    last, so a kill half-way leaves a folder the next build's recovery knows and removes."""
    import lintas.write as write

    site = tmp_path / "site"
    work = tmp_path / ".site.new-docs-x1"
    (work / "id" / "docs").mkdir(parents=True)
    (work / "id" / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    (work / "zz.yml").write_text("a: 1\n", encoding="utf-8")
    write.mark_ours(work)

    def killed(*_args: Any, **_kwargs: Any) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(write.shutil, "rmtree", killed)
    with pytest.raises(SystemExit):
        write.remove_work_folder(work)
    assert write.is_ours(work)
    monkeypatch.undo()
    write.recover(site)
    assert not work.exists()
    work.mkdir()
    write.mark_ours(work)
    (work / "f").write_text("x", encoding="utf-8")
    write.remove_work_folder(work)
    assert not work.exists()


# ------------------------------------------------------------------------------- atomicity


def copy_built(built: Path, dest: Path) -> Path:
    """A project copy whose site/ is what building it writes: the shared build of the same sources
    (builds do not depend on the project's folder: test_two_builds_are_byte_identical)."""
    root = copy_project(dest)
    shutil.copytree(built, root / "site")
    return root


@pytest.mark.slow  # builds
def test_failed_build_leaves_previous_site_untouched(built: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_built(built, tmp_path)
    config = BuildConfig.for_root(root)
    before = tree_hashes(root / "site")

    import lintas.pipeline as pipeline

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "write_outputs", explode)
    result = build(config)
    assert not result.written
    assert result.problems and {p.code for p in result.problems} == {"output"}
    assert "no space left" in result.problems[0].message
    assert tree_hashes(root / "site") == before
    assert not list(root.glob(".site.new-*")), "staging folder left behind"


def built_by_cli(built: Path, tmp_path: Path) -> tuple[Path, list[str], dict[str, str]]:
    """A project copy with its site built: its root, the `build.py` command, the hashes of site/."""
    root = copy_built(built, tmp_path)
    run = [sys.executable, str(ROOT / "build.py"), "--root", str(root)]
    return root, run, tree_hashes(root / "site")


@pytest.mark.slow  # builds
def test_content_error_fails_build_without_touching_site(built: Path, tmp_path: Path) -> None:
    root, run, before = built_by_cli(built, tmp_path)
    post = root / "content/posts/plbn-motaain.yaml"
    post.write_text(post.read_text(encoding="utf-8").replace("status: active", "status: open"), encoding="utf-8")
    proc = subprocess.run(run, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "content/posts/plbn-motaain.yaml:" in proc.stderr and "error[bad-value]: status:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_hashes(root / "site") == before


@pytest.mark.slow  # builds
def test_broken_template_is_a_problem_at_its_line_and_leaves_site_untouched(built: Path, tmp_path: Path) -> None:
    root, run, before = built_by_cli(built, tmp_path)
    card = root / "templates/partials/post_card.html"
    original = card.read_text(encoding="utf-8")
    lines = original.count("\n")
    card.write_text(original + "{% if %}\n", encoding="utf-8")
    proc = subprocess.run(run, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == (
        f"templates/partials/post_card.html:{lines + 1}: error[template]: TemplateSyntaxError: "
        "Expected an expression, got 'end of statement block'")
    assert "Traceback" not in proc.stderr
    # A value the template names but the page does not have: the line of the template, too.
    card.write_text("{{ no_such_value.x }}\n" + original, encoding="utf-8")
    result = build(BuildConfig.for_root(root))
    assert [p.format() for p in result.problems] == [
        "templates/partials/post_card.html:1: error[template]: UndefinedError: 'no_such_value' is undefined"]
    assert tree_hashes(root / "site") == before


@pytest.mark.slow  # builds
def test_dataset_pages_use_the_projects_templates(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (root / "templates/datasets/table.html").write_text("{% if %}\n", encoding="utf-8")
    result = build(BuildConfig.for_root(root))
    assert [p.format() for p in result.problems] == [
        "templates/datasets/table.html:1: error[template]: TemplateSyntaxError: "
        "Expected an expression, got 'end of statement block'"]
    assert not (root / "site").exists()


def test_unsafe_html_fails_the_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    post = root / "content/posts/plbn-wini.yaml"
    post.write_text(post.read_text(encoding="utf-8").replace(
        "Pada 2024 tercatat", "<iframe src=x></iframe> Pada 2024 tercatat"), encoding="utf-8")
    result = build(BuildConfig.for_root(root))
    assert not result.written
    assert [p.code for p in result.problems] == ["unsafe-html"]
    assert not (root / "site").exists()


@pytest.mark.slow  # builds
def test_two_builds_are_byte_identical(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another build of the same sources, in another folder, writes the same bytes as the shared
    build; and it renders the site once (the offline bundle is made from that render). The shared
    build renders the languages one after the other (conftest.build_sample), this one in parallel
    processes: the output does not depend on it."""
    import lintas.pipeline as pipeline
    import lintas.site.renderer as renderer

    renders: list[object] = []
    render_site = pipeline.render_site

    def counted(*args: Any, **kwargs: Any) -> Any:
        renders.append(args[3])  # the render settings
        return render_site(*args, **kwargs)  # the offline copy, kept in memory

    monkeypatch.setattr(pipeline, "render_site", counted)
    monkeypatch.setenv("LINTAS_RENDER_JOBS", "2")
    assert renderer.render_in_parallel()
    second = copy_project(tmp_path / "two")
    assert build(BuildConfig.for_root(second)).written
    assert tree_hashes(built) == tree_hashes(second / "site")
    assert len(renders) == 1


def test_one_render_makes_both_variants(built: Path, tmp_path: Path) -> None:
    """The online site and the offline bundle each keep their side of the render, and nothing of
    the other: no variant marker, no Material JavaScript or lunr search online, no Pagefind or
    head metadata offline; the bundle's search index points at index.html files."""
    with zipfile.ZipFile(built / "downloads/lintas-offline.zip") as zf:
        zf.extractall(tmp_path)
    bundle = tmp_path / "lintas"
    online_pages = sorted(built.rglob("*.html"))
    offline_pages = sorted(bundle.rglob("*.html"))
    assert len(offline_pages) == len(online_pages) - 2  # the two Pagefind search pages stay online
    for path in online_pages:
        html = path.read_text(encoding="utf-8")
        assert "lintas:online" not in html and "lintas:offline" not in html and "lintas:index" not in html, path
        assert 'id="__config"' not in html and "md-search__input" not in html, path
        assert "iframe-worker-shim" not in html and "data-search-" not in html, path
    assert not (built / "search/search_index.json").exists()
    assert not (built / "assets/iframe-worker-shim.js").exists()
    for path in offline_pages:
        html = path.read_text(encoding="utf-8")
        assert "lintas:online" not in html and "lintas:offline" not in html and "lintas:index" not in html, path
        assert "data-pagefind-body" not in html and "data-pagefind-filter" not in html, path
        assert 'rel="alternate"' not in html, path
        assert "lintas-header-search" not in html, path
        if path.name != "404.html":
            assert 'id="__config"' in html and "md-search__input" in html, path
    for lang_dir in (bundle, bundle / "en"):
        assert (lang_dir / "assets/iframe-worker-shim.js").is_file()
        script = (lang_dir / "search/search_index.js").read_text(encoding="utf-8")
        index = json.loads(script.removeprefix("var __index = "))
        assert index["docs"] and all(d["location"].split("#")[0].endswith("index.html") for d in index["docs"])
        assert not any(d["location"].startswith("search/") for d in index["docs"])
    home = (bundle / "index.html").read_text(encoding="utf-8")
    assert "lintas-offline.zip" not in home and "versi luring" in home
    for path in ("index.html", "en/index.html"):
        assert re.search(r"\(ZIP, \d+[.,]\d MB\)", (built / path).read_text(encoding="utf-8")), path


@pytest.mark.parametrize(("html", "expected"), [
    ('<a href="../posts/x/">', '<a href="../posts/x/index.html">'),
    ('<a href="../..">', '<a href="../../index.html">'),
    ('<a href=".">', '<a href="./index.html">'),
    ('<a href="./#top">', '<a href="./index.html#top">'),
    ('<a href="x/#a">', '<a href="x/index.html#a">'),
    ('<img src="../assets/a.png">', '<img src="../assets/a.png">'),
    ('<a href="/en/">', '<a href="/en/">'),  # root-relative (the 404 page): served at any depth
    ('<a href="#top">', '<a href="#top">'),
    ('<a href="https://example.org/">', '<a href="https://example.org/">'),
    ('<a href="x/?q=1">', '<a href="x/?q=1">'),
])
def test_offline_links_point_at_index_files(html: str, expected: str) -> None:
    assert file_urls(html) == expected


# ------------------------------------------------------------------------------- preview server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def test_serve_sees_an_edit_made_as_soon_as_the_first_build_is_done(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """CI lost an edit made right after the first page was served: the watcher started only after
    serving. Here the edit lands at the end of the first build; the preview must update for it."""
    import threading

    from lintas import serve as serve_module

    for name in ("content", "data", "templates"):
        (tmp_path / name).mkdir()
    edited = tmp_path / "content" / "post.yaml"
    updates: list[str] = []

    class FakePreview:
        def __init__(self, config: BuildConfig) -> None:
            pass

        def full(self) -> None:
            edited.write_text("id: x\n", encoding="utf-8")  # the office edits as the build ends

        def update(self, pending: Any) -> None:
            updates.append("update")
            raise KeyboardInterrupt  # stop the serve loop once the edit is handled

        def close(self) -> None:
            pass

    monkeypatch.setattr(serve_module, "Preview", FakePreview)
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(
        serve_module.serve(BuildConfig.for_root(tmp_path), port=_free_port())), daemon=True)
    runner.start()
    runner.join(timeout=30)
    assert updates == ["update"] and result == [0]


@pytest.mark.slow  # builds
def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(root), "serve",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/posts/plbn-wini/"
    try:
        deadline = time.monotonic() + 240  # the first build; a loaded 2-core machine took over 60 s
        page = ""
        while time.monotonic() < deadline:
            try:
                page = _get(url)
                break
            except OSError:
                time.sleep(0.2)
        assert "34.944" in page
        post = root / "content/posts/plbn-wini.yaml"
        post.write_text(post.read_text(encoding="utf-8").replace("34.944 keberangkatan", "34.944 keberangkatan (diperbarui)"),
                        encoding="utf-8")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "(diperbarui)" not in page:
            time.sleep(0.2)
            page = _get(url)
        assert "(diperbarui)" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_languages_render_in_parallel_only_when_a_core_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    from lintas.site import renderer

    monkeypatch.delenv("LINTAS_RENDER_JOBS", raising=False)
    monkeypatch.setattr(renderer.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(renderer.os, "getloadavg", lambda: (0.2, 0.1, 0.1))
    assert renderer.render_in_parallel()
    monkeypatch.setattr(renderer.os, "getloadavg", lambda: (1.3, 0.1, 0.1))
    assert not renderer.render_in_parallel()  # 0.7 of a core free: the second process would wait
    monkeypatch.setattr(renderer.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert renderer.render_in_parallel()
    monkeypatch.setenv("LINTAS_RENDER_JOBS", "1")
    assert not renderer.render_in_parallel()
    monkeypatch.setenv("LINTAS_RENDER_JOBS", "2")
    monkeypatch.setattr(renderer.os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert renderer.render_in_parallel()
