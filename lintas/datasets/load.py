"""Load and check dataset definitions (data/<slug>.yaml), the region table and the input headers.

Same strict YAML and the same `path:line:col: error[code]` format as content. The header of each
input is read here in Python; then every row is checked by DuckDB in one streaming scan (rows.py),
so `check` reports a bad cell at its line and column. Counting happens when publishing.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path, PurePosixPath
from typing import Any

from ..content.hidden import alike
from ..content.load import check_id, inside, list_files
from ..content.validate import hidden_characters, unsafe_html
from ..content.yamlio import YamlDoc
from ..problems import Problem
from .complete import check_completeness
from .definition import PERIODS, Dataset, DatasetDefinition
from .regions import REGIONS_FILE, load_regions
from .releases import orphan_releases
from .releases import verify as verify_releases
from .rows import check_input_rows
from .source import parse_source, validate_model

_HEADER_MAX = 1 << 16
# Column names that usually identify a person; such a column must be declared `pii: true`.
_PII_NAME = re.compile(r"(^|_)(name|nama|passport|paspor|nik|nomor|birth|lahir|dob|address|alamat|"
                       r"phone|telepon|hp|email|note|notes|catatan|remarks|keterangan)(_|$)")


def _input_columns(path: Path, fmt: str, src: str, problems: list[Problem]) -> list[str] | None:
    if fmt == "parquet":
        import duckdb

        try:
            with duckdb.connect() as con:
                rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        except duckdb.Error as exc:
            problems.append(Problem(src, None, None, "csv-format", f"cannot read Parquet: {exc}"))
            return None
        return [r[0] for r in rows]
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEADER_MAX)
    except OSError as exc:
        problems.append(Problem(src, None, None, "csv-format", f"cannot read: {exc.strerror}"))
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(src, 1, 1, "encoding", "the file is UTF-16, not UTF-8",
                                hint="save it as UTF-8 ('CSV UTF-8' in spreadsheets)"))
        return None
    # The first line ends at LF, CRLF or a lone CR (old Mac files; DuckDB reads those too).
    first = re.split(rb"\r\n|\n|\r", head, maxsplit=1)[0]
    if len(first) == _HEADER_MAX:
        problems.append(Problem(src, 1, 1, "csv-header", f"the header is longer than {_HEADER_MAX:,} bytes"))
        return None
    try:
        text = first.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        problems.append(Problem(src, 1, exc.start + 1, "encoding",
                                f"the header is not UTF-8 (byte 0x{first[exc.start]:02x})",
                                hint="save the file as UTF-8 ('CSV UTF-8' in spreadsheets)"))
        return None
    if "\x00" in text:
        problems.append(Problem(src, 1, text.index("\x00") + 1, "encoding",
                                "the header holds NUL bytes (UTF-16 without a byte order mark?)",
                                hint="save the file as UTF-8 ('CSV UTF-8' in spreadsheets)"))
        return None
    try:
        return next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        problems.append(Problem(src, 1, None, "csv-format", f"the header cannot be read as CSV ({exc})"))
        return None


def _header_detail(header: list[str], declared: list[str]) -> tuple[str, str]:
    """What is wrong with a header that differs from the declared columns, and a hint."""
    first = next((i for i, (h, c) in enumerate(zip(header, declared, strict=False)) if h != c), None)
    hint = "declare every column of the file, in file order"
    if not header:
        return "the file is empty: its first line must be the header", hint
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if sep in header[0] and len(header[0].split(sep)) > 1:
                return (f"the header is separated by {name}, not commas",
                        "save the file as comma-separated values ('CSV UTF-8' in spreadsheets)")
    if [h.strip().lower() for h in header] == declared and first is not None:
        return (f"'{header[first]}' (column {first + 1}) should be '{declared[first]}': names differ "
                "in spaces or capital letters", hint)
    missing = [c for c in declared if c not in header]
    extra = [c for c in header if c not in declared]
    detail = "; ".join(x for x in (
        f"missing {', '.join(missing)}" if missing else "",
        f"not declared {', '.join(extra)}" if extra else "",
        "columns in another order" if not missing and not extra else "") if x)
    return detail, hint


def check_input(ds: DatasetDefinition, doc: YamlDoc, root: Path, src_path: str,
                problems: list[Problem]) -> str | None:
    """Problems with the input file and how the definition uses its columns; the input's src path."""
    d = ds.input
    where = doc.position(("input", "path"))
    rel = PurePosixPath(d.path)
    if rel.is_absolute() or ".." in rel.parts or "\\" in d.path:
        problems.append(Problem(src_path, *where, "unsafe-path",
                                f"input.path '{d.path}' must stay inside data/"))
        return None
    input_src = f"data/{rel.as_posix()}"
    path = root / input_src
    if not path.is_file() or not inside(path, root / "data"):
        problems.append(Problem(src_path, *where, "unknown-reference",
                                f"input.path: '{input_src}' does not exist inside data/"))
        return None
    if path.suffix.lstrip(".") != d.format:
        problems.append(Problem(src_path, *where, "bad-value",
                                f"input.path ends in '{path.suffix}' but input.format is {d.format}"))
    declared = [c.name for c in d.columns]
    header = _input_columns(path, d.format, input_src, problems)
    if header is not None and header != declared:
        detail, hint = _header_detail(header, declared)
        at = next((i for i, (h, c) in enumerate(zip(header, declared, strict=False)) if h != c),
                  min(len(header), len(declared))) + 1
        problems.append(Problem(input_src, 1, at, "csv-header",
                                f"header does not match {src_path} input.columns ({detail})", hint=hint))
    types = {c.name: c for c in d.columns}
    for i, col in enumerate(d.columns):
        if _PII_NAME.search(col.name) and not col.pii:
            problems.append(Problem(src_path, *doc.position(("input", "columns", i, "name")),
                                    "pii-column", f"column '{col.name}' looks identifying",
                                    hint="declare it with 'pii: true' (it then never reaches an output)"))

    def use(name: str | None, loc: tuple[Any, ...], want: tuple[str, ...]) -> None:
        if name is None:
            return
        pos = doc.position(loc)
        col = types.get(name)
        if col is None:
            problems.append(Problem(src_path, *pos, "unknown-reference",
                                    f"'{name}' is not an input column"))
        elif col.pii:
            problems.append(Problem(src_path, *pos, "pii-column",
                                    f"'{name}' is declared identifying (pii) and cannot be published"))
        elif col.type not in want:
            problems.append(Problem(src_path, *pos, "bad-type",
                                    f"input column '{name}' is {col.type}; this use needs {' or '.join(want)}"))

    for i, dim in enumerate(ds.dimensions):
        want = ("date",) if dim.derive in PERIODS else (
            ("string",) if dim.derive in ("office", "regency", "province") else ("string", "integer"))
        use(dim.source, ("dimensions", i, "source"), want)
    use(ds.measure.source, ("measure", "source"), ("integer",))
    use(ds.attribute, ("attribute",), ("string",))
    return input_src


