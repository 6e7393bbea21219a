"""The disclosure audit against an attacker who reads every published table and release.

Each test plays an attack from issue 14 with the independent LP of tests/attacker.py (scipy, built
only from the published files), and shows that the same attack succeeds on what the publisher
would have produced without the joint audit (so the test fails without the fix).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import unrelease
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintas.datasets.aggregate import aggregate, build_table
from lintas.datasets.disclosure import Rule, check, protect
from lintas.datasets.publish import build, geography
from lintas.pipeline import release_dataset
from tests.attacker import Pub, attack, published_tables
from tests.test_datasets import ROOT, publish

K = 5


@pytest.fixture(scope="module")
def sample():
    site, datasets, out, problems = publish(ROOT)
    assert not problems, [p.format() for p in problems]
    return site, datasets, dict(out)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("content", "data", "templates", "releases"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def pub(protected, slug: str, version: str, minimum: int) -> Pub:
    """What the publisher would publish from `protected`, as the attacker reads it."""
    return Pub(slug, version, f"{slug} {version}", protected.table.dims, dict(protected.published),
               protected.rule.k, protected.rule.rounding, minimum)


# ------------------------------------------------------------------ item 1: the zero rule


@pytest.mark.slow  # the LP attack on every table: about 10 CPU seconds
def test_published_rule_is_true_and_no_hidden_cell_can_be_narrowed(sample):
    """The hidden-zero attack: believe the page's rule, solve the LP over every table and release."""
    site, datasets, files = sample
    for ds in datasets:
        if not ds.definition.disclosure.counts_people:
            continue
        doc = json.loads(files[f"data/{ds.slug}/{ds.slug}.json"])
        minimum = doc["disclosure"]["hidden_cell_minimum"]
        assert minimum == (1 if ds.definition.disclosure.zeros == "published" else 0)
        words = doc["disclosure"]["rule"]["en"]
        assert ("A true 0 is always published as 0" in words) == (minimum == 1)
        built, _ = build(ds, site)
        # The rule the page states is true of the published table.
        for key, value in built.protected.published.items():
            if value is None:
                assert built.table.values[key] >= minimum, (ds.slug, key)
        leaks = attack(published_tables(files, [ds.slug]))
        assert leaks == [], (ds.slug, leaks[:3])


def test_hidden_zeros_under_a_zeros_published_rule_are_an_attack():
    """What the old publisher did: hide a 0 as a complement while the page said zeros are
    published. The attacker who believes the sentence pins the small cell; the audit now refuses
    such a publication, and protecting under that rule never hides a zero."""
    base = {("a", "x"): 2, ("a", "y"): 0, ("a", "z"): 40, ("b", "x"): 9, ("b", "y"): 7,
            ("b", "z"): 50}
    t = build_table(("r", "c"), (("a", "b"), ("x", "y", "z")), (True, True), base)
    hidden = {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}  # the rectangle, a 0 among them
    old = {key: (None if key in hidden else v) for key, v in t.values.items()}
    believed = Pub("t", "1.0.0", "t", t.dims, old, K, None, 1)
    leaks = attack([believed])
    assert any(leak.key == ("a", "x") and (leak.lo, leak.hi) == (1.0, 1.0) for leak in leaks)
    rule = Rule(K, zeros="published")
    from lintas.datasets.disclosure import Protected

    assert ("a", "y") in check(Protected(t, old, frozenset(), frozenset(), {}, (), rule))
    new = protect(t, rule)
    assert all(new.published[key] is not None for key, v in t.values.items() if v == 0)
    if not new.failures:
        assert attack([pub(new, "t", "1.0.0", 1)]) == []
    else:  # too small to protect without hiding the 0: the build fails, the safe outcome
        assert check(new)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=4),
       st.sampled_from(["published", "suppressed"]))
def test_random_tables_under_either_zero_rule(values, zeros):
    base = {(f"r{i}", c): v for i, row in enumerate(values) for c, v in zip("abc", row, strict=True)}
    t = build_table(("r", "c"), (tuple(f"r{i}" for i in range(len(values))), tuple("abc")),
                    (True, True), base)
    p = protect(t, Rule(K, zeros=zeros))
    if p.failures:
        assert check(p)
        return
    assert check(p) == []
    minimum = 1 if zeros == "published" else 0
    assert all(t.values[key] >= minimum for key, v in p.published.items() if v is None)
    assert attack([pub(p, "t", "1.0.0", minimum)]) == []


