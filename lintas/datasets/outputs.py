"""The files of one dataset: CSV, Excel CSV, XLSX, JSON and datapackage.json.

Their bytes depend only on the definition and the input (no build date, no site address), so a
released version can be rebuilt byte for byte and compared with its frozen copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from ..content.schemas import Text
from .definition import TOTAL, Dataset, DatasetDefinition, Release
from .disclosure import FLAG, Protected, rule_text

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_TITLE = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
JSON_SHAPE = "lintas.dataset/1"
_RISKY = ("=", "+", "-", "@", "\t", "\r")


SYNTHETIC_LABEL = ("DATA SINTETIS untuk demonstrasi, bukan statistik resmi — jangan dikutip / "
                   "SYNTHETIC demonstration data, not official statistics — do not quote")


def csv_name(slug: str, synthetic: bool, excel: bool = False) -> str:
    """The CSV files of a synthetic dataset say so in their names (a CSV has no place for a
    label that every reader keeps)."""
    stem = f"{slug}-SINTETIS-SYNTHETIC" if synthetic else slug
    return f"{stem}.excel.csv" if excel else f"{stem}.csv"


def file_names(slug: str, synthetic: bool) -> list[str]:
    """The files of a version, in the order the download list shows them."""
    return [csv_name(slug, synthetic), f"{slug}.xlsx", csv_name(slug, synthetic, excel=True),
            f"{slug}.json", "datapackage.json"]


def neutralise(text: str) -> str:
    """Stop spreadsheets from reading a text cell as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(_RISKY) else text


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # 'dimension' | 'measure' | 'flag' | 'attribute'
    type: str  # Table Schema type
    title_id: str
    title_en: str
    description_id: str
    description_en: str


def zero_rule(d: DatasetDefinition) -> dict[str, Any]:
    """The zero rule as data (what the audit assumes of a hidden cell), for JSON and datapackage."""
    if not d.disclosure.counts_people:
        return {}
    return {"zeros": d.disclosure.zeros,
            "hidden_cell_minimum": 1 if d.disclosure.zeros == "published" else 0,
            "structural_zeros": [dict(c) for c in d.disclosure.structural_zeros]}


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def columns(d: DatasetDefinition) -> list[Column]:
    out = []
    for dim in d.dimensions:
        typ = "string"
        if not dim.total and dim.derive == "month":
            typ = "yearmonth"
        codes = ", ".join(f"{c.code} = {c.label.id}" for c in dim.codes)
        desc_id = _sentence(dim.description.id if dim.description else dim.title.id) + (
            f" Kode: {codes}." if codes else "") + (" '_T' = jumlah semua." if dim.total else "")
        codes_en = ", ".join(f"{c.code} = {c.label.get('en')}" for c in dim.codes)
        desc_en = _sentence(dim.description.get("en") if dim.description else dim.title.get("en")) + (
            f" Codes: {codes_en}." if codes_en else "") + (" '_T' = total of all." if dim.total else "")
        out.append(Column(dim.name, "dimension", typ, dim.title.id, dim.title.get("en"), desc_id, desc_en))
    m = d.measure
    out.append(Column(
        m.name, "measure", "integer", m.title.id, m.title.get("en"),
        _sentence(m.description.id if m.description else m.title.id) + f" Satuan: {m.unit.id}. Kosong bila "
        f"dirahasiakan (lihat {m.name}_flag).",
        _sentence(m.description.get("en") if m.description else m.title.get("en")) + f" Unit: "
        f"{m.unit.get('en')}. Empty when suppressed (see {m.name}_flag)."))
    out.append(Column(f"{m.name}_flag", "flag", "string", "Tanda", "Flag",
                      f"'{FLAG}' = dirahasiakan (kontrol pengungkapan); kosong = diterbitkan.",
                      f"'{FLAG}' = confidential (disclosure control); empty = published."))
    if d.attribute:
        col = next(c for c in d.input.columns if c.name == d.attribute)
        text = col.description if isinstance(col.description, Text) else None  # a bare text is refused at load
        text_id = text.id if text else d.attribute
        text_en = text.get("en") if text else d.attribute
        out.append(Column(d.attribute, "attribute", "string", d.attribute, d.attribute, text_id, text_en))
    return out


def rows(ds: Dataset, protected: Protected) -> list[list[str | int | None]]:
    """Published rows in stable order; None for a suppressed count."""
    out: list[list[str | int | None]] = []
    table = protected.table
    for key in table.ordered():
        value = protected.published[key]
        row: list[str | int | None] = [*key, value, FLAG if value is None else ""]
        if ds.definition.attribute:
            row.append(table.attrs.get(key, "") if TOTAL not in key else "")
        out.append(row)
    return out


