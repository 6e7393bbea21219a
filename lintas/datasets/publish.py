"""PUBLISH: every dataset's files, its released versions, the catalogs and one zip.

`publish_datasets` is a pure function of the definitions, inputs, frozen releases and the site; it
returns `Outputs` and the problems that must fail the build (a failed disclosure audit, a
passport- or NIK-like value in an output, a released byte that would change).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import BuildConfig
from ..content.model import Site
from ..content.yamlio import parse_yaml
from ..outputs import Outputs
from ..problems import Problem, has_errors, sort_problems
from . import history
from .aggregate import Table, aggregate
from .catalog import catalog_jsonld, catalog_turtle, data_json
from .definition import PERIODS, Dataset
from .disclosure import (
    Protected,
    Rule,
    check,
    describe,
    structural_cells,
    unprotected,
)
from .joint import (
    cell_text,
    current_view,
    describe_findings,
    frozen_view,
    joint_protect,
    protected_of,
)
from .load import load_datasets
from .nested import protect_all
from .outputs import dataset_files, dumps, zip_bytes
from .packages import region_files, region_parts
from .pii import scan
from .releases import Frozen, compare_current, freeze, read_releases, record_anchor, withdraw

ZIP_NAME = "data/lintas-data.zip"


@dataclass(frozen=True)
class Built:
    table: Table
    protected: Protected
    files: dict[str, bytes]  # name in data/<slug>/ -> bytes (the files a release freezes)
    releases: list[Frozen]
    narrowest: tuple[float, float] | None = None  # the audit's narrowest interval of a hidden cell
    # cells the joint audit hid beyond the table's own protection, each with the risk it removes
    remedy: tuple[str, ...] = ()


def geography(site: Site) -> dict[str, dict[str, str]]:
    """Post id -> its office, regency and province codes, from the content."""
    out = {}
    for pid, post in site.posts.items():
        region = post.region or ""
        out[pid] = {"office": post.operating_office or "", "regency": region,
                    "province": region[:2]}
    return out


def source_key(ds: Dataset) -> str:
    """The records a dataset counts: its declared `input.records`, else its input file."""
    return ds.definition.input.records or f"file:{ds.input_src}"


def build(ds: Dataset, site: Site,
          datasets: Sequence[Dataset] | None = None) -> tuple[Built | None, list[Problem]]:
    """Aggregate, protect and write one dataset's files, audited jointly with every other dataset
    of `datasets` (default: the site's) that counts the same records, and with all their frozen
    releases. Cached on the Dataset for as long as the content places its posts in the same office
    and regions and the group is the same."""
    geo = geography(site)
    pool = list(datasets if datasets is not None else site.datasets)
    if all(d.slug != ds.slug for d in pool):
        pool.append(ds)
    group = sorted((d for d in pool if source_key(d) == source_key(ds)), key=lambda d: d.slug)
    names = tuple(d.slug for d in group)
    if "built" in ds.cache and ds.cache["geography"] == geo and ds.cache.get("group") == names:
        return ds.cache["built"], list(ds.cache["problems"])
    results = _build_group(group, geo)
    for member in group:
        built, problems = results[member.slug]
        member.cache["built"] = built
        member.cache["problems"] = tuple(problems)
        member.cache["geography"] = geo
        member.cache["group"] = names
    return ds.cache["built"], list(ds.cache["problems"])


def _rule(ds: Dataset, table: Table) -> Rule:
    d = ds.definition.disclosure
    return Rule(d.k, d.rounding, d.zeros or "suppressed", structural_cells(table, d.structural_zeros))


def _unit(ds: Dataset) -> str | None:
    """The period unit of the dataset's one period dimension (None: none, or several)."""
    units = [d.derive for d in ds.definition.dimensions if d.derive in PERIODS]
    return units[0] if len(units) == 1 else None


def _build_group(group: Sequence[Dataset], geo: Mapping[str, Mapping[str, str]]
                 ) -> dict[str, tuple[Built | None, list[Problem]]]:
    problems: dict[str, list[Problem]] = {ds.slug: [] for ds in group}
    tables: dict[str, Table] = {}
    protected: dict[str, Protected] = {}
    frozen: dict[str, list[Frozen]] = {}
    for ds in group:
        table, found = aggregate(ds, geo)
        problems[ds.slug] += found
        frozen[ds.slug], found = read_releases(ds.root, ds.slug)
        problems[ds.slug] += found
        if table is None:
            continue
        rule = ds.definition.disclosure
        wrong = sorted(key for key in structural_cells(table, rule.structural_zeros)
                       if table.values[key] != 0)
        if wrong:
            problems[ds.slug].append(Problem(
                ds.src_path, None, None, "structural-zero",
                f"{len(wrong)} cell(s) declared structural zeros hold counts: "
                f"{describe(wrong[:3], table.dims)}",
                hint="a structural zero is a combination that cannot occur; remove it from "
                     "disclosure.structural_zeros or correct the input"))
            continue
        tables[ds.slug] = table
        if not rule.counts_people:
            protected[ds.slug] = unprotected(table)
    narrowest: dict[str, tuple[float, float]] = {}
    remedy: dict[str, tuple[str, ...]] = {}
    people = [ds for ds in group if ds.slug in tables and ds.definition.disclosure.counts_people]
    old_views = [view for ds in people for f in frozen[ds.slug] if f.version != ds.version
                 for view in [frozen_view(ds.slug, f.version, f.files, ds.definition.dimensions,
                                          ds.definition.measure.name)] if view is not None]
    joint = len(people) + len(old_views) > 1
    # Tables of the same records at two period levels are protected as one table (nested.py);
    # the joint audit, when there is one, measures every interval again.
    protected.update(protect_all({ds.slug: (tables[ds.slug], _rule(ds, tables[ds.slug]), _unit(ds))
                                  for ds in people}, verify=not joint))
    views = [current_view(ds.slug, ds.version, ds.definition.dimensions, protected[ds.slug])
             for ds in people] + old_views
    if joint:
        result = joint_protect(views, geo)
        by_slug = {v.slug: v for v in result.views if v.current}
        for ds in people:
            p = protected_of(by_slug[ds.slug], protected[ds.slug])
            intervals = result.intervals.get(ds.slug, {})
            failures = tuple(f.key for f in result.failures if f.label.split(" ")[0] == ds.slug)
            protected[ds.slug] = replace(p, intervals=intervals, failures=failures)
            remedy[ds.slug] = tuple(f"{cell_text(p.table.dims, key)} (for {why})"
                                    for key, why in result.remedy(ds.slug))
        for finding in result.failures:
            slug = finding.label.split(" ")[0]
            problems[slug].append(Problem(
                f"data/{slug}.yaml", None, None, "disclosure-audit",
                "a suppressed cell could be narrowed from the tables published from the same "
                f"records and their releases: {describe_findings([finding])}",
                hint="hide more in the current version is not enough here: publish coarser "
                     "(merge categories or periods) or withdraw the version at risk"))
    out: dict[str, tuple[Built | None, list[Problem]]] = {}
    for ds in group:
        found = problems[ds.slug]
        if ds.slug not in tables:
            out[ds.slug] = (None, found)
            continue
        table, prot = tables[ds.slug], protected[ds.slug]
        rule = ds.definition.disclosure
        if rule.counts_people:
            bad = check(prot, lp=not joint)
            if bad:
                found.append(Problem(
                    ds.src_path, None, None, "disclosure-audit",
                    f"{len(bad)} suppressed cell(s) could be narrowed to less than {rule.k} values "
                    f"from the published table: {describe(bad[:5], table.dims)}",
                    hint="publish this table at a coarser level (fewer codes or longer periods)"))
            own = prot.narrowest()
            if own is not None:
                narrowest[ds.slug] = own[1]
        files = dataset_files(ds, prot)
        for where, kind, masked in scan(files):
            found.append(Problem(ds.src_path, None, None, "pii-value",
                                 f"{where} contains a {kind}-like value ({masked})",
                                 hint="declare identifying input columns 'pii: true'"))
        for f in frozen[ds.slug]:
            if f.version == ds.version:
                found += compare_current(f, files, ds.src_path)
        out[ds.slug] = (Built(table, prot, files, frozen[ds.slug], narrowest.get(ds.slug),
                              remedy.get(ds.slug, ())), found)
    return out


def audit_lines(datasets: Sequence[Dataset]) -> list[str]:
    """The build summary of the disclosure audit: the narrowest interval an attacker gets for a
    hidden cell of each dataset (after a build; from the datasets' cache)."""
    out = []
    for ds in sorted(datasets, key=lambda d: d.slug):
        built = ds.cache.get("built")
        rule = ds.definition.disclosure
        if built is None or not rule.counts_people:
            continue
        if built.narrowest is None:
            out.append(f"audit: {ds.slug} {ds.version}: no hidden cell")
            continue
        lo, hi = built.narrowest
        out.append(f"audit: {ds.slug} {ds.version}: {len(built.protected.suppressed)} hidden "
                   f"cells; narrowest interval [{lo:g}, {hi:g}] ({hi - lo:g} wide, k = {rule.k}, "
                   f"hidden cells >= {1 if rule.zeros == 'published' else 0})")
        out += remedy_lines(ds, built)
    return out


def remedy_lines(ds: Dataset, built: Built, limit: int = 10) -> list[str]:
    """The cells the joint audit hid beyond the table's own protection, and why: what the build
    summary and `build.py release` print."""
    if not built.remedy:
        return []
    more = f" (and {len(built.remedy) - limit} more)" if len(built.remedy) > limit else ""
    return [f"audit: {ds.slug} {ds.version}: {len(built.remedy)} more cell(s) hidden so that other "
            f"tables of the same records and earlier releases pin no hidden cell{more}:",
            *[f"  {line}" for line in built.remedy[:limit]]]


def changelog(ds: Dataset, built: Built) -> dict[str, object]:
    return history.changelog(ds, built.releases)




def publish_datasets(datasets: Sequence[Dataset], site: Site,
                     config: BuildConfig) -> tuple[Outputs, list[Problem]]:
    """Every published data file at its stable site path under 'data/'.

    Cached on the first dataset for the same site and datasets (the same objects): the catalogue
    page of each language asks again for the files' sizes, and this is a pure function of both."""
    del config  # the outputs depend on nothing else; kept for the pipeline's uniform signature
    ordered = tuple(sorted(datasets, key=lambda d: d.slug))
    if not ordered:
        return _publish_datasets(ordered, site)
    held = ordered[0].cache.get("published")
    if (held is not None and held[0] is site and len(held[1]) == len(ordered)
            and all(a is b for a, b in zip(held[1], ordered, strict=True))):
        return held[2], list(held[3])
    out, problems = _publish_datasets(ordered, site)
    ordered[0].cache["published"] = (site, ordered, out, tuple(problems))
    return out, problems


def _publish_datasets(datasets: Sequence[Dataset], site: Site) -> tuple[Outputs, list[Problem]]:
    out = Outputs()
    problems: list[Problem] = []
    current: dict[str, dict[str, bytes]] = {}
    frozen: dict[str, list[Frozen]] = {}
    zipped: dict[str, bytes] = {}
    published = []
    protected: dict[str, Protected] = {}
    for ds in sorted(datasets, key=lambda d: d.slug):
        built, found = build(ds, site, datasets)
        problems += found
        if built is None:
            continue
        published.append(ds)
        protected[ds.slug] = built.protected
        frozen[ds.slug] = built.releases
        current[ds.slug] = {}
        for name, data in built.files.items():
            zipped[f"{ds.slug}/{name}"] = data  # as frozen: its paths work inside the zip
            if name == "datapackage.json":
                data = history.latest_datapackage(data, site.settings.base_url, ds,
                                                  history.current_frozen(ds, built.releases))
            current[ds.slug][name] = data
            out.add(f"data/{ds.slug}/{name}", data)
        log = dumps(changelog(ds, built))
        out.add(f"data/{ds.slug}/changelog.json", log)
        zipped[f"{ds.slug}/changelog.json"] = log
        for f in built.releases:
            for name in history.version_files(f):
                out.add(f"data/{ds.slug}/v/{f.version}/{name}", f.files[name])
    jsonld = catalog_jsonld(published, site, current, frozen)
    catalog = {
        "data/catalog.jsonld": dumps(jsonld),
        "data/catalog.ttl": catalog_turtle(jsonld),
        "data/data.json": dumps(data_json(published, site, current, frozen)),
    }
    for path, data in catalog.items():
        out.add(path, data)
        zipped[path.removeprefix("data/")] = data
    out.add(ZIP_NAME, zip_bytes(zipped))
    regional: dict[str, bytes] = {}
    for code, parts in region_parts(published, site, protected).items():
        regional.update(region_files(code, parts[0].ds.region_name(code, "id"), parts, protected))
    for path, data in regional.items():
        out.add(path, data)
    for where, kind, masked in scan({p: out[p] for p in catalog} | {ZIP_NAME: out[ZIP_NAME]}
                                    | regional):
        problems.append(Problem("data", None, None, "pii-value",
                                f"{where} contains a {kind}-like value ({masked})"))
    return out, sort_problems(problems)


def release(config: BuildConfig, site: Site | None, problems: list[Problem],
            slug: str, report: list[str] | None = None) -> tuple[str, list[Problem]]:
    """Freeze the current outputs of `slug` as the version of its last release note, chained to
    the newest frozen version, and record the manifest's hash in that note. `site` and `problems`
    are the whole check's (`lintas.pipeline.release_dataset` runs it first).

    Run again after a release that was killed half-way, it finishes it: a leftover temporary
    folder is removed, and a frozen version whose note lacks its hash gets it."""
    datasets, found = load_datasets(config.root, config.today)
    problems = [*problems, *found]
    ds = next((d for d in datasets if d.slug == slug), None)
    if ds is None and not any(p.src_path == f"data/{slug}.yaml" for p in problems):
        problems.append(Problem(f"data/{slug}.yaml", None, None, "unknown-reference",
                                f"no dataset '{slug}' in data/"))
    if ds is None:
        return "", sort_problems(problems)
    note = ds.definition.releases[-1]
    frozen, found = read_releases(config.root, slug)
    same = next((f for f in frozen if f.version == ds.version), None)
    if same is not None and not note.manifest_sha256 and not found:
        # A release killed after its folder was renamed into place: record the hash it lacks.
        found = anchor(config.root, ds, same.digest)
        return ("" if has_errors(found) else ds.version), sort_problems(found)
    if site is None or has_errors(problems):
        return "", sort_problems(problems)
    if same is not None:
        return "", [Problem(f"releases/{slug}/{ds.version}", None, None, "release-changed",
                            f"version {ds.version} is already released",
                            hint=f"add a release note with a new version to data/{slug}.yaml")]
    built, found = build(ds, site, datasets)
    problems += found
    if built is None or has_errors(problems):
        return "", sort_problems(problems)
    if report is not None:  # the remedy the audit applied: the cells it hid more, and why
        report += remedy_lines(ds, built, limit=len(built.remedy))
    try:
        digest, found = freeze(config.root, slug, ds.version, note.date.isoformat(),
                               built.files, built.releases)
    except OSError as exc:
        found = [Problem(f"releases/{slug}/{ds.version}", None, None, "output",
                         f"cannot write the release: {exc.strerror or exc}")]
    problems += found
    if has_errors(problems):
        return "", sort_problems(problems)
    # freeze removed what a killed release had left
    problems = [p for p in problems if not p.src_path.startswith(f"releases/{slug}/.")]
    problems += anchor(config.root, ds, digest)
    return ("" if has_errors(problems) else ds.version), sort_problems(problems)


def withdraw_version(root: Path, slug: str, version: str, reason: str,
                     today: dt.date) -> list[Problem]:
    """Withdraw a released version: its data files are removed; its manifest, SHA256SUMS and a
    WITHDRAWN.json (date, reason) stay, so the chain still verifies and a tombstone is published."""
    src = f"releases/{slug}/{version}"
    if not (root / "data" / f"{slug}.yaml").is_file():
        return [Problem(f"data/{slug}.yaml", None, None, "unknown-reference", f"no dataset '{slug}' in data/")]
    frozen, problems = read_releases(root, slug)
    f = next((f for f in frozen if f.version == version), None)
    if f is None:
        return [*problems, Problem(src, None, None, "unknown-reference",
                                   f"{slug} has no released version {version}",
                                   hint=f"released: {', '.join(x.version for x in frozen) or 'none'}")]
    if has_errors(problems):
        return sort_problems(problems)
    try:
        withdraw(root, f, today, reason)
    except OSError as exc:
        return [Problem(src, None, None, "output", f"cannot write: {exc.strerror or exc}")]
    return []


def anchor(root: Path, ds: Dataset, digest: str) -> list[Problem]:
    """Record the manifest's hash in the newest release note of data/<slug>.yaml."""
    path = root / ds.src_path
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(text, ds.src_path, [])
    index = len(ds.definition.releases) - 1
    if doc is not None:
        line, col = doc.position(("releases", index, "version"), key=True)
        try:
            if record_anchor(path, text, line, col, digest):
                return []
        except OSError as exc:
            return [Problem(ds.src_path, line, col, "output", f"cannot write: {exc.strerror or exc}")]
    at: tuple[int | None, int | None] = doc.position(("releases", index)) if doc else (None, None)
    return [Problem(ds.src_path, *at, "missing-field",
                    f"version {ds.version} is frozen; add 'manifest_sha256: {digest}' to its note",
                    hint="the note is not written as a block mapping, so release cannot add it")]


def sizes(ds: Dataset, site: Site) -> dict[str, int]:
    built, _ = build(ds, site)
    return {name: len(data) for name, data in (built.files if built else {}).items()}


def preview_json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
