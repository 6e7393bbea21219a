"""Dataset pages: the catalogue (data/index.md) and one landing page per dataset, per language.

Structured parts are rendered from templates/datasets/ and embedded as raw HTML; links between
pages stay Markdown links to index.md (MkDocs rewrites them), links to files use urls.relative.
The chart is an SVG drawn here at build time, no JavaScript.
"""

from __future__ import annotations

import datetime as dt
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
from .history import Version, current_frozen, version_files, versioned_url, versions
from .outputs import LICENCE_URL, citation, columns, file_names, status, synthetic_marker
from .publish import build, changelog, publish_datasets
from .releases import MANIFEST, SUMS, WITHDRAWN, Frozen

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PREVIEW_ROWS = 10

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
        "none": "tidak ada (versi pertama)", "previous": "Versi sebelumnya",
        "manifest_hash": "SHA-256 manifest.json (mata rantai riwayat)", "file": "Berkas",
        "withdrawn": "ditarik", "released": "dibekukan", "version_page": "halaman versi",
        "withdrawn_title": "Versi ini ditarik.",
        "withdrawn_text": "Berkas datanya tidak diterbitkan lagi. Checksum lamanya tetap tercantum "
                          "agar salinan yang sudah beredar dapat dikenali.",
        "reason": "Alasan", "verify": "Memeriksa keaslian",
        "verify_text": "Setiap manifest.json mencatat SHA-256 setiap berkas versinya dan SHA-256 "
                       "manifest versi sebelumnya; changelog.json dan katalog DCAT memuat rantai "
                       "itu. Cara memeriksanya dijelaskan di docs/data.md.",
        "back_dataset": "Kembali ke halaman dataset",
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
        "none": "none (first version)", "previous": "Previous version",
        "manifest_hash": "SHA-256 of manifest.json (link in the history chain)", "file": "File",
        "withdrawn": "withdrawn", "released": "frozen", "version_page": "version page",
        "withdrawn_title": "This version was withdrawn.",
        "withdrawn_text": "Its data files are no longer published. The old checksums stay listed "
                          "so that copies already in circulation can be recognised.",
        "reason": "Reason", "verify": "Verifying",
        "verify_text": "Each manifest.json records the SHA-256 of every file of its version and "
                       "the SHA-256 of the previous version's manifest; changelog.json and the DCAT "
                       "catalogue carry that chain. docs/data.md explains how to check it.",
        "back_dataset": "Back to the dataset page",
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


def _short(label: str, code: str) -> str:
    return label if len(label) <= 16 else code


def chart_svg(ds: Dataset, protected: Any, lang: str, templates_dir: Path = TEMPLATES) -> str:
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
    width, height, left, base = 640, 260, 10, 220
    slot = (width - left - 10) / max(len(keys), 1)
    bars: list[dict[str, Any]] = []
    for n, (key, value) in enumerate(zip(keys, values, strict=True)):
        w = slot * 0.7
        x = left + n * slot + (slot - w) / 2
        h = 0 if value is None else (base - 30) * value / top
        bars.append({"x": round(x, 1), "w": round(w, 1), "cx": round(x + w / 2, 1),
                     "y": round(base - h, 1), "h": round(h, 1), "value": value,
                     "label_value": "" if value is None else format_number(value, lang),
                     "label": _short(_code_label(ds, xi, key[xi], lang), key[xi])})
    measure = d.measure.title.get(lang)
    x_title = d.dimensions[xi].title.get(lang).lower()
    fixed = ", ".join(f"{d.dimensions[i].title.get(lang)}: {_code_label(ds, i, key, lang)}"
                      for i, key in enumerate(keys[0]) if i != xi) if keys else ""
    desc = "; ".join(f"{b['label']}: {b['label_value'] or FLAG}" for b in bars)
    caption = UI[lang]["chart_caption"].format(measure=measure, x=x_title) + (
        f" ({fixed})" if fixed else "")
    if d.synthetic:  # a chart copied on its own still says it
        caption = f"{UI[lang]['synthetic_title']} {caption}"
    return _render(templates_dir, "chart.svg", id=f"chart-{ds.slug}", width=width, height=height, left=left,
                   base=base, bars=bars, title=caption, desc=desc, caption=caption, flag=FLAG)


