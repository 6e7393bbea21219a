"""The compiled-template cache (lintas/site/template_cache.py) saves time and changes no output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, pass_context

from lintas.cache import cache_dir
from lintas.site import template_cache
from lintas.site.template_cache import TemplateCache, with_cache
from lintas.site.template_cache import template_cache as the_cache


def _env(cache: TemplateCache, templates: dict[str, str], **settings: object) -> Environment:
    env = Environment(loader=DictLoader(templates), **settings)  # type: ignore[arg-type]
    env.bytecode_cache = cache
    return env


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_second_environment_loads_what_the_first_compiled(tmp_path: Path) -> None:
    cache = TemplateCache(str(tmp_path), "%s.jinja")
    first = _env(cache, {"t.html": "{{ x }}!"})
    assert first.get_template("t.html").render(x=1) == "1!"
    assert len(_entries(tmp_path)) == 1
    second = _env(cache, {"t.html": "{{ x }}!"})
    compiled: list[str] = []
    second.compile = lambda *a, **k: compiled.append("compiled") or Environment.compile(second, *a, **k)  # type: ignore[method-assign]
    assert second.get_template("t.html").render(x=2) == "2!"
    assert compiled == []  # from the cache
    assert len(_entries(tmp_path)) == 1


def test_a_changed_source_is_compiled_again(tmp_path: Path) -> None:
    cache = TemplateCache(str(tmp_path), "%s.jinja")
    assert _env(cache, {"t.html": "old {{ x }}"}).get_template("t.html").render(x=1) == "old 1"
    assert _env(cache, {"t.html": "new {{ x }}"}).get_template("t.html").render(x=1) == "new 1"
    assert len(_entries(tmp_path)) == 2


@pytest.mark.parametrize("settings", [{"trim_blocks": True}, {"autoescape": True}, {"finalize": lambda v: f"<{v}>"},
                                      {"extensions": ["jinja2.ext.loopcontrols"]}])
def test_settings_that_change_compiled_code_get_their_own_entry(tmp_path: Path, settings: dict[str, object]) -> None:
    """The same name and source under other settings: compiled again, not taken from the cache
    (Jinja2's own key, the file path, would have handed out the other settings' code)."""
    source = "{% if x %}\n{{ x }}{% endif %}\n"
    cache = TemplateCache(str(tmp_path), "%s.jinja")
    plain = _env(cache, {"t.html": source}).get_template("t.html").render(x="a&b")
    other_env = _env(cache, {"t.html": source}, **settings)
    other = other_env.get_template("t.html").render(x="a&b")
    fresh = Environment(loader=DictLoader({"t.html": source}), **settings).get_template("t.html").render(x="a&b")  # type: ignore[arg-type]
    assert other == fresh
    assert other != plain or settings.get("extensions")  # loopcontrols changes nothing here
    assert len(_entries(tmp_path)) == 2


def test_how_a_filter_is_called_is_part_of_the_key(tmp_path: Path) -> None:
    """A filter that takes the context compiles to another call than one that does not."""
    cache = TemplateCache(str(tmp_path), "%s.jinja")
    plain = _env(cache, {"t.html": "{{ 'a' | f }}"})
    plain.filters["f"] = lambda v: v.upper()
    assert plain.get_template("t.html").render() == "A"
    with_context = _env(cache, {"t.html": "{{ 'a' | f }}"})
    with_context.filters["f"] = pass_context(lambda ctx, v: v + str(ctx.get("n")))
    assert with_context.get_template("t.html").render(n=1) == "a1"
    assert len(_entries(tmp_path)) == 2


def test_the_cache_folder_is_chosen_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LINTAS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "lintas"
    monkeypatch.setenv("LINTAS_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    cache = the_cache()
    assert cache is not None and Path(cache.directory) == tmp_path / "mine" / "templates"
    assert (tmp_path / "mine" / "templates").is_dir()
    monkeypatch.setenv("LINTAS_CACHE_DIR", "off")
    assert the_cache() is None
    assert with_cache(Environment()).bytecode_cache is None


def test_a_folder_others_can_write_to_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Compiled code runs as it is read: a cache anyone could write into would run their code."""
    shared = tmp_path / "shared"
    (shared / "templates").mkdir(parents=True)
    os.chmod(shared / "templates", 0o777)
    monkeypatch.setenv("LINTAS_CACHE_DIR", str(shared))
    monkeypatch.setattr(template_cache, "_CACHES", {})
    assert the_cache() is None
    os.chmod(shared / "templates", 0o700)
    monkeypatch.setattr(template_cache, "_CACHES", {})
    assert the_cache() is not None


def test_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    cache = TemplateCache(str(tmp_path), "%s.jinja")
    assert _env(cache, {"t.html": "{{ x }}"}).get_template("t.html").render(x=1) == "1"
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(entry.read_bytes()[:20])  # cut short, as by a full disk
    assert _env(cache, {"t.html": "{{ x }}"}).get_template("t.html").render(x=3) == "3"


def test_errors_name_the_file_the_template_was_loaded_from(tmp_path: Path) -> None:
    """A template compiled in one project and loaded from the cache in another: its errors point at
    the second project's file and line, as a fresh compile's would."""
    from jinja2 import FileSystemLoader
    from jinja2.exceptions import UndefinedError

    cache = TemplateCache(str(tmp_path / "cache"), "%s.jinja")
    (tmp_path / "cache").mkdir()
    lines = []
    for project in ("a", "b"):
        folder = tmp_path / project / "templates"
        folder.mkdir(parents=True)
        (folder / "t.html").write_text("{% macro m() %}\n{{ x.y.z }}\n{% endmacro %}\nok\n{{ m() }}\n", encoding="utf-8")
        from jinja2 import StrictUndefined
        env = Environment(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined)
        env.bytecode_cache = cache
        template = env.get_template("t.html")
        assert template.filename == str(folder / "t.html")
        with pytest.raises(UndefinedError) as caught:
            template.render()
        frames = [(f.filename, f.lineno) for f in __import__("traceback").extract_tb(caught.value.__traceback__)]
        lines.append([f for f in frames if f[0].endswith("t.html")])
    assert len(_entries(tmp_path / "cache")) == 1  # the second project loaded the first one's code
    assert lines[0] and lines[1]
    assert all(name == str(tmp_path / "a" / "templates" / "t.html") for name, _ in lines[0])
    assert all(name == str(tmp_path / "b" / "templates" / "t.html") for name, _ in lines[1])
    assert [n for _, n in lines[0]] == [n for _, n in lines[1]] and 2 in [n for _, n in lines[1]]
