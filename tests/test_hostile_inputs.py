"""Hostile input: random and mutated YAML, Markdown-in-YAML and CSV, plus the adversarial corpus.

The promise under test: every file is accepted or rejected with problems in the standard format
(`path[:line[:col]]: error[code]: message`) — never a traceback, a hang, a crash or unbounded
memory. Property tests have a fixed budget (`max_examples`) so the file runs in well under a minute;
the "no hang / bounded memory" claims run `build.py check` in a subprocess under RLIMIT_AS and a
timeout. The corpus is in tests/adversarial/ (see its README.md and manifest.json); counts and
findings are in docs/reliability.md.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from conftest import unrelease
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintas.config import BuildConfig
from lintas.content.kinds import KIND_MODELS
from lintas.content.load import SourceDoc, Sources, load_sources
from lintas.content.validate import validate_sources
from lintas.content.yamlio import MAX_BYTES, decode, parse_yaml
from lintas.datasets import load_datasets, publish_datasets
from lintas.pipeline import check
from lintas.problems import CODES, Problem

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "adversarial"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
TODAY = dt.date.today()
# The standard format; the message itself may hold anything but a line break (see the test below).
FORMAT = re.compile(r"^(?P<path>[^\n]+?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: "
                    r"(?:error|warning)\[(?P<code>[a-z0-9-]+)\]: (?P<msg>.+)$", re.S)
BUDGET = settings(max_examples=int(os.environ.get("LINTAS_FUZZ_EXAMPLES", "150")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def assert_standard(problems: list[Problem], src_path: str | None = None, n_lines: int | None = None) -> None:
    for p in problems:
        assert isinstance(p, Problem) and p.code in CODES
        match = FORMAT.match(p.format())
        assert match, p.format()
        if src_path is not None:
            assert p.src_path == src_path
        if n_lines is not None and p.line is not None:
            assert 1 <= p.line <= n_lines + 1, p.format()
            assert p.column is None or p.column >= 1, p.format()


def load_one(raw: bytes, kind: str = "glossary", name: str = "fuzz") -> list[Problem]:
    """Decode, parse and validate one file of `kind` on its own, the way the loader does."""
    src = f"content/{kind}/{name}.yaml"
    problems: list[Problem] = []
    text = decode(raw, src, problems)
    doc = parse_yaml(text, src, problems) if text is not None else None
    if doc is not None:
        _, found = validate_sources(Sources(None, (SourceDoc(kind, name, src, doc),)), TODAY)
        problems.extend(found)
    n_lines = raw.count(b"\n") + raw.count(b"\r") + 1
    assert_standard(problems, src, n_lines)
    return problems


# ------------------------------------------------------------------ mutated YAML

SAMPLES = sorted((ROOT / "content").glob("*/*.yaml"))
NASTY = [b"\x00", b"\xff", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\t", b": ", b"- ", b"---\n", b"&a ",
         b"*a", b"!!python/object:os.system ", b"!x ", b"<<: ", b"? ", b"|\n", b">-\n", b"{", b"}",
         b"[", b"]", b"'", b'"', b"\\", b"#", b"%YAML 1.1\n", b"\xe2\x80\xae", b"\xc2\x85",
         b"\xe2\x80\xa8", b"\xed\xa0\x80", b"\\ud800", "а".encode(), b"<script>", b"javascript:",
         b"&#106;", b"](", b"9" * 30, b"1e999", b".nan", b"2024-02-30", b"yes", b"~", b"\n  ", b"  " * 40]


@st.composite
def mutated_sample(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SAMPLES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "flip", "duplicate", "truncate"]))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(NASTY))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif op == "flip" and pos < len(data):
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "duplicate":
            end = data.find(b"\n", pos) + 1 or len(data)
            data[end:end] = data[pos:end]
        elif op == "truncate":
            del data[pos:]
    return path.parent.name, bytes(data)


@BUDGET
@given(mutated_sample())
def test_mutated_content_files_give_problems_never_an_exception(case: tuple[str, bytes]) -> None:
    kind, raw = case
    load_one(raw, kind)


_TOKENS = st.sampled_from([t.decode("utf-8", "replace") for t in NASTY] + [
    "term", "definition", "sources", "id", "en", "title", "url", "reviewed_on", "\n", " ", "x", "é",
    "https://example.org/", "2024-01-01", "-", ":", ",", "0", "true", "null", "\u200b", "\ufeff"])


@BUDGET
@given(st.sampled_from(sorted(KIND_MODELS)), st.lists(_TOKENS, max_size=80).map("".join))
def test_random_yaml_of_any_kind_gives_problems_never_an_exception(kind: str, text: str) -> None:
    load_one(text.encode("utf-8", "surrogatepass"), kind)


# ------------------------------------------------------------------ Markdown in YAML

_MD = st.sampled_from([
    "<", ">", "/", " ", "\t", "\n", "=", '"', "'", "img", "a", "svg", "script", "iframe", "details",
    "src=x", "href=", "on", "onerror", "onload", "OnClick", "alert(1)", "javascript:", "java",
    "script:", "&#106;", "&#x09;", "&Tab;", "&colon;", "&#58;", "[", "]", "(", ")", "](", "{", "}",
    "{:", "#", "*", "_", "`", "|", "-", "data:text/html,", "vbscript:", "/x", "https://e.org/",
])


class _Danger(html.parser.HTMLParser):
    """What a browser would run or load in rendered HTML: script-like tags, on* handlers, script
    URLs, styles, and anything fetched from another host. An oracle independent of the sanitizer."""

    TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "frameset", "base", "meta", "link",
            "form", "svg", "math", "style", "input", "video", "audio", "source", "plaintext", "xmp"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            url = re.sub(r"[\t\n\r]", "", value or "").strip(" \x00-\x1f").lower()
            if name.startswith("on") or name in ("style", "srcset", "poster", "background"):
                self.found.append(f"{name}=")
            elif name in ("href", "src", "action", "formaction", "data", "xlink:href") and (
                    url.startswith(("javascript:", "vbscript:", "livescript:", "data:", "//", "/\\", "\\"))
                    or (name == "src" and ":" in url.split("/")[0])):
                self.found.append(f"{name}={url[:20]}")


def _render(text: str) -> str:
    # The Markdown extensions the site uses (lintas/site/renderer.py mkdocs_config).
    md = markdown.Markdown(extensions=["abbr", "attr_list", "md_in_html", "tables", "admonition", "toc"])
    return md.convert(text)


def body_file(text: str) -> bytes:
    """An organisation whose Markdown body (English) is `text`."""
    return (f'name: {{id: "Uji"}}\nkind: national-agency\nbody:\n  id: "Uji."\n  en: {json.dumps(text)}\n'
            'sources: [antara-kupang-137299-aplasi]\n'
            "reviewed_on: 2024-01-01\n").encode()


@BUDGET
@given(st.lists(_MD, min_size=1, max_size=30).map("".join))
def test_markdown_that_would_run_code_is_always_reported(text: str) -> None:
    problems = load_one(body_file(text), "organisations")
    if any(p.code in ("unsafe-html", "yaml-syntax", "encoding") for p in problems):
        return
    danger = _Danger()
    danger.feed(_render(text))
    assert danger.found == [], f"{text!r} renders {danger.found} but no unsafe-html was reported"


# Each passed the old blacklist (issue 13); each must be refused at its place, naming what goes.
ISSUE_13 = [
    ('Kantor Imigrasi <img alt=">" src=/404.html onerror=alert(1)//> Atambua', "onerror", "'onerror'"),
    ('<details title=">" open ontoggle="alert(3)">x</details>', "<details", "<details>"),
    ("<script>alert(1)</script>", "<script", "<script>"),
    ("[klik](javascript:alert(1))", "javascript:", "javascript:alert(1)"),
    ('<img srcset="https://e.example/x.png 1x" src="/x.png">', "srcset", "'srcset'"),
    ('<video poster="https://e.example/x.png"></video>', "<video", "<video>"),
    ('<p style="background:url(https://e.example/x)">x</p>', "style", "'style'"),
    ("<input type=image src=https://e.example/x>", "<input", "<input>"),
    ('<table background="https://e.example/x"><tr><td>x</td></tr></table>', "background", "'background'"),
    ('[link](/posts/plbn-motaain/){: href="https://e.example/"}', "href=", "'href'"),
    ('<div style="position:fixed;inset:0;z-index:9">Bayar di sini</div>', "style", "'style'"),
    ("<plaintext>", "<plaintext", "<plaintext>"),
    ("![x](https://e.example/x.png)", "https://e.example/x.png", "must come from this site"),
    ("[x](//e.example/)", "//e.example/", "leaves the site"),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', "href", "ascript:alert(1)"),
    ("[x](/){: onclick=\"alert(1)\" }", "onclick", "'onclick'"),
    ("<!-- hidden --> x", "<!--", "comment"),
    ('<div class="md-dialog">x</div>', "md-dialog", "'md-dialog'"),
    ("[x](http://e.example/)", "http://", "use https:"),
]


@pytest.mark.parametrize(("text", "at", "named"), ISSUE_13)
def test_markdown_outside_the_allowlist_is_refused_at_its_place(text: str, at: str, named: str) -> None:
    raw = (b'name: {id: "Uji"}\nkind: national-agency\nbody:\n  id: "Uji."\n  en: |\n    Teks biasa.\n\n'
           + "".join(f"    {line}\n" for line in text.splitlines()).encode()
           + b'sources: [antara-kupang-137299-aplasi]\nreviewed_on: 2024-01-01\n')
    lines = raw.decode().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if i > 6 and at.casefold() in t.casefold())
    column = lines[line - 1].casefold().index(at.casefold()) + 1
    problems = [p for p in load_one(raw, "organisations") if p.code == "unsafe-html"]
    assert any((p.line, p.column) == (line, column) and named in p.message for p in problems), \
        ([p.format() for p in problems], line, column)


@pytest.mark.parametrize("text", [
    "Teks *biasa* dengan **tebal**, `kode` dan [tautan](/posts/plbn-motaain/) atau [surel](mailto:a@b.example).",
    "[telepon](tel:+62389) · [peta](geo:-9.1,124.9) · [situs](https://imigrasi.go.id/) · ![peta](/assets/x.png)",
    "## Judul {#judul}\n\n1. satu\n2. dua\n\n> kutipan\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n",
    '!!! warning "Perhatian"\n    Bawa paspor.\n',
    "*[PLBN]: Pos Lintas Batas Negara\n\nDi PLBN.",
])
def test_what_our_markdown_makes_is_allowed(text: str) -> None:
    problems = load_one(body_file(text), "organisations")
    assert [p for p in problems if p.code == "unsafe-html"] == []


def test_problem_lines_cannot_be_split_or_forged() -> None:
    """A key or value with a line break must not turn one problem into two lines of output, or
    let a file print a fake `path:line:col: error[...]` line of its own."""
    raw = (b'"status\\nfake.yaml:1:1: error[x]": 1\nterm: "Uji"\ndefinition: {id: "U", en: "U"}\n'
           b'sources: [antara-kupang-137299-aplasi]\nreviewed_on: 2024-01-01\nexpansion: "javascript:\\nx"\n')
    for p in load_one(raw):
        assert "\n" not in p.format(), p.format()


# ------------------------------------------------------------------ the YAML corpus


@pytest.fixture(scope="module")
def corpus_problems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Problem]]:
    """Every corpus file placed in content/glossary/ of one project copy, checked in one run."""
    root = tmp_path_factory.mktemp("corpus")
    for name in ("content", "data", "templates", "releases"):
        shutil.copytree(ROOT / name, root / name)
    for name in MANIFEST["yaml"]:
        shutil.copy(CORPUS / "yaml" / name, root / "content" / "glossary" / name)
    _, problems = check(BuildConfig.for_root(root))
    assert_standard(problems)
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.src_path, []).append(p)
    return by_file


def test_manifest_lists_every_corpus_file() -> None:
    for folder in ("yaml", "csv"):
        assert sorted(MANIFEST[folder]) == sorted(p.name for p in (CORPUS / folder).iterdir())
    assert len(MANIFEST["yaml"]) >= 30 and len(MANIFEST["csv"]) >= 30


@pytest.mark.parametrize("name", sorted(MANIFEST["yaml"]))
def test_yaml_corpus_file(name: str, corpus_problems: dict[str, list[Problem]]) -> None:
    # The corpus entries are dated 2024-01-01: their review falls due as time passes (real clock).
    found = [p for p in corpus_problems.get(f"content/glossary/{name}", []) if p.code != "review-overdue"]
    expected = set(MANIFEST["yaml"][name]["codes"])
    codes = {p.code for p in found}
    if expected:
        assert expected <= codes, [p.format() for p in found]
    else:
        assert found == [], [p.format() for p in found]


def test_the_corpus_touches_no_other_file(corpus_problems: dict[str, list[Problem]]) -> None:
    assert [k for k in corpus_problems if not k.startswith("content/glossary/")] == []


# ------------------------------------------------------------------ hostile names and links


@pytest.mark.parametrize("name", [
    "..yaml", ".x.yaml", "con.yaml", "CON.yaml", "aux.yaml", "nul.yaml", "prn.yaml", "com1.yaml",
    "lpt9.yaml", "m\u043etaain.yaml", "\uff4dotaain.yaml", "motaain\u200b.yaml", "\ufb01le.yaml",
    "Motaain.yaml", "a b.yaml", "a--b.yaml", "-a.yaml", "a\\b.yaml", "a\nb.yaml", "x" * 200 + ".yaml",
    "motaain.yaml.", "motaain.YAML", "motaain.yml", "motaain.yaml:Zone.Identifier",
])
def test_hostile_file_names_are_refused(name: str, tmp_path: Path) -> None:
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "site.yaml").write_text("name: x\n")
    (tmp_path / "content" / "posts" / name).write_bytes((ROOT / "content/posts/plbn-motaain.yaml").read_bytes())
    sources, problems = load_sources(tmp_path)
    assert sources.docs == ()
    assert_standard(problems)
    mine = [p for p in problems if p.src_path == f"content/posts/{name}"]
    assert mine and mine[0].code in ("bad-id", "stray-file"), [p.format() for p in problems]


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_bytes((ROOT / "content/glossary/abk.yaml").read_bytes())
    return outside


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("content", "data", "templates", "releases"):
        shutil.copytree(ROOT / name, root / name)
    return root


def test_symlinks_out_of_the_repository_are_not_followed(repo: Path, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    links = {
        "content/glossary/secret.yaml": outside / "secret.yaml",
        "content/posts/passwd.yaml": Path("/etc/passwd"),
        "content/notices/up.yaml": Path("../../../outside/secret.yaml"),
        "data/secret.yaml": outside / "secret.yaml",
    }
    for rel, target in links.items():
        (repo / rel).symlink_to(target)
    sources, problems = load_sources(repo)
    _, data_problems = load_datasets(repo, TODAY)
    problems += data_problems
    assert_standard(problems)
    for rel in links:
        assert any(p.src_path == rel and p.code == "unsafe-path" for p in problems), rel
    assert not any(d.src_path in links for d in sources.docs)


def test_a_kind_folder_linked_out_of_the_repository_is_not_read(repo: Path, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    shutil.rmtree(repo / "content" / "agreements")
    (repo / "content" / "agreements").symlink_to(outside, target_is_directory=True)
    sources, problems = load_sources(repo)
    assert_standard(problems)
    assert any(p.src_path == "content/agreements" and p.code == "unsafe-path" for p in problems)
    assert not [d for d in sources.docs if d.kind == "agreements"]


def test_site_settings_linked_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    (outside / "site.yaml").write_bytes((repo / "content" / "site.yaml").read_bytes())
    (repo / "content" / "site.yaml").unlink()
    (repo / "content" / "site.yaml").symlink_to(outside / "site.yaml")
    sources, problems = load_sources(repo)
    assert sources.settings is None
    assert any(p.src_path == "content/site.yaml" and p.code == "unsafe-path" for p in problems)


def test_an_input_table_linked_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    table = repo / "data/tables/crossings-wini-annual.csv"
    shutil.move(table, outside / "t.csv")
    table.symlink_to(outside / "t.csv")
    datasets, problems = load_datasets(repo, TODAY)
    assert "crossings-wini-annual" not in {d.slug for d in datasets}
    assert any(p.src_path == "data/crossings-wini-annual.yaml" and p.code == "unknown-reference"
               for p in problems)


def test_unsafe_markdown_in_a_dataset_definition_is_refused_at_its_place(repo: Path) -> None:
    path = repo / "data/crossings-wini-annual.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  en: Departures and arrivals at the Wini"
    assert old in text
    path.write_text(text.replace(old, "  en: <script>alert(1)</script> [klik](javascript:alert(2)) Departures"
                                      " and arrivals at the Wini"), encoding="utf-8")
    site, problems = check(BuildConfig.for_root(repo))
    assert site is None
    line = text[:text.index(old)].count("\n") + 1
    mine = [p.format() for p in problems if p.src_path == "data/crossings-wini-annual.yaml" and p.code == "unsafe-html"]
    assert mine == [
        f"data/crossings-wini-annual.yaml:{line}:7: error[unsafe-html]: description.en: the <script> element is not allowed",
        f"data/crossings-wini-annual.yaml:{line}:40: error[unsafe-html]: description.en: the link "
        "'javascript:alert(2)' is not allowed: links may be relative or start with https:, mailto:, tel: or geo:",
    ]


def test_region_table_linked_out_of_the_repository_fails_the_check(repo: Path, tmp_path: Path) -> None:
    # load_regions still parses it, but the unsafe-path error from the folder listing stops the build.
    outside = _outside(tmp_path)
    shutil.move(repo / "data/regions.yaml", outside / "regions.yaml")
    (repo / "data/regions.yaml").symlink_to(outside / "regions.yaml")
    site, problems = check(BuildConfig.for_root(repo))
    assert site is None
    assert any(p.src_path == "data/regions.yaml" and p.code == "unsafe-path" for p in problems)


# ------------------------------------------------------------------ no hang, bounded memory

MEMORY_LIMIT = 1 << 30  # 1 GiB of address space for the whole `build.py check`
TIMEOUT = 90


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _just_under_limit(prefix: str, unit: str, suffix: str = "", *, size: int = MAX_BYTES) -> bytes:
    n = (size - 64 - len(prefix) - len(suffix)) // len(unit)
    return (prefix + unit * n + suffix).encode()


def test_nasty_files_finish_in_bounded_time_and_memory(repo: Path) -> None:
    glossary = repo / "content" / "glossary"
    head = 'term: "Besar"\nsources: [antara-kupang-137299-aplasi]\n' \
           "reviewed_on: 2024-01-01\ndefinition:\n  id: x\n  en: |\n"
    # Files that cost time in proportion to what they report (one problem per line) are a quarter
    # of the limit here to keep the suite quick; at the full 1 MiB each takes 3-7 s (reliability.md).
    quarter = MAX_BYTES // 4
    files = {
        "huge-scalar.yaml": _just_under_limit(head + "    ", "x"),
        "redos.yaml": _just_under_limit(head + "    ", "< { "),
        "deep.yaml": _just_under_limit("a: ", "["),
        "many-problems.yaml": _just_under_limit(head, "    javascript: [a](nowhere)\n", size=quarter),
        "duplicate-keys.yaml": _just_under_limit("", "k: v\n", size=quarter),
        "wide.yaml": _just_under_limit("a: [", "1, ", "1]\n", size=quarter),
    }
    for name, data in files.items():
        assert len(data) <= MAX_BYTES
        (glossary / name).write_bytes(data)
    with (glossary / "too-big.yaml").open("wb") as fh:  # sparse: 4 GiB on paper, nothing on disk
        fh.truncate(4 << 30)
    os.mkfifo(repo / "content" / "posts" / "pipe.yaml")  # opening it would block for ever
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(repo), "check"],
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limits)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    for name in [*files, "too-big.yaml"]:
        assert f"content/glossary/{name}:" in proc.stderr, name
    assert "content/glossary/too-big.yaml:1:1: error[file-too-large]" in proc.stderr
    assert "content/posts/pipe.yaml: error[unsafe-path]" in proc.stderr
    for line in proc.stderr.splitlines():
        assert FORMAT.match(line), line


# ------------------------------------------------------------------ CSV inputs

WINI = "crossings-wini-annual"
WINI_CSV = f"data/tables/{WINI}.csv"
WINI_OUT = f"data/{WINI}/{WINI}.csv"


@pytest.fixture(scope="module")
def csv_project(tmp_path_factory: pytest.TempPathFactory):
    """A project copy without releases/ (a changed input would otherwise only say 'release
    changed'), its site model, and a function publishing the Wini table from given input bytes."""
    root = tmp_path_factory.mktemp("csv")
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, root / name)
    unrelease(root)
    config = BuildConfig.for_root(root)
    site, problems = check(config)
    assert site is not None, [p.format() for p in problems]

    def publish(raw: bytes) -> tuple[list[Problem], bytes | None]:
        (root / WINI_CSV).write_bytes(raw)
        datasets, problems = load_datasets(root, TODAY)
        chosen = [d for d in datasets if d.slug == WINI]
        out: dict[str, bytes] = {}
        if chosen:
            published, found = publish_datasets(chosen, site, config)
            problems = [*problems, *found]
            out = dict(published)
        assert_standard(problems)
        mine = [p for p in problems if p.src_path in (WINI_CSV, f"data/{WINI}.yaml")]
        return mine, (out.get(WINI_OUT) if not mine else None)

    return publish


