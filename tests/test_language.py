"""Each language's pages are in that language (issue 15): Indonesian pages in formal Bahasa
Indonesia (no informal words, no English sentence left over), English pages with no Indonesian
interface string. Checked on the built sample site, on the text a reader sees."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "lintas" / "site" / "ui.yaml"

# Informal words and their formal replacements (EYD V / Bahasa Indonesia baku).
INFORMAL = {"bisa": "dapat", "nggak": "tidak", "enggak": "tidak", "gak": "tidak", "udah": "sudah",
            "aja": "saja", "kalo": "kalau/jika", "dicek": "diperiksa", "ngecek": "memeriksa", "lewat": "melalui",
            "pake": "pakai", "gimana": "bagaimana", "dll": "dan lain-lain", "dsb": "dan sebagainya"}
# "cek" alone is informal, but "cek perjalanan" is the name of the travel checker.
INFORMAL_RE = re.compile(r"\b(" + "|".join(INFORMAL) + r")\b|\bcek\b(?! perjalanan)", re.IGNORECASE)
EN_WORDS = {"the", "and", "of", "is", "are", "was", "were", "where", "with", "this", "that", "you", "your",
            "for", "from", "not", "has", "have", "be", "which", "will", "can", "it", "to", "in", "on", "at"}
ID_WORDS = {"yang", "dan", "di", "ke", "dari", "untuk", "ini", "itu", "dengan", "tidak", "pada", "adalah",
            "atau", "sebagai", "oleh", "dalam", "akan", "sudah", "belum", "juga", "bagi"}
SKIP_TAGS = {"script", "style", "code", "pre", "svg", "head"}


class _Text(HTMLParser):
    """The text of <article>, without what is quoted verbatim: titles of sources (external links),
    anything marked with another language (lang=...), code."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang, self.stack, self.parts = lang, [], []  # type: tuple[str, list[tuple[str, bool]], list[str]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        quoted = (tag in SKIP_TAGS or ("external" in (a.get("rel") or "").split())
                  or (a.get("lang") not in (None, "", self.lang) and tag != "html"))
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            return
        inside = tag == "article" or (bool(self.stack) and self.stack[-1][1] is not None and self.stack[-1][1])
        self.stack.append((tag, inside and not quoted))
        if tag in ("p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "div", "figcaption", "caption"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][1]:
            self.parts.append(data)


def visible_text(html: str, lang: str) -> list[str]:
    parser = _Text(lang)
    parser.feed(html)
    return [" ".join(line.split()) for line in "".join(parser.parts).splitlines() if line.strip()]


def pages(site: Path, lang: str) -> list[Path]:
    root = site / "en" if lang == "en" else site
    found = [p for p in root.rglob("index.html") if "pagefind" not in p.parts and "assets" not in p.parts]
    if lang == "id":
        found = [p for p in found if p.relative_to(site).parts[0] != "en"]
    return sorted(found)


def english_sentences(line: str) -> list[str]:
    out = []
    for sentence in re.split(r"(?<=[.!?;:])\s+", line):
        words = re.findall(r"[a-z']+", sentence.lower())
        if len(words) >= 4 and len({w for w in words if w in EN_WORDS}) >= 3 and not ID_WORDS & set(words):
            out.append(sentence)
    return out


def frozen_notes() -> list[str]:
    """Indonesian notes of released versions that a newer version follows: their files are frozen
    (releases/, decision 6), so their wording is history and cannot be corrected. The newest note of
    each dataset is checked like any other text."""
    notes = []
    for path in sorted((ROOT / "data").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        releases = data.get("releases", []) if isinstance(data, dict) else []
        notes += [r["notes"]["id"] for r in releases[:-1] if isinstance(r.get("notes"), dict)]
    return notes


def leftovers_id(html: str, frozen: tuple[str, ...] = ()) -> list[str]:
    """Informal words and English sentences on an Indonesian page."""
    found = []
    for line in visible_text(html, "id"):
        if any(note in line for note in frozen):
            continue
        found += [f"informal '{m.group(0)}': {line}" for m in INFORMAL_RE.finditer(line)]
        found += [f"English: {s}" for s in english_sentences(line)]
    return found


def ui_fragments(lang: str) -> list[str]:
    """Distinctive pieces of the interface strings of `lang` (literal parts of 16+ characters that
    the other language's string does not share)."""
    other = "en" if lang == "id" else "id"
    out: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), str) and isinstance(node.get("en"), str):
                for part in re.split(r"\{[^}]*\}|<[^>]*>", node[lang]):
                    part = part.strip(" .,:;()")
                    if len(part) >= 16 and part not in node[other]:
                        out.add(part)
                return
            for value in node.values():
                walk(value)

    walk(yaml.load(CATALOGUE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader))
    return sorted(out)


@pytest.fixture(scope="module")
def id_pages(built_site: Path) -> dict[str, str]:
    return {str(p.relative_to(built_site)): p.read_text(encoding="utf-8") for p in pages(built_site, "id")}


@pytest.fixture(scope="module")
def en_pages(built_site: Path) -> dict[str, str]:
    return {str(p.relative_to(built_site)): p.read_text(encoding="utf-8") for p in pages(built_site, "en")}


def test_the_checks_catch_leftovers() -> None:
    page = ('<html lang="id"><body><article><p>Paspor bisa diperiksa di kantor.</p>'
            "<p>Where the figure was published.</p><p>Buka cek perjalanan.</p>"
            '<p><a rel="external noopener" href="https://x.test/">Tahu nggak sih</a></p>'
            '<p><span lang="en">date of expiry</span> and this is not the place</p></article></body></html>')
    found = leftovers_id(page)
    assert [f.split(":")[0] for f in found] == ["informal 'bisa'", "English", "English"], found
    assert any("not the place" in f for f in found)
    assert "Where the figure was published." in found[1]


def test_indonesian_pages_are_formal_and_have_no_english_left_over(id_pages: dict[str, str]) -> None:
    assert len(id_pages) > 50
    frozen = tuple(frozen_notes())
    problems = [f"{path}: {item}" for path, html in id_pages.items() for item in leftovers_id(html, frozen)]
    assert problems == []


def test_english_pages_show_no_indonesian_interface_string(en_pages: dict[str, str]) -> None:
    fragments = ui_fragments("id")
    assert len(fragments) > 50
    texts = {path: "\n".join(visible_text(html, "en")) for path, html in en_pages.items()}
    assert [(path, f) for path, text in texts.items() for f in fragments if f in text] == []


def test_indonesian_pages_show_no_english_interface_string(id_pages: dict[str, str]) -> None:
    fragments = ui_fragments("en")
    texts = {path: "\n".join(visible_text(html, "id")) for path, html in id_pages.items()}
    assert [(path, f) for path, text in texts.items() for f in fragments if f in text] == []
