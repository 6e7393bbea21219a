"""Interface strings (lintas/site/ui.yaml): every string in both languages, none unused, and the
problems a translator can make reported at their line (docs/decisions/0005)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintas.config import BuildConfig
from lintas.i18n import LANGS
from lintas.pipeline import check
from lintas.problems import format_text
from lintas.site import ui

CATALOGUE_TEXT = ui.CATALOGUE.read_text(encoding="utf-8")


def _leaves(node: object, loc: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict[str, object]]]:
    assert isinstance(node, dict), loc
    if set(node) <= set(LANGS):
        return [(loc, node)]
    return [leaf for key, sub in node.items() for leaf in _leaves(sub, (*loc, key))]


def _line_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    assert CATALOGUE_TEXT.count(old) == 1, old
    path = tmp_path / "ui.yaml"
    path.write_text(CATALOGUE_TEXT.replace(old, new), encoding="utf-8")
    return path


def test_the_catalogue_has_no_problem_and_no_unused_string() -> None:
    assert format_text(ui.catalogue_problems()) == ""
    # The strict reader (duplicate keys, tags, positions) finds nothing either.
    assert ui.read_catalogue()[2] == []


def test_every_string_has_its_text_in_both_languages() -> None:
    _, doc, _ = ui.read_catalogue()
    assert doc is not None
    leaves = [leaf for name in ui.USERS for leaf in _leaves(doc.data[name], (name,))]
    assert len(leaves) > 250
    for loc, texts in leaves:
        assert set(texts) == set(LANGS), loc
        assert all(isinstance(t, str) for t in texts.values()), loc
        assert all(t.strip() for t in texts.values()) or not any(t.strip() for t in texts.values()), loc


def test_the_site_reads_what_the_strict_reader_reads() -> None:
    # Pages use the fast reader (C parser, every scalar text); the check uses the strict one.
    strict, _, _ = ui.read_catalogue()
    for name in ui.USERS:
        assert ui.section(name) == strict[name]
    assert strict["site"] == ui.UI
    assert set(ui.UI) == set(LANGS)


def test_a_string_without_its_english_text_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  facts:\n    id: Ringkasan\n    en: At a glance\n", "  facts:\n    id: Ringkasan\n")
    line = _line_of(path.read_text(encoding="utf-8"), "  facts:")
    assert format_text(ui.catalogue_problems(path)) == (
        f"lintas/site/ui.yaml:{line}:3: error[ui-string]: site.facts: no en text\n")
    # The pages still get a text (the other language's) while the check fails the build.
    sections, _, _ = ui.read_catalogue(path)
    assert sections["site"]["en"]["facts"] == "Ringkasan"


def test_different_fields_and_an_empty_translation_are_errors(tmp_path: Path) -> None:
    path = _edited(tmp_path, "en: \"{n} results found.\"", "en: \"{count} results found.\"")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    en: Home\n", "    en: \"\"\n"), encoding="utf-8")
    found = format_text(ui.catalogue_problems(path)).splitlines()
    home = _line_of(text, "  home:")
    search = _line_of(text, "  search_found:")
    assert found == [
        f"lintas/site/ui.yaml:{home + 2}:9: error[ui-string]: site.home.en: empty, but not in the other language",
        f"lintas/site/ui.yaml:{search}:3: error[ui-string]: site.search_found: the languages fill in different "
        "fields (id {n}; en {count}) (keep the same {names} in every language)",
    ]


def test_a_duplicate_name_is_reported_by_the_strict_reader(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  facts:\n", "  home:\n    id: Beranda\n    en: Home\n  facts:\n")
    problems = ui.catalogue_problems(path)
    assert [p.code for p in problems] == ["yaml-duplicate-key"]


def test_a_string_no_page_uses_is_reported(tmp_path: Path) -> None:
    path = _edited(tmp_path, "\n\n# Open-data pages", "\n  never_shown:\n    id: Tidak dipakai\n    en: Not used\n\n# Open-data pages")
    line = _line_of(path.read_text(encoding="utf-8"), "  never_shown:")
    assert format_text(ui.catalogue_problems(path)) == (
        f"lintas/site/ui.yaml:{line}:3: warning[ui-string]: site.never_shown: no page uses this string "
        "(remove it, or use it)\n")


def test_what_counts_as_a_use() -> None:
    code = ('x = UI[lang]["quoted"]\nlabel = ui[f"feed_{name}"]\n'
            'labels = {k: v for k, v in ui.items() if k.startswith("footer_")}\n')
    templates = "{{ ui.read }} {{ s.also_read }} {{ ui['jinja'] }} {{ other.not_ui }}"
    names = ["quoted", "feed_notices", "footer_api", "read", "also_read", "jinja", "not_ui", "nowhere"]
    assert ui.unused(names, code, templates) == ["not_ui", "nowhere"]


def test_check_reports_a_broken_catalogue(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _edited(tmp_path, "  facts:\n    id: Ringkasan\n    en: At a glance\n", "  facts:\n    en: At a glance\n")
    monkeypatch.setattr(ui, "CATALOGUE", path)
    site, problems = check(BuildConfig.for_root(project))
    assert site is None
    assert [p.format() for p in problems if p.code == "ui-string"] == [
        f"lintas/site/ui.yaml:{_line_of(path.read_text(encoding='utf-8'), '  facts:')}:3: "
        "error[ui-string]: site.facts: no id text"]
