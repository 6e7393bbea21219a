"""The published version history: every file of every version linked and citable, the hash chain
verifiable from the published files alone, withdrawal with a tombstone, and labels that say what
kind of figures a dataset holds (synthetic said once, everywhere; real but not official)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_sources

from lintas.cli import main
from lintas.config import BuildConfig
from lintas.datasets import dataset_pages, load_datasets, publish_datasets
from lintas.datasets.verify import verify_site
from lintas.pipeline import check
from lintas.urls import relative

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://lintas.example/"
WINI = "crossings-wini-annual"
MONTHLY = "crossings-monthly"


def publish(root: Path):
    config = BuildConfig.for_root(root)
    site, problems = check(config)
    assert site is not None, [p.format() for p in problems]
    datasets, _ = load_datasets(root, config.today)
    out, problems = publish_datasets(datasets, site, config)
    return site, datasets, out, problems


def write_out(out, folder: Path) -> Path:
    for path, data in out.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


def released(slug: str) -> list[str]:
    """The repository's released versions of `slug`, newest first."""
    return sorted((p.name for p in (ROOT / "releases" / slug).iterdir() if p.is_dir()),
                  key=lambda v: tuple(int(x) for x in v.split(".")), reverse=True)


@pytest.fixture(scope="module")
def built():
    site, datasets, out, problems = publish(ROOT)
    assert not problems, [p.format() for p in problems]
    return site, datasets, out


# ------------------------------------------------------------------ the chain, from the site alone


def test_chain_verifies_from_the_published_files_alone(built, tmp_path: Path):
    folder = write_out(built[2], tmp_path / "site")
    assert verify_site(folder) == []
    proc = subprocess.run([sys.executable, str(ROOT / "lintas/datasets/verify.py"), str(folder)],
                          capture_output=True, text=True)  # the file alone, outside the package
    assert proc.returncode == 0, proc.stderr
    log = json.loads(built[2][f"data/{WINI}/changelog.json"])
    assert [v["version"] for v in log["versions"]] == released(WINI)
    assert log["versions"][0]["previous"] == {"version": released(WINI)[1],
                                              "manifest_sha256": log["versions"][1]["manifest"]["sha256"]}
    assert log["chain"]["head"]["manifest_sha256"] == log["versions"][0]["manifest"]["sha256"]
    # a published old file changed, or an old manifest rewritten to match: the verifier sees it
    old = folder / f"data/{WINI}/v/1.0.0/{WINI}.csv"
    old.write_bytes(old.read_bytes().replace(b"9566", b"9565"))
    assert verify_site(folder) == [f"{WINI} 1.0.0: {WINI}.csv differs from manifest.json"]
    manifest = folder / f"data/{WINI}/v/1.0.0/manifest.json"
    doc = json.loads(manifest.read_text())
    for f in doc["files"]:
        if f["name"] == f"{WINI}.csv":
            import hashlib

            f["sha256"] = hashlib.sha256(old.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(doc, indent=2) + "\n")
    found = verify_site(folder)
    assert any("1.0.0: manifest.json hashes to" in p for p in found), found
    assert any("1.0.0: data/catalog.jsonld does not give" in p for p in found), found


def test_every_file_of_every_version_is_linked_and_published(built):
    site, datasets, out = built
    for lang in ("id", "en"):
        pages = {p.src: p for p in dataset_pages(datasets, site, lang)}
        for ds in datasets:
            log = json.loads(out[f"data/{ds.slug}/changelog.json"])
            page = pages[f"data/{ds.slug}/index.md"].markdown
            for v in log["versions"]:
                assert v["path"], "every sample version is released"
                assert f"data/{ds.slug}/v/{v['version']}/index.md" in pages
                for f in [*v["files"], {"path": v["path"] + "manifest.json"},
                          {"path": v["path"] + "SHA256SUMS"}]:
                    assert f"data/{ds.slug}/{f['path']}" in out
                    href = relative(f"{'' if lang == 'id' else 'en/'}data/{ds.slug}/",
                                    f"data/{ds.slug}/{f['path']}")
                    assert f'href="{href}"' in page


