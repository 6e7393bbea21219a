"""Issue 13: no text in content/ or data/ can run script, load from elsewhere or take over a page.

A copy of the sample project gets a hostile value appended to every plain-text field of every kind
(names, titles, summaries, terms, region names, dataset titles, code labels, sources, the site
name...). `check` must accept it (plain text is text) and the built pages must show it as text:
no element, attribute or link comes out of it, on any page type. The browser half is in
tests/test_browser_security.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import copy_sources, shared_build, unrelease
from selectolax.lexbor import LexborHTMLParser

from lintas.escape import plain

PAYLOAD = ("\"'><svg onload=\"window.__xss=1\"><img src=x onerror=\"window.__xss=2\">"
           "[k](javascript:window.__xss=3){: onclick=\"window.__xss=4\"}")
# Markdown fields are refused by `check` when they hold this (tests/test_hostile_inputs.py), so
# they are left alone here. Dataset 'description' is Markdown at the top level only.
MARKDOWN_KEYS = {"body", "help"}
DATASET_MARKDOWN = {"description", "methodology", "note"}


def _poison(data: Any, key: str | None = None, *, top: bool = False) -> Any:
    if isinstance(data, dict):
        if data and set(data) <= {"id", "en"} and all(isinstance(v, str) for v in data.values()):
            return {k: f"{v} {PAYLOAD}" for k, v in data.items()}
        return {k: (f"{v} {PAYLOAD}" if k in ("title", "publisher") and isinstance(v, str)
                    else v if k in MARKDOWN_KEYS or (top and k in DATASET_MARKDOWN)
                    else _poison(v, k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_poison(v, key) for v in data]
    return data


def poison_project(root: Path) -> int:
    """Append PAYLOAD to every plain text of every source file; returns the number of files."""
    files = [*sorted((root / "content").glob("**/*.yaml")), *sorted((root / "data").glob("*.yaml"))]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        top = path.parent.name == "data" and path.name != "regions.yaml"
        poisoned = _poison(data, top=top)
        if isinstance(poisoned, dict) and "term" in poisoned:
            poisoned["expansion"] = f"{poisoned.get('expansion') or 'X'} {PAYLOAD}"
        path.write_text(yaml.safe_dump(poisoned, allow_unicode=True, sort_keys=False, width=1000),
                        encoding="utf-8")
    return len(files)


THEIRS = ("lintas-offline-archive", ".site.new-mynotes")  # beside site/, not ours (item 6)


def build_hostile(folder: Path) -> Path:
    """The poisoned copy of the sample, built (with folders of someone else's beside site/); its site/."""
    from lintas.config import BuildConfig
    from lintas.pipeline import build

    root = unrelease(copy_sources(folder))
    assert poison_project(root) > 40
    for name in THEIRS:
        (root / name).mkdir()
        (root / name / "notes.txt").write_text("keep", encoding="utf-8")
    result = build(BuildConfig.for_root(root))
    assert result.written, "\n".join(p.format() for p in result.problems)
    return root / "site"


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test run, shared read-only with tests/test_browser_security.py."""
    site = shared_build(tmp_path_factory, "hostile-site", build_hostile)
    assert all((site.parent / name / "notes.txt").read_text(encoding="utf-8") == "keep" for name in THEIRS)
    return site


def test_plain_text_is_inert_in_html_attributes_and_markdown() -> None:
    import markdown

    for value in (PAYLOAD, "- a", "1. b", "# c", "!!! note", "a\n\n<b>", "===", "[x]: /y"):
        safe = str(plain(value))
        assert "<" not in safe and ">" not in safe and '"' not in safe and "'" not in safe
        for wrapped in (safe, f'<p title="{safe}">{safe}</p>', f"- [{safe}](x/)", f"## {safe}"):
            html = markdown.markdown(wrapped, extensions=["attr_list", "md_in_html", "tables", "admonition"])
            tree = LexborHTMLParser(html)
            tags = {n.tag for n in tree.body.traverse(include_text=False)} if tree.body else set()
            assert tags <= {"body", "p", "ul", "li", "a", "h2"}, (value, wrapped, html)
            for node in tree.body.traverse(include_text=False) if tree.body else []:
                assert set(node.attributes) <= {"title", "href", "id"}, html
                assert not (node.attributes.get("href") or "x/").startswith("javascript"), html


PAGE_TYPES = [
    "index.html", "en/index.html", "posts/index.html", "posts/plbn-motaain/index.html",
    "organisations/kanim-atambua/index.html", "agreements/pks-pos-imigrasi-aplasi-2024/index.html",
    "procedures/passport-application/index.html", "notices/papal-visit-pilgrims-2024/index.html",
    "notices/archive/index.html", "glossary/index.html", "data/index.html",
    "data/crossings-wini-annual/index.html", "checker/index.html",
    "checker/crossing-into-timor-leste/index.html", "checker/crossing-into-timor-leste/review/index.html",
    "search/index.html", "404.html", "en/posts/plbn-motaain/index.html", "en/data/crossings-wini-annual/index.html",
]


def _checker_pages(site: Path) -> list[str]:
    folder = site / "checker" / "crossing-into-timor-leste"
    return sorted(str(p.relative_to(site)) for p in folder.glob("*/index.html"))


def test_every_page_shows_hostile_text_as_text(hostile_site: Path) -> None:
    pages = sorted(str(p.relative_to(hostile_site)) for p in hostile_site.rglob("*.html"))
    assert set(PAGE_TYPES) <= set(pages) and len(pages) > 100
    shown = 0
    for rel in pages:
        html = (hostile_site / rel).read_text(encoding="utf-8")
        tree = LexborHTMLParser(html)
        for node in tree.root.traverse(include_text=False) if tree.root else []:
            assert node.tag not in ("svg", "img") or not any(
                "__xss" in (v or "") for v in node.attributes.values()), (rel, node.html)
            for name, value in node.attributes.items():
                assert not name.startswith("on"), (rel, node.html)
                assert "__xss" not in name, (rel, node.html)
                if name in ("href", "src") and value:
                    assert not value.strip().lower().startswith("javascript:"), (rel, node.html)
            if node.tag == "script" and node.attributes.get("type") == "application/ld+json":
                json.loads(node.text(deep=True))  # still one JSON value
        text = tree.body.text(deep=True) if tree.body else ""
        shown += text.count("<svg onload=")
    assert shown > 50  # the payload is there, as visible text


def test_titles_and_descriptions_given_to_material_are_escaped(hostile_site: Path) -> None:
    html = (hostile_site / "posts/plbn-motaain/index.html").read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    title = tree.css_first("title")
    assert title is not None and "<svg onload=" in title.text()
    description = tree.css_first('meta[name="description"]')
    assert description is not None and "<svg onload=" in (description.attributes.get("content") or "")
    meta = tree.css_first("[data-pagefind-meta]")
    assert meta is not None and "<svg onload=" in (meta.attributes.get("data-pagefind-meta") or "")


# ------------------------------------------------------------------ item 6: only what it made


def test_the_build_removes_only_what_it_made(tmp_path: Path) -> None:
    from lintas.write import WORK_MARKER, make_staging, mark_ours, recover, swap_in

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    theirs = [tmp_path / "lintas-offline-archive", tmp_path / ".site.new-mynotes", tmp_path / ".site.old-7"]
    for folder in theirs:
        folder.mkdir()
        (folder / "notes.txt").write_text("keep", encoding="utf-8")
    empty = tmp_path / ".site.new-abc123"  # killed before it could mark it: empty, so removed
    empty.mkdir()
    half = tmp_path / ".site.new-def456"  # killed while writing the marker: removed too
    half.mkdir()
    (half / WORK_MARKER).write_bytes(b"Lintas build")
    odd = tmp_path / ".site.new-ghi789"  # a marker-named file that is not a half marker: kept
    odd.mkdir()
    (odd / WORK_MARKER).write_bytes(b"mine")
    theirs.append(odd)
    killed = make_staging(site)  # a build killed after it made its staging folder...
    (killed / "index.html").write_text("half", encoding="utf-8")
    offline = tmp_path / "lintas-offline-x1"  # ...and its offline work folder
    offline.mkdir()
    mark_ours(offline)
    recover(site)
    assert not killed.exists() and not offline.exists() and not empty.exists() and not half.exists()
    assert odd.exists()
    assert all((f / "notes.txt").read_text(encoding="utf-8") == "keep" for f in theirs[:3])
    new = make_staging(site)
    (new / "index.html").write_text("new", encoding="utf-8")
    swap_in(new, site)
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert not (site / WORK_MARKER).exists()  # the published site carries no marker
    assert all(f.exists() for f in theirs)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_build_killed_while_removing_the_old_site_leaves_a_folder_recovery_removes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    """CI's kill test found the old site, swapped out into the staging folder, left unmarked by a
    kill before it was removed: no later build could tell it from a stranger's folder."""
    from lintas import write

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    (site / "page").mkdir()
    (site / "page" / "index.html").write_text("old page", encoding="utf-8")
    new = write.make_staging(site)
    (new / "index.html").write_text("new", encoding="utf-8")
    if not exchange:
        monkeypatch.setattr(write, "_renameat2_exchange", lambda a, b: False)
    real = write.remove_work_folder

    def killed_half_way(folder: Path) -> None:  # removes one entry, then "dies"
        next(p for p in folder.iterdir() if p.name == "index.html").unlink()

    monkeypatch.setattr(write, "remove_work_folder", killed_half_way)
    write.swap_in(new, site)
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert len(left) == 1 and (left[0] / "page" / "index.html").exists()
    monkeypatch.setattr(write, "remove_work_folder", real)
    write.recover(site)
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert not (site / write.WORK_MARKER).exists()


def test_a_site_set_aside_by_a_killed_build_comes_back_but_not_a_stranger(tmp_path: Path) -> None:
    from lintas.write import WORK_MARKER, mark_ours, recover

    site = tmp_path / "site"
    stranger = tmp_path / ".site.old-1"
    stranger.mkdir()
    recover(site)
    assert stranger.exists() and not site.exists()  # not ours: neither restored nor removed
    ours = tmp_path / ".site.old-2"
    ours.mkdir()
    (ours / "index.html").write_text("x", encoding="utf-8")
    mark_ours(ours)
    recover(site)
    assert (site / "index.html").exists() and not (site / WORK_MARKER).exists() and stranger.exists()


# ------------------------------------------------------------------ item 7: usage errors, serve

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str) -> Any:
    import subprocess
    import sys

    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def _one_line_usage_error(result: Any) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_bad_port_is_a_one_line_usage_error() -> None:
    _one_line_usage_error(_cli("serve", "--port", "70000"))
    _one_line_usage_error(_cli("serve", "--port", "x"))


