"""Interface strings of the site in Indonesian and English, read from the catalogue `ui.yaml`.

The catalogue beside this module is what a translator edits (docs/decisions/0005): each string has
its `id` and `en` text side by side, in three sections (site, datasets, checker); a group holds
strings by code (post kinds, statuses). `UI` is the site section as {lang: {name: text or group}};
`section()` gives the others the same way. A group's codes must not be language codes (a mapping
whose keys are all languages is a string). `catalogue_problems()` is the check run by `check` and
the tests: a string missing in one language, `{fields}` that differ, a string nothing uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from ..content.yamlio import YamlDoc, parse_yaml, read_text
from ..i18n import LANGS
from ..problems import Problem, Severity

CATALOGUE = Path(__file__).with_name("ui.yaml")
SRC_PATH = "lintas/site/ui.yaml"
_THIS = Path(__file__).resolve()
_REPO = _THIS.parents[2]
# Where the strings of each section may be used: code (quoted names) and templates (ui.name, s.name).
USERS: dict[str, tuple[str, ...]] = {
    "site": ("lintas", "templates"),
    "datasets": ("lintas/datasets", "templates/datasets"),
    "checker": ("lintas/checker", "templates/checker"),
}
_FIELD = re.compile(r"\{(\w*)\}")  # str.format fields, e.g. "{n} results found."
_QUOTED = re.compile(r"""["']([\w.-]+)["']""")
_READ = re.compile(r"\b(?:ui|s)\.(\w+)")
# Names built or picked by prefix in code: ui[f"feed_{name}"], k.startswith("footer_").
_PREFIX = re.compile(r"""f["']([a-z_]+)\{|startswith\(\s*["']([a-z_]+)["']""")

Tree = dict[str, Any]


def _is_text(node: Any) -> bool:
    """A string of the catalogue: a mapping whose keys are languages (a group has other keys)."""
    return isinstance(node, dict) and bool(node) and set(node) <= set(LANGS)


def _split(node: Any, loc: tuple[str, ...], doc: YamlDoc, problems: list[Problem]) -> dict[str, Tree]:
    """{lang: tree of texts} of one group; a problem for whatever a translator got wrong."""
    out: dict[str, Tree] = {lang: {} for lang in LANGS}
    if not isinstance(node, dict) or not node:
        problems.append(Problem(SRC_PATH, *doc.position(loc), "ui-string",
                                f"{'.'.join(loc)}: must be a group of strings, or a string with its "
                                f"{' and '.join(LANGS)} texts"))
        return out
    for name, value in node.items():
        here = (*loc, str(name))
        if not _is_text(value):
            for lang, sub in _split(value, here, doc, problems).items():
                out[lang][str(name)] = sub
            continue
        given = {lang: value[lang] for lang in LANGS if isinstance(value.get(lang), str)}
        for lang in LANGS:
            if lang not in given:
                problems.append(Problem(SRC_PATH, *doc.position(here, key=True), "ui-string",
                                        f"{'.'.join(here)}: no {lang} text" if value.get(lang) is None
                                        else f"{'.'.join(here)}.{lang}: must be text"))
            elif not given[lang].strip() and any(t.strip() for t in given.values()):
                problems.append(Problem(SRC_PATH, *doc.position((*here, lang)), "ui-string",
                                        f"{'.'.join(here)}.{lang}: empty, but not in the other language"))
        fields = {lang: sorted(set(_FIELD.findall(t))) for lang, t in given.items()}
        if len({tuple(f) for f in fields.values()}) > 1:
            shown = "; ".join(f"{lang} {' '.join('{' + f + '}' for f in names) or 'none'}"
                              for lang, names in fields.items())
            problems.append(Problem(SRC_PATH, *doc.position(here, key=True), "ui-string",
                                    f"{'.'.join(here)}: the languages fill in different fields ({shown})",
                                    hint="keep the same {names} in every language"))
        fallback = next(iter(given.values()), "")
        for lang in LANGS:
            out[lang][str(name)] = given.get(lang, fallback)
    return out


def _sections(doc: YamlDoc, problems: list[Problem]) -> dict[str, dict[str, Tree]]:
    if not isinstance(doc.data, dict):
        problems.append(Problem(SRC_PATH, 1, 1, "ui-string", "the catalogue must be a mapping of sections"))
        return {}
    return {str(name): _split(node, (str(name),), doc, problems) for name, node in doc.data.items()}


def read_catalogue(path: Path = CATALOGUE) -> tuple[dict[str, dict[str, Tree]], YamlDoc | None, list[Problem]]:
    """{section: {lang: tree}}, the parsed file and its problems, read strictly with positions."""
    problems: list[Problem] = []
    text = read_text(path, SRC_PATH, problems)
    doc = parse_yaml(text, SRC_PATH, problems) if text is not None else None
    return (_sections(doc, problems) if doc is not None else {}), doc, problems


@cache
def _catalogue() -> dict[str, dict[str, Tree]]:
    """The catalogue as the site uses it (`check` reports its problems: `catalogue_problems`)."""
    return read_catalogue(CATALOGUE)[0]


def section(name: str) -> dict[str, Tree]:
    """The strings of one section of the catalogue, by language."""
    return _catalogue().get(name) or {lang: {} for lang in LANGS}


def _sources(roots: Iterable[Path]) -> tuple[str, str]:
    """All Python text and all template text under `roots` (this module left out: it names none)."""
    code, templates = [], []
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.suffix == ".py" and path != _THIS:
                code.append(path.read_text(encoding="utf-8"))
            elif path.suffix in (".html", ".js", ".svg", ".md"):
                templates.append(path.read_text(encoding="utf-8"))
    return "\n".join(code), "\n".join(templates)


def unused(names: Iterable[str], code: str, templates: str) -> list[str]:
    """The names that the code never quotes and no template reads (`ui.name`, `s.name`, `ui['name']`).

    A name built at run time (`ui[f"feed_{name}"]`) or picked by prefix (`k.startswith("footer_")`)
    counts every name starting with that prefix."""
    used = {*_QUOTED.findall(code), *_QUOTED.findall(templates), *_READ.findall(templates)}
    prefixes = tuple(a or b for a, b in _PREFIX.findall(code))
    return [name for name in names if name not in used and not name.startswith(prefixes)]


def catalogue_problems(path: Path | None = None, repo: Path = _REPO) -> list[Problem]:
    """Every problem of the catalogue: its own errors, then a warning for each string that nothing
    in `repo` uses (the site still builds, but no translator should be asked to translate it)."""
    sections, doc, problems = read_catalogue(path or CATALOGUE)
    return _problems(sections, doc, problems, repo)


def _problems(sections: dict[str, dict[str, Tree]], doc: YamlDoc | None, problems: list[Problem],
              repo: Path) -> list[Problem]:
    def at(*loc: str) -> tuple[int | None, int | None]:
        return doc.position(loc, key=True) if doc is not None and doc.lines else (None, None)

    problems = list(problems)
    problems.extend(Problem(SRC_PATH, None, None, "ui-string", f"section '{name}' is missing")
                    for name in USERS if doc is not None and isinstance(doc.data, dict) and name not in sections)
    for name, by_lang in sections.items():
        if name not in USERS:
            problems.append(Problem(SRC_PATH, *at(name), "ui-string", f"unknown section '{name}'",
                                    hint=f"the sections are {', '.join(USERS)}"))
            continue
        code, templates = _sources(repo / rel for rel in USERS[name])
        problems.extend(Problem(SRC_PATH, *at(name, key), "ui-string", f"{name}.{key}: no page uses this string",
                                severity=Severity.WARNING, hint="remove it, or use it")
                        for key in unused(by_lang[LANGS[0]], code, templates))
    return problems


UI: dict[str, Tree] = section("site")
