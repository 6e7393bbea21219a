"""Open-data publisher: definitions, outputs, validators, PII, releases and pages, end to end."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import unrelease

from lintas.config import BuildConfig
from lintas.datasets import dataset_pages, load_datasets, publish_datasets
from lintas.datasets.outputs import file_names
from lintas.datasets.pii import scan
from lintas.pipeline import check, release_dataset

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT.parent / "shared" / "standards"
GOLDEN = Path(__file__).parent / "golden" / "datasets"
UPDATE = os.environ.get("LINTAS_UPDATE_GOLDEN") == "1"


def publish(root: Path):
    config = BuildConfig.for_root(root)
    site, problems = check(config)
    assert site is not None, problems
    datasets, problems = load_datasets(config.root, config.today)
    assert not problems, [p.format() for p in problems]
    out, problems = publish_datasets(datasets, site, config)
    return site, datasets, out, problems


@pytest.fixture(scope="module")
def built():
    site, datasets, out, problems = publish(ROOT)
    assert not problems, [p.format() for p in problems]
    return site, datasets, out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the project with its releases, to change freely."""
    for name in ("content", "data", "templates", "releases"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def problems_of(root: Path) -> list[str]:
    config = BuildConfig.for_root(root)
    site, problems = check(config)  # check() also loads data/ (the pipeline wires it)
    if site is None:
        return [p.format() for p in problems]
    datasets, found = load_datasets(config.root, config.today)
    if found:
        return [p.format() for p in found]
    _, found = publish_datasets(datasets, site, config)
    return [p.format() for p in found]


# ------------------------------------------------------------------ definitions and inputs


def test_sample_definitions_load_cleanly():
    datasets, problems = load_datasets(ROOT, BuildConfig.for_root(ROOT).today)
    assert problems == []
    slugs = {d.slug for d in datasets}
    assert {"crossings-monthly", "passport-applicants-atambua", "crossings-motaain-papal-visit",
            "crossings-wini-annual", "foreign-nationals-regency"} <= slugs
    for d in datasets:
        assert d.title.id and d.themes and d.spatial


def test_committed_inputs_are_small():
    total = sum(p.stat().st_size for p in (ROOT / "data").rglob("*") if p.is_file())
    assert total < 2_000_000


def test_synthetic_input_is_reproducible_from_its_generator(tmp_path: Path):
    from lintas.datasets.synthetic import write

    write(tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_bytes() == (ROOT / "data/tables/crossings-records.csv").read_bytes()


def test_bad_definition_reports_position_and_code(repo: Path):
    path = repo / "data" / "passport-applicants-atambua.yaml"
    text = path.read_text().replace("frequency: irregular", "frequency: irregular\ncolour: blue")
    path.write_text(text)
    line = text.splitlines().index("colour: blue") + 1
    problems = problems_of(repo)
    assert any(p.startswith(f"data/passport-applicants-atambua.yaml:{line}:1: error[unknown-field]: "
                            "colour: unknown field") for p in problems)


def test_header_mismatch_and_undeclared_identifying_column(repo: Path):
    csv_path = repo / "data/tables/passport-applicants-atambua.csv"
    lines = csv_path.read_text().splitlines()
    csv_path.write_text("\n".join([lines[0] + ",nama_pemohon"] + [x + ",x" for x in lines[1:]]) + "\n")
    problems = problems_of(repo)
    assert any("data/tables/passport-applicants-atambua.csv:1:5: error[csv-header]" in p
               and "not declared nama_pemohon" in p for p in problems)
    yaml_path = repo / "data/passport-applicants-atambua.yaml"
    yaml_path.write_text(yaml_path.read_text().replace(
        "    - {name: source_url, type: string, description: {id: Alamat tempat angka itu diterbitkan., "
        "en: Where the figure was published.}}",
        "    - {name: source_url, type: string, description: {id: Alamat tempat angka itu diterbitkan., "
        "en: Where the figure was published.}}\n"
        "    - {name: nama_pemohon, type: string}"))
    problems = problems_of(repo)
    assert any("error[pii-column]: column 'nama_pemohon' looks identifying" in p for p in problems)


def test_published_attribute_column_is_described_in_both_languages(repo: Path):
    """The attribute column (source_url) is shown in each language's data dictionary: a bare text
    would put English on the Indonesian page, so it is refused."""
    yaml_path = repo / "data/passport-applicants-atambua.yaml"
    text = yaml_path.read_text()
    bilingual = "description: {id: Alamat tempat angka itu diterbitkan., en: Where the figure was published.}}"
    assert bilingual in text
    yaml_path.write_text(text.replace(bilingual, "description: Where the figure was published.}"))
    problems = problems_of(repo)
    assert any("data/passport-applicants-atambua.yaml" in p and "error[bad-value]" in p
               and "'source_url' is published" in p for p in problems), problems


def test_pii_column_cannot_be_a_dimension(repo: Path):
    path = repo / "data/crossings-monthly.yaml"
    path.write_text(path.read_text().replace("    source: nationality_group", "    source: passport_no"))
    problems = problems_of(repo)
    assert any("data/crossings-monthly.yaml:" in p and "error[pii-column]: 'passport_no' is declared "
               "identifying" in p for p in problems)


def test_bad_value_in_input_is_reported_without_traceback(repo: Path):
    path = repo / "data/tables/crossings-wini-annual.csv"
    path.write_text(path.read_text().replace("9566", "lots"))
    problems = problems_of(repo)
    assert any(p.startswith("data/tables/crossings-wini-annual.csv:2:5: error[csv-value]: 'lots' in "
                            "column 'crossings' is not a plain whole number") for p in problems), problems


def test_undeclared_code_in_input_is_reported(repo: Path):
    path = repo / "data/tables/crossings-records.csv"
    text = path.read_text()
    path.write_text(text.replace(",plbn-wini,", ",plbn-napan,", 1))
    line = text[:text.index(",plbn-wini,")].count("\n") + 1
    problems = problems_of(repo)
    assert any(p.startswith(f"data/tables/crossings-records.csv:{line}:3: error[csv-value]: 'plbn-napan' "
                            "in column 'post' is not a declared code of dimension 'post'")
               for p in problems), problems


# ------------------------------------------------------------------ outputs


def test_stable_paths(built):
    _, datasets, out = built
    for ds in datasets:
        s = ds.slug
        for name in (*file_names(s, ds.definition.synthetic),
                     "changelog.json"):
            assert f"data/{s}/{name}" in out
    for path in ("data/catalog.jsonld", "data/catalog.ttl", "data/data.json", "data/lintas-data.zip"):
        assert path in out
    assert not any(p.endswith("index.html") for p in out)  # pages own those names


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"golden file {path} is missing; run with LINTAS_UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from its golden file"


@pytest.mark.parametrize("name", [
    "passport-applicants-atambua/passport-applicants-atambua.csv",
    "passport-applicants-atambua/datapackage.json",
    "foreign-nationals-regency/foreign-nationals-regency-SINTETIS-SYNTHETIC.csv",
    "crossings-motaain-papal-visit/crossings-motaain-papal-visit.json",
])
def test_golden_outputs(built, name):
    _golden(name, built[2][f"data/{name}"])


def test_real_figures_and_their_totals(built):
    rows = list(csv.DictReader(io.StringIO(built[2][
        "data/crossings-motaain-papal-visit/crossings-motaain-papal-visit.csv"].decode())))
    value = {(r["direction"], r["citizenship"]): r["crossings"] for r in rows}
    # Timex Kupang: 1,308 departures (640 WNI, 668 WNA), 1,516 arrivals (909 WNI, 607 WNA).
    assert value[("departure", "_T")] == "1308" and value[("arrival", "_T")] == "1516"
    assert value[("departure", "WNI")] == "640" and value[("arrival", "WNA")] == "607"
    assert all(r["source_url"].startswith("https://timexkupang") for r in rows if "_T" not in r.values())


def test_csv_forms(built):
    out = built[2]
    csv_bytes = out["data/crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.csv"]
    assert not csv_bytes.startswith(b"\xef\xbb\xbf")
    assert out["data/crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.excel.csv"] == b"\xef\xbb\xbf" + csv_bytes
    header = csv_bytes.split(b"\r\n", 1)[0].decode()
    assert header == "month,post,direction,nationality_group,crossings,crossings_flag"
    for name in ("full_name", "passport_no", "nik", "birth_date", "crossing_id"):
        assert name not in csv_bytes.decode()


def test_suppressed_cells_are_empty_and_flagged_never_zero(built):
    rows = list(csv.DictReader(io.StringIO(
        built[2]["data/crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.csv"].decode())))
    hidden = [r for r in rows if r["crossings_flag"] == "c"]
    assert hidden, "the synthetic table should need suppression"
    assert all(r["crossings"] == "" for r in hidden)
    assert all(r["crossings"] not in ("1", "2", "3", "4") for r in rows)
    doc = json.loads(built[2]["data/crossings-monthly/crossings-monthly.json"])
    assert all(r["crossings"] is None for r in doc["rows"] if r["crossings_flag"] == "c")


def test_rounding_to_base_5(built):
    rows = list(csv.DictReader(io.StringIO(
        built[2]["data/foreign-nationals-regency/foreign-nationals-regency-SINTETIS-SYNTHETIC.csv"].decode())))
    assert all(int(r["registered"]) % 5 == 0 for r in rows if r["registered"])
    assert any(r["registered_flag"] == "c" for r in rows)


def test_xlsx_sheets_numbers_and_text_codes(built):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(built[2]["data/foreign-nationals-regency/foreign-nationals-regency.xlsx"]))
    assert wb.sheetnames == ["Data", "Kamus Data", "Metadata"]
    data = list(wb["Data"].iter_rows(values_only=True))
    assert data[0][0].startswith("DATA SINTETIS") and "SYNTHETIC" in data[0][0]  # the first row says it
    assert data[1][:4] == ("year", "regency", "nationality_group", "registered")
    assert data[2][1] == "5305" and isinstance(data[2][1], str)  # codes stay text
    assert isinstance(data[2][3], int | float)
    meta = dict(wb["Metadata"].iter_rows(values_only=True))
    assert "SYNTHETIC" in meta["Sintetis / Synthetic"]


def test_formula_injection_is_neutralised(repo: Path):
    unrelease(repo)  # the input changes: no released version to compare with
    path = repo / "data/tables/passport-applicants-atambua.csv"
    path.write_text(path.read_text().replace(
        "https://kupang.antaranews.com/berita/137275/", "=HYPERLINK(\"http://x\")/", 1))
    _, _, out, problems = publish(repo)
    assert not problems
    text = out["data/passport-applicants-atambua/passport-applicants-atambua.csv"].decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(out["data/passport-applicants-atambua/passport-applicants-atambua.xlsx"]))
    cells = [c for row in wb["Data"].iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(\"http://x\")/imigrasi-atambua-catat-terjadi-peningkatan-pembuatan-paspor-jelang-kunjungan-paus" in cells


def test_reproducible_bytes(built):
    _, _, again, problems = publish(ROOT)
    assert not problems
    first = built[2]
    assert list(first) == list(again)
    assert all(first[p] == again[p] for p in first)
    with zipfile.ZipFile(io.BytesIO(first["data/lintas-data.zip"])) as zf:
        infos = zf.infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert "catalog.ttl" in zf.namelist()
        assert zf.read("crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.csv") == first[
            "data/crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.csv"]


# ------------------------------------------------------------------ validators


def test_frictionless_validates_every_package(built, tmp_path: Path):
    import frictionless

    _, datasets, out = built
    for path, data in out.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    for ds in datasets:
        report = frictionless.validate(str(tmp_path / "data" / ds.slug / "datapackage.json"))
        assert report.valid, report.flatten(["type", "message"])
    # the declared hash and size are checked: a changed byte fails
    target = tmp_path / "data/crossings-wini-annual/crossings-wini-annual.csv"
    target.write_bytes(target.read_bytes().replace(b"9566", b"9567"))
    report = frictionless.validate(str(tmp_path / "data/crossings-wini-annual/datapackage.json"))
    assert not report.valid


def test_datapackage_v2_json_schemas(built):
    from jsonschema import Draft7Validator

    profiles = {p.name: json.loads(p.read_text()) for p in (STANDARDS / "datapackage-2.0").glob("*.json")}
    _, datasets, out = built
    for ds in datasets:
        desc = json.loads(out[f"data/{ds.slug}/datapackage.json"])
        assert desc["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
        errors = list(Draft7Validator(profiles["datapackage.json"]).iter_errors(desc))
        for res in desc["resources"]:
            errors += Draft7Validator(profiles["dataresource.json"]).iter_errors(res)
            errors += Draft7Validator(profiles["tableschema.json"]).iter_errors(res["schema"])
            errors += Draft7Validator(profiles["tabledialect.json"]).iter_errors(res["dialect"])
            data = out[f"data/{ds.slug}/{res['path']}"]
            assert res["bytes"] == len(data)
            import hashlib

            assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert not errors, [e.message for e in errors]


def test_catalog_parses_and_turtle_equals_jsonld(built):
    from rdflib import Graph, URIRef
    from rdflib.compare import isomorphic
    from rdflib.namespace import DCAT, RDF

    out = built[2]
    ttl = Graph().parse(data=out["data/catalog.ttl"].decode(), format="turtle")
    jsonld = Graph().parse(data=out["data/catalog.jsonld"].decode(), format="json-ld")
    assert isomorphic(ttl, jsonld)
    catalog = URIRef("https://lintas.example/data/#catalog")
    datasets = set(ttl.objects(catalog, DCAT.dataset))
    assert URIRef("https://lintas.example/data/crossings-monthly/#dataset") in datasets
    assert len(datasets) == len(built[1])
    # every released version is a dcat:Dataset of its own, linked by dcat:hasVersion
    versions = set(ttl.subjects(RDF.type, DCAT.Dataset)) - datasets
    assert versions and all((None, DCAT.hasVersion, v) in ttl for v in versions)


def test_dcat_ap_shacl(built):
    """DCAT-AP 3.0.1 shapes (SEMIC). The shipped ranges.ttl names 5 property shapes that neither
    file defines; pySHACL refuses such references, so they are dropped before validating."""
    import pyshacl
    from rdflib import Graph, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    shapes = Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        shapes.parse(STANDARDS / "dcat-ap-3.0.1" / name)
    dangling = [t for t in shapes.triples((None, sh.property, None)) if (t[2], None, None) not in shapes]
    assert len(dangling) == 5
    for t in dangling:
        shapes.remove(t)
    data = Graph().parse(data=built[2]["data/catalog.ttl"].decode(), format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_dcat_us_data_json(built):
    doc = json.loads(built[2]["data/data.json"])
    assert doc["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    for entry in doc["dataset"]:
        for key in ("title", "description", "keyword", "modified", "publisher", "contactPoint",
                    "identifier", "accessLevel", "distribution"):
            assert entry[key]
        assert all(d["downloadURL"].startswith("https://") and d["mediaType"] for d in entry["distribution"])


# ------------------------------------------------------------------ personal data


def test_no_identifying_value_reaches_any_output(built):
    out = built[2]
    assert scan(dict(out)) == []
    raw = (ROOT / "data/tables/crossings-records.csv").read_text().splitlines()[1:50]
    secrets = [v for line in raw for v in line.split(",")[5:8]]  # name, passport, NIK
    everything = b"".join(out.values())
    for value in secrets:
        assert value.encode() not in everything


def test_scan_finds_passport_and_nik_in_text_xlsx_and_zip():
    found = scan({"a.csv": b"x,B1234567\r\n", "b.json": b'{"nik": "5306012345678901"}'})
    assert [(f, k) for f, k, _ in found] == [("a.csv", "passport"), ("b.json", "NIK")]
    assert "1234567" not in found[0][2]  # reported masked
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inner.csv", "5306012345678901")
    assert scan({"all.zip": buf.getvalue()})[0][1] == "NIK"
    assert scan({"ok.csv": b"2024-05,5306,835,sha256:0123456789abcdef0123456789abcdef\r\n"}) == []


def test_build_fails_when_an_identifying_column_is_published(repo: Path):
    # Declared as an ordinary column by mistake, the passport number becomes a dimension code.
    path = repo / "data/crossings-wini-annual.yaml"
    text = path.read_text().replace("code: plbn-wini", "code: X0000001")
    path.write_text(text.replace("post: plbn-wini, direction:", "post: X0000001, direction:"))
    csv_path = repo / "data/tables/crossings-wini-annual.csv"
    csv_path.write_text(csv_path.read_text().replace(",plbn-wini,", ",X0000001,"))
    problems = problems_of(repo)
    assert any("error[pii-value]" in p and "passport-like" in p for p in problems)


# ------------------------------------------------------------------ releases


def test_release_freezes_and_build_copies_versions(repo: Path):
    unrelease(repo)
    version, problems = release_dataset(repo, "crossings-wini-annual")
    assert (version, problems) == ("1.0.0", [])
    folder = repo / "releases/crossings-wini-annual/1.0.0"
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 5 and all(len(line.split("  ")[0]) == 64 for line in sums)
    _, _, out, problems = publish(repo)
    assert not problems
    for name in ("crossings-wini-annual.csv", "datapackage.json", "SHA256SUMS"):
        assert out[f"data/crossings-wini-annual/v/1.0.0/{name}"] == (folder / name).read_bytes()
    log = json.loads(out["data/crossings-wini-annual/changelog.json"])
    assert log["versions"][0]["path"] == "v/1.0.0/"
    # releasing the same version twice is refused
    version, problems = release_dataset(repo, "crossings-wini-annual")
    assert version == "" and problems[0].code == "release-changed"


def test_changed_released_byte_fails_the_build(repo: Path):
    unrelease(repo)
    release_dataset(repo, "crossings-wini-annual")
    path = repo / "releases/crossings-wini-annual/1.0.0/crossings-wini-annual.csv"
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    problems = problems_of(repo)
    assert any("releases/crossings-wini-annual/1.0.0/crossings-wini-annual.csv: error[release-changed]: "
               "differs from manifest.json" in p for p in problems)


def test_changed_data_without_new_version_fails_the_build(repo: Path):
    unrelease(repo)
    release_dataset(repo, "crossings-wini-annual")
    csv_path = repo / "data/tables/crossings-wini-annual.csv"
    # one crossing moves from WNI to WNA: the quoted departure total still holds
    csv_path.write_text(csv_path.read_text().replace("9566", "9565").replace("25378", "25379"))
    problems = problems_of(repo)
    assert any("data/crossings-wini-annual.yaml: error[release-changed]: version 1.0.0 is released"
               in p for p in problems)
    # a new release note with a PATCH version makes it a new version again
    yaml_path = repo / "data/crossings-wini-annual.yaml"
    yaml_path.write_text(yaml_path.read_text() + "  - version: 1.0.1\n    date: 2025-11-21\n"
                         "    notes: {id: Koreksi., en: Correction.}\n")
    assert problems_of(repo) == []


def test_repository_releases_are_intact(built):
    out = built[2]
    released = [p for p in out if "/v/" in p]
    assert released, "the sample datasets should have frozen releases in releases/"
    for ds in built[1]:
        assert f"data/{ds.slug}/v/1.0.0/SHA256SUMS" in out


def test_cli_release(repo: Path, capsys):
    from lintas.cli import main

    unrelease(repo)
    assert main(["--root", str(repo), "release", "passport-applicants-atambua"]) == 0
    assert "released passport-applicants-atambua 1.0.0" in capsys.readouterr().out
    assert main(["--root", str(repo), "release", "passport-applicants-atambua"]) == 1
    assert main(["--root", str(repo), "release", "no-such-dataset"]) == 1


# ------------------------------------------------------------------ pages


def test_pages(built):
    site, datasets, out = built
    for lang, prefix in (("id", ""), ("en", "en/")):
        pages = [p for p in dataset_pages(datasets, site, lang)
                 if not p.src.startswith("data/regions/")]  # region packages: test_datasets_audit
        srcs = [p.src for p in pages]
        assert srcs[0] == "data/index.md"
        assert sorted(s for s in srcs[1:] if "/v/" not in s) == sorted(
            f"data/{d.slug}/index.md" for d in datasets)
        pages = [p for p in pages if "/v/" not in p.src]  # version pages: see test_history
        catalogue = pages[0].markdown
        assert 'id="theme-crossings"' in catalogue and 'id="place-5306"' in catalogue
        assert "(crossings-monthly/index.md)" in catalogue
        for page in pages[1:]:
            slug = page.src.split("/")[1]
            md = page.markdown
            assert page.meta["jsonld"]["@type"] == "Dataset" and page.meta["description"]
            assert "<svg" in md and "<script" not in md
            assert "<th scope=\"col\">" in md
            # every link to a file resolves to a published output
            import re

            for href in re.findall(r'href="(\.\./[^"]+)"', md):
                target = os.path.normpath(os.path.join(f"{prefix}data/{slug}", href))
                if target.startswith((f"{prefix}assets/", "assets/")):
                    continue  # the site's stylesheet, not a data file (the build's link check has it)
                assert target in out, (page.src, href)
            synthetic = next(d for d in datasets if d.slug == slug).definition.synthetic
            assert ("lintas-synthetic-banner" in md) == synthetic
        en_page = next(p for p in pages if p.src == "data/crossings-monthly/index.md")
        if lang == "en":
            assert "SYNTHETIC DATA." in en_page.markdown and "cannot" not in en_page.title


# ------------------------------------------------------------------ scale


@pytest.mark.slow
def test_one_million_rows_aggregate_by_streaming(repo: Path):
    import duckdb

    target = repo / "data/tables/crossings-records.csv"
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT lpad(CAST(i AS VARCHAR), 7, '0') AS crossing_id,
                     DATE '2024-01-01' + CAST(i % 366 AS INTEGER) AS crossed_on,
                     ['plbn-motaain', 'plbn-wini', 'plbn-motamasin'][1 + i % 3] AS post,
                     ['departure', 'arrival'][1 + (i // 3) % 2] AS direction,
                     ['WNI', 'TLS', 'WNI', 'TLS', 'ASEAN', 'OTHER'][1 + (i // 7) % 6] AS nationality_group,
                     'CONTOH ' || CAST(i AS VARCHAR) AS full_name,
                     'X' || lpad(CAST(i AS VARCHAR), 7, '0') AS passport_no,
                     '99' || lpad(CAST(i AS VARCHAR), 14, '0') AS nik,
                     DATE '1980-01-01' AS birth_date
              FROM range(1000000) t(i))
        TO '{target}' (HEADER, DELIMITER ',')""")
    con.close()
    _, _, out, problems = publish(repo)
    codes = {p.code for p in problems}
    assert codes <= {"release-changed"}  # the released 1.0.0 was built from the small sample
    rows = list(csv.DictReader(io.StringIO(out["data/crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.csv"].decode())))
    total = sum(int(r["crossings"]) for r in rows
                if r["post"] == r["direction"] == r["nationality_group"] == "_T")
    assert total == 1_000_000
    assert scan({"x.csv": out["data/crossings-monthly/crossings-monthly-SINTETIS-SYNTHETIC.csv"]}) == []


def test_data_catalogue_links_the_api_and_the_feeds_of_its_language(built_site: Path) -> None:
    """Journalists and developers find the API, OpenAPI, GeoJSON and feeds from the data page."""
    wanted = ("api/v1/index.json", "api/v1/openapi.json", "api/v1/geo/places.geojson",
              "{feeds}/notices.xml", "{feeds}/agreements.xml", "{feeds}/releases.xml")
    for prefix in ("", "en/"):
        page_dir = built_site / prefix / "data"
        html = (page_dir / "index.html").read_text(encoding="utf-8")
        linked = {(page_dir / href).resolve() for href in re.findall(r'href="([^"#:]+)"', html)}
        for rel in wanted:
            target = built_site / rel.format(feeds=f"{prefix}feeds")
            assert target.is_file(), target
            assert target.resolve() in linked, f"{prefix}data/ does not link {rel}"
