"""LOAD: find the source files and parse them strictly, keeping positions.

Nothing here judges the content; it only turns files into `SourceDoc`s (or problems). Symlinks that
leave the repository are refused, as are file names that cannot be ids.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem
from .hidden import alike
from .schemas import ID_MAX, ID_RE, RESERVED_IDS
from .yamlio import YamlDoc, parse_yaml, read_text

# Folders of content/ and what each holds; `flows` is added by the travel checker.
CONTENT_KINDS: tuple[str, ...] = (
    "organisations",
    "posts",
    "agreements",
    "procedures",
    "notices",
    "glossary",
    "flows",
    "events",
    "sources",  # the source register: content/sources/<id>.yaml, cited by id (lintas/content/provenance.py)
)
SETTINGS_FILE = "site.yaml"


@dataclass(frozen=True)
class SourceDoc:
    """One parsed source file of one kind."""

    kind: str
    id: str
    src_path: str  # posix, relative to the project root, e.g. 'content/posts/motaain.yaml'
    doc: YamlDoc


@dataclass(frozen=True)
class Sources:
    settings: SourceDoc | None
    docs: tuple[SourceDoc, ...]
    # (kind, id) of files with a valid name that could not be parsed: they exist, so references to
    # them are not reported as unknown on top of their own problem.
    unreadable: tuple[tuple[str, str], ...] = ()


def _id_hint(stem: str) -> str:
    """What is wrong with a file name as an id, and a name to use instead when one is obvious."""
    odd = next((ch for ch in stem if not ch.isascii()), None)
    if odd is not None:
        name = unicodedata.name(odd, "unnamed character")
        return (f"'{odd}' (U+{ord(odd):04X} {name}) is not a plain a-z letter; "
                "retype the name using only a-z, 0-9 and hyphens")
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if slug and ID_RE.match(slug) and len(slug) <= ID_MAX and slug not in RESERVED_IDS:
        return f"rename the file to '{slug}.yaml'"
    return f"use lowercase letters a-z, digits and single hyphens, at most {ID_MAX} characters"


def check_id(stem: str, src_path: str, problems: list[Problem]) -> bool:
    """An id is the file name without .yaml: lowercase ASCII letters, digits, single hyphens.

    The id becomes a folder in site/, so anything that could leave the folder ('..'), differ only
    by case, hide a look-alike letter (Cyrillic 'а') or be refused by Windows ('con') is rejected.
    """
    if not ID_RE.match(stem) or len(stem) > ID_MAX:
        problems.append(Problem(src_path, None, None, "bad-id",
                                f"file name '{stem}' is not a valid id", hint=_id_hint(stem)))
        return False
    if stem in RESERVED_IDS:
        problems.append(Problem(src_path, None, None, "bad-id",
                                f"'{stem}' is a reserved name and cannot be an id",
                                hint="Windows or the site layout reserves this name; choose another"))
        return False
    return True


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every link resolved, lies inside `root`."""
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def list_files(folder: Path, root: Path, rel: str, problems: list[Problem]) -> list[Path]:
    """Regular files directly in `folder`, sorted; links out of the repository are refused."""
    files = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(rel, None, None, "unsafe-path", f"cannot read folder: {exc.strerror}"))
        return []
    for entry in entries:
        if entry.name.startswith("."):
            if entry.name.endswith(".yaml") and not entry.name.startswith(".#"):
                # '..yaml', '.x.yaml': would be silently skipped; the author meant it to be read.
                problems.append(Problem(f"{rel}/{entry.name}", None, None, "bad-id",
                                        f"file name '{entry.name[:-5]}' is not a valid id",
                                        hint="a file name must not start with '.'"))
            continue  # .gitkeep, editor swap and lock files
        path = Path(entry.path)
        src_path = f"{rel}/{entry.name}"
        if entry.is_symlink() and not inside(path, root):
            problems.append(Problem(src_path, None, None, "unsafe-path",
                                    "symbolic link points outside the repository; it is not read"))
            continue
        if entry.is_dir():
            problems.append(Problem(src_path, None, None, "stray-file",
                                    "sub-folders are not read here"))
            continue
        if not entry.is_file():
            # A FIFO would block the build forever on open(); devices and sockets are no sources.
            problems.append(Problem(src_path, None, None, "unsafe-path",
                                    "not a regular file (a pipe, device or socket); it is not read"))
            continue
        files.append(path)
    return files


@dataclass
class LoadCache:
    """Parsed files kept between loads (`serve`), each with the file's identity when it was read:
    inode, size and modification time in nanoseconds. Editors save by writing in place or by
    renaming a new file over the old one; either changes that identity."""

    entries: dict[str, tuple[tuple[int, int, int], SourceDoc | None, tuple[Problem, ...]]] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)  # files parsed (not taken from the cache) by the last load

    def get(self, path: Path, kind: str, src_path: str, problems: list[Problem]) -> SourceDoc | None:
        try:
            st = path.stat()
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            return _load_file(path, kind, src_path, problems)
        hit = self.entries.get(src_path)
        if hit is not None and hit[0] == stamp and (hit[1] is None or hit[1].kind == kind):
            problems.extend(hit[2])
            return hit[1]
        found: list[Problem] = []
        doc = _load_file(path, kind, src_path, found)
        problems.extend(found)
        self.entries[src_path] = (stamp, doc, tuple(found))
        self.read.append(src_path)
        return doc


