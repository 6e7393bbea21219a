"""Dataset pages: the catalogue (data/index.md) and one landing page per dataset, per language.

Structured parts are rendered from templates/datasets/ and embedded as raw HTML; links between
pages stay Markdown links to index.md (MkDocs rewrites them), links to files use urls.relative.
The chart is an SVG drawn here at build time, no JavaScript.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..content.model import Site
from ..escape import finalize, plain
from ..i18n import format_date, format_number, lang_prefix
from ..publish.api import INDEX_PATH, OPENAPI_PATH
from ..publish.feeds import feed_path
from ..publish.geojson import PLACES_PATH
from ..site.pages import Page
from ..site.template_cache import with_cache
from ..site.ui import section
from ..urls import absolute, relative
from .catalog import file_format, schema_org
from .definition import TOTAL, Dataset
from .disclosure import FLAG, rule_text
from .history import Version, current_frozen, version_files, versioned_url, versions
from .outputs import LICENCE_URL, citation, columns, csv_name, file_names, status, synthetic_marker
from .packages import region_parts
from .publish import build, changelog, publish_datasets
from .releases import MANIFEST, SUMS, WITHDRAWN, Frozen

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PREVIEW_ROWS = 10
DATA_CSS = "assets/data.css"  # the tables and chart of dataset pages (templates/assets/data.css)

UI = section("datasets")  # the strings of these pages, from lintas/site/ui.yaml


@lru_cache(maxsize=4)
def _env(templates_dir: Path) -> Environment:
    return with_cache(Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=select_autoescape(
        ["html", "svg"]), trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
        finalize=finalize))  # the parts land in Markdown: printed text is plain text


def _render(templates_dir: Path, name: str, **ctx: Any) -> str:
    return _env(templates_dir).get_template(f"datasets/{name}").render(**ctx).strip()


def theme_label(theme: str, lang: str) -> str:
    return str(UI[lang]["themes"].get(theme, theme.replace("-", " ").capitalize()))


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
    if d.synthetic:  # a chart copied on its own still says it
        caption = f"{UI[lang]['synthetic_title']} {caption}"
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
        frequency=UI[lang]["frequencies"][d.frequency], version=d.version,
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
            note = next((v for k, v in UI[lang]["format_notes"].items() if fname.endswith(k)), None)
            downloads.append({"href": relative(here, f"data/{ds.slug}/{fname}"),
                              "label": ("Data Package" if fname == "datapackage.json" else
                                        file_format(fname)[2].split(" (")[0]
                                        + (" (Excel)" if fname.endswith(".excel.csv") else "")),
                              "size": human_size(len(built.files[fname]), lang),
                              "note": note})
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
    frozen = built.releases if built else []
    released = current_frozen(ds, frozen)
    page_url = absolute(site.settings.base_url, here)
    cite_url = (versioned_url(site.settings.base_url, ds.slug, released.version) if released
                else page_url)
    md += [f"## {ui['cite']}", f"> {plain(citation(d, lang, cite_url))}"]
    md += [f"## {ui['versions']}", _render(templates_dir, "versions.html", ui=ui,
                                           versions=version_rows(ds, frozen, here, lang)),
           f"[{ui['changelog']}]({relative(here, f'data/{ds.slug}/changelog.json')})"]
    md += [f"## {ui['method']}", d.methodology.get(lang), f"**{ui['sources']}:**", ""]
    for s in d.sources:
        text = s.title + f", {s.publisher}" + (f", {format_date(s.date, lang)}" if s.date else "")
        md.append(f"- [{plain(text)}](<{s.url}>)" if s.url else f"- {plain(text)}")
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
    md: list[str] = [f'<link rel="stylesheet" href="{relative(here, lang_prefix(lang) + DATA_CSS)}">']
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
    return f"- [{plain(title)}]({ds.slug}/index.md){badge}"


def catalogue_page(datasets: Sequence[Dataset], site: Site, lang: str) -> Page:
    ui = UI[lang]
    here = f"{lang_prefix(lang)}data/"
    ordered = sorted(datasets, key=lambda d: d.title.get(lang).lower())
    themes = sorted({t for d in datasets for t in d.themes}, key=lambda t: theme_label(t, lang))
    places = sorted({c for d in datasets for c in d.spatial})
    md = [ui["intro"]]
    filters = " · ".join(f"[{plain(theme_label(t, lang))}](#theme-{t})" for t in themes)
    place_links = " · ".join(
        f"[{plain(datasets[0].region_name(c, lang))}](#place-{c})" for c in places) if datasets else ""
    md += [f"**{ui['filters']}:** {ui['by_theme']}: {filters} — {ui['by_place']}: {place_links}",
           f"## {ui['all_datasets']}", *[_entry(d, lang) for d in ordered]]
    md.append(f"## {ui['by_theme']}")
    for t in themes:
        md.append(f'<h3 id="theme-{t}">{plain(theme_label(t, lang))}</h3>')
        md += [_entry(d, lang) for d in ordered if t in d.themes]
    md.append(f"## {ui['by_place']}")
    for c in places:
        md.append(f'<h3 id="place-{c}">{plain(datasets[0].region_name(c, lang))} ({c})</h3>')
        md.append(f"[{UI[lang]['region_package']}: {plain(datasets[0].region_name(c, lang))}]"
                  f"(regions/{c}/index.md)")
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



def region_pages(datasets: Sequence[Dataset], site: Site, lang: str) -> list[Page]:
    """One page per region package (`data/regions/<code>/`), for one language."""
    ui = UI[lang]
    protected = {}
    for ds in datasets:
        built, _ = build(ds, site)
        if built is not None:
            protected[ds.slug] = built.protected
    pages = []
    for code, parts in region_parts(list(datasets), site, protected).items():
        name = parts[0].ds.region_name(code, lang)
        here = f"{lang_prefix(lang)}data/regions/{code}/"
        md = [ui["region_intro"].format(name=plain(name)),
              f"**[{ui['region_zip']}]({relative(here, f'data/regions/{code}/{code}.zip')})**", ""]
        for part in parts:
            ds = part.ds
            links = " · ".join(f"[{fmt}]({relative(here, f'data/regions/{code}/{name}')})"
                               for fmt, name in (("CSV", csv_name(ds.slug, ds.definition.synthetic)),
                                                 ("XLSX", f"{ds.slug}.xlsx")))
            md.append(f"- **{plain(ds.title.get(lang))}** ({ui['region_rows'].format(n=len(part.body))}): {links} "
                      f"· [{ui['region_full']}](../../{ds.slug}/index.md)")
        md += ["", f"[{ui['back']}](../../index.md)"]
        title = ui["region_title"].format(name=name, code=code)
        meta = {"description": ui["region_intro"].format(name=name)[:300], "kind": "data-region"}
        pages.append(Page(f"data/regions/{code}/index.md", title, "\n\n".join(md) + "\n", meta))
    return pages


def dataset_pages(datasets: Sequence[Dataset], site: Site, lang: str,
                  templates_dir: Path = TEMPLATES) -> list[Page]:
    """The catalogue page, one page per dataset and one per region package, for one language,
    from the project's templates (`templates_dir`; the package's own by default)."""
    pages = [catalogue_page(datasets, site, lang)]
    for ds in sorted(datasets, key=lambda d: d.slug):
        pages.append(dataset_page(ds, site, lang, templates_dir))
        built, _ = build(ds, site)
        pages += [version_page(ds, site, v, lang, templates_dir) for v in versions(ds, built.releases if built else [])
                  if v.frozen is not None]
    pages += region_pages(datasets, site, lang)
    return pages


__all__ = ["changelog", "dataset_pages"]
