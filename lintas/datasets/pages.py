"""Dataset pages: the catalogue (data/index.md) and one landing page per dataset, per language.

Structured parts are rendered from templates/datasets/ and embedded as raw HTML; links between
pages stay Markdown links to index.md (MkDocs rewrites them), links to files use urls.relative.
The chart is an SVG drawn here at build time, no JavaScript.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..content.model import Site
from ..i18n import format_date, format_number, lang_prefix
from ..publish.api import INDEX_PATH, OPENAPI_PATH
from ..publish.feeds import feed_path
from ..publish.geojson import PLACES_PATH
from ..site.pages import Page
from ..urls import absolute, relative
from .catalog import file_format, schema_org
from .definition import TOTAL, Dataset
from .disclosure import FLAG, rule_text
from .outputs import LICENCE_URL, citation, columns
from .publish import build, changelog, publish_datasets

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PREVIEW_ROWS = 10
DATA_CSS = "assets/data.css"  # the tables and chart of dataset pages (templates/assets/data.css)

UI: dict[str, dict[str, str]] = {
    "id": {
        "catalogue": "Data terbuka", "coverage": "Cakupan waktu", "places": "Wilayah",
        "frequency": "Pembaruan", "version": "Versi", "publisher": "Penerbit", "contact": "Kontak",
        "licence": "Lisensi", "downloads": "Unduh", "preview": "Pratinjau", "chart": "Grafik",
        "dictionary": "Kamus data", "disclosure": "Kerahasiaan: kontrol pengungkapan",
        "cite": "Cara mengutip", "versions": "Riwayat versi", "method": "Metodologi dan sumber",
        "date": "Tanggal", "notes": "Catatan", "files": "Berkas", "not_frozen": "belum dibekukan",
        "suppressed": "dirahasiakan (kontrol pengungkapan)", "column": "Kolom", "type": "Tipe",
        "meaning": "Arti", "synthetic_title": "DATA SINTETIS.",
        "synthetic_text": "Angka-angka ini dibuat untuk demonstrasi dan BUKAN statistik resmi. "
                          "Jangan dikutip sebagai data keimigrasian.",
        "synthetic_badge": "sintetis", "by_theme": "Menurut tema", "by_place": "Menurut wilayah",
        "filters": "Saring katalog", "bulk": "Unduh semua dan metadata katalog",
        "preview_caption": "{n} baris pertama dari {total}", "changelog": "Riwayat dalam JSON",
        "all_datasets": "Semua dataset", "intro": "Data agregat tentang perlintasan, paspor, dan "
        "orang asing di perbatasan NTT dan Maluku. Setiap dataset bisa diunduh sebagai CSV, Excel, "
        "JSON, dan Data Package, dengan versi yang tidak pernah berubah.",
        "back": "Kembali ke katalog data", "chart_caption": "{measure} menurut {x}",
        "zip": "Semua data (ZIP)", "note": "Catatan", "sources": "Sumber",
        "machine": "API dan data untuk mesin",
        "machine_intro": "Semua isi situs ini juga terbit sebagai berkas JSON statis, dalam dua "
                         "bahasa: tanpa kunci, tanpa batas permintaan. Di versi v1 hanya ada "
                         "penambahan, tidak ada yang diubah atau dihapus.",
        "api_index": "Indeks API v1 (JSON): semua jenis dan dokumen",
        "openapi": "Deskripsi OpenAPI 3.1 semua endpoint",
        "geojson": "GeoJSON pos lintas batas dan kantor yang punya koordinat",
        "feed_notices": "Umpan Atom pengumuman", "feed_agreements": "Umpan Atom perjanjian",
        "feed_releases": "Umpan Atom rilis dataset",
    },
    "en": {
        "catalogue": "Open data", "coverage": "Period covered", "places": "Places",
        "frequency": "Updated", "version": "Version", "publisher": "Publisher", "contact": "Contact",
        "licence": "Licence", "downloads": "Download", "preview": "Preview", "chart": "Chart",
        "dictionary": "Data dictionary", "disclosure": "Confidentiality: disclosure control",
        "cite": "How to cite", "versions": "Version history", "method": "Method and sources",
        "date": "Date", "notes": "Notes", "files": "Files", "not_frozen": "not frozen yet",
        "suppressed": "confidential (disclosure control)", "column": "Column", "type": "Type",
        "meaning": "Meaning", "synthetic_title": "SYNTHETIC DATA.",
        "synthetic_text": "These figures were generated for demonstration and are NOT official "
                          "statistics. Do not quote them as immigration data.",
        "synthetic_badge": "synthetic", "by_theme": "By theme", "by_place": "By place",
        "filters": "Filter the catalogue", "bulk": "Download everything and catalogue metadata",
        "preview_caption": "First {n} of {total} rows", "changelog": "History as JSON",
        "all_datasets": "All datasets", "intro": "Aggregate data on crossings, passports and "
        "foreign nationals at the NTT and Maluku borders. Every dataset can be downloaded as CSV, "
        "Excel, JSON and Data Package, in versions that never change.",
        "back": "Back to the data catalogue", "chart_caption": "{measure} by {x}",
        "zip": "All data (ZIP)", "note": "Note", "sources": "Sources",
        "machine": "API and machine-readable data",
        "machine_intro": "Everything on this site is also published as static JSON files, in both "
                         "languages: no key, no rate limit. Within v1 changes are only additive: "
                         "nothing is renamed or removed.",
        "api_index": "API v1 index (JSON): every kind and document",
        "openapi": "OpenAPI 3.1 description of every endpoint",
        "geojson": "GeoJSON of the border posts and offices that have coordinates",
        "feed_notices": "Atom feed of notices", "feed_agreements": "Atom feed of agreements",
        "feed_releases": "Atom feed of dataset releases",
    },
}
THEMES = {
    "crossings": {"id": "Perlintasan", "en": "Border crossings"},
    "passports": {"id": "Paspor", "en": "Passports"},
    "foreign-nationals": {"id": "Orang asing", "en": "Foreign nationals"},
}
FREQUENCY = {
    "daily": ("harian", "daily"), "weekly": ("mingguan", "weekly"), "monthly": ("bulanan", "monthly"),
    "quarterly": ("triwulanan", "quarterly"), "annual": ("tahunan", "annual"),
    "irregular": ("tidak tetap", "irregular"), "never": ("tidak diperbarui", "not updated"),
}
FORMAT_NOTES = {
    ".excel.csv": ("untuk Excel (UTF-8 dengan BOM)", "for Excel (UTF-8 with BOM)"),
    "datapackage.json": ("metadata dan skema tabel", "metadata and table schema"),
}


@lru_cache(maxsize=4)
def _env(templates_dir: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=select_autoescape(
        ["html", "svg"]), trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def _render(templates_dir: Path, name: str, **ctx: Any) -> str:
    return _env(templates_dir).get_template(f"datasets/{name}").render(**ctx).strip()


def theme_label(theme: str, lang: str) -> str:
    return THEMES.get(theme, {}).get(lang, theme.replace("-", " ").capitalize())


def human_size(n: int, lang: str) -> str:
    if n < 1024:
        return f"{n} B"
    kb = n / 1024
    text = f"{kb:.1f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"
    return text.replace(".", ",") if lang == "id" else text


def _code_label(ds: Dataset, dim_index: int, code: str, lang: str) -> str:
    dim = ds.definition.dimensions[dim_index]
    if code == TOTAL:
        return "Jumlah" if lang == "id" else "Total"
    for c in dim.codes:
        if c.code == code:
            return c.label.get(lang)
    return code


CHART_WIDTH = 320  # viewBox units: about 1:1 on a phone, so its 13-unit text is 11.7 px or more at 320 px
CHART_LINE = 16  # height of a label line
CHART_BAR = 15
CHART_CHARS = 36  # characters of a label line before it wraps (13-unit text, 320 units wide)


def chart_svg(ds: Dataset, protected: Any, lang: str, templates_dir: Path = TEMPLATES) -> str:
    """A horizontal bar chart: each bar under its full label (wrapped over lines, never shortened
    to a code), the value at the end of the bar; the same labels and values in its <desc>."""
    d = ds.definition
    if d.chart is None:
        return ""
    names = [dim.name for dim in d.dimensions]
    xi = names.index(d.chart.x)
    keys = [tuple(code if i == xi else d.chart.where.get(name, protected.table.codes[i][0])
                  for i, name in enumerate(names))
            for code in protected.table.codes[xi]]
    values = [protected.published.get(k) for k in keys]
    top = max([v for v in values if v is not None] or [1]) or 1
    room = CHART_WIDTH - 64  # the longest bar leaves room for its value
    bars: list[dict[str, Any]] = []
    y = 0
    for key, value in zip(keys, values, strict=True):
        label = _code_label(ds, xi, key[xi], lang)
        lines = textwrap.wrap(label, CHART_CHARS) or [label]
        y += CHART_LINE * len(lines)
        w = 0 if value is None else max(1.0, room * value / top)
        bars.append({"lines": lines, "label": label, "line_y": y - CHART_LINE * len(lines) + 13,
                     "y": y + 3, "w": round(w, 1), "h": CHART_BAR, "value": value,
                     "value_x": round(w + 4, 1), "value_y": y + 3 + 12,
                     "label_value": "" if value is None else format_number(value, lang)})
        y += 3 + CHART_BAR + 10
    measure = d.measure.title.get(lang)
    x_title = d.dimensions[xi].title.get(lang).lower()
    fixed = ", ".join(f"{d.dimensions[i].title.get(lang)}: {_code_label(ds, i, key, lang)}"
                      for i, key in enumerate(keys[0]) if i != xi) if keys else ""
    desc = "; ".join(f"{b['label']}: {b['label_value'] or FLAG}" for b in bars)
    caption = UI[lang]["chart_caption"].format(measure=measure, x=x_title) + (
        f" ({fixed})" if fixed else "")
    return _render(templates_dir, "chart.svg", id=f"chart-{ds.slug}", width=CHART_WIDTH,
                   height=max(y, 1), line_h=CHART_LINE, bars=bars, title=caption, desc=desc,
                   caption=caption, flag=FLAG)


def _cell(value: Any, kind: str, lang: str) -> dict[str, Any]:
    if kind == "measure":
        if value is None:
            return {"text": FLAG, "flag": True, "num": True}
        return {"text": format_number(value, lang), "num": True}
    text = "" if value is None else str(value)
    return {"text": text, "wrap": len(text) > 24}  # long text (a URL, a sentence) wraps in its cell


def dataset_page(ds: Dataset, site: Site, lang: str, templates_dir: Path = TEMPLATES) -> Page:
    built, _ = build(ds, site)
    d = ds.definition
    ui = UI[lang]
    here = f"{lang_prefix(lang)}data/{ds.slug}/"
    md: list[str] = [f'<link rel="stylesheet" href="{relative(here, lang_prefix(lang) + DATA_CSS)}">']
    md.append(_render(templates_dir,
        "dataset.html", ui=ui, synthetic=d.synthetic,
        start=format_date(d.temporal.start, lang), start_iso=d.temporal.start.isoformat(),
        end=format_date(d.temporal.end, lang), end_iso=d.temporal.end.isoformat(),
        places=[f"{ds.region_name(c, lang)} ({c})" for c in d.spatial],
        frequency=FREQUENCY[d.frequency][0 if lang == "id" else 1], version=d.version,
        released=format_date(d.releases[-1].date, lang),
        released_iso=d.releases[-1].date.isoformat(), publisher=d.publisher.get(lang),
        contact_name=d.contact.name.get(lang), contact_email=d.contact.email,
        licence_url=LICENCE_URL))
    md.append(d.description.get(lang))
    if d.note:
        md.append(f"**{ui['note']}:** {d.note.get(lang)}")
    if built is not None:
        downloads = []
        for name in ["{s}.csv", "{s}.xlsx", "{s}.excel.csv", "{s}.json", "datapackage.json"]:
            fname = name.format(s=ds.slug)
            note = next((v for k, v in FORMAT_NOTES.items() if fname.endswith(k)), None)
            downloads.append({"href": relative(here, f"data/{ds.slug}/{fname}"),
                              "label": ("Data Package" if fname == "datapackage.json" else
                                        file_format(fname)[2].split(" (")[0]
                                        + (" (Excel)" if fname.endswith(".excel.csv") else "")),
                              "size": human_size(len(built.files[fname]), lang),
                              "note": note[0 if lang == "id" else 1] if note else None})
        md += [f"## {ui['downloads']}", _render(templates_dir, "downloads.html", downloads=downloads)]
        chart = chart_svg(ds, built.protected, lang, templates_dir)
        if chart:
            md += [f"## {ui['chart']}", chart]
        cols = columns(d)
        from .outputs import rows as table_rows

        body = table_rows(ds, built.protected)
        preview = [[_cell(v, c.kind, lang) for v, c in zip(row, cols, strict=True)]
                   for row in body[:PREVIEW_ROWS]]
        md += [f"## {ui['preview']}", _render(templates_dir,
            "table.html", id=f"preview-{ds.slug}", ui=ui,
            header=[{"text": c.name, "num": c.kind == "measure"} for c in cols],
            rows=preview, caption=ui["preview_caption"].format(n=min(PREVIEW_ROWS, len(body)),
                                                              total=len(body)))]
        dictionary = [[{"text": c.name}, {"text": c.type},
                       {"text": c.description_id if lang == "id" else c.description_en, "wrap": True}]
                      for c in cols]
        md += [f"## {ui['dictionary']}", _render(templates_dir,
            "table.html", id=f"dictionary-{ds.slug}", ui=ui,
            header=[{"text": h} for h in (ui["column"], ui["type"], ui["meaning"])], rows=dictionary,
            caption=ui["dictionary"])]
    md += [f"## {ui['disclosure']}",
           rule_text(d.disclosure, lang)]
    if built is not None and built.protected.suppressed:
        n = len(built.protected.suppressed)
        md.append(f"{n} sel dirahasiakan dalam versi ini." if lang == "id"
                  else f"{n} cells are suppressed in this version.")
    page_url = absolute(site.settings.base_url, here)
    md += [f"## {ui['cite']}", f"> {citation(d, lang, page_url)}"]
    released = {f.version for f in built.releases} if built else set()
    versions = [{"version": r.version, "date": format_date(r.date, lang),
                 "date_iso": r.date.isoformat(), "notes": r.notes.get(lang),
                 "href": relative(here, f"data/{ds.slug}/v/{r.version}/datapackage.json")
                 if r.version in released else None,
                 "sums": relative(here, f"data/{ds.slug}/v/{r.version}/SHA256SUMS")}
                for r in reversed(d.releases)]
    md += [f"## {ui['versions']}", _render(templates_dir, "versions.html", ui=ui, versions=versions),
           f"[{ui['changelog']}]({relative(here, f'data/{ds.slug}/changelog.json')})"]
    md += [f"## {ui['method']}", d.methodology.get(lang), f"**{ui['sources']}:**", ""]
    for s in d.sources:
        text = s.title + f", {s.publisher}" + (f", {format_date(s.date, lang)}" if s.date else "")
        md.append(f"- [{text}]({s.url})" if s.url else f"- {text}")
    md += ["", f"[{ui['back']}](../index.md)"]
    sizes = {n: len(b) for n, b in built.files.items()} if built else {}
    title = d.title.get(lang)
    description = d.description.get(lang)
    meta = {"description": description[:300], "jsonld": schema_org(ds, site, lang, sizes),
            "kind": "dataset", "synthetic": d.synthetic,
            "alternate": [relative(here, f"data/{ds.slug}/datapackage.json")]}
    return Page(f"data/{ds.slug}/index.md", title, "\n\n".join(md) + "\n", meta)


def _entry(ds: Dataset, lang: str) -> str:
    badge = f" *({UI[lang]['synthetic_badge']})*" if ds.definition.synthetic else ""
    return f"- [{ds.title.get(lang)}]({ds.slug}/index.md){badge}"


def catalogue_page(datasets: Sequence[Dataset], site: Site, lang: str) -> Page:
    ui = UI[lang]
    here = f"{lang_prefix(lang)}data/"
    ordered = sorted(datasets, key=lambda d: d.title.get(lang).lower())
    themes = sorted({t for d in datasets for t in d.themes}, key=lambda t: theme_label(t, lang))
    places = sorted({c for d in datasets for c in d.spatial})
    md = [ui["intro"]]
    filters = " · ".join(f"[{theme_label(t, lang)}](#theme-{t})" for t in themes)
    place_links = " · ".join(
        f"[{datasets[0].region_name(c, lang)}](#place-{c})" for c in places) if datasets else ""
    md += [f"**{ui['filters']}:** {ui['by_theme']}: {filters} — {ui['by_place']}: {place_links}",
           f"## {ui['all_datasets']}", *[_entry(d, lang) for d in ordered]]
    md.append(f"## {ui['by_theme']}")
    for t in themes:
        md.append(f'<h3 id="theme-{t}">{theme_label(t, lang)}</h3>')
        md += [_entry(d, lang) for d in ordered if t in d.themes]
    md.append(f"## {ui['by_place']}")
    for c in places:
        md.append(f'<h3 id="place-{c}">{datasets[0].region_name(c, lang)} ({c})</h3>')
        md += [_entry(d, lang) for d in ordered if c in d.spatial]
    out, _ = publish_datasets(datasets, site, None)  # type: ignore[arg-type]
    bulk = [("data/lintas-data.zip", ui["zip"]), ("data/catalog.jsonld", "DCAT-AP 3 (JSON-LD)"),
            ("data/catalog.ttl", "DCAT-AP 3 (Turtle)"), ("data/data.json", "DCAT-US (data.json)")]
    md.append(f"## {ui['bulk']}")
    md += [f"- [{label}]({relative(here, path)}) ({human_size(len(out[path]), lang)})"
           for path, label in bulk if path in out]
    # Published by the API and feed stages of the same build; the link check proves they exist.
    machine = [(INDEX_PATH, ui["api_index"]), (OPENAPI_PATH, ui["openapi"]),
               (PLACES_PATH, ui["geojson"]),
               *[(feed_path(name, lang), ui[f"feed_{name}"]) for name in ("notices", "agreements", "releases")]]
    md += [f"## {ui['machine']}", ui["machine_intro"],
           *[f"- [{label}]({relative(here, path)})" for path, label in machine]]
    meta = {"description": ui["intro"][:300], "kind": "data-catalogue"}
    return Page("data/index.md", ui["catalogue"], "\n\n".join(md) + "\n", meta)


def dataset_pages(datasets: Sequence[Dataset], site: Site, lang: str,
                  templates_dir: Path = TEMPLATES) -> list[Page]:
    """The catalogue page and one page per dataset, for one language, from the project's
    templates (`templates_dir`; the package's own by default)."""
    pages = [catalogue_page(datasets, site, lang)]
    pages += [dataset_page(ds, site, lang, templates_dir) for ds in sorted(datasets, key=lambda d: d.slug)]
    return pages


__all__ = ["changelog", "dataset_pages"]