def load_file(path: Path, kind: str, src_path: str, problems: list[Problem],
              cache: LoadCache | None = None) -> SourceDoc | None:
    if cache is not None:
        return cache.get(path, kind, src_path, problems)
    return _load_file(path, kind, src_path, problems)


def _load_file(path: Path, kind: str, src_path: str, problems: list[Problem]) -> SourceDoc | None:
    text = read_text(path, src_path, problems)
    if text is None:
        return None
    doc = parse_yaml(text, src_path, problems)
    if doc is None:
        return None
    return SourceDoc(kind, path.stem, src_path, doc)


def load_kind(root: Path, folder: str, kind: str, problems: list[Problem],
              unreadable: list[tuple[str, str]] | None = None, cache: LoadCache | None = None) -> list[SourceDoc]:
    """Every `<id>.yaml` in `root/folder`, parsed; ids of files that fail go to `unreadable`."""
    base = root / folder
    if not base.is_dir():
        return []
    if not inside(base, root):
        problems.append(Problem(folder, None, None, "unsafe-path",
                                "folder is a symbolic link outside the repository; it is not read"))
        return []
    docs = []
    stems: list[tuple[str, bool]] = []  # (file name without .yaml, a valid id)
    for path in list_files(base, root, folder, problems):
        src_path = f"{folder}/{path.name}"
        if path.suffix != ".yaml":
            hint = "rename it to .yaml" if path.suffix == ".yml" else None
            problems.append(Problem(src_path, None, None, "stray-file",
                                    "only .yaml files are read here", hint=hint))
            continue
        valid = check_id(path.stem, src_path, problems)
        stems.append((path.stem, valid))
        if not valid:
            continue
        doc = load_file(path, kind, src_path, problems, cache)
        if doc is not None:
            docs.append(doc)
        elif unreadable is not None:
            unreadable.append((kind, path.stem))
    problems.extend(look_alike_ids(folder, stems))
    return docs


def look_alike_ids(folder: str, stems: list[tuple[str, bool]]) -> list[Problem]:
    """A refused file name that reads the same as a valid id beside it (`plbn-wіni` with a
    Cyrillic і next to `plbn-wini`) is reported as the duplicate it pretends to be. Valid ids are
    plain ASCII and never compared with each other this way ('modern' is not 'modem')."""
    found: list[Problem] = []
    for group in alike(stem for stem, _ in stems):
        valid = [stems[i][0] for i in group if stems[i][1]]
        found.extend(Problem(f"{folder}/{stems[i][0]}.yaml", 1, 1, "duplicate-id",
                             f"file name '{stems[i][0]}' reads the same as the id '{valid[0]}' "
                             f"({folder}/{valid[0]}.yaml)")
                     for i in group if valid and not stems[i][1])
    return found


def load_sources(root: Path, kinds: tuple[str, ...] = CONTENT_KINDS,
                 cache: LoadCache | None = None) -> tuple[Sources, list[Problem]]:
    """LOAD stage: parse content/site.yaml and content/<kind>/*.yaml under `root`.

    With a `cache`, files unchanged since the previous load are not parsed again."""
    problems: list[Problem] = []
    if cache is not None:
        cache.read.clear()
    content = root / "content"
    settings = None
    settings_path = content / SETTINGS_FILE
    if settings_path.is_file() and inside(settings_path, root):
        settings = load_file(settings_path, "settings", f"content/{SETTINGS_FILE}", problems, cache)
    elif not settings_path.exists():
        problems.append(Problem(f"content/{SETTINGS_FILE}", None, None, "missing-field",
                                "content/site.yaml is missing"))
    else:
        problems.append(Problem(f"content/{SETTINGS_FILE}", None, None, "unsafe-path",
                                "not a regular file inside the repository; it is not read"))
    docs: list[SourceDoc] = []
    unreadable: list[tuple[str, str]] = []
    if content.is_dir():
        for entry in sorted(os.scandir(content), key=lambda e: e.name):
            if entry.name.startswith(".") or entry.name == SETTINGS_FILE:
                continue
            if entry.name in kinds and entry.is_dir():
                continue  # a link to a folder is checked by load_kind: refused if it leaves the repo
            hint = None
            if entry.is_dir():
                from ..problems import did_you_mean
                hint = did_you_mean(entry.name, kinds)
            problems.append(Problem(f"content/{entry.name}", None, None,
                                    "unknown-kind" if entry.is_dir() else "stray-file",
                                    f"'{entry.name}' is not a content kind "
                                    f"(known: {', '.join(kinds)})", hint=hint))
    for kind in kinds:
        docs.extend(load_kind(root, f"content/{kind}", kind, problems, unreadable, cache))
    return Sources(settings, tuple(docs), tuple(unreadable)), problems


def tree_stamp(folder: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Every file under `folder` with its inode, size and modification time: changes when any does."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            out.append((os.path.relpath(path, folder), st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)