def load_datasets(root: Path, today: dt.date) -> tuple[list[Dataset], list[Problem]]:
    """Every data/<slug>.yaml, validated, with its input checked (header, then every row)."""
    problems: list[Problem] = []
    folder = root / "data"
    if not folder.is_dir():
        return [], problems
    regions = load_regions(root, problems)
    codes = {r.code for r in regions.regions} if regions else set()
    orgs = root / "content" / "organisations"
    datasets = []
    for path in list_files_only(folder, root, problems):
        src_path = f"data/{path.name}"
        if path.name == REGIONS_FILE:
            continue
        if path.suffix != ".yaml":
            problems.append(Problem(src_path, None, None, "stray-file",
                                    "only .yaml dataset definitions are read in data/"))
            continue
        if not check_id(path.stem, src_path, problems):
            continue
        source = parse_source(path, src_path, problems)
        if source is None:
            continue
        doc = source.doc
        problems.extend(unsafe_html(DatasetDefinition, doc, src_path))
        problems.extend(hidden_characters(doc, src_path))
        definition = validate_model(DatasetDefinition, doc, src_path, problems)
        if definition is None:
            continue
        for i, dim in enumerate(definition.dimensions):
            # Hidden characters, NFKC, case and look-alike letters do not make a code different.
            for first, *others in alike(code.code for code in dim.codes):
                problems.extend(Problem(src_path, *doc.position(("dimensions", i, "codes", j, "code")),
                                        "duplicate-id", f"dimensions[{i}].codes[{j}].code: "
                                        f"'{dim.codes[j].code}' reads the same as '{dim.codes[first].code}'")
                                for j in others)

        def where(i: int, key: str, doc: YamlDoc = doc) -> tuple[int, int]:
            return doc.position(("releases", i, key))

        problems += verify_releases(root, path.stem, definition.releases, src_path, where)
        before = len(problems)
        for i, code in enumerate(definition.spatial):
            if regions and code not in codes:
                problems.append(Problem(src_path, *doc.position(("spatial", i)), "unknown-reference",
                                        f"region '{code}' is not in data/regions.yaml"))
        for i, org in enumerate(definition.producers):
            if not (orgs / f"{org}.yaml").is_file():
                problems.append(Problem(src_path, *doc.position(("producers", i)), "unknown-reference",
                                        f"no organisation '{org}' in content/organisations/"))
        for i, rel in enumerate(definition.releases):
            if rel.date > today:
                problems.append(Problem(src_path, *doc.position(("releases", i, "date")),
                                        "future-date", f"release {rel.version} is dated in the future"))
        if definition.chart:
            names = {d.name for d in definition.dimensions}
            problems.extend(Problem(src_path, *doc.position(("chart",)), "unknown-reference",
                                    f"chart: '{name}' is not a dimension")
                            for name in [definition.chart.x, *definition.chart.where]
                            if name not in names)
        input_src = check_input(definition, doc, root, src_path, problems)
        if input_src is None or len(problems) > before or regions is None:
            continue
        dataset = Dataset(path.stem, src_path, definition, root, input_src, regions)
        found = check_input_rows(dataset)
        if not found:
            found = check_completeness(dataset)
        if found:
            problems.extend(found)
            continue
        datasets.append(dataset)
    problems += orphan_releases(root)
    return datasets, problems


def list_files_only(folder: Path, root: Path, problems: list[Problem]) -> list[Path]:
    """Files directly in data/; its sub-folders (tables/) hold inputs and are not definitions."""
    found: list[Problem] = []
    files = list_files(folder, root, "data", found)
    problems.extend(p for p in found if p.code != "stray-file")  # sub-folders are fine here
    return files