@pytest.mark.slow
def test_structural_zeros_are_published_and_declared(repo: Path):
    path = repo / "data/crossings-monthly.yaml"
    text = path.read_text()
    # No record of the OTHER group at Wini departing in the sample? Declare a combination that
    # holds records instead, and the check refuses it.
    path.write_text(text.replace("  zeros: suppressed\n", "  zeros: suppressed\n  structural_zeros:\n"
                                 "    - {post: plbn-wini, nationality_group: WNI}\n"))
    _site, _datasets, _out, problems = publish(repo)
    assert any(p.code == "structural-zero" and "plbn-wini" in p.message for p in problems), \
        [p.format() for p in problems]


# ------------------------------------------------------------------ item 2: one audit per records


QUARTERLY = """
  - name: quarter
    title: {id: Triwulan, en: Quarter}
    source: crossed_on
    derive: quarter
"""


def add_quarterly(repo: Path) -> None:
    text = (repo / "data/crossings-monthly.yaml").read_text()
    start = text.index("  - name: month")
    end = text.index("  - name: post")
    text = text[:start] + QUARTERLY.lstrip("\n") + text[end:]
    text = text.replace("Monthly crossings", "Quarterly crossings").replace(
        "Perlintasan bulanan", "Perlintasan triwulanan").replace("x: month", "x: quarter")
    text = text[:text.index("releases:")] + (
        "releases:\n  - version: 1.0.0\n    date: 2026-12-06\n    notes: {id: Rilis pertama., "
        "en: First release.}\n")
    (repo / "data/crossings-quarterly.yaml").write_text(text)


def next_patch(yaml_text: str) -> str:
    """The version after the dataset's last release note (the repository releases as it goes)."""
    last = [line.split(":", 1)[1].strip() for line in yaml_text.splitlines()
            if line.strip().startswith("- version:")][-1]
    major, minor, patch = (int(x) for x in last.split("."))
    return f"{major}.{minor}.{patch + 1}"


@pytest.mark.slow
def test_second_granularity_over_the_same_records_is_audited_jointly(repo: Path):
    """A quarterly table over the records of the monthly one (a fresh project: no releases)."""
    add_quarterly(unrelease(repo))
    site, datasets, out, problems = publish(repo)
    assert not problems, [p.format() for p in problems]
    files = dict(out)
    leaks = attack(published_tables(files, ["crossings-monthly", "crossings-quarterly"]))
    assert leaks == [], leaks[:3]
    # Without the joint audit (each table protected alone) the same attacker recovers cells.
    geo = geography(site)
    alone = []
    for ds in datasets:
        if ds.slug in ("crossings-monthly", "crossings-quarterly"):
            table, _ = aggregate(ds, geo)
            alone.append(pub(protect(table, Rule(K, zeros="suppressed")), ds.slug, ds.version, 0))
    assert attack(alone) != []


@pytest.mark.slow
def test_second_granularity_next_to_released_history_is_refused_or_safe(repo: Path):
    """With the frozen 1.0.0 monthly table (which published zeros the current rule hides), a new
    quarterly table either finds a safe pattern or the build fails naming the cells at risk."""
    add_quarterly(repo)
    # the joint audit may hide more of the monthly table: that is a new monthly version
    yaml_path = repo / "data/crossings-monthly.yaml"
    yaml_path.write_text(yaml_path.read_text() + f"  - version: {next_patch(yaml_path.read_text())}\n"
                         "    date: 2026-12-06\n"
                         "    notes: {id: Pola baru., en: New suppression pattern.}\n")
    _, _, out, problems = publish(repo)
    if problems:
        # refused by the audit, or (the remedy hides more of the released current monthly table)
        # by the releases: a released version never changes, it needs a new one
        assert {p.code for p in problems} <= {"disclosure-audit", "release-changed"}, problems
        assert any(("crossings-" in p.message and "in [" in p.message)
                   or ("is released, but rebuilding it changes" in p.message)
                   for p in problems), problems
    else:
        leaks = attack(published_tables(dict(out), ["crossings-monthly", "crossings-quarterly"]))
        assert leaks == [], leaks[:3]


# ------------------------------------------------------------------ item 3: releases