def test_citation_datapackage_dcat_and_data_json_give_versioned_urls(built):
    site, datasets, out = built
    for ds in datasets:
        versioned = f"{BASE}data/{ds.slug}/v/{ds.version}/"
        page = next(p for p in dataset_pages(datasets, site, "en") if p.src == f"data/{ds.slug}/index.md")
        cite = re.search(r"^> (.*)$", page.markdown, re.M)
        assert cite and cite.group(1).endswith(versioned), cite
        assert page.meta["jsonld"]["citation"].endswith(versioned)
        package = json.loads(out[f"data/{ds.slug}/datapackage.json"])
        urls = package["x-lintas"]["version_urls"]
        for name, url in urls.items():
            assert url == versioned + name and f"data/{ds.slug}/v/{ds.version}/{name}" in out
        assert package["resources"][0]["path"] in urls  # the same file, at its versioned address
    doc = json.loads(out["data/data.json"])
    for entry in doc["dataset"]:
        slug = entry["identifier"].rstrip("/").rsplit("/", 1)[1]
        version = next(d.version for d in datasets if d.slug == slug)
        urls = [d["downloadURL"] for d in entry["distribution"]]
        assert f"{BASE}data/{slug}/v/{version}/datapackage.json" in urls
        assert entry["describedBy"] == f"{BASE}data/{slug}/v/{version}/datapackage.json"


def test_dcat_versions_carry_notes_distributions_and_the_chain(built):
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, RDF

    adms = Namespace("http://www.w3.org/ns/adms#")
    spdx = Namespace("http://spdx.org/rdf/terms#")
    graph = Graph().parse(data=built[2]["data/catalog.ttl"].decode(), format="turtle")
    log = json.loads(built[2][f"data/{WINI}/changelog.json"])
    main = URIRef(f"{BASE}data/{WINI}/#dataset")
    for v in log["versions"]:
        node = URIRef(f"{BASE}data/{WINI}/v/{v['version']}/#dataset")
        assert (main, DCAT.hasVersion, node) in graph and (node, RDF.type, DCAT.Dataset) in graph
        assert (node, DCAT.version, Literal(v["version"])) in graph
        assert any(o.language == "en" for o in graph.objects(node, adms.versionNotes))
        files = {str(graph.value(d, DCAT.downloadURL)): d for d in graph.objects(node, DCAT.distribution)}
        manifest = files[f"{BASE}data/{WINI}/v/{v['version']}/manifest.json"]
        checksum = graph.value(graph.value(manifest, spdx.checksum), spdx.checksumValue)
        assert str(checksum) == v["manifest"]["sha256"]
        for f in v["files"]:
            assert f"{BASE}data/{WINI}/{f['path']}" in files
    newest = URIRef(f"{BASE}data/{WINI}/v/1.0.1/#dataset")
    assert graph.value(newest, DCAT.previousVersion) == URIRef(f"{BASE}data/{WINI}/v/1.0.0/#dataset")


# ------------------------------------------------------------------ withdrawal