def _cell(value: Any, kind: str, lang: str) -> dict[str, Any]:
    if kind == "measure":
        if value is None:
            return {"text": FLAG, "flag": True, "num": True}
        return {"text": format_number(value, lang), "num": True}
    return {"text": "" if value is None else str(value)}


def dataset_page(ds: Dataset, site: Site, lang: str, templates_dir: Path = TEMPLATES) -> Page:
    built, _ = build(ds, site)
    d = ds.definition
    ui = UI[lang]
    here = f"{lang_prefix(lang)}data/{ds.slug}/"
    md: list[str] = []
    md.append(_render(templates_dir,
        "dataset.html", ui=ui, synthetic=d.synthetic,
        start=format_date(d.temporal.start, lang), start_iso=d.temporal.start.isoformat(),
        end=format_date(d.temporal.end, lang), end_iso=d.temporal.end.isoformat(),
        places=[f"{ds.region_name(c, lang)} ({c})" for c in d.spatial],
        frequency=FREQUENCY[d.frequency][0 if lang == "id" else 1], version=d.version,
        released=format_date(d.releases[-1].date, lang),
        released_iso=d.releases[-1].date.isoformat(), publisher=d.publisher.get(lang),
        contact_name=d.contact.name.get(lang), contact_email=d.contact.email,
        licence_url=LICENCE_URL,
        reported=None if d.synthetic or d.official else status(d)[lang]))
    md.append(d.description.get(lang))
    if d.note:
        md.append(f"**{ui['note']}:** {d.note.get(lang)}")
    if built is not None:
        downloads = []
        for fname in file_names(ds.slug, d.synthetic):
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
            "table.html", id=f"preview-{ds.slug}", ui=ui, header=[c.name for c in cols],
            rows=preview, caption=ui["preview_caption"].format(n=min(PREVIEW_ROWS, len(body)),
                                                              total=len(body)))]
        dictionary = [[{"text": c.name}, {"text": c.type},
                       {"text": c.description_id if lang == "id" else c.description_en}]
                      for c in cols]
        md += [f"## {ui['dictionary']}", _render(templates_dir,
            "table.html", id=f"dictionary-{ds.slug}", ui=ui,
            header=[ui["column"], ui["type"], ui["meaning"]], rows=dictionary,
            caption=ui["dictionary"])]
    md += [f"## {ui['disclosure']}",
           rule_text(d.disclosure, lang)]
    if built is not None and built.protected.suppressed:
        n = len(built.protected.suppressed)
        md.append(f"{n} sel dirahasiakan dalam versi ini." if lang == "id"
                  else f"{n} cells are suppressed in this version.")
    frozen = built.releases if built else []
    released = current_frozen(ds, frozen)
    page_url = absolute(site.settings.base_url, here)
    cite_url = (versioned_url(site.settings.base_url, ds.slug, released.version) if released
                else page_url)
    md += [f"## {ui['cite']}", f"> {citation(d, lang, cite_url)}"]
    md += [f"## {ui['versions']}", _render(templates_dir, "versions.html", ui=ui,
                                           versions=version_rows(ds, frozen, here, lang)),
           f"[{ui['changelog']}]({relative(here, f'data/{ds.slug}/changelog.json')})"]
    md += [f"## {ui['method']}", d.methodology.get(lang), f"**{ui['sources']}:**", ""]
    for s in d.sources:
        text = s.title + f", {s.publisher}" + (f", {format_date(s.date, lang)}" if s.date else "")
        md.append(f"- [{text}]({s.url})" if s.url else f"- {text}")
    md += ["", f"[{ui['back']}](../index.md)"]
    sizes = {n: len(b) for n, b in built.files.items()} if built else {}
    title = d.title.get(lang)
    description = d.description.get(lang)
    meta = {"description": description[:300], "jsonld": schema_org(ds, site, lang, sizes, cite_url),
            "kind": "dataset", "synthetic": d.synthetic,
            "alternate": [relative(here, f"data/{ds.slug}/datapackage.json")]}
    return Page(f"data/{ds.slug}/index.md", title, "\n\n".join(md) + "\n", meta)


def _file_label(name: str) -> str:
    if name == "datapackage.json":
        return "Data Package"
    if name.endswith(".excel.csv"):
        return "CSV (Excel)"
    if name in (MANIFEST, SUMS, WITHDRAWN):
        return name
    return file_format(name)[2]


