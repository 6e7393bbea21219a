"""The static JSON API (issue 5): every document parses, validates against the schema published
next to it, every id and URL in it resolves, bytes are reproducible, golden documents per kind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import jsonschema
import pytest

from lintas.config import BuildConfig
from lintas.content.model import Site
from lintas.content.schemas import Text
from lintas.pipeline import check
from lintas.publish import api
from lintas.publish.api import (
    API_KINDS,
    ApiKind,
    ApiText,
    publish_api,
    register_api_kind,
)
from lintas.publish.api_models import ApiEntity

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "api"
# A fixed day after every date in the sample content: the notice status in the API depends on it.
TODAY = dt.date(2030, 1, 1)
# One document of each kind, plus the index and the GeoJSON.
GOLDEN_DOCS = {
    "organisations": "api/v1/organisations/kanim-atambua.json",
    "posts": "api/v1/posts/plbn-motaain.json",
    "agreements": "api/v1/agreements/pks-pos-imigrasi-aplasi-2024.json",
    "procedures": "api/v1/procedures/passport-application.json",
    "notices": "api/v1/notices/papal-visit-pilgrims-2024.json",
    "glossary": "api/v1/glossary/plbn.json",
    "list": "api/v1/posts/index.json",
    "index": "api/v1/index.json",
    "places": "api/v1/geo/places.geojson",
}


def build_site(root: Path = ROOT, today: dt.date = TODAY) -> tuple[Site, BuildConfig]:
    config = BuildConfig.for_root(root, today=today)
    site, problems = check(config)
    assert site is not None, "sample content does not validate:\n" + "\n".join(
        p.format() for p in problems)
    return site, config


@pytest.fixture(scope="module")
def built() -> tuple[Site, BuildConfig, dict[str, bytes], list[Any]]:
    site, config = build_site()
    outputs, problems = publish_api(site, config)
    return site, config, dict(outputs), problems


def schema_for(path: str) -> str:
    """Which published schema a document must follow, from where it lives."""
    rel = path.removeprefix("api/v1/")
    if rel == "index.json":
        return "index"
    if rel == "geo/places.geojson":
        return "places"
    kind, name = rel.split("/", 1)
    return "list" if name == "index.json" else kind


def documents(outputs: dict[str, bytes]) -> Iterator[tuple[str, Any]]:
    for path, data in sorted(outputs.items()):
        if path.startswith("api/v1/schemas/") or path == "api/v1/openapi.json":
            continue
        yield path, json.loads(data)


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def test_publish_reports_no_problem_on_sample_content(built):
    *_, problems = built
    assert problems == []


def test_every_document_validates_against_its_published_schema(built):
    site, _config, outputs, _ = built
    checked = 0
    for path, doc in documents(outputs):
        schema = json.loads(outputs[f"api/v1/schemas/{schema_for(path)}.schema.json"])
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"{site.settings.base_url}api/v1/schemas/{schema_for(path)}.schema.json"
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], path
        checked += 1
    entities = sum(len(spec.items(site)) for spec in API_KINDS.values())
    assert checked == entities + len(API_KINDS) + 2  # + lists, index, GeoJSON


def test_a_schema_kind_per_registered_kind(built):
    _, _, outputs, _ = built
    names = {p.removeprefix("api/v1/schemas/").removesuffix(".schema.json")
             for p in outputs if p.startswith("api/v1/schemas/")}
    assert names == {*API_KINDS, "index", "list", "places"}
    assert {"organisations", "posts", "agreements", "procedures", "notices", "glossary"} <= names


@pytest.mark.parametrize(("path", "breakage"), [
    ("api/v1/posts/plbn-motaain.json", lambda d: d.pop("sources")),
    ("api/v1/posts/plbn-motaain.json", lambda d: d["coordinates"].update(lat=-95)),
    ("api/v1/posts/plbn-motaain.json", lambda d: d.update(reviewed_on="25/11/2026")),
    ("api/v1/posts/plbn-motaain.json", lambda d: d["name"].pop("en")),
    ("api/v1/posts/plbn-motaain.json", lambda d: d.update(type="bridge")),
    ("api/v1/agreements/pks-pos-imigrasi-aplasi-2024.json", lambda d: d.update(parties=[])),
    ("api/v1/notices/papal-visit-pilgrims-2024.json", lambda d: d.update(status="expired")),
    ("api/v1/glossary/plbn.json", lambda d: d.update(id="Not An Id")),
    ("api/v1/posts/index.json", lambda d: d["items"][0].pop("api_url")),
    ("api/v1/geo/places.geojson", lambda d: d["features"][0]["geometry"].update(type="Polygon")),
])
def test_published_schemas_reject_broken_documents(built, path, breakage):
    _, _, outputs, _ = built
    doc = json.loads(outputs[path])
    breakage(doc)
    schema = json.loads(outputs[f"api/v1/schemas/{schema_for(path)}.schema.json"])
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(doc)), "the schema accepted a broken document"


def test_schema_violation_is_a_build_problem_blaming_the_source(built, monkeypatch):
    site, config, _, _ = built
    real = api.api_schemas

    def stricter(base_url: str) -> dict[str, dict[str, Any]]:
        schemas = real(base_url)
        schemas["posts"]["required"] = [*schemas["posts"]["required"], "ferry_timetable"]
        return schemas

    monkeypatch.setattr(api, "api_schemas", stricter)
    _, problems = publish_api(site, config)
    assert {p.code for p in problems} == {"api-schema"}
    assert sorted(p.src_path for p in problems) == sorted(
        site.src_paths[("posts", i)] for i in site.posts)
    assert all("ferry_timetable" in p.message for p in problems)


def test_every_api_url_and_reference_resolves(built):
    site, _, outputs, _ = built
    base = site.settings.base_url
    pages = {""} | {"en/"}
    for kind, spec in API_KINDS.items():
        for entity_id in spec.items(site):
            for lang in ("id", "en"):
                pages.add(spec.page_path(kind, entity_id, lang))
    seen_urls = 0
    for path, doc in documents(outputs):
        for node in walk(doc):
            if isinstance(node, str) and node.startswith(base):
                rel = node.removeprefix(base)
                seen_urls += 1
                if rel.startswith("api/v1/"):
                    if "{" not in rel:  # endpoint templates in the index are checked below
                        assert rel in outputs, f"{path}: {node} is not an API output"
                else:
                    assert rel in pages, f"{path}: {node} is not a page of the site"
            if isinstance(node, dict) and {"kind", "id", "api_url"} <= node.keys():
                # a reference (or an entity): its id exists in its kind, its URLs agree with it
                assert node["id"] in API_KINDS[node["kind"]].items(site), (path, node)
                assert node["api_url"] == f"{base}api/v1/{node['kind']}/{node['id']}.json"
                assert node["url"]["en"].removeprefix(base) == "en/" + node["url"]["id"].removeprefix(base)
    assert seen_urls > 500


def test_lists_match_item_documents(built):
    site, _, outputs, _ = built
    for kind in API_KINDS:
        listing = json.loads(outputs[f"api/v1/{kind}/index.json"])
        ids = [item["id"] for item in listing["items"]]
        files = sorted(p.removeprefix(f"api/v1/{kind}/").removesuffix(".json")
                       for p in outputs if re.fullmatch(rf"api/v1/{kind}/[^/]+\.json", p)
                       and not p.endswith("/index.json"))
        assert ids == sorted(ids) == files
        assert listing["count"] == len(ids) == len(site.kind_items(kind))
        for item in listing["items"]:
            doc = json.loads(outputs[item["api_url"].removeprefix(site.settings.base_url)])
            assert doc["url"] == item["url"]
            assert item["name"]["id"]  # a name in Indonesian at least


def test_index_lists_every_endpoint(built):
    site, _, outputs, _ = built
    base = site.settings.base_url
    index = json.loads(outputs["api/v1/index.json"])
    assert index["kinds"] == list(API_KINDS)
    names = {e["name"] for e in index["endpoints"]}
    assert {"index", "places", "openapi"} | set(API_KINDS) | {f"{k}-item" for k in API_KINDS} <= names
    for endpoint in index["endpoints"]:
        rel = endpoint["url"].removeprefix(base)
        if "{id}" in rel:
            kind = endpoint["name"].removesuffix("-item")
            first = json.loads(outputs[f"api/v1/{kind}/index.json"])["items"][0]["id"]
            rel = rel.replace("{id}", first)
        elif "{name}" in rel:
            rel = rel.replace("{name}", "posts")
        assert rel in outputs, endpoint
        if endpoint["schema_url"]:
            assert endpoint["schema_url"].removeprefix(base) in outputs


def test_openapi_describes_every_endpoint_and_refers_to_published_schemas(built):
    site, _, outputs, _ = built
    spec = json.loads(outputs["api/v1/openapi.json"])
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"] == [{"url": f"{site.settings.base_url}api/v1"}]
    expected = {"/index.json", "/geo/places.geojson"}
    for kind in API_KINDS:
        expected |= {f"/{kind}/index.json", f"/{kind}/{{id}}.json"}
    assert set(spec["paths"]) == expected
    for path, item in spec["paths"].items():
        concrete = path
        if "{id}" in path:
            kind = path.split("/")[1]
            concrete = path.replace("{id}", next(iter(API_KINDS[kind].items(site))))
        assert "api/v1" + concrete in outputs
        for response in item["get"]["responses"].values():
            for media in response.get("content", {}).values():
                ref = media["schema"]["$ref"]
                assert ref.startswith("#/components/schemas/")
                target = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["$ref"]
                assert "api/v1/" + target in outputs  # relative to api/v1/openapi.json
    operation_ids = [item["get"]["operationId"] for item in spec["paths"].values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_geojson_has_every_located_post_and_office_in_lon_lat_order(built):
    site, _, outputs, _ = built
    geo = json.loads(outputs["api/v1/geo/places.geojson"])
    assert geo["type"] == "FeatureCollection"
    located = {("posts", i): p.coordinates for i, p in site.posts.items() if p.coordinates}
    located |= {("organisations", i): o.coordinates
                for i, o in site.organisations.items() if o.coordinates}
    assert located, "the sample content has at least one post with coordinates"
    got = {(f["properties"]["kind"], f["properties"]["id"]): f for f in geo["features"]}
    assert got.keys() == located.keys()
    for key, coords in located.items():
        feature = got[key]
        assert feature["geometry"] == {"type": "Point", "coordinates": [coords.lon, coords.lat]}
        assert feature["properties"]["approximate"] is coords.approximate
        assert -180 <= feature["geometry"]["coordinates"][0] <= 180


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2024, 8, 31), "upcoming"), (dt.date(2024, 9, 1), "active"),
    (dt.date(2024, 9, 11), "active"), (dt.date(2024, 9, 12), "archived"),
])
def test_notice_status_follows_the_build_day(built, day, expected):
    site, config, _, _ = built
    # The pilgrims notice ran from 1 to 11 September 2024.
    outputs, problems = publish_api(dataclasses.replace(site, today=day), config)
    assert problems == []
    doc = json.loads(outputs["api/v1/notices/papal-visit-pilgrims-2024.json"])
    assert doc["status"] == expected


def test_two_builds_give_identical_bytes_whatever_the_clock(built):
    _, config, outputs, _ = built
    later = dataclasses.replace(config, built_at=config.built_at + dt.timedelta(days=400))
    again, _ = publish_api(build_site()[0], later)
    assert dict(again) == outputs
    for data in outputs.values():
        assert data.endswith(b"\n") and b"\r" not in data
        text = data.decode("utf-8")
        assert json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, indent=2) + "\n" == text


def test_a_registered_kind_is_published_everywhere(built, monkeypatch):
    """A kind added to the registry (as the travel checker's flows will be) needs no other change."""
    site, config, _, _ = built

    class ApiFlow(ApiEntity):
        kind: Literal["flows"]
        title: ApiText

    spec = ApiKind("flows", ApiText(id="Pemeriksa perjalanan", en="Travel checker"), ApiFlow,
                   lambda s: {"demo": s.glossary["plbn"]},
                   lambda ctx, i, ent: ApiFlow(**ctx.common("flows", i, ent),
                                               title=ApiText(id="Demo", en=None)),
                   lambda ent: Text(id="Demo"),
                   page_path=lambda kind, i, lang: ("en/" if lang == "en" else "") + f"checker/{i}/")
    monkeypatch.setattr(api, "API_KINDS", dict(API_KINDS))
    register_api_kind(spec)
    outputs, problems = publish_api(site, config)
    assert problems == []
    assert json.loads(outputs["api/v1/flows/demo.json"])["url"]["en"].endswith("/en/checker/demo/")
    assert "api/v1/schemas/flows.schema.json" in outputs
    assert "/flows/{id}.json" in json.loads(outputs["api/v1/openapi.json"])["paths"]
    assert "flows" in json.loads(outputs["api/v1/index.json"])["kinds"]
    with pytest.raises(ValueError, match="reserved"):
        register_api_kind(dataclasses.replace(spec, kind="schemas"))


@pytest.mark.parametrize("name", sorted(GOLDEN_DOCS))
def test_golden_documents(built, name):
    _, _, outputs, _ = built
    data = outputs[GOLDEN_DOCS[name]]
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("LINTAS_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert golden.exists(), f"{golden} missing: run with LINTAS_UPDATE_GOLDEN=1 to create it"
    assert data.decode() == golden.read_text(encoding="utf-8"), (
        f"{GOLDEN_DOCS[name]} changed; if intended, regenerate with LINTAS_UPDATE_GOLDEN=1 "
        "(and remember the v1 promise: additive changes only)")


# ---- against the built site --------------------------------------------------------------------

@pytest.mark.slow
def test_every_id_and_url_in_the_built_api_resolves_to_a_file_in_site(built_site: Path):
    site_dir = built_site
    api_dir = site_dir / "api" / "v1"
    assert (api_dir / "index.json").exists(), "site/ has no api/v1/index.json: publish_api is not wired"
    site, _ = build_site()
    base = site.settings.base_url
    checked = 0
    for file in sorted(api_dir.rglob("*")):
        if not file.is_file() or file.suffix not in (".json", ".geojson"):
            continue
        for node in walk(json.loads(file.read_text(encoding="utf-8"))):
            if isinstance(node, dict) and {"kind", "id"} <= node.keys() and isinstance(node["kind"], str) \
                    and node["kind"] in API_KINDS:
                assert (api_dir / node["kind"] / f"{node['id']}.json").is_file(), (file, node["id"])
            if not (isinstance(node, str) and node.startswith(base)) or "{" in node:
                continue
            if node.rstrip("/") == base + "api/v1":
                continue  # OpenAPI's server URL: the API's base, not a document
            rel, _, anchor = node.removeprefix(base).partition("#")
            target = site_dir / rel / "index.html" if rel.endswith("/") or not rel else site_dir / rel
            assert target.is_file(), f"{file.relative_to(site_dir)}: {node} -> missing {target}"
            if anchor:
                html = target.read_text(encoding="utf-8")
                assert re.search(rf"""id=["']?{re.escape(anchor)}["'\s>]""", html), (
                    f"{node}: no element with id={anchor} in {target.relative_to(site_dir)}")
            checked += 1
    assert checked > 0


# ---- the API documentation ---------------------------------------------------------------------

DOC_BLOCK = re.compile(r"<!-- (example|excerpt): (\w+) -->\n```json\n(.*?)```", re.S)


def loosened(node: Any) -> Any:
    """The schema with nothing required and no unknown keys allowed: checks an excerpt's names,
    types and values without asking for every field."""
    if isinstance(node, dict):
        out = {k: loosened(v) for k, v in node.items() if k != "required"}
        if "properties" in node:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [loosened(v) for v in node]
    return node


def test_docs_explain_every_endpoint_with_examples_that_follow_the_schemas(built):
    _, _, outputs, _ = built
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "additive" in text  # the stability promise
    for path in json.loads(outputs["api/v1/openapi.json"])["paths"]:
        generic = re.sub(r"^/(\w+)/", lambda m: "/{kind}/" if m[1] in API_KINDS else m[0], path)
        assert f"/api/v1{generic}" in text, f"docs/api.md does not explain {path}"
    for kind in API_KINDS:
        assert f"#### `{kind}/{{id}}.json`" in text, f"docs/api.md has no section for {kind}"
    blocks = DOC_BLOCK.findall(text)
    assert {name for sort, name, _ in blocks if sort == "example"} >= {"list", "glossary", "places"}
    assert {name for _, name, _ in blocks} >= set(API_KINDS) | {"index", "ref"}
    for sort, name, body in blocks:
        doc = json.loads(body)
        schema = json.loads(outputs[f"api/v1/schemas/{'posts' if name == 'ref' else name}.schema.json"])
        if name == "ref":
            schema = {"$defs": schema["$defs"], "$ref": "#/$defs/ApiRef"}
        if sort == "excerpt":
            schema = loosened(schema)
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        assert [e.message for e in validator.iter_errors(doc)] == [], f"docs/api.md {sort} {name}"
