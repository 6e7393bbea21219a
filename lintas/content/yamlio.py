"""Strict YAML: UTF-8 only, no YAML 1.1 re-typing, no duplicate keys, no aliases, positions kept.

PyYAML's SafeLoader follows YAML 1.1: `NO` becomes False, `0123` becomes 83, `1:20` becomes 80 and
`2024-09-05` becomes a date. Here only a small YAML 1.2-core-like set of implicit types remains
(true/false, null, decimal integers without leading zeros, decimal floats); everything else stays a
string and the schema decides what it means. Aliases are refused outright, which also rules out
alias bombs, and nesting depth is capped before PyYAML's recursive composer can overflow.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ..problems import Problem

MAX_BYTES = 1 << 20  # 1 MiB: a content file is a few KB; anything bigger is a mistake or an attack
MAX_DEPTH = 32

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Resolver(BaseResolver):
    """Implicit types close to the YAML 1.2 core schema, minus octal and leading zeros."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}  # type: ignore[misc]


_Resolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)$"),
    list("-+0123456789"),
)


_INVISIBLE = re.compile("[\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_SURROGATE = re.compile("[\ud800-\udfff]")


class _TooDeep(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _AliasFound(yaml.YAMLError):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _TagFound(yaml.YAMLError):
    def __init__(self, mark: Any, tag: str) -> None:
        self.mark = mark
        self.tag = tag


def _tag_as_written(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


class _Composer(Composer):
    """PyYAML's composer with a depth cap, no aliases and no explicit tags."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            raise _AliasFound(event.start_mark)
        # Any explicit tag, even a harmless-looking `!!str`, is refused: the schema alone types values.
        if isinstance(event, (ScalarEvent, MappingStartEvent, SequenceStartEvent)) and event.tag:
            raise _TagFound(event.start_mark, event.tag)
        nests = isinstance(event, (MappingStartEvent, SequenceStartEvent))
        if nests:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nests:
                self._depth -= 1


class _Loader(Reader, Scanner, Parser, _Composer, SafeConstructor, _Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)


# libyaml's parser (C) under the same composer: the events, and so every line and column, are the same.
try:
    import yaml.cyaml

    _CParser: Any = getattr(yaml.cyaml, "CParser", None)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

if _CParser is not None:
    class _FastLoader(_Composer, _CParser, SafeConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Composer.__init__(self)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)


def _fast_node(text: str) -> Node | None:
    """The document's node through libyaml's parser and our composer (eight times faster than
    PyYAML's pure-Python scanner, which was most of `check` at national scale), or None to take the
    pure-Python path: when libyaml is missing, the text holds a character PyYAML's reader refuses,
    or anything at all goes wrong. Every problem is reported by the pure-Python path, so its
    messages and positions stay exactly what they were."""
    if _CParser is None or Reader.NON_PRINTABLE.search(text):
        return None
    loader = None
    try:
        loader = _FastLoader(text)
        node: Node | None = loader.get_single_node()
        return node
    except Exception:  # any failure: the pure-Python path reports it
        return None
    finally:
        if loader is not None:
            loader.dispose()


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: plain Python data plus where every key and value stands."""

    src_path: str
    data: Any
    lines: tuple[str, ...]
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    block_scalars: frozenset[Path_] = frozenset()
    _anchors: dict[Path_, tuple[list[tuple[int, int, int]], list[int]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value (or key) at `path`, or of its nearest ancestor."""
        marks = self.key_marks if key else self.value_marks
        for end in range(len(path), -1, -1):
            sub = tuple(path[:end])
            if sub in marks:
                return marks[sub]
            if key and sub in self.value_marks:
                return self.value_marks[sub]
        return (1, 1)

    def position_in_text(self, path: Path_, offset: int) -> tuple[int, int]:
        """Where character `offset` of the string at `path` stands in the file (best effort).

        YAML folds lines (plain and `>` scalars join them with spaces) and strips indentation, so
        the offset is found by locating each source line's text in the value, in order.
        """
        cached = self._anchors.get(path)
        if cached is None:
            found = self._find_anchors(path)
            cached = self._anchors[path] = (found, [a[2] for a in found])
        anchors, starts = cached
        if not anchors:
            return self.position(path)
        # The last source line whose text starts at or before `offset` (anchors are in text order).
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        src_line, src_col, at = anchors[i]
        return src_line, src_col + offset - at

    def _find_anchors(self, path: Path_) -> list[tuple[int, int, int]]:
        """(line, column, offset in the value) where each source line of the string at `path` starts.

        Computed once per string: a file with thousands of problems in one long text would otherwise
        walk the text again for each one (quadratic time on a hostile 1 MiB file)."""
        line, col = self.position(path)
        text = self._value_at(path)
        if not isinstance(text, str):
            return []
        block = path in self.block_scalars
        if block:  # content starts on the line after the `|` or `>` indicator
            first = next((n for n in range(line + 1, len(self.lines) + 1) if self.lines[n - 1].strip()),
                         line + 1)
            raw = self.lines[first - 1] if first <= len(self.lines) else ""
            best = (first, len(raw) - len(raw.lstrip()) + 1, 0)
        else:
            best = (line, col + (1 if self._quoted(line, col) else 0), 0)
        anchors = [best]
        pos = 0
        for n in range(best[0], len(self.lines) + 1):
            raw = self.lines[n - 1]
            start = best[1] - 1 if n == best[0] else len(raw) - len(raw.lstrip())
            segment = raw[start:].rstrip()
            if not segment:
                continue
            found = text.find(segment, pos)
            if found < 0:
                break  # a closing quote, an escape, a comment, or the next key: stop here
            if anchors[-1][2] == found:
                anchors.pop()
            anchors.append((n, start + 1, found))
            pos = found + len(segment)
            if pos >= len(text):
                break
        return anchors

    def _quoted(self, line: int, col: int) -> bool:
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return raw[col - 1 : col] in ("'", '"')

    def _value_at(self, path: Path_) -> Any:
        value = self.data
        try:
            for part in path:
                value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
        return value


def decode(raw: bytes, src_path: str, problems: list[Problem], *, max_bytes: int = MAX_BYTES) -> str | None:
    """UTF-8 text with a BOM removed and line ends normalised, or None after a problem."""
    if len(raw) > max_bytes:
        problems.append(
            Problem(src_path, 1, 1, "file-too-large",
                    f"file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(src_path, line, col, "encoding",
                    f"not UTF-8 (byte 0x{raw[exc.start]:02x})",
                    hint="save the file as UTF-8")
        )
        return None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, src_path: str, problems: list[Problem], *, max_bytes: int = MAX_BYTES) -> str | None:
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        problems.append(Problem(src_path, None, None, "encoding", f"cannot read file: {exc.strerror}"))
        return None
    if len(raw) > max_bytes:
        size = path.stat().st_size
        problems.append(
            Problem(src_path, 1, 1, "file-too-large",
                    f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")
        )
        return None
    return decode(raw, src_path, problems, max_bytes=max_bytes)


def parse_yaml(text: str, src_path: str, problems: list[Problem]) -> YamlDoc | None:
    """Parse one YAML document strictly; report problems and return None when it cannot be used."""
    odd = _INVISIBLE.search(text)
    if odd is not None:
        # PyYAML accepts these, but they reorder what the reader sees (bidi controls) or start a
        # new line that editors do not show, so every later position would be wrong.
        before = text[: odd.start()]
        line, col = before.count("\n") + 1, odd.start() - (before.rfind("\n") + 1) + 1
        name = unicodedata.name(odd.group(), "NEXT LINE")  # U+0085 has no name in unicodedata
        problems.append(Problem(src_path, line, col, "encoding",
                                f"invisible character U+{ord(odd.group()):04X} ({name}) is not allowed",
                                hint="delete it and retype the text around it"))
        return None
    node = _fast_node(text)
    loader: _Loader | None = None
    try:
        if node is None:
            loader = _Loader(text)
            node = loader.get_single_node()
    except _AliasFound as exc:
        problems.append(Problem(src_path, exc.mark.line + 1, exc.mark.column + 1, "yaml-alias",
                                "aliases (*name) are not allowed; write the value out"))
        return None
    except _TagFound as exc:
        problems.append(Problem(src_path, exc.mark.line + 1, exc.mark.column + 1, "yaml-tag",
                                f"explicit tag '{_tag_as_written(exc.tag)}' is not allowed; "
                                "remove it (put text in quotes instead)"))
        return None
    except _TooDeep as exc:
        problems.append(Problem(src_path, exc.mark.line + 1, exc.mark.column + 1, "yaml-too-deep",
                                f"nested more than {MAX_DEPTH} levels deep"))
        return None
    except ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problems.append(Problem(src_path, line, col, "encoding",
                                f"control character U+{char:04X} is not allowed in YAML text"))
        return None
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.problem and "expected a single document" in (exc.context or ""):
            problems.append(Problem(src_path, _l(mark), _c(mark), "yaml-multiple-documents",
                                    "a content file must hold one YAML document (remove the second '---')"))
        else:
            problems.append(Problem(src_path, _l(mark), _c(mark), "yaml-syntax", _yaml_message(exc),
                                    hint=_yaml_hint(exc)))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.append(Problem(src_path, _l(mark), _c(mark), "yaml-syntax", _yaml_message(exc),
                                    hint=_yaml_hint(exc)))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors in practice
        problems.append(Problem(src_path, 1, 1, "yaml-syntax", str(exc)))
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        problems.append(Problem(src_path, 1, 1, "empty-file", "the file is empty"))
        return None
    builder = _Builder(src_path)
    data = builder.build(node, ())
    problems.extend(builder.problems)
    if builder.problems:
        return None
    return YamlDoc(src_path, data, tuple(text.split("\n")), builder.value_marks,
                   builder.key_marks, frozenset(builder.block_scalars))


def _l(mark: yaml.Mark | None) -> int:
    return mark.line + 1 if mark else 1


def _c(mark: yaml.Mark | None) -> int:
    return mark.column + 1 if mark else 1


_SYNTAX_HINTS = (
    ("expected <block end>", "check the indentation of this line against the lines above"),
    ("mapping values are not allowed here", "put text that contains ': ' in quotes"),
    ("that cannot start any token", "indent with spaces, not tabs; quote text starting with @ or `"),
    ("could not find expected ':'", "a key must be followed by ': '"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
)


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str | None:
    problem = exc.problem or ""
    return next((hint for key, hint in _SYNTAX_HINTS if key in problem), None)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    context = exc.context
    if context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        # The error is reported where PyYAML noticed it; say where the unfinished thing began.
        context += f" started on line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
    parts = [p for p in (context, exc.problem) if p]
    return "; ".join(parts) or "invalid YAML"


class _Builder:
    """Turns composed nodes into plain data, recording marks and refusing what we do not allow."""

    def __init__(self, src_path: str) -> None:
        self.src_path = src_path
        self.problems: list[Problem] = []
        self.value_marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}
        self.block_scalars: set[Path_] = set()

    def _problem(self, node: Node, code: str, message: str) -> None:
        self.problems.append(Problem(self.src_path, node.start_mark.line + 1,
                                     node.start_mark.column + 1, code, message))

    def build(self, node: Node, path: Path_) -> Any:
        self.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                self._problem(node, "yaml-tag", f"tag {node.tag!r} is not allowed")
                return None
            result: dict[str, Any] = {}
            first_seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag not in (_STR, _INT, _BOOL, _NULL, _FLOAT):
                    self._problem(key_node, "yaml-syntax", "a key must be plain text")
                    continue
                key = self._text(key_node)
                if key in first_seen:
                    self._problem(key_node, "yaml-duplicate-key",
                                  f"duplicate key '{key}' (first defined on line {first_seen[key]})")
                    continue
                first_seen[key] = key_node.start_mark.line + 1
                self.key_marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self._problem(node, "yaml-tag", f"tag {node.tag!r} is not allowed")
                return None
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.style in ("|", ">"):
            self.block_scalars.add(path)
        return self._scalar(node)

    def _text(self, node: ScalarNode) -> str:
        """The scalar's text; `"\\ud83d\\ude00"` escapes (UTF-16 surrogates) joined into one character."""
        value: str = node.value
        if not _SURROGATE.search(value):
            return value
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            self._problem(node, "encoding", "the text holds a lone UTF-16 surrogate escape (\\uD800-\\uDFFF)"
                          "; type the character itself")
            return ""

    def _scalar(self, node: ScalarNode) -> Any:
        value = self._text(node)
        if node.tag == _STR:
            return value
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            return value.lower() == "true"
        if node.tag == _INT:
            try:
                return int(value, 10)
            except ValueError:
                self._problem(node, "yaml-syntax", f"'{value}' is not a decimal integer")
                return None
        if node.tag == _FLOAT:
            try:
                return float(value)
            except ValueError:
                self._problem(node, "yaml-syntax", f"'{value}' is not a decimal number")
                return None
        self._problem(node, "yaml-tag", f"tag {node.tag!r} is not allowed")
        return None