def _csv(header: list[str], body: list[list[str | int | None]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow(["" if v is None else (neutralise(v) if isinstance(v, str) else v) for v in row])
    return buf.getvalue().encode("utf-8")


def _release_datetime(d: DatasetDefinition) -> dt.datetime:
    return dt.datetime.combine(d.releases[-1].date, dt.time(0, 0), tzinfo=dt.UTC)


def citation(d: DatasetDefinition, lang: str, url: str | None = None,
             release: Release | None = None) -> str:
    """'Publisher (year). Title (version v) [Data set]. URL', of the current version or `release`;
    a synthetic dataset says so once (its title carries the marker, or it is added here)."""
    note = release or d.releases[-1]
    title = d.title.get(lang)
    text = (f"{d.publisher.get(lang)} ({note.date.year}). {title} "
            f"({'versi' if lang == 'id' else 'version'} {note.version}) [Data set]")
    if d.synthetic and synthetic_marker(lang) not in title:
        text += f" {synthetic_marker(lang)}"
    text += "."
    if url:
        text += f" {url}"
    return text


def synthetic_marker(lang: str) -> str:
    return "[SINTETIS]" if lang == "id" else "[SYNTHETIC]"


def metadata_pairs(ds: Dataset) -> list[tuple[str, str]]:
    """Label/value pairs for the Metadata sheet (Indonesian label / English label)."""
    d = ds.definition
    synthetic = ("YA — DATA SINTETIS untuk demonstrasi, bukan statistik resmi / YES — SYNTHETIC "
                 "demonstration data, not official statistics") if d.synthetic else "Tidak / No"
    return [
        ("Judul / Title", f"{d.title.id} / {d.title.get('en')}"),
        ("Sintetis / Synthetic", synthetic),
        ("Status", f"{status(d)['id']} / {status(d)['en']}"),
        ("Deskripsi", d.description.id),
        ("Description", d.description.get("en")),
        ("Versi / Version", d.version),
        ("Tanggal rilis / Release date", d.releases[-1].date.isoformat()),
        ("Cakupan waktu / Temporal coverage",
         f"{d.temporal.start.isoformat()}/{d.temporal.end.isoformat()}"),
        ("Wilayah / Regions", ", ".join(f"{ds.region_name(c, 'id')} / {ds.region_name(c, 'en')} "
                                        f"({c})" for c in d.spatial)),
        ("Penerbit / Publisher", d.publisher.id),
        ("Kontak / Contact", f"{d.contact.name.id} <{d.contact.email}>"),
        ("Lisensi / Licence", f"{LICENCE_TITLE} {LICENCE_URL}"),
        ("Metodologi", d.methodology.id),
        ("Methodology", d.methodology.get("en")),
        ("Kontrol pengungkapan", rule_text(d.disclosure, "id")),
        ("Disclosure control", rule_text(d.disclosure, "en")),
        ("Sitasi / Citation", citation(d, "id")),
        *[(f"Sumber / Source {i + 1}",
           f"{s.title}, {s.publisher}" + (f", {s.date.isoformat()}" if s.date else "")
           + (f", {s.url}" if s.url else "")) for i, s in enumerate(d.sources)],
        *[(f"Rilis / Release {r.version}", f"{r.date.isoformat()}: {r.notes.id} / {r.notes.get('en')}")
          for r in d.releases],
    ]


def _xlsx(ds: Dataset, cols: list[Column], body: list[list[str | int | None]]) -> bytes:
    d = ds.definition
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    created = _release_datetime(d).replace(tzinfo=None)
    wb.set_properties({"title": d.title.id, "author": d.publisher.id, "created": created,
                       "comments": "SYNTHETIC demonstration data" if d.synthetic else ""})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    data = wb.add_worksheet("Data")
    top = 0
    if d.synthetic:  # the first row says it, before any figure
        warn = wb.add_format({"bold": True, "font_color": "#8a3b12", "bg_color": "#fff4e5"})
        data.merge_range(0, 0, 0, len(cols) - 1, SYNTHETIC_LABEL, warn)
        top = 1
    for c, col in enumerate(cols):
        data.write_string(top, c, col.name, bold)
    for r, row in enumerate(body, start=top + 1):
        for c, (value, col) in enumerate(zip(row, cols, strict=True)):
            if value is None or value == "":
                data.write_blank(r, c, None)
            elif col.kind == "measure" and isinstance(value, int):
                data.write_number(r, c, value)
            else:
                data.write_string(r, c, neutralise(str(value)))  # codes stay text
    data.freeze_panes(top + 1, 0)
    data.set_column(0, len(cols) - 1, 16)
    dictionary = wb.add_worksheet("Kamus Data")
    head = ["Kolom / Column", "Tipe / Type", "Judul", "Title", "Definisi", "Definition"]
    for c, h in enumerate(head):
        dictionary.write_string(0, c, h, bold)
    for r, col in enumerate(cols, start=1):
        for c, v in enumerate([col.name, col.type, col.title_id, col.title_en,
                               col.description_id, col.description_en]):
            dictionary.write_string(r, c, neutralise(v), wrap)
    dictionary.set_column(0, 3, 18)
    dictionary.set_column(4, 5, 60)
    meta = wb.add_worksheet("Metadata")
    meta.write_string(0, 0, "Keterangan / Field", bold)
    meta.write_string(0, 1, "Isi / Value", bold)
    for r, (k, v) in enumerate(metadata_pairs(ds), start=1):
        meta.write_string(r, 0, k, wrap)
        meta.write_string(r, 1, neutralise(v), wrap)
    meta.set_column(0, 0, 30)
    meta.set_column(1, 1, 100)
    wb.close()
    return buf.getvalue()


def table_schema(ds: Dataset, protected: Protected) -> dict[str, Any]:
    d = ds.definition
    fields: list[dict[str, Any]] = []
    for col in columns(d):
        f: dict[str, Any] = {"name": col.name, "type": col.type, "title": col.title_en,
                             "description": col.description_en}
        if col.kind == "dimension":
            i = [x.name for x in d.dimensions].index(col.name)
            codes = list(protected.table.codes[i]) + ([TOTAL] if protected.table.totals[i] else [])
            f["constraints"] = {"required": True}
            if col.type == "string":
                f["constraints"]["enum"] = codes
        elif col.kind == "measure":
            f["constraints"] = {"minimum": 0}
            f["x-unit"] = d.measure.unit.get("en")
        elif col.kind == "flag":
            f["constraints"] = {"enum": [FLAG]}
        fields.append(f)
    return {"fields": fields, "missingValues": [""],
            "primaryKey": [dim.name for dim in d.dimensions]}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dumps(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def datapackage(ds: Dataset, protected: Protected, csv_bytes: bytes) -> dict[str, Any]:
    d = ds.definition
    desc = d.description.get("en")
    if d.synthetic and "SYNTHETIC" not in desc:  # said once, not twice
        desc = "SYNTHETIC demonstration data, not official statistics. " + desc
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": ds.slug,
        "id": f"urn:lintas:dataset:{ds.slug}:{d.version}",
        "title": d.title.get("en"),
        "description": desc,
        "version": d.version,
        "created": _release_datetime(d).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keywords": [k.get("en") for k in d.keywords],
        "licenses": [{"name": "CC-BY-4.0", "path": LICENCE_URL, "title": LICENCE_TITLE}],
        "sources": [{"title": f"{s.title} ({s.publisher})", **({"path": s.url} if s.url else {})}
                    for s in d.sources],
        "contributors": [
            {"title": d.publisher.get("en"), "roles": ["publisher"]},
            {"title": d.contact.name.get("en"), "email": d.contact.email, "roles": ["contact"]},
        ],
        "resources": [{
            "name": ds.slug,
            "type": "table",
            "path": csv_name(ds.slug, d.synthetic),
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(csv_bytes),
            "hash": f"sha256:{sha256(csv_bytes)}",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"",
                        "doubleQuote": True, "header": True},
            "schema": table_schema(ds, protected),
        }],
        "x-lintas": {
            "synthetic": d.synthetic,
            "disclosure": {"counts_people": d.disclosure.counts_people, "k": d.disclosure.k,
                           "rounding": d.disclosure.rounding, "flag": FLAG,
                           **zero_rule(d),
                           "rule": rule_text(d.disclosure, "en")},
            "temporal": {"start": d.temporal.start.isoformat(), "end": d.temporal.end.isoformat()},
            "spatial": list(d.spatial),
        },
    }


def status(d: DatasetDefinition) -> dict[str, Any]:
    """What kind of figures these are, in words (synthetic, quoted from reports, or official)."""
    if d.synthetic:
        kind, text_id, text_en = ("synthetic", "Data sintetis untuk demonstrasi, bukan statistik resmi.",
                                  "Synthetic demonstration data, not official statistics.")
    elif d.official:
        kind, text_id, text_en = ("official", "Rilis data resmi dari produsennya.",
                                  "An official data release of its producer.")
    else:
        kind, text_id, text_en = ("reported", "Angka nyata yang dikutip dari sumber yang tercantum, "
                                  "bukan rilis data resmi.", "Real figures quoted from the sources "
                                  "listed, not an official data release.")
    return {"kind": kind, "id": text_id, "en": text_en}


def _field(d: DatasetDefinition, col: Column) -> dict[str, Any]:
    """A published column with its titles, definition and the label of every code."""
    out: dict[str, Any] = {"name": col.name, "type": col.type,
                           "title": {"id": col.title_id, "en": col.title_en},
                           "description": {"id": col.description_id, "en": col.description_en}}
    if col.kind == "dimension":
        dim = next(x for x in d.dimensions if x.name == col.name)
        codes = [{"code": c.code, "label": {"id": c.label.id, "en": c.label.get("en")}}
                 for c in dim.codes]
        if dim.total:
            codes.append({"code": TOTAL, "label": {"id": "Jumlah semua", "en": "Total of all"}})
        if codes:
            out["codes"] = codes
    elif col.kind == "measure":
        out["unit"] = {"id": d.measure.unit.id, "en": d.measure.unit.get("en")}
    elif col.kind == "flag":
        out["codes"] = [{"code": FLAG, "label": {"id": "dirahasiakan (kontrol pengungkapan)",
                                                 "en": "confidential (disclosure control)"}}]
    return out


def labelled_rows(d: DatasetDefinition, header: Sequence[str],
                  body: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The JSON rows: each coded value followed by its label in both languages
    (`"regency": "5305", "regency_label": {"id": "Kabupaten Timor Tengah Utara", "en": ...}`).
    Periods (derived months, quarters, years) are their own label and get none."""
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for dim in d.dimensions:
        if dim.codes:
            labels[dim.name] = {c.code: {"id": c.label.id, "en": c.label.get("en")} for c in dim.codes}
            if dim.total:
                labels[dim.name][TOTAL] = {"id": "Jumlah semua", "en": "Total of all"}
    out = []
    for row in body:
        record: dict[str, Any] = {}
        for name, value in zip(header, row, strict=True):
            record[name] = value
            if name in labels:
                record[f"{name}_label"] = labels[name][value]
        out.append(record)
    return out


def dataset_files(ds: Dataset, protected: Protected) -> dict[str, bytes]:
    """File name (inside data/<slug>/) -> bytes, for the files that a release freezes."""
    d = ds.definition
    cols = columns(d)
    body = rows(ds, protected)
    header = [c.name for c in cols]
    csv_bytes = _csv(header, body)
    records = labelled_rows(d, header, body)
    doc = {
        "shape": JSON_SHAPE,
        "name": ds.slug,
        "version": d.version,
        "title": {"id": d.title.id, "en": d.title.get("en")},
        "synthetic": d.synthetic,
        "licence": {"name": "CC-BY-4.0", "url": LICENCE_URL},
        "citation": {"id": citation(d, "id"), "en": citation(d, "en")},
        "disclosure": {"k": d.disclosure.k, "rounding": d.disclosure.rounding, "flag": FLAG,
                       **zero_rule(d),
                       "rule": {"id": rule_text(d.disclosure, "id"),
                                "en": rule_text(d.disclosure, "en")}},
        "description": {"id": d.description.id, "en": d.description.get("en")},
        "status": status(d),
        "methodology": {"id": d.methodology.id, "en": d.methodology.get("en")},
        "sources": [{"title": s.title, "publisher": s.publisher,
                     "date": s.date.isoformat() if s.date else None, "url": s.url} for s in d.sources],
        "temporal": {"start": d.temporal.start.isoformat(), "end": d.temporal.end.isoformat()},
        "spatial": [{"code": c, "name": {"id": ds.region_name(c, "id"), "en": ds.region_name(c, "en")}}
                    for c in d.spatial],
        "unit": {"id": d.measure.unit.id, "en": d.measure.unit.get("en")},
        "fields": [_field(d, c) for c in cols],
        "rows": records,
    }
    files = {
        csv_name(ds.slug, d.synthetic): csv_bytes,
        csv_name(ds.slug, d.synthetic, excel=True): b"\xef\xbb\xbf" + csv_bytes,
        f"{ds.slug}.xlsx": _xlsx(ds, cols, body),
        f"{ds.slug}.json": _dumps(doc),
    }
    files["datapackage.json"] = _dumps(datapackage(ds, protected, csv_bytes))
    return files


def dumps(obj: Any) -> bytes:
    return _dumps(obj)


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """Zip with fixed timestamps and permissions, sorted entries: the same bytes every build."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=9)
    return buf.getvalue()
