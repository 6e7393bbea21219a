"""Catalog files: DCAT-AP 3 (JSON-LD and Turtle), DCAT-US data.json, schema.org Dataset.

The JSON-LD is written here as plain JSON with an inline @context (deterministic, no network to
read it); rdflib parses it and writes the Turtle, which the build cache keeps (`lintas/cache.py`:
rdflib takes about a quarter of a second, and the catalogue rarely changes between builds). Every
node has an IRI under the site's address, not a blank node, so both files come out the same on
every build. Vocabulary values are the EU
authority URIs DCAT-AP asks for, typed explicitly so the graph validates on its own.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..cache import derived
from ..content.model import Site
from ..urls import absolute
from .definition import Dataset
from .history import current_frozen, version_files, versioned_url
from .outputs import LICENCE_URL, citation, sha256
from .releases import Frozen

EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcatap": "http://data.europa.eu/r5r/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# Labels as published in the EU Data Theme vocabulary (English).
EU_THEMES = {
    "AGRI": "Agriculture, fisheries, forestry and food", "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport", "ENER": "Energy", "ENVI": "Environment",
    "GOVE": "Government and public sector", "HEAL": "Health", "INTR": "International issues",
    "JUST": "Justice, legal system and public safety", "REGI": "Regions and cities",
    "SOCI": "Population and society", "TECH": "Science and technology", "TRAN": "Transport",
}
FREQUENCY = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY",
             "annual": "ANNUAL", "irregular": "IRREG", "never": "NEVER"}
POD_FREQUENCY = {"daily": "R/P1D", "weekly": "R/P1W", "monthly": "R/P1M", "quarterly": "R/P3M",
                 "annual": "R/P1Y", "irregular": "irregular"}
# file suffix -> (EU file type, IANA media type, label)
FORMATS = {
    ".csv": ("CSV", "text/csv", "CSV"),
    ".excel.csv": ("CSV", "text/csv", "CSV (Excel, UTF-8 BOM)"),
    ".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ".json": ("JSON", "application/json", "JSON"),
    "datapackage.json": ("JSON", "application/json", "Data Package (JSON)"),
    "manifest.json": ("JSON", "application/json", "Release manifest (JSON)"),
    "WITHDRAWN.json": ("JSON", "application/json", "Withdrawal record (JSON)"),
    "SHA256SUMS": ("TXT", "text/plain", "SHA256SUMS"),
}
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


def _lang(text: Any) -> list[dict[str, str]]:
    out = [{"@value": text.id, "@language": "id"}]
    if text.en:
        out.append({"@value": text.en, "@language": "en"})
    return out


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _date(value: Any) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def file_format(name: str) -> tuple[str, str, str]:
    for suffix in ("datapackage.json", "manifest.json", "WITHDRAWN.json", "SHA256SUMS", ".excel.csv",
                   ".xlsx", ".csv", ".json"):
        if name.endswith(suffix):
            return FORMATS[suffix]
    raise KeyError(name)


def catalog_jsonld(datasets: Sequence[Dataset], site: Site,
                   files: Mapping[str, Mapping[str, bytes]],
                   frozen: Mapping[str, Sequence[Frozen]] | None = None) -> dict[str, Any]:
    """DCAT-AP 3 catalog. `files[slug]` maps a file name in data/<slug>/ to its bytes; `frozen[slug]`
    are its released versions, each a dcat:Dataset (dcat:hasVersion) with a distribution per file
    and its manifest's checksum, linked to the version before (dcat:previousVersion): the chain."""
    base = site.settings.base_url
    catalog_iri = absolute(base, "data/#catalog")
    publisher_iri = absolute(base, "#publisher")
    nodes: dict[str, dict[str, Any]] = {}

    def node(iri: str, types: str | list[str], **props: Any) -> dict[str, str]:
        entry = nodes.setdefault(iri, {"@id": iri, "@type": types})
        entry.update({k.replace("__", ":"): v for k, v in props.items()})
        return _ref(iri)

    def concept(iri: str, cls: str = "skos:Concept", label: str | None = None) -> dict[str, str]:
        if label is None:
            return node(iri, cls)
        return node(iri, cls, skos__prefLabel={"@value": label, "@language": "en"})

    node(publisher_iri, "foaf:Agent", foaf__name=_lang(site.settings.publisher))
    licence = concept(EU + "licence/CC_BY_4_0", "dct:LicenseDocument")
    languages = [concept(EU + "language/IND", "dct:LinguisticSystem"),
                 concept(EU + "language/ENG", "dct:LinguisticSystem")]
    def distribution(iri: str, title: str, access: str, url: str, name: str, digest: str,
                     size: int, issued: Any) -> dict[str, str]:
        eu_type, media, _ = file_format(name)
        checksum = node(f"{iri}-sha256", "spdx:Checksum",
                        spdx__algorithm=node("http://spdx.org/rdf/terms#checksumAlgorithm_sha256",
                                             "spdx:ChecksumAlgorithm"),
                        spdx__checksumValue={"@value": digest, "@type": "xsd:hexBinary"})
        extra: dict[str, Any] = {}
        if name == "datapackage.json":
            extra["dct__conformsTo"] = node(DATAPACKAGE_PROFILE, "dct:Standard")
        return node(
            iri, "dcat:Distribution",
            dct__title=[{"@value": title, "@language": "en"}],
            dcat__accessURL=_ref(access),
            dcat__downloadURL=_ref(url),
            dct__format=concept(EU + f"file-type/{eu_type}", "dct:MediaTypeOrExtent"),
            dcat__mediaType=concept(IANA + media, "dct:MediaType"),
            dcat__byteSize={"@value": str(size), "@type": "xsd:nonNegativeInteger"},
            spdx__checksum=checksum,
            dct__license=licence,
            dcatap__availability=concept(EU + "planned-availability/STABLE", label="stable"),
            dct__issued=issued,
            **extra,
        )

    dataset_refs = []
    for ds in datasets:
        d = ds.definition
        page = absolute(base, f"data/{ds.slug}/")
        iri = page + "#dataset"
        distributions = []
        for name in sorted(files[ds.slug]):
            data = files[ds.slug][name]
            key = name.replace(ds.slug, "file").replace(".", "-")
            distributions.append(distribution(
                f"{page}#{key}", f"{d.title.get('en')} ({file_format(name)[2]})", page,
                absolute(base, f"data/{ds.slug}/{name}"), name, sha256(data), len(data),
                _date(d.releases[-1].date)))
        version_refs = []
        notes = {r.version: r for r in d.releases}
        for f in (frozen or {}).get(ds.slug, []):
            vpage = versioned_url(base, ds.slug, f.version)
            vdist = []
            for name in version_files(f):
                digest, size = f.entries.get(name) or (sha256(f.files[name]), len(f.files[name]))
                key = name.replace(ds.slug, "file").replace(".", "-")
                vdist.append(distribution(
                    f"{vpage}#{key}", f"{d.title.get('en')}, version {f.version} ({file_format(name)[2]})",
                    vpage, versioned_url(base, ds.slug, f.version, name), name, digest, size,
                    _date(notes[f.version].date) if f.version in notes else _date(d.releases[-1].date)))
            note = notes.get(f.version)
            vprops: dict[str, Any] = {
                "dct__title": [{"@value": f"{t['@value']} ({'versi' if t['@language'] == 'id' else 'version'} "
                                          f"{f.version})", "@language": t["@language"]}
                               for t in _lang(d.title)],
                "dct__description": _lang(d.description),
                "dcat__version": f.version,
                "dct__identifier": f"lintas:{ds.slug}:{f.version}",
                "dcat__landingPage": node(vpage, "foaf:Document"),
                "dcat__distribution": vdist,
                "dct__publisher": _ref(publisher_iri),
            }
            if note is not None:
                vprops["adms__versionNotes"] = _lang(note.notes)
                vprops["dct__issued"] = _date(note.date)
            if f.previous is not None:
                vprops["dcat__previousVersion"] = _ref(
                    versioned_url(base, ds.slug, f.previous[0]) + "#dataset")
            if f.withdrawn is not None:
                vprops["adms__status"] = concept("http://purl.org/adms/status/Withdrawn",
                                                 label="Withdrawn")
                vprops["adms__versionNotes"] = [*vprops.get("adms__versionNotes", []),
                                                {"@value": f"Withdrawn on {f.withdrawn.date}: "
                                                           f"{f.withdrawn.reason}", "@language": "en"}]
            version_refs.append(node(vpage + "#dataset", "dcat:Dataset", **vprops))
        description = _lang(d.description)
        props: dict[str, Any] = {
            "dct__title": _lang(d.title),
            "dct__description": description,
            "dct__identifier": f"lintas:{ds.slug}",
            "dcat__version": d.version,
            "adms__versionNotes": _lang(d.releases[-1].notes),
            "dct__issued": _date(d.releases[0].date),
            "dct__modified": _date(d.releases[-1].date),
            "dct__publisher": _ref(publisher_iri),
            "dcat__contactPoint": node(page + "#contact", ["vcard:Kind", "vcard:Organization"],
                                    vcard__fn=d.contact.name.get("en"),
                                    vcard__hasEmail=_ref(f"mailto:{d.contact.email}")),
            "dcat__keyword": [v for k in d.keywords for v in _lang(k)],
            "dcat__theme": [concept(EU + f"data-theme/{t}", label=EU_THEMES[t]) for t in d.eu_themes],
            "dct__spatial": [node(absolute(base, f"data/#place-{code}"), "dct:Location",
                               skos__prefLabel=[{"@value": ds.region_name(code, "id"), "@language": "id"},
                                                {"@value": ds.region_name(code, "en"), "@language": "en"}],
                               dct__identifier=code) for code in d.spatial],
            "dct__temporal": node(page + "#temporal", "dct:PeriodOfTime",
                               dcat__startDate=_date(d.temporal.start),
                               dcat__endDate=_date(d.temporal.end)),
            "dct__accrualPeriodicity": concept(EU + f"frequency/{FREQUENCY[d.frequency]}", "dct:Frequency"),
            "dct__language": languages,
            "dct__accessRights": concept(EU + "access-right/PUBLIC", "dct:RightsStatement"),
            "dct__provenance": node(page + "#provenance", "dct:ProvenanceStatement",
                                 rdfs__label=_lang(d.methodology)),
            "dcat__landingPage": node(page, "foaf:Document"),
            "dcat__distribution": distributions,
        }
        if version_refs:
            props["dcat__hasVersion"] = version_refs
        if d.synthetic:
            props["adms__status"] = concept("http://purl.org/adms/status/UnderDevelopment",
                                            label="Under development")
        dataset_refs.append(node(iri, "dcat:Dataset", **props))
    node(catalog_iri, "dcat:Catalog",
         dct__title=[{"@value": "Katalog data Lintas", "@language": "id"},
                     {"@value": "Lintas data catalogue", "@language": "en"}],
         dct__description=[{"@value": "Data agregat keimigrasian di perbatasan NTT dan Maluku.",
                            "@language": "id"},
                           {"@value": "Aggregate immigration data for the NTT and Maluku borders.",
                            "@language": "en"}],
         dct__publisher=_ref(publisher_iri),
         foaf__homepage=node(absolute(base, "data/"), "foaf:Document"),
         dct__language=languages,
         dct__license=licence,
         dcat__dataset=dataset_refs)
    context = {**CONTEXT, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    return {"@context": context, "@graph": [nodes[k] for k in sorted(nodes)]}


def catalog_turtle(jsonld: Mapping[str, Any]) -> bytes:
    text = json.dumps(jsonld)
    # Everything the Turtle depends on: the graph, and the code that writes it.
    return derived("catalog.ttl", f"{text}\0{_code_key()}".encode(), lambda: _turtle(text))


@functools.cache
def _code_key() -> str:
    """rdflib's version and this module's checksum (its prefixes and serialisation code)."""
    return f"{version('rdflib')}\0{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"


def _turtle(jsonld_text: str) -> bytes:
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=jsonld_text, format="json-ld")
    for prefix, ns in CONTEXT.items():
        graph.bind(prefix, ns)
    return graph.serialize(format="turtle").encode("utf-8")


