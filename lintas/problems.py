"""Problems found in sources: one record per problem, a catalogue of stable codes, formatting.

Every stage reports into a list of `Problem`s instead of raising, so one run shows every mistake
(the frictionless/Pelican habit). The text format is compiler-style so editors can jump to it:

    content/posts/motaain.yaml:7:13: error[unknown-field]: opening_hour: unknown field (...)
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# The catalogue: code -> what it means. Codes are stable; docs/errors.md lists every one
# (a test keeps the two in step).
CODES: dict[str, str] = {
    "encoding": "The file is not UTF-8 text.",
    "file-too-large": "The file is larger than the limit for its kind.",
    "empty-file": "The file holds nothing.",
    "yaml-syntax": "The YAML cannot be parsed.",
    "yaml-duplicate-key": "The same key appears twice in one mapping.",
    "yaml-alias": "Anchors and aliases (&name, *name) are not allowed.",
    "yaml-tag": "Explicit YAML tags (!!python/..., !custom) are not allowed.",
    "yaml-too-deep": "The YAML nests deeper than the limit.",
    "yaml-multiple-documents": "A file must hold exactly one YAML document.",
    "not-a-mapping": "The file (or a field) must be a mapping of field names to values.",
    "bad-id": "The file name is not a valid id (lowercase letters, digits, hyphens).",
    "duplicate-id": "Two files of the same kind have the same id.",
    "missing-field": "A required field is missing.",
    "unknown-field": "A field that the schema does not know.",
    "bad-type": "A value has the wrong type (text, number, list, ...).",
    "bad-value": "A value is not one of the allowed values or has the wrong form.",
    "bad-date": "A date is not a real calendar date in YYYY-MM-DD form.",
    "bad-url": "A URL has a scheme that is not allowed, or is malformed.",
    "out-of-range": "A number is outside its allowed range.",
    "date-order": "Two dates are in the wrong order (e.g. valid_until before valid_from).",
    "future-date": "A date that must be in the past lies in the future.",
    "unknown-reference": "A reference names an entity that does not exist.",
    "hidden-character": "An invisible character (zero-width, soft hyphen, tag character, ...) in a text.",
    "markdown-limit": "Markdown nests too deep or packs too many markers to render cheaply.",
    "text-too-long": "A file's texts, or one name, title, term or code, are longer than the limit.",
    "unsafe-html": "Markdown turns into HTML that the allowlist does not allow (it would be removed).",
    "unknown-kind": "A folder in content/ that is not a known kind.",
    "stray-file": "A file in content/ or data/ that Lintas does not read.",
    "unsafe-path": "A path that leaves its folder, is a link outside the repository, or is reserved.",
    "flow-structure": "A travel-checker flow has a loop, a dead end or an unreachable node.",
    "unknown-rule": "A travel-checker flow names a rule function that does not exist.",
    "csv-format": "A CSV input cannot be read as declared.",
    "csv-header": "A CSV input's header does not match its dataset definition.",
    "csv-value": "A CSV cell holds a value of the wrong type.",
    "pii-column": "A column that identifies a person would reach a published output.",
    "pii-value": "A published output contains a passport- or NIK-like value.",
    "disclosure-audit": "A suppressed cell could be recovered from the published tables and releases.",
    "structural-zero": "A combination declared impossible (a structural zero) holds records.",
    "missing-cell": "A combination the dataset expects is missing from its counted input.",
    "total-mismatch": "A total quoted in the methodology differs from the data.",
    "release-changed": "A released dataset version would change, or its hash chain is broken.",
    "release-missing": "A file or a version of a released dataset is missing.",
    "offline-budget": "The pages every phone keeps for offline reading weigh more than the declared budget.",
    "output": "The site could not be written.",
    "template": "A template under templates/ has a syntax error or fails while rendering a page.",
    "api-schema": "A published API document does not match its own JSON Schema.",
    "mirror-source": "A source is a mirror of another site (e.g. a Wikipedia copy), not a source.",
    "uncited-source": "A source in the register is cited by no page (warning).",
    "uncited-fact": "A critical fact (hours, fees, documents, status, processing time, contact) cites no source.",
    "duplicated-fact": "A text repeats a clock time or fee that is a structured fact elsewhere (warning).",
    "review-overdue": "An entity's last review is older than its kind's review interval (warning).",
    "ui-string": "An interface string in lintas/site/ui.yaml lacks a language, differs in its {fields}, or is unused.",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place in one source file."""

    src_path: str
    line: int | None
    column: int | None
    code: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}")

    def format(self) -> str:
        """One line, always: control characters from file names or content are shown escaped, so a
        file cannot split a problem over two lines or print a problem line of its own."""
        where = _one_line(self.src_path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity.value}[{self.code}]: {_one_line(self.message)}"
        if self.hint:
            text += f" ({_one_line(self.hint)})"
        return text

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _one_line(text: str) -> str:
    """Control and line-separator characters as visible escapes ('\\n', '\\x1b', '\\u2028')."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _sort_key(p: Problem) -> tuple[str, int, int, str, str]:
    return (p.src_path, p.line or 0, p.column or 0, p.code, p.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file, line and column; exact duplicates removed."""
    return sorted(set(problems), key=_sort_key)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def format_text(problems: Iterable[Problem]) -> str:
    return "".join(p.format() + "\n" for p in sort_problems(problems))


def format_json(problems: Iterable[Problem]) -> str:
    items = sort_problems(problems)
    errors = sum(p.severity is Severity.ERROR for p in items)
    report = {
        "valid": errors == 0,
        "stats": {"errors": errors, "warnings": len(items) - errors},
        "problems": [p.to_dict() for p in items],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, if one is close enough."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class ContentError(Exception):
    """Raised by a stage that cannot go on; carries the problems to report."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