@pytest.mark.parametrize("name", sorted(MANIFEST["csv"]))
def test_csv_corpus_file(name: str, csv_project) -> None:
    expect = MANIFEST["csv"][name]
    problems, published = csv_project((CORPUS / "csv" / name).read_bytes())
    codes = {p.code for p in problems}
    if expect["codes"] is None:  # either way is fine, as long as it is not a traceback
        assert problems or published is not None
    elif expect["codes"]:
        assert set(expect["codes"]) <= codes, [p.format() for p in problems]
        assert published is None
        # The problem names the CSV file and the line (and cell) the manifest gives.
        assert any(p.format().startswith(f"{WINI_CSV}:{expect['where']}: error[")
                   and expect["message"] in p.message for p in problems), [p.format() for p in problems]
    else:
        assert problems == [], [p.format() for p in problems]
        assert published is not None
        for text in expect.get("published_contains", []):
            assert text.encode() in published, published[-400:]
        for text in expect.get("published_lacks", []):
            assert text.encode() not in published


def test_every_refused_csv_case_names_its_place() -> None:
    refused = {k: v for k, v in MANIFEST["csv"].items() if v["codes"]}
    assert all("where" in v and "message" in v for v in refused.values()), refused
    assert not [k for k, v in MANIFEST["csv"].items() if v["codes"] is None]


