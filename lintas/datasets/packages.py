"""Per-region packages for local governments: every dataset filtered to one region.

For each region code that a dataset covers, `data/regions/<code>/` holds, per dataset with rows in
that region, its CSV (`<slug>.csv`, `<slug>-SINTETIS-SYNTHETIC.csv` for synthetic data) and `<slug>.xlsx` (the dataset's published rows whose place lies in the
region: the same figures and flags, no new total), a `datapackage.json` describing them, a
`README.txt` in Indonesian, and `<code>.zip` with all of these. A row's place comes from its
geographic dimension: a post or an organisation (office) by the region the content gives it, a
regency or province code as is. A dataset without such a dimension belongs whole to a region only
when it covers that region alone.

The region tables are row subsets of tables the joint disclosure audit has already protected
(`joint.py`), with identical published figures: they add no constraint an attacker did not have.
The independent attacker in the tests reads them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..content.model import Site
from .definition import TOTAL, Dataset
from .disclosure import Protected
from .outputs import _csv, _xlsx, columns, csv_name, dumps, rows, sha256, table_schema, zip_bytes


@dataclass(frozen=True)
class RegionPart:
    """One dataset's rows in one region."""

    ds: Dataset
    dim: int | None  # the geographic dimension filtered on (None: the dataset lies in the region)
    body: list[list[str | int | None]]


def place_regions(ds: Dataset, site: Site) -> tuple[int, dict[str, str]] | None:
    """The geographic dimension of `ds` and the region of each of its codes, if it has one."""
    posts = site.posts
    orgs = site.organisations
    known = {r.code for r in ds.regions.regions}
    for i, dim in enumerate(ds.definition.dimensions):
        mapping: dict[str, str] = {}
        for code in (c.code for c in dim.codes):
            region = None
            if dim.derive in ("regency", "province") or code in known:
                region = code
            elif code in posts:
                region = posts[code].region
            elif code in orgs:
                region = orgs[code].region
            if region:
                mapping[code] = region
        if dim.codes and len(mapping) == len(dim.codes):
            return i, mapping
    return None


def _inside(region: str, code: str) -> bool:
    return region == code or (len(code) == 2 and region[:2] == code)


def region_parts(datasets: Sequence[Dataset], site: Site,
                 protected: Mapping[str, Protected]) -> dict[str, list[RegionPart]]:
    """Region code -> the datasets' rows in it, for every region code any dataset covers."""
    codes = sorted({c for ds in datasets for c in ds.spatial})
    out: dict[str, list[RegionPart]] = {}
    for code in codes:
        parts = []
        for ds in sorted(datasets, key=lambda d: d.slug):
            if ds.slug not in protected or code not in ds.spatial:
                continue
            body = rows(ds, protected[ds.slug])
            found = place_regions(ds, site)
            if found is None:
                if ds.spatial == [code]:
                    parts.append(RegionPart(ds, None, body))
                continue
            i, mapping = found
            mine = [row for row in body if row[i] != TOTAL and _inside(mapping.get(str(row[i]), ""), code)]
            if mine:
                parts.append(RegionPart(ds, i, mine))
        if parts:
            out[code] = parts
    return out


def readme(code: str, name: str, parts: Sequence[RegionPart]) -> bytes:
    """README.txt of a region package, in Indonesian."""
    lines = [f"Paket data wilayah {name} ({code})", "",
             "Berkas dalam paket ini adalah baris dari set data Lintas yang tempatnya berada di "
             "wilayah ini: angka dan tanda kerahasiaan sama persis dengan tabel lengkapnya, tanpa "
             "jumlah baru. Sel kosong bertanda 'c' dirahasiakan (kontrol pengungkapan); aturan "
             "lengkapnya ada di halaman setiap set data.", "",
             "Isi:"]
    for part in parts:
        d = part.ds.definition
        lines.append(f"- {csv_name(part.ds.slug, d.synthetic)} / {part.ds.slug}.xlsx: {d.title.id} "
                     f"(versi {d.version}, {len(part.body)} baris)")
        if d.synthetic:
            lines.append("  DATA SINTETIS untuk demonstrasi, bukan statistik resmi.")
    lines += ["", "datapackage.json menjelaskan setiap kolom (Frictionless Data Package v2).",
              "Lisensi: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Sebutkan sumbernya "
              "seperti tertulis di halaman set data.", ""]
    return "\r\n".join(lines).encode("utf-8")




def region_files(code: str, name: str, parts: Sequence[RegionPart],
                 protected: Mapping[str, Protected]) -> dict[str, bytes]:
    """Site path -> bytes for one region package (files and the zip of them)."""
    files: dict[str, bytes] = {}
    resources = []
    for part in parts:
        ds = part.ds
        cols = columns(ds.definition)
        csv_bytes = _csv([c.name for c in cols], part.body)
        csv_file = csv_name(ds.slug, ds.definition.synthetic)  # `name` is the region's
        files[csv_file] = csv_bytes
        files[f"{ds.slug}.xlsx"] = _xlsx(ds, cols, part.body)
        resources.append({
            "name": ds.slug, "type": "table", "path": csv_file, "scheme": "file",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "title": ds.definition.title.get("en"), "version": ds.definition.version,
            "bytes": len(csv_bytes), "hash": f"sha256:{sha256(csv_bytes)}",
            "schema": table_schema(ds, protected[ds.slug]),
        })
    files["datapackage.json"] = dumps({
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": f"lintas-region-{code}",
        "title": f"Lintas datasets for {name} ({code})",
        "description": "Rows of the Lintas datasets whose place lies in this region; the same "
                       "figures and confidentiality flags as the full tables.",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    })
    files["README.txt"] = readme(code, name, parts)
    out = {f"data/regions/{code}/{n}": b for n, b in files.items()}
    out[f"data/regions/{code}/{code}.zip"] = zip_bytes(files)
    return out