def test_withdraw_keeps_a_tombstone_with_the_reason_and_old_checksums(tmp_path: Path, capsys):
    root = copy_sources(tmp_path / "project")
    folder = root / f"releases/{WINI}/1.0.0"
    old = json.loads((folder / "manifest.json").read_text())
    reason = "Angka kedatangan WNA salah ketik di berita sumber"
    assert main(["--root", str(root), "withdraw", WINI, "1.0.0", "--reason", reason]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "WITHDRAWN.json", "manifest.json"]
    site, datasets, out, problems = publish(root)
    assert problems == []
    assert f"data/{WINI}/v/1.0.0/{WINI}.csv" not in out
    assert f"data/{WINI}/v/1.0.0/WITHDRAWN.json" in out
    assert verify_site(write_out(out, tmp_path / "site")) == []
    log = json.loads(out[f"data/{WINI}/changelog.json"])
    entry = next(v for v in log["versions"] if v["version"] == "1.0.0")
    assert entry["status"] == "withdrawn" and entry["withdrawn"]["reason"] == reason
    assert all(f["path"] is None for f in entry["files"])
    for lang in ("id", "en"):
        tomb = next(p for p in dataset_pages(datasets, site, lang) if p.src == f"data/{WINI}/v/1.0.0/index.md")
        assert reason in tomb.markdown and "lintas-withdrawn-banner" in tomb.markdown
        for f in old["files"]:
            assert f["sha256"] in tomb.markdown
    # the other commands: an unknown version, no reason, and the current version withdrawn
    capsys.readouterr()
    assert main(["--root", str(root), "withdraw", WINI, "9.9.9", "--reason", "x"]) == 1
    assert "error[unknown-reference]" in capsys.readouterr().err
    newest = released(WINI)[0]  # the current version
    with pytest.raises(SystemExit) as exc:
        main(["--root", str(root), "withdraw", WINI, newest])
    assert exc.value.code == 2
    assert main(["--root", str(root), "withdraw", WINI, newest, "--reason", " "]) == 2
    assert main(["--root", str(root), "withdraw", WINI, newest, "--reason", "Salah."]) == 0
    _, _, _, problems = publish(root)
    assert [p.format() for p in problems] == [
        f"data/{WINI}.yaml: error[release-changed]: version {newest} was withdrawn (Salah.) "
        "(add a release note with a new version)"]


# ------------------------------------------------------------------ labels


def test_synthetic_data_is_labelled_everywhere_and_said_once(built):
    site, datasets, out = built
    ds = next(d for d in datasets if d.slug == MONTHLY)
    files = {p.rsplit("/", 1)[1] for p in out if p.startswith(f"data/{MONTHLY}/") and "/v/" not in p}
    assert f"{MONTHLY}-SINTETIS-SYNTHETIC.csv" in files
    assert f"{MONTHLY}-SINTETIS-SYNTHETIC.excel.csv" in files
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(out[f"data/{MONTHLY}/{MONTHLY}.xlsx"]))
    first = next(wb["Data"].iter_rows(values_only=True))
    assert "DATA SINTETIS" in first[0] and "SYNTHETIC" in first[0]
    doc = json.loads(out[f"data/{MONTHLY}/{MONTHLY}.json"])
    assert doc["citation"]["id"].count("SINTETIS") == 1 and doc["citation"]["en"].count("SYNTHETIC") == 1
    package = json.loads(out[f"data/{MONTHLY}/datapackage.json"])
    assert package["description"].count("SYNTHETIC") == 1
    for lang, word in (("id", "SINTETIS"), ("en", "SYNTHETIC")):
        pages = dataset_pages(datasets, site, lang)
        page = next(p for p in pages if p.src == f"data/{MONTHLY}/index.md").markdown
        title = re.search(r"<title[^>]*>(.*?)</title>", page).group(1)
        caption = re.search(r"<figcaption>(.*?)</figcaption>", page).group(1)
        assert title.startswith(f"DATA {word}.") or title.startswith(f"{word} DATA.")
        assert caption == title
        cite = re.search(r"^> (.*)$", page, re.M).group(1)
        assert cite.count(word) == 1, cite
        catalogue = pages[0].markdown
        entry = next(line for line in catalogue.splitlines() if f"({MONTHLY}/index.md)" in line)
        assert entry.count(word) == 1 and "(sintetis)" not in entry and "(synthetic)" not in entry
    assert ds.definition.synthetic