@pytest.mark.slow
def test_one_record_patch_release_does_not_point_at_the_record(repo: Path):
    """Item 3: the audit itself applies the remedy (more suppression in the new version, never in
    a frozen one), `release` says which cells it hid and why, and nothing is pinned."""
    if not (repo / "releases/crossings-monthly/1.0.1").is_dir():  # 1.0.1 is released in the repo
        version, problems = release_dataset(repo, "crossings-monthly")
        assert (version, problems) == ("1.0.1", [])
    csv_path = repo / "data/tables/crossings-records.csv"
    rows = csv_path.read_text().splitlines()
    rows.append("9999999,2024-01-15,plbn-motamasin,departure,ASEAN,CONTOH 9999999,X9999999,"
                "9900000009999999,1990-01-01")
    csv_path.write_text("\n".join(rows) + "\n")
    yaml_path = repo / "data/crossings-monthly.yaml"
    new = next_patch(yaml_path.read_text())
    yaml_path.write_text(yaml_path.read_text() + f"  - version: {new}\n    date: 2026-12-06\n"
                         "    notes: {id: Satu catatan yang terlambat ditambahkan., "
                         "en: One late record added.}\n")
    frozen_before = {p: p.read_bytes() for p in (repo / "releases/crossings-monthly").rglob("*")
                     if p.is_file()}
    # What the publisher would have released without the joint audit: the difference between
    # the versions pins the added record.
    site, datasets, out, problems = publish(repo)
    ds = next(d for d in datasets if d.slug == "crossings-monthly")
    table, _ = aggregate(ds, geography(site))
    frozen = [t for t in published_tables(dict(out), ["crossings-monthly"]) if t.version != new]
    alone = protect(table, Rule(K, zeros="suppressed"))
    naive = pub(alone, "crossings-monthly", new, 0)
    assert attack([*frozen, naive]) != []
    # The release applies the remedy: more cells hidden in the new version, reported with why.
    report: list[str] = []
    version, problems = release_dataset(repo, "crossings-monthly", report)
    assert (version, problems) == (new, [])
    assert report and "more cell(s) hidden" in report[0]
    assert any("month=2024-01" in line and "since crossings-monthly 1." in line for line in report)
    _, _, out, problems = publish(repo)
    assert not problems, [p.format() for p in problems]
    tables = published_tables(dict(out), ["crossings-monthly"])
    released = next(t for t in tables if t.version == new)
    hidden = {key for key, v in released.cells.items() if v is None}
    assert hidden > set(alone.suppressed)  # strictly more than the table's own protection
    assert len(report) - 1 == len(hidden - set(alone.suppressed))
    # An attacker with every version (from the published files only) pins nothing.
    assert attack(tables) == []
    # Frozen versions never changed.
    assert all(p.read_bytes() == b for p, b in frozen_before.items())


# ------------------------------------------------------------------ item 4: completeness


def check_problems(root: Path) -> list[str]:
    import datetime as dt

    from lintas.datasets.load import load_datasets

    _, problems = load_datasets(root, dt.date(2100, 1, 1))
    return [p.format() for p in problems]


def test_deleted_input_row_is_a_missing_cell_and_a_total_mismatch(repo: Path):
    """Deleting Wini's arrival/WNA row used to publish 0 and an arrival total of 9,408."""
    assert check_problems(repo) == []
    path = repo / "data/tables/crossings-wini-annual.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",arrival,WNA," not in line))
    problems = check_problems(repo)
    assert any("error[missing-cell]" in p and "direction=arrival, citizenship=WNA" in p
               for p in problems), problems
    assert any("error[total-mismatch]" in p and "36,418" in p and "9,408" in p
               for p in problems), problems


def test_a_declared_structural_zero_is_not_expected(repo: Path):
    path = repo / "data/tables/crossings-wini-annual.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",arrival,WNA," not in line))
    yaml_path = repo / "data/crossings-wini-annual.yaml"
    text = yaml_path.read_text().replace("  zeros: published\n", "  zeros: published\n"
                                         "  structural_zeros:\n"
                                         "    - {direction: arrival, citizenship: WNA}\n")
    # the quoted arrival total no longer holds either: quote what the data now say
    text = text.replace("value: 36418", "value: 9408").replace("36.418 kedatangan", "9.408 kedatangan")
    yaml_path.write_text(text.replace("36,418 arrivals", "9,408 arrivals"))
    assert check_problems(repo) == []


def test_quoted_total_must_be_in_the_methodology(repo: Path):
    yaml_path = repo / "data/crossings-wini-annual.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("36.418 kedatangan", "banyak kedatangan")
                         .replace("36,418 arrivals", "many arrivals"))
    problems = check_problems(repo)
    assert any("error[total-mismatch]" in p and "not quoted in the methodology" in p
               for p in problems), problems