def data_json(datasets: Sequence[Dataset], site: Site,
              files: Mapping[str, Mapping[str, bytes]],
              frozen: Mapping[str, Sequence[Frozen]] | None = None) -> dict[str, Any]:
    """DCAT-US (Project Open Data v1.1) catalog: each file at its stable address and, once the
    version is released, at its versioned address (which never changes)."""
    base = site.settings.base_url
    out = []
    for ds in datasets:
        d = ds.definition
        released = current_frozen(ds, (frozen or {}).get(ds.slug, []))
        versioned = [] if released is None else [
            {"@type": "dcat:Distribution",
             "title": f"{file_format(name)[2]}, version {released.version}",
             "downloadURL": versioned_url(base, ds.slug, released.version, name),
             "mediaType": file_format(name)[1], "format": file_format(name)[2]}
            for name in version_files(released)]
        entry: dict[str, Any] = {
            "@type": "dcat:Dataset",
            "title": d.title.get("en"),
            "description": d.description.get("en"),
            "keyword": [k.get("en") for k in d.keywords],
            "modified": d.releases[-1].date.isoformat(),
            "publisher": {"@type": "org:Organization", "name": d.publisher.get("en")},
            "contactPoint": {"@type": "vcard:Contact", "fn": d.contact.name.get("en"),
                             "hasEmail": f"mailto:{d.contact.email}"},
            "identifier": absolute(base, f"data/{ds.slug}/"),
            "accessLevel": "public",
            "license": LICENCE_URL,
            "spatial": ", ".join(f"{ds.region_name(c, 'en')} ({c})" for c in d.spatial),
            "temporal": f"{d.temporal.start.isoformat()}/{d.temporal.end.isoformat()}",
            "issued": d.releases[0].date.isoformat(),
            "language": ["id", "en"],
            "landingPage": absolute(base, f"data/{ds.slug}/"),
            "theme": list(d.themes),
            "describedBy": (versioned_url(base, ds.slug, released.version, "datapackage.json")
                            if released else absolute(base, f"data/{ds.slug}/datapackage.json")),
            "describedByType": "application/json",
            "distribution": [
                *versioned,
                *[{"@type": "dcat:Distribution", "title": f"{file_format(name)[2]} (latest)",
                   "downloadURL": absolute(base, f"data/{ds.slug}/{name}"),
                   "mediaType": file_format(name)[1], "format": file_format(name)[2]}
                  for name in sorted(files[ds.slug])],
            ],
        }
        if d.frequency in POD_FREQUENCY:
            entry["accrualPeriodicity"] = POD_FREQUENCY[d.frequency]
        out.append(entry)
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": out,
    }