def test_port_in_use_is_a_one_line_usage_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = _cli("serve", "--port", str(busy.getsockname()[1]))
    _one_line_usage_error(result)
    assert "cannot listen on 127.0.0.1" in result.stderr


def test_unwritable_schema_folder_is_a_one_line_usage_error() -> None:
    result = _cli("schema", "--out", "/proc/lintas-schemas")
    _one_line_usage_error(result)
    assert "cannot write schemas to /proc/lintas-schemas" in result.stderr


def test_unreadable_root_is_a_one_line_usage_error(tmp_path: Path) -> None:
    (tmp_path / "content").symlink_to(tmp_path / "content")  # a loop: it cannot be read
    _one_line_usage_error(_cli("--root", str(tmp_path), "check"))
    _one_line_usage_error(_cli("--root", "/etc/passwd", "check"))


def test_preview_server_refuses_other_hosts_nul_paths_and_folder_listings(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import http.client
    import threading

    from lintas.serve import open_server

    (tmp_path / "index.html").write_text("home", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("a", encoding="utf-8")
    server = open_server(str(tmp_path), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]

    def get(path: str, host: str = f"127.0.0.1:{port}") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body

    try:
        assert get("/") == (200, b"home")
        assert get("/", f"localhost:{port}")[0] == 200
        assert get("/", "attacker.example")[0] == 421  # DNS rebinding
        assert get("/", f"attacker.example:{port}")[0] == 421
        assert get("/%00")[0] == 400
        status, body = get("/folder/")
        assert status == 404 and b"a.txt" not in body  # never a listing
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert err.count("serve: 400") == 1


# ------------------------------------------------------------------ item 4: hidden characters


def _check_files(tmp_path: Path, files: dict[str, str]) -> list[Any]:
    from lintas.content.load import load_sources
    from lintas.content.validate import validate_sources

    for rel, text in files.items():
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sources, problems = load_sources(tmp_path)
    import datetime as dt

    _, found = validate_sources(sources, dt.date(2026, 1, 1))
    return [*problems, *found]


GLOSSARY = ('term: "{term}"\ndefinition: {{id: "Arti."}}\n'
            'sources: [uji]\nreviewed_on: 2024-01-01\n')  # entities cite the source register by id


# Look-alikes of WNA (and of its lowercase, for scripts with no capital look-alike): none of these
# is in a hand table; they come from Unicode's confusables data (lintas/content/hidden.py).
TWINS = {
    "zero-width": "WN\u200bA",
    "cyrillic": "WN\u0410",  # CYRILLIC CAPITAL LETTER A
    "greek": "W\u039dA",  # GREEK CAPITAL LETTER NU
    "armenian": "w\u0578a",  # ARMENIAN SMALL LETTER VO
    "cherokee": "\u13b3N\u13aa",  # CHEROKEE LETTER LA, CHEROKEE LETTER GO
    "math-bold": "\U0001d416\U0001d40d\U0001d400",  # MATHEMATICAL BOLD CAPITAL W, N, A
    "math-sans": "\U0001d5b6\U0001d5ad\U0001d5a0",  # MATHEMATICAL SANS-SERIF CAPITAL W, N, A
    "fullwidth": "\uff37\uff2e\uff21",
    "lowercase": "wna",
}


@pytest.mark.parametrize("twin", TWINS.values(), ids=TWINS.keys())
def test_look_alike_glossary_terms_are_duplicates(tmp_path: Path, twin: str) -> None:
    problems = _check_files(tmp_path, {"glossary/wna.yaml": GLOSSARY.format(term="WNA"),
                                       "glossary/wna-2.yaml": GLOSSARY.format(term=twin)})
    dupes = [p for p in problems if p.code == "duplicate-id"]
    assert {p.src_path for p in dupes} == {"content/glossary/wna.yaml", "content/glossary/wna-2.yaml"}, \
        [p.format() for p in problems]
    assert {(p.line, p.column) for p in dupes} == {(1, 7)}  # at the term itself


@pytest.mark.parametrize("other", ["WNI", "WMA", "VVNA", "WNA2"])
def test_different_terms_are_not_duplicates(tmp_path: Path, other: str) -> None:
    problems = _check_files(tmp_path, {"glossary/wna.yaml": GLOSSARY.format(term="WNA"),
                                       "glossary/other.yaml": GLOSSARY.format(term=other)})
    assert [p.format() for p in problems if p.code == "duplicate-id"] == []


def test_skeleton_comes_from_unicode_data_not_a_hand_table() -> None:
    from lintas.content.hidden import _prototypes, skeleton

    table = _prototypes()
    assert len(table) > 5000  # Unicode's confusables.txt has ~6,000 single-character sources
    assert skeleton("\u0585") == "o" and skeleton("\u13aa") == "A"  # Armenian oh, Cherokee go
    assert skeleton("m") == "rn" and skeleton("1") == skeleton("I") == "l"
    assert all(skeleton(skeleton(v)) == skeleton(v) for v in table)  # a skeleton is its own skeleton


@pytest.mark.parametrize("twin", ["plbn-w\u0456ni", "plbn-\u13b3ini", "\u03c1lbn-wini"],
                         ids=["cyrillic", "cherokee", "greek"])
def test_look_alike_file_names_are_duplicates_of_the_id(tmp_path: Path, twin: str) -> None:
    post = (ROOT / "content/posts/plbn-wini.yaml").read_text(encoding="utf-8")
    problems = _check_files(tmp_path, {"posts/plbn-wini.yaml": post, f"posts/{twin}.yaml": post})
    dupes = [p.format() for p in problems if p.code == "duplicate-id"]
    assert dupes == [f"content/posts/{twin}.yaml:1:1: error[duplicate-id]: file name '{twin}' reads the "
                     "same as the id 'plbn-wini' (content/posts/plbn-wini.yaml)"], dupes


def test_hidden_characters_are_errors_in_names_and_warnings_in_prose(tmp_path: Path) -> None:
    from lintas.problems import Severity

    text = ('name: {id: "Kantor\u00adImigrasi"}\nkind: national-agency\n'
            'body: {id: "Teks\u200b biasa \U000e0041."}\n'
            'sources: [uji]\nreviewed_on: 2024-01-01\n')
    problems = [p for p in _check_files(tmp_path, {"organisations/uji.yaml": text}) if p.code == "hidden-character"]
    got = sorted((p.line, p.column, p.severity, p.message) for p in problems)
    assert got == [
        (1, 19, Severity.ERROR, "name.id: invisible character U+00AD (SOFT HYPHEN) in a name, title, term or code"),
        (3, 17, Severity.WARNING, "body.id: invisible character U+200B (ZERO WIDTH SPACE) in text"),
        (3, 25, Severity.WARNING, "body.id: invisible character U+E0041 (TAG LATIN CAPITAL LETTER A) in text"),
    ], [p.format() for p in problems]


@pytest.mark.parametrize("twin", [TWINS[k] for k in ("cyrillic", "greek", "cherokee", "math-bold")],
                         ids=["cyrillic", "greek", "cherokee", "math-bold"])
def test_look_alike_dataset_codes_are_duplicates(tmp_path: Path, twin: str) -> None:
    from lintas.datasets import load_datasets

    root = copy_sources(tmp_path)
    path = root / "data/crossings-wini-annual.yaml"
    text = path.read_text(encoding="utf-8")
    old = "      - {code: WNA, label: {id: Warga negara asing, en: Foreign nationals}}\n"
    assert old in text
    path.write_text(text.replace(old, old + old.replace("WNA", twin).replace("asing", "asing 2")),
                    encoding="utf-8")
    _, problems = load_datasets(root, dt.date(2026, 1, 1))
    line = text[:text.index(old)].count("\n") + 2
    assert any(p.src_path == "data/crossings-wini-annual.yaml" and p.code == "duplicate-id"
               and (p.line, p.column) == (line, old.index("WNA") + 1)
               and f"'{twin}' reads the same as 'WNA'" in p.message for p in problems), \
        [p.format() for p in problems]