_CSV_TOKENS = [b",", b";", b"\t", b'"', b'""', b"\n", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xe9",
               b"=", b"+", b"-", b"@", b".", b"1", b"0", b" ", b"e9", b"9" * 25, b"WNA", b"arrival",
               "\u202e".encode(), b"\\", b"\r", b"27.010", b"12,5", b"2.7e4"]


@pytest.mark.slow  # 40 examples, each loading and publishing a dataset: about 10 CPU seconds
@settings(max_examples=int(os.environ.get("LINTAS_FUZZ_CSV_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 400), st.sampled_from(_CSV_TOKENS)), min_size=1, max_size=5))
def test_mutated_csv_gives_problems_never_an_exception(csv_project, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray((CORPUS / "csv" / "valid.csv").read_bytes())
    for pos, token in edits:
        data[min(pos, len(data)):min(pos, len(data))] = token
    problems, published = csv_project(bytes(data))
    assert problems or published is not None
    if published is not None:
        assert_published_as_written(bytes(data), published)


def assert_published_as_written(raw: bytes, published: bytes) -> None:
    """Nothing wrong is published: read strictly in Python, every input row is a plain whole
    count for its own key (no key twice), and the published base cell shows exactly that count
    (or is suppressed, flag 'c')."""
    import csv as _csv
    import io as _io

    rows = [r for r in _csv.reader(_io.StringIO(raw.decode("utf-8-sig"), newline="")) if r]
    header, body = rows[0], rows[1:]
    out = {tuple(r[:4]): r for r in _csv.reader(_io.StringIO(published.decode(), newline=""))}
    assert body and len({tuple(r[:4]) for r in body}) == len(body)
    for row in body:
        # Empty cells after the last column (a trailing comma) are ignored, as documented.
        assert not any(row[len(header):]), row
        cells = dict(zip(header, row[:len(header)], strict=True))
        assert re.fullmatch(r"0|[1-9][0-9]*", cells["crossings"]) and re.fullmatch("[0-9]{4}", cells["year"]), row
        assert not re.search("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]",
                             "".join(row)), row
        shown = out[tuple(row[:4])]
        assert shown[4] == str(int(cells["crossings"])) or (shown[4], shown[5]) == ("", "c"), (row, shown)


# ------------------------------------------------------------------ bounded Markdown cost (issue 13)

# The issue's pathological inputs, each past its limit by a little: `check` must refuse them at the
# place the limit is passed, naming the limit, without rendering them (full-size ones ran for
# minutes in Python-Markdown). Sizes are small so the test runs in seconds.
PATHOLOGICAL = [
    ('"' * 2000 + "[" * 300, "[", "more than 200 '['"),
    ("*a _" * 500, "*", "more than 400 '*'"),
    ("<a " * 150, "<", "more than 100 '<'"),
    ("".join("    " * i + "- x\n" for i in range(14)), "- x", "more than 10 levels"),
    ("".join(">" * i + " x\n" for i in range(1, 16)), ">", "nested 11 deep"),
    # Measured with bench/run.py --hostile-only (docs/benchmarks.md): paragraphs each within the
    # paragraph limit still add up ('[' x200 paragraphs filling 1 MiB: 46 s of check), and every
    # abbreviation definition is matched against the whole text (73 KB of them: 29 s; 50 of them on
    # 64 KB of text: more than twice the sample build).
    (('"' + "[" * 200 + "\n\n") * 6, "[", "more than 1000 '[' in one text"),
    ("".join(f"*[AB{i}]: Singkatan {i}\n" for i in range(21)) + "\nAB1\n", "*[AB20]",
     "more than 20 abbreviation definitions"),
    ("## Jadwal\n\n" * 60 + "Jadwal\n------\n\n" * 41, "------", "more than 100 headings"),
]


@pytest.mark.parametrize(("text", "char", "named"), PATHOLOGICAL,
                         ids=["brackets", "emphasis", "angles", "list", "quotes", "brackets-per-text", "abbreviations",
                              "headings"])
def test_pathological_markdown_is_refused_at_its_limit(text: str, char: str, named: str) -> None:
    from lintas.content.sanitize import cost_limits

    problems = [p for p in load_one(body_file(text), "organisations") if p.code == "markdown-limit"]
    assert len(problems) >= 1 and named in problems[0].message, [p.format() for p in problems]
    offset, _ = cost_limits(text)[0]
    assert text[offset:].startswith(char)  # the place where the limit is passed
    assert problems[0].line is not None and problems[0].line >= 4


def test_markdown_just_within_the_limits_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    from lintas.content import sanitize, validate

    validate.markdown_removals.cache_clear()  # rendered here, not remembered from another test

    rendered: list[str] = []
    original = sanitize.MarkdownChecker.render
    monkeypatch.setattr(sanitize.MarkdownChecker, "render",
                        lambda self, text: rendered.append(text) or original(self, text))
    text = '"' * 200 + "[" * 200 + "\n\n" + "".join("    " * i + "- x\n" for i in range(10))
    problems = load_one(body_file(text), "organisations")
    assert [p for p in problems if p.code == "markdown-limit"] == []
    assert text in rendered


def test_the_texts_of_a_file_are_limited_all_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linear constructs at ~25 ms per KB (lists, quotes, tables, prose) would still take most of
    a minute at 1 MiB: a file holds at most MAX_TEXT_PER_FILE characters of text, counted over all
    its texts, and the text that passes it is refused at the character that does, not rendered."""
    from lintas.content import sanitize, validate

    validate.markdown_removals.cache_clear()
    rendered: list[str] = []
    original = sanitize.MarkdownChecker.render
    monkeypatch.setattr(sanitize.MarkdownChecker, "render",
                        lambda self, text: rendered.append(text) or original(self, text))
    first = "Pos lintas batas ini buka setiap hari.\n\n" * 500  # 20,000 characters: within the limit alone
    second = "Kantor imigrasi buka pada hari kerja.\n\n" * 500  # together past it

    def block(text: str) -> str:
        return "|\n" + "".join(f"    {line}\n" if line else "\n" for line in text.rstrip("\n").split("\n"))

    head = 'name: {id: "Uji"}\nkind: national-agency\nbody:\n'
    data = (f"{head}  id: {block(first)}  en: {block(second)}"
            "sources: [antara-kupang-137299-aplasi]\nreviewed_on: 2024-01-01\n").encode()
    problems = [p for p in load_one(data, "organisations") if p.code in ("markdown-limit", "text-too-long")]
    before = len("Uji") + len("national-agency") + len(first.rstrip("\n") + "\n")  # texts before body.en
    at = sanitize.MAX_TEXT_PER_FILE - before
    en_line = 4 + (first.rstrip("\n").count("\n") + 1) + 1  # after "  id: |" and its lines
    line = en_line + 1 + second[:at].count("\n")
    column = 5 + at - (second.rfind("\n", 0, at) + 1)
    assert [(p.line, p.column, p.code, p.message) for p in problems] == [
        (line, column, "text-too-long", f"body.en: the texts of this file pass {sanitize.MAX_TEXT_PER_FILE:,} "
                                        "characters here (the limit, all its texts together): split it into several pages")]
    assert first.rstrip("\n") + "\n" in rendered and second.rstrip("\n") + "\n" not in rendered
    assert [p for p in load_one(body_file(first), "organisations") if p.code == "text-too-long"] == []


def test_a_name_is_limited() -> None:
    """A name is shown on many pages: a 1 MiB organisation name doubled the sample build."""
    from lintas.content.sanitize import MAX_NAME

    name = "Kantor Imigrasi " * 40  # 640 characters
    data = body_file("Teks.").replace(b'name: {id: "Uji"}', f'name: {{id: "{name}"}}'.encode())
    problems = [p.format() for p in load_one(data, "organisations") if p.code == "text-too-long"]
    assert problems == [f"content/organisations/fuzz.yaml:1:{len('name: {id: ') + 1 + MAX_NAME + 1}: "
                        f"error[text-too-long]: name.id: more than {MAX_NAME} characters in a name, title, "
                        "term or code (the limit): shorten it"]
    assert [p for p in load_one(body_file("Teks."), "organisations") if p.code == "text-too-long"] == []


def test_a_region_name_is_limited(repo: Path) -> None:
    """A region's name lands in every page of its region (19 for Kupang)."""
    from lintas.content.sanitize import MAX_NAME
    from lintas.datasets.regions import load_regions

    path = repo / "data/regions.yaml"
    text = path.read_text(encoding="utf-8")
    old = "name: {id: Kabupaten Kupang, en: Kupang Regency}"
    assert old in text
    path.write_text(text.replace(old, old.replace("Kupang Regency", "Kupang " * 80)), encoding="utf-8")
    problems: list[Problem] = []
    load_regions(repo, problems)
    line = text[:text.index(old)].count("\n") + 1
    col = len(text[:text.index(old)].rsplit("\n", 1)[-1]) + old.index("Kupang Regency") + 1
    assert [p.format() for p in problems if p.code == "text-too-long"] == [
        f"data/regions.yaml:{line}:{col + MAX_NAME}: error[text-too-long]: regions[1].name.en: more than "
        f"{MAX_NAME} characters in a name, title, term or code (the limit): shorten it"]


def test_refused_markdown_is_not_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    from lintas.content import sanitize

    refused = {text for text, _, _ in PATHOLOGICAL}
    original = sanitize.MarkdownChecker.render

    def render(self: sanitize.MarkdownChecker, text: str) -> tuple[str, list[sanitize.Removal]]:
        assert text not in refused, "a field past a limit was rendered"
        return original(self, text)

    monkeypatch.setattr(sanitize.MarkdownChecker, "render", render)
    for text in refused:
        assert any(p.code == "markdown-limit" for p in load_one(body_file(text), "organisations"))