def schema_org(ds: Dataset, site: Site, lang: str, sizes: Mapping[str, int],
               cite_url: str | None = None) -> dict[str, Any]:
    """schema.org Dataset for the landing page (what Google Dataset Search reads)."""
    d = ds.definition
    base = site.settings.base_url
    page = absolute(base, f"{'' if lang == 'id' else lang + '/'}data/{ds.slug}/")
    description = d.description.get(lang)
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": d.title.get(lang),
        "description": description,
        "url": page,
        "identifier": f"lintas:{ds.slug}",
        "version": d.version,
        "license": LICENCE_URL,
        "isAccessibleForFree": True,
        "inLanguage": lang,
        "keywords": [k.get(lang) for k in d.keywords],
        "creator": {"@type": "Organization", "name": d.publisher.get(lang)},
        "publisher": {"@type": "Organization", "name": site.settings.publisher.get(lang)},
        "datePublished": d.releases[0].date.isoformat(),
        "dateModified": d.releases[-1].date.isoformat(),
        "temporalCoverage": f"{d.temporal.start.isoformat()}/{d.temporal.end.isoformat()}",
        "spatialCoverage": [{"@type": "Place", "name": ds.region_name(c, lang),
                             "identifier": c} for c in d.spatial],
        "citation": citation(d, lang, cite_url or page),
        "variableMeasured": [dim.title.get(lang) for dim in d.dimensions] + [d.measure.title.get(lang)],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": file_format(name)[1],
             "contentUrl": absolute(base, f"data/{ds.slug}/{name}"),
             "contentSize": f"{size} B"}
            for name, size in sorted(sizes.items())
        ],
    }