def test_real_figures_that_are_not_an_official_release_say_so(built):
    site, datasets, out = built
    for ds in datasets:
        status = json.loads(out[f"data/{ds.slug}/{ds.slug}.json"])["status"]
        page = next(p for p in dataset_pages(datasets, site, "id") if p.src == f"data/{ds.slug}/index.md")
        if ds.definition.synthetic:
            assert status["kind"] == "synthetic" and "lintas-reported-note" not in page.markdown
        else:
            assert status["kind"] == "reported" and not ds.definition.official
            assert "lintas-reported-note" in page.markdown and "bukan rilis data resmi" in page.markdown


def test_dataset_json_carries_method_sources_period_unit_and_code_labels(built):
    _, datasets, out = built
    for ds in datasets:
        d = ds.definition
        doc = json.loads(out[f"data/{ds.slug}/{ds.slug}.json"])
        assert doc["methodology"] == {"id": d.methodology.id, "en": d.methodology.get("en")}
        assert [s["title"] for s in doc["sources"]] == [s.title for s in d.sources]
        assert doc["temporal"] == {"start": d.temporal.start.isoformat(), "end": d.temporal.end.isoformat()}
        assert doc["unit"]["en"] == d.measure.unit.get("en")
        assert all(r["name"]["id"] != r["code"] for r in doc["spatial"])  # no bare 5305
        labels = {f["name"]: {c["code"]: c["label"] for c in f.get("codes", [])} for f in doc["fields"]}
        for row in doc["rows"]:
            for dim in d.dimensions:
                if dim.codes:
                    assert row[dim.name] in labels[dim.name], (ds.slug, dim.name, row[dim.name])
                    # each row carries the label next to the code (no bare 5305)
                    assert row[f"{dim.name}_label"] == labels[dim.name][row[dim.name]]
                    assert set(row[f"{dim.name}_label"]) == {"id", "en"}
                else:  # a period is its own label
                    assert f"{dim.name}_label" not in row
        rows = list(csv.DictReader(io.StringIO(out[f"data/{ds.slug}/" + json.loads(
            out[f"data/{ds.slug}/datapackage.json"])["resources"][0]["path"]].decode())))
        assert len(rows) == len(doc["rows"])


def test_published_history_survives_a_real_build(built_site: Path, tmp_path: Path):
    """The built site/ (pages and files) passes the verifier, and every version page exists."""
    assert verify_site(built_site) == []
    for lang in ("", "en/"):
        assert (built_site / lang / f"data/{WINI}/v/1.0.0/index.html").is_file()
    shutil.copytree(built_site / "data", tmp_path / "data")
    (tmp_path / f"data/{WINI}/v/1.0.1/SHA256SUMS").write_text("")
    assert verify_site(tmp_path) == [f"{WINI} 1.0.1: SHA256SUMS differs from manifest.json"]


def test_the_joint_audit_reads_every_frozen_version_whatever_its_csv_is_called(built):
    """A synthetic version's CSV is named <slug>-SINTETIS-SYNTHETIC.csv: the audit over frozen
    releases must still read it (otherwise the next release would be audited without it)."""
    from lintas.datasets.joint import frozen_view

    _, datasets, out = built
    for ds in datasets:
        if not ds.definition.disclosure.counts_people:
            continue
        for version in ("1.0.0", ds.version):
            prefix = f"data/{ds.slug}/v/{version}/"
            files = {p.removeprefix(prefix): b for p, b in out.items() if p.startswith(prefix)}
            view = frozen_view(ds.slug, version, files, ds.definition.dimensions, ds.definition.measure.name)
            assert view is not None, (ds.slug, version)


def test_region_packages_keep_the_region_name_next_to_labelled_csv_names(built):
    _, datasets, out = built
    regions = datasets[0].regions.regions
    for region in regions:
        readme = out.get(f"data/regions/{region.code}/README.txt")
        if readme is None:
            continue
        first = readme.decode().splitlines()[0]
        assert first == f"Paket data wilayah {region.name.id} ({region.code})", first
        package = json.loads(out[f"data/regions/{region.code}/datapackage.json"])
        assert ".csv" not in package["title"] and f"({region.code})" in package["title"]