# ------------------------------------------------------------------ item 7: region packages


@pytest.mark.slow  # the LP attack on every table: about 10 CPU seconds
def test_region_packages_are_published_and_add_nothing_an_attacker_can_use(sample):
    import io
    import zipfile

    _site, datasets, files = sample
    codes = sorted({c for ds in datasets for c in ds.spatial})
    assert codes == ["5305", "5306", "5321", "8172"]
    for code in codes:
        folder = f"data/regions/{code}/"
        with zipfile.ZipFile(io.BytesIO(files[f"{folder}{code}.zip"])) as zf:
            names = set(zf.namelist())
            assert {"README.txt", "datapackage.json"} <= names
            assert "Paket data wilayah" in zf.read("README.txt").decode("utf-8")
            package = json.loads(zf.read("datapackage.json"))
        slugs = [r["name"] for r in package["resources"]]
        csvs = {r["name"]: r["path"] for r in package["resources"]}
        assert slugs and names == {"README.txt", "datapackage.json", *csvs.values(),
                                   *[f"{s}.xlsx" for s in slugs]}
        for slug in slugs:
            main_csv = f"data/{slug}/{csvs[slug]}"  # the same file name as the full table's
            doc = f"data/{slug}/{slug}.json"
            region = published_tables({f"{folder}{csvs[slug]}": files[f"{folder}{csvs[slug]}"],
                                       doc: files[doc]}, [slug])[0]
            full = published_tables({main_csv: files[main_csv], doc: files[doc]}, [slug])[0]
            # The same figures and flags as the full table, rows of this region only, no new total.
            assert region.cells and all(full.cells[key] == v for key, v in region.cells.items())
    # Kota Tual's package holds only Tual's rows of the regency table.
    tual = files["data/regions/8172/foreign-nationals-regency-SINTETIS-SYNTHETIC.csv"].decode().splitlines()
    assert len(tual) == 5 and all(",8172," in line for line in tual[1:])
    # An attacker with every table, release and region package narrows nothing.
    for slug in ("crossings-monthly", "foreign-nationals-regency"):
        assert attack(published_tables(files, [slug])) == []


def test_region_pages_in_both_languages(sample):
    from lintas.datasets.pages import region_pages

    site, datasets, _ = sample
    for lang, words in (("id", "Unduh semua (zip)"), ("en", "Download all (zip)")):
        pages = {p.src: p for p in region_pages(datasets, site, lang)}
        assert set(pages) == {f"data/regions/{c}/index.md" for c in ("5305", "5306", "5321", "8172")}
        assert words in pages["data/regions/5306/index.md"].markdown
        assert "5306.zip" in pages["data/regions/5306/index.md"].markdown


def test_a_leak_between_frozen_releases_alone_is_refused_not_remedied():
    """Two frozen versions, each safe alone, pin a cell together (1.0.0 hid columns x and y, 1.0.1
    columns x and z): nothing the current version hides can undo that, so the audit reports it
    (the build and `release` then refuse, naming the cell) and changes no frozen version."""
    from lintas.datasets.joint import View, current_view, joint_protect

    base = {("a", "x"): 3, ("a", "y"): 20, ("a", "z"): 25, ("b", "x"): 30, ("b", "y"): 40,
            ("b", "z"): 35}
    t = build_table(("r", "c"), (("a", "b"), ("x", "y", "z")), (True, True), base)
    rule = Rule(K, zeros="suppressed")

    def frozen(version: str, hidden_col: str) -> View:
        published = {key: (None if key[1] in ("x", hidden_col) and key[0] != "_T" else v)
                     for key, v in t.values.items()}
        return View(f"t {version}", "t", version, t.dims, ("value", "value"), ("r", "c"), t.codes,
                    published, rule)

    old = [frozen("1.0.0", "y"), frozen("1.0.1", "z")]
    for view in old:  # each frozen version is safe alone
        assert attack([Pub("t", view.version, view.label, t.dims, dict(view.published), K, None, 0)]) == []
    before = [dict(v.published) for v in old]
    dims = [type("D", (), {"derive": "value", "source": name})() for name in ("r", "c")]
    current = current_view("t", "1.0.2", dims, protect(t, rule))  # type: ignore[arg-type]
    result = joint_protect([current, *old], {})
    assert any(f.key == ("a", "x") and f.interval[1] - f.interval[0] < K for f in result.failures)
    assert [v.published for v in old] == before