def version_rows(ds: Dataset, frozen: Sequence[Frozen], here: str, lang: str) -> list[dict[str, Any]]:
    """The version history: every version with a link to each of its files and to its page."""
    rows = []
    for v in versions(ds, frozen):
        f = v.frozen
        folder = f"data/{ds.slug}/{v.folder}"
        rows.append({
            "version": v.version, "date": format_date(v.note.date, lang),
            "date_iso": v.note.date.isoformat(), "notes": v.note.notes.get(lang), "status": v.status,
            "page": relative(here, lang_prefix(lang) + folder) if f is not None else None,
            "files": [{"label": _file_label(n), "href": relative(here, folder + n)}
                      for n in version_files(f)] if f is not None else [],
            "withdrawn": f.withdrawn if f is not None else None,
        })
    return rows


def version_page(ds: Dataset, site: Site, v: Version, lang: str,
                 templates_dir: Path = TEMPLATES) -> Page:
    """data/<slug>/v/<version>/: what the version holds, its link in the chain, how to cite it;
    for a withdrawn version, the tombstone: when, why, and the old checksums."""
    f = v.frozen
    assert f is not None
    d = ds.definition
    ui = UI[lang]
    here = f"{lang_prefix(lang)}data/{ds.slug}/{v.folder}"
    url = versioned_url(site.settings.base_url, ds.slug, v.version)
    md: list[str] = []
    if f.withdrawn is not None:
        md.append(_render(templates_dir, "withdrawn.html", ui=ui,
                          date=format_date(dt.date.fromisoformat(f.withdrawn.date), lang),
                          date_iso=f.withdrawn.date, reason=f.withdrawn.reason))
    elif d.synthetic:
        md.append(f'<div class="lintas-synthetic-banner" role="note"><strong>{ui["synthetic_title"]}'
                  f'</strong> {ui["synthetic_text"]}</div>')
    previous = f"[{f.previous[0]}](../{f.previous[0]}/index.md)" if f.previous else ui["none"]
    md += [f"**{ui['date']}:** {format_date(v.note.date, lang)}",
           f"**{ui['notes']}:** {v.note.notes.get(lang)}",
           f"**{ui['previous']}:** {previous}",
           f"**{ui['manifest_hash']}:** `{f.digest}`"]
    rows = [[{"text": n}, {"text": format_number(size, lang), "num": True}, {"text": digest}]
            for n, (digest, size) in sorted(f.entries.items())]
    md += [f"## {ui['files']}", _render(templates_dir, "table.html", id=f"files-{ds.slug}-{v.version}",
                                        ui=ui, header=[ui["file"], "bytes", "SHA-256"], rows=rows,
                                        caption=ui["files"])]
    md += ["", *[f"- [{_file_label(n)}]({relative(here, f'data/{ds.slug}/{v.folder}{n}')})"
                 for n in version_files(f)], ""]
    if f.withdrawn is None:
        md += [f"## {ui['cite']}", f"> {citation(d, lang, url, v.note)}"]
    md += [f"## {ui['verify']}", ui["verify_text"],
           f"[{ui['back_dataset']}](../../index.md)"]
    title = f"{d.title.get(lang)} — {ui['version']} {v.version}" + (
        f" ({ui['withdrawn']})" if f.withdrawn else "")
    meta = {"description": f"{d.title.get(lang)}, {ui['version'].lower()} {v.version}"[:300],
            "kind": "dataset-version", "synthetic": d.synthetic}
    return Page(f"data/{ds.slug}/{v.folder}index.md", title, "\n\n".join(md) + "\n", meta)


def _entry(ds: Dataset, lang: str) -> str:
    title = ds.title.get(lang)
    # said once: no "(sintetis)" after a title that already starts with "[SINTETIS]"
    badge = (f" *({UI[lang]['synthetic_badge']})*" if ds.definition.synthetic
             and synthetic_marker(lang) not in title else "")
    return f"- [{title}]({ds.slug}/index.md){badge}"


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
    for ds in sorted(datasets, key=lambda d: d.slug):
        pages.append(dataset_page(ds, site, lang, templates_dir))
        built, _ = build(ds, site)
        pages += [version_page(ds, site, v, lang, templates_dir) for v in versions(ds, built.releases if built else [])
                  if v.frozen is not None]
    return pages


__all__ = ["changelog", "dataset_pages"]
