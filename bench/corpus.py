"""SYNTHETIC national-scale corpus for the benchmarks: a complete Lintas project folder from a seed.

`generate(root, n)` writes `root/content/` (N entities across every kind, both languages, every
reference resolving; a register of made-up sources in `content/sources/` that every entity and
every critical fact cites by id, as the sample content does), copies `templates/` and `data/regions.yaml` from the repository, and adds one
record-level dataset (`data/bench-crossings.yaml` + CSV). `write_rows(path, m, posts)` writes M
record-level crossing rows with fake identifying columns, for the aggregation benchmark.

Nothing here is real: names say SINTETIS/SYNTHETIC, ids are numbered, there are no phone numbers,
coordinates or fees (fee rows are 0 and say they are examples), passport numbers start with X and
NIKs with 99. The same (n, seed) gives the same bytes.

    .venv/bin/python bench/corpus.py bench/out/corpus-2000 --n 2000 [--seed 8] [--rows 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = 8  # issue 8
TODAY = dt.date(2025, 12, 31)  # the corpus is judged as of this day (review dates lie before it)

# Share of N per kind, roughly a national site: ~150 offices and their parents, dozens to hundreds
# of posts, hundreds of agreements and procedures, many notices over the years, a glossary.
SHARES = {"organisations": 0.15, "posts": 0.10, "agreements": 0.20, "procedures": 0.15,
          "notices": 0.30, "glossary": 0.10}
PREFIX = {"organisations": "org", "posts": "pos", "agreements": "pks", "procedures": "prosedur",
          "notices": "pengumuman", "glossary": "istilah"}
ROW_POSTS = 40  # posts in the 10-million-row benchmark ("dozens of crossing points")
# The corpus's own dataset is the same for every N, so it adds a constant to each build: a handful
# of posts and enough rows that most cells are large (small cells cost LP solves in the audit).
CORPUS_DATASET_POSTS = 8
CORPUS_DATASET_ROWS = 300_000

_ID_WORDS = ["dokumen", "paspor", "izin", "tinggal", "pos", "lintas", "batas", "perjalanan", "layanan", "petugas", "wilayah", "pemeriksaan", "kantor", "warga", "negara", "asing", "pelaporan", "kunjungan", "keluarga", "kendaraan", "barang", "jadwal", "loket", "antrean", "persyaratan", "biaya", "permohonan", "wawancara", "sidik", "jari", "foto", "masyarakat", "perbatasan", "desa", "kabupaten", "kota", "provinsi", "pelabuhan", "bandara", "laut", "darat"]
_EN_WORDS = ["document", "passport", "stay", "permit", "post", "crossing", "border", "travel", "service", "officer", "area", "inspection", "office", "citizen", "foreign", "reporting", "visit", "family", "vehicle", "goods", "schedule", "counter", "queue", "requirement", "fee", "application", "interview", "fingerprint", "photo", "community", "village", "regency", "city", "province", "harbour", "airport", "sea", "land"]
REGIONS = ("53", "5303", "5304", "5305", "5306", "5321", "81", "8172")


def counts(n: int) -> dict[str, int]:
    """Entities per kind for N; every kind gets at least one (organisations at least four)."""
    out = {kind: max(1, round(n * share)) for kind, share in SHARES.items()}
    out["organisations"] = max(4, out["organisations"])
    return out


def ids(kind: str, count: int) -> list[str]:
    return [f"{PREFIX[kind]}-{i:05d}" for i in range(1, count + 1)]


def abbreviation(i: int) -> str:
    """A made-up abbreviation, 'QA', 'QB', ... 'QAA': no real Indonesian acronym starts with Q."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return "Q" + letters


def abbreviations(count: int) -> list[str]:
    """`count` abbreviations in order, leaving out any that reads like an earlier one by the
    glossary's own rule (case and look-alike letters: 'QL' and 'QI' are the same term)."""
    from lintas.content.hidden import fold_keys

    out: list[str] = []
    seen: set[str] = set()
    i = 0
    while len(out) < count:
        term = abbreviation(i)
        i += 1
        keys = set(fold_keys(term))
        if keys & seen:
            continue
        seen |= keys
        out.append(term)
    return out


@dataclass
class _Gen:
    rng: random.Random
    ids: dict[str, list[str]]
    terms: list[str]

    def words(self, vocab: list[str], lo: int, hi: int) -> str:
        return " ".join(self.rng.choice(vocab) for _ in range(self.rng.randint(lo, hi)))

    def sentence(self, lang: str) -> str:
        vocab = _ID_WORDS if lang == "id" else _EN_WORDS
        text = self.words(vocab, 8, 18)
        if self.terms and self.rng.random() < 0.3:
            text += " " + self.rng.choice(self.terms)
        return text[0].upper() + text[1:] + "."

    def para(self, lang: str, lo: int = 2, hi: int = 4) -> str:
        return " ".join(self.sentence(lang) for _ in range(self.rng.randint(lo, hi)))

    def text(self, short_id: str, short_en: str, *, fallback: float = 0.1) -> dict[str, str]:
        """Both languages, except a share of English left out (pages then fall back)."""
        out = {"id": short_id}
        if self.rng.random() >= fallback:
            out["en"] = short_en
        return out

    def title(self, what_id: str, what_en: str, n: int) -> dict[str, str]:
        return self.text(f"[SINTETIS] {what_id} {n}", f"[SYNTHETIC] {what_en} {n}", fallback=0.05)

    def summary(self) -> dict[str, str]:
        return self.text(self.sentence("id"), self.sentence("en"))

    def link(self, kind: str) -> str:
        target = self.rng.choice(self.ids[kind])
        return f"[{target}](/{kind}/{target}/)"

    def body(self) -> dict[str, str]:
        """Markdown body: paragraphs, a list, a link or two to other pages, bold."""

        def one(lang: str) -> str:
            paras = [self.para(lang) for _ in range(self.rng.randint(2, 4))]
            items = "\n".join(f"- **{self.words(_ID_WORDS if lang == 'id' else _EN_WORDS, 1, 2)}**: "
                              f"{self.sentence(lang)}" for _ in range(self.rng.randint(2, 5)))
            see = "Lihat juga" if lang == "id" else "See also"
            links = ", ".join(self.link(k) for k in self.rng.sample(["posts", "procedures",
                                                                     "organisations"], 2))
            return "\n\n".join([*paras[:1], items, *paras[1:], f"{see}: {links}."]) + "\n"

        return self.text(one("id"), one("en"))

    def sources(self, n: int) -> list[str]:
        """Ids of sources in the corpus's own register (content/sources/, see `source_records`)."""
        return sorted(self.rng.sample(self.ids["sources"], min(len(self.ids["sources"]),
                                                              self.rng.randint(1, 3))))

    def cite(self) -> dict[str, Any]:
        """A single fact's citation, as the sample content writes it: `cite: [<source id>]`."""
        return {"cite": [self.rng.choice(self.ids["sources"])]}

    def date(self, y0: int, y1: int) -> str:
        start = dt.date(y0, 1, 1)
        return (start + dt.timedelta(days=self.rng.randrange((dt.date(y1, 12, 31) - start).days))).isoformat()

    def common(self, n: int) -> dict[str, Any]:
        out: dict[str, Any] = {"sources": self.sources(n), "reviewed_on": self.date(2025, 2025)}
        if self.rng.random() < 0.15:
            out["caveats"] = [{"kind": self.rng.choice(["uncertain", "conflict", "unverified"]),
                               "text": self.summary()}]
        return out

    def some(self, kind: str, lo: int, hi: int, exclude: str | None = None) -> list[str]:
        pool = [i for i in self.ids[kind] if i != exclude]
        return sorted(self.rng.sample(pool, min(len(pool), self.rng.randint(lo, hi))))


def organisations(g: _Gen) -> dict[str, dict[str, Any]]:
    """A hierarchy: ministry > directorate-general > regional offices > immigration offices,
    plus a national agency (manages state border posts) and regional governments."""
    org_ids = g.ids["organisations"]
    n = len(org_ids)
    regional = org_ids[3:3 + max(1, n // 10)]
    out = {}
    for i, oid in enumerate(org_ids, 1):
        rec: dict[str, Any]
        if i == 1:
            rec = {"kind": "ministry"}
        elif i == 2:
            rec = {"kind": "directorate-general", "parent": org_ids[0]}
        elif i == 3:
            rec = {"kind": "national-agency"}
        elif oid in regional:
            rec = {"kind": "regional-immigration-office", "parent": org_ids[0]}
        elif g.rng.random() < 0.8:
            rec = {"kind": "immigration-office", "office_class": g.rng.choice(
                ["kelas-i-khusus", "kelas-i-tpi", "kelas-i-non-tpi", "kelas-ii-tpi", "kelas-ii-non-tpi"]),
                   "parent": g.rng.choice(regional)}
        else:
            rec = {"kind": g.rng.choice(["regional-government", "regional-agency", "inter-agency-team"])}
        out[oid] = {
            "name": g.title("Organisasi", "Organisation", i),
            "short_name": f"ORG {i}",
            **rec,
            "summary": g.summary(),
            "body": g.body(),
            "contact": {"address": {"value": f"Jalan Contoh No. {i}, kota sintetis", **g.cite()},
                        "website": {"value": f"https://organisasi-{i}.example/", **g.cite()}},
            "region": g.rng.choice(REGIONS),
            "working_area": sorted(g.rng.sample(REGIONS, 2)),
            **g.common(i),
        }
    return out


def offices(orgs: dict[str, dict[str, Any]]) -> list[str]:
    return [oid for oid, o in orgs.items() if o["kind"] == "immigration-office"] or list(orgs)[:1]


def posts(g: _Gen, orgs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    office_ids = offices(orgs)
    out = {}
    for i, pid in enumerate(g.ids["posts"], 1):
        kind = g.rng.choice(["plbn", "plb-traditional", "tpi-land", "tpi-sea", "tpi-air", "immigration-post"])
        rec: dict[str, Any] = {
            "name": g.title("Pos lintas batas", "Border post", i),
            "kind": kind,
            "summary": g.summary(),
            "body": g.body(),
            "location": g.text(f"Desa sintetis {i}", f"Synthetic village {i}"),
            "region": g.rng.choice(REGIONS),
            "opening_hours": [{"days": {"id": "Setiap hari", "en": "Every day"}, "opens": "08:00",
                               "closes": "16:00", "timezone": g.rng.choice(["WIB", "WITA", "WIT"]),
                               **g.cite()}],
            "services": [g.summary() for _ in range(g.rng.randint(1, 3))],
            "operating_office": g.rng.choice(office_ids),
            "status": g.rng.choice(["active", "active", "active", "inactive", "planned"]),
            "citations": {"status": g.cite()},
        }
        if kind == "plbn":
            rec["managed_by"] = list(orgs)[2]
        if kind in ("plbn", "plb-traditional", "tpi-land"):
            rec["country"] = g.rng.choice(["TL", "MY", "PG"])
            rec["counterpart"] = {"name": f"Pos seberang sintetis {i}"}
        out[pid] = {**rec, **g.common(i)}
    return out


def agreements(g: _Gen) -> dict[str, dict[str, Any]]:
    out = {}
    for i, aid in enumerate(g.ids["agreements"], 1):
        signed = g.date(2018, 2024)
        out[aid] = {
            "title": g.title("Perjanjian kerja sama", "Cooperation agreement", i),
            "kind": g.rng.choice(["pks", "mou", "nota-kesepakatan", "letter-of-support", "arrangement"]),
            "parties": g.some("organisations", 2, 3),
            "signed_on": signed,
            "signed_at": f"Kota sintetis {i}",
            "scope": g.summary(),
            "body": g.body(),
            "status": g.rng.choice(["signed", "in-force", "expired"]),
            "citations": {"status": g.cite()},
            "related_posts": g.some("posts", 0, 2),
            "documents": [{"title": g.text(f"Naskah sintetis {i}", f"Synthetic text {i}"),
                           "url": f"https://dokumen.example/{i}.pdf"}],
            "events": [{"date": signed, "kind": "signed"}],
            **g.common(i),
        }
    return out


def procedures(g: _Gen) -> dict[str, dict[str, Any]]:
    out = {}
    for i, pid in enumerate(g.ids["procedures"], 1):
        steps = [{"title": g.text(g.sentence("id"), g.sentence("en")), "body": g.summary(),
                  **({"optional": True} if g.rng.random() < 0.2 else {})}
                 for _ in range(g.rng.randint(3, 7))]
        out[pid] = {
            "title": g.title("Prosedur", "Procedure", i),
            "summary": g.summary(),
            "body": g.body(),
            "audience": sorted(g.rng.sample(["wni", "wna", "border-residents", "pilgrims"], 2)),
            "steps": steps,
            "requirements": [{"text": g.summary(), **g.cite()} for _ in range(g.rng.randint(2, 6))],
            # No invented fee: a zero row that says it is an example keeps the fee table in the page.
            "fees": [{"item": g.text("Tarif contoh (sintetis)", "Example fee (synthetic)"),
                      "amount_idr": 0, "legal_basis": "Contoh sintetis, bukan dasar hukum",
                      "effective_from": "2024-01-01", **g.cite()}],
            "offices": g.some("organisations", 1, 3),
            "posts": g.some("posts", 0, 2),
            "related": g.some("procedures", 0, 2, exclude=pid),
            **g.common(i),
        }
    return out


def notices(g: _Gen) -> dict[str, dict[str, Any]]:
    out = {}
    for i, nid in enumerate(g.ids["notices"], 1):
        start = dt.date.fromisoformat(g.date(2019, 2026))
        rec: dict[str, Any] = {
            "title": g.title("Pengumuman", "Notice", i),
            "summary": g.summary(),
            "body": g.body(),
            "level": g.rng.choice(["info", "advisory", "warning"]),
            "valid_from": start.isoformat(),
        }
        if g.rng.random() < 0.9:
            rec["valid_until"] = (start + dt.timedelta(days=g.rng.randint(7, 180))).isoformat()
        rec.update({
            "audience": sorted(g.rng.sample(["public", "wni", "wna", "travellers"], 2)),
            "issued_by": g.rng.choice(g.ids["organisations"]),
            "related_posts": g.some("posts", 0, 2),
            "related_procedures": g.some("procedures", 0, 2),
            **g.common(i),
        })
        out[nid] = rec
    return out


def glossary(g: _Gen) -> dict[str, dict[str, Any]]:
    out = {}
    for i, gid in enumerate(g.ids["glossary"], 1):
        term = g.terms[i - 1]
        out[gid] = {"term": term, "expansion": f"Istilah sintetis {i}",
                    "definition": g.text(f"Istilah sintetis {i}: {g.sentence('id')}",
                                         f"Synthetic term {i}: {g.sentence('en')}"),
                    "abbreviation": True, **g.common(i)}
    return out


def source_record(sid: str) -> dict[str, Any]:
    """content/sources/<id>.yaml, shaped like the sample's register but saying it is made up."""
    return {"title": f"Sumber sintetis {sid} (korpus uji, bukan sumber nyata)",
            "publisher": "Generator korpus Lintas (bench/corpus.py)",
            "url": f"https://sumber.example/{sid}", "language": "id", "kind": "secondary",
            "note": {"id": "Sumber buatan untuk mengukur kinerja; tidak ada isinya yang nyata.",
                     "en": "A made-up source for measuring performance; nothing in it is real."}}


def settings(procedure_ids: list[str]) -> dict[str, Any]:
    tasks = [{"title": {"id": f"Tugas sintetis {i}", "en": f"Synthetic task {i}"},
              "summary": {"id": "Contoh tugas di beranda.", "en": "An example home-page task."},
              "link": f"procedures/{pid}/"} for i, pid in enumerate(procedure_ids[:3], 1)]
    tasks.append({"title": {"id": "Pos lintas batas", "en": "Border posts"},
                  "summary": {"id": "Semua pos.", "en": "Every post."}, "link": "posts/"})
    return {
        "name": {"id": "Lintas — korpus uji sintetis", "en": "Lintas — synthetic benchmark corpus"},
        "tagline": {"id": "DATA SINTETIS untuk mengukur kinerja, bukan informasi resmi.",
                    "en": "SYNTHETIC data for measuring performance, not official information."},
        "base_url": "https://lintas.example/",
        "publisher": {"id": "Proyek Lintas (korpus uji sintetis)", "en": "The Lintas project (synthetic benchmark corpus)"},
        "tasks": tasks,
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


@dataclass(frozen=True)
class Corpus:
    root: Path
    n: int
    counts: dict[str, int]
    row_posts: tuple[str, ...]  # post ids used by the record-level rows
    files: int


def generate(root: Path, n: int, seed: int = SEED, rows: int = CORPUS_DATASET_ROWS) -> Corpus:
    """Write a complete project folder at `root` (content/, templates/, data/); returns what it holds.

    `rows`: size of the small record-level CSV the corpus's own dataset counts during a build."""
    rng = random.Random(f"{seed}:{n}")
    per_kind = counts(n)
    all_ids = {kind: ids(kind, c) for kind, c in per_kind.items()}
    all_ids["sources"] = [f"sumber-sintetis-{i:04d}" for i in range(1, max(3, n // 20) + 1)]
    g = _Gen(rng, all_ids, abbreviations(per_kind["glossary"]))
    orgs = organisations(g)
    by_kind = {"organisations": orgs, "posts": posts(g, orgs), "agreements": agreements(g),
               "procedures": procedures(g), "notices": notices(g), "glossary": glossary(g)}
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    files = 0
    for kind, records in by_kind.items():
        folder = content / kind
        folder.mkdir(parents=True)
        for eid, rec in records.items():
            (folder / f"{eid}.yaml").write_text(
                f"# SYNTHETIC benchmark content (bench/corpus.py), not real information.\n{dump(rec)}",
                encoding="utf-8")
            files += 1
    (content / "sources").mkdir(parents=True)
    for sid in all_ids["sources"]:
        (content / "sources" / f"{sid}.yaml").write_text(
            "# SYNTHETIC benchmark source (bench/corpus.py), not a real source.\n"
            + dump(source_record(sid)), encoding="utf-8")
    (content / "site.yaml").write_text(dump(settings(all_ids["procedures"])), encoding="utf-8")
    shutil.copytree(REPO / "templates", root / "templates")
    row_posts = tuple(all_ids["posts"][:CORPUS_DATASET_POSTS])
    write_dataset(root, row_posts, rows, seed, producer=all_ids["organisations"][1])
    return Corpus(root, n, per_kind, row_posts, files)


# ------------------------------------------------------------------------- record-level rows

HEADER = ["crossing_id", "crossed_on", "post", "direction", "nationality_group", "full_name",
          "passport_no", "nik", "birth_date"]
GROUPS = (("WNI", 46.0), ("TLS", 46.0), ("ASEAN", 4.0), ("ASIA-PACIFIC", 2.5), ("OTHER", 1.5))
YEAR = 2024


def write_rows(path: Path, m: int, posts: tuple[str, ...], seed: int = SEED,
               chunk: int = 1_000_000) -> int:
    """M synthetic crossing rows (CSV, the header of `HEADER`), in chunks so memory stays flat.

    Traffic per post falls off as 1/rank² (a few busy airports and ports, many quiet land posts),
    so the quiet posts give small cells that disclosure control must suppress. Returns bytes written.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.Generator(np.random.PCG64(seed))
    post_w = 1.0 / np.arange(1, len(posts) + 1) ** 2
    group_w = np.array([w for _, w in GROUPS])
    post_arr = pa.array(posts)
    group_arr = pa.array([g for g, _ in GROUPS])
    direction_arr = pa.array(["departure", "arrival"])
    epoch = (dt.date(YEAR, 1, 1) - dt.date(1970, 1, 1)).days
    days = (dt.date(YEAR + 1, 1, 1) - dt.date(YEAR, 1, 1)).days
    birth0 = (dt.date(1950, 1, 1) - dt.date(1970, 1, 1)).days
    path.parent.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("wb") as fh:
        fh.write((",".join(HEADER) + "\n").encode())
        done = 0
        while done < m:
            size = min(chunk, m - done)
            serial = np.arange(done + 1, done + size + 1, dtype=np.int64)
            number = pc.utf8_lpad(pc.cast(pa.array(serial), pa.string()), 9, "0")
            table = pa.table({
                "crossing_id": number,
                "crossed_on": pa.array(epoch + rng.integers(0, days, size), pa.int32()).cast(pa.date32()),
                "post": post_arr.take(pa.array(rng.choice(len(posts), size, p=post_w / post_w.sum()))),
                "direction": direction_arr.take(pa.array(rng.integers(0, 2, size))),
                "nationality_group": group_arr.take(pa.array(rng.choice(len(GROUPS), size,
                                                                        p=group_w / group_w.sum()))),
                "full_name": pc.binary_join_element_wise("CONTOH", number, " "),
                "passport_no": pc.binary_join_element_wise("X", number, ""),
                "nik": pc.binary_join_element_wise("9900000", number, ""),
                "birth_date": pa.array(birth0 + rng.integers(0, 365 * 55, size), pa.int32()).cast(pa.date32()),
            })
            pacsv.write_csv(table, fh, options)
            done += size
    return path.stat().st_size


def dataset_definition(row_posts: tuple[str, ...], input_path: str, producer: str | None) -> dict[str, Any]:
    """data/<slug>.yaml for the record-level rows: month x post x direction x nationality group."""
    columns = [{"name": c, "type": "date" if c in ("crossed_on", "birth_date") else "string",
                **({"pii": True} if c in ("full_name", "passport_no", "nik", "birth_date") else {})}
               for c in HEADER]
    return {
        "title": {"id": "[SINTETIS] Perlintasan bulanan korpus uji", "en": "[SYNTHETIC] Monthly crossings of the benchmark corpus"},
        "description": {"id": "DATA SINTETIS untuk mengukur kinerja, bukan statistik resmi: dihitung dari catatan perlintasan buatan.",
                        "en": "SYNTHETIC data for measuring performance, not official statistics: counted from generated crossing records."},
        "synthetic": True,
        "publisher": {"id": "Proyek Lintas", "en": "The Lintas project"},
        "producers": [producer] if producer else [],
        "contact": {"name": {"id": "Tim data Lintas", "en": "Lintas data team"}, "email": "data@lintas.example"},
        "themes": ["crossings"],
        "eu_themes": ["JUST", "TRAN"],
        "spatial": ["53"],
        "temporal": {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"},
        "frequency": "monthly",
        "sources": [{"title": "Generator korpus uji Lintas (bench/corpus.py)", "publisher": "Proyek Lintas"}],
        "methodology": {"id": "Satu baris adalah satu perlintasan buatan; DuckDB menghitung baris per sel.",
                        "en": "One row is one generated crossing; DuckDB counts the rows per cell."},
        "input": {"path": input_path, "level": "records", "columns": columns},
        "dimensions": [
            {"name": "month", "title": {"id": "Bulan", "en": "Month"}, "source": "crossed_on", "derive": "month"},
            {"name": "post", "title": {"id": "Pos", "en": "Post"}, "source": "post", "total": True,
             "codes": [{"code": p, "label": {"id": p, "en": p}} for p in row_posts]},
            {"name": "direction", "title": {"id": "Arah", "en": "Direction"}, "source": "direction", "total": True,
             "codes": [{"code": "departure", "label": {"id": "Keberangkatan", "en": "Departure"}},
                       {"code": "arrival", "label": {"id": "Kedatangan", "en": "Arrival"}}]},
            {"name": "nationality_group", "title": {"id": "Kelompok", "en": "Group"}, "source": "nationality_group",
             "total": True, "codes": [{"code": c, "label": {"id": c, "en": c}} for c, _ in GROUPS]},
        ],
        "measure": {"name": "crossings", "title": {"id": "Perlintasan", "en": "Crossings"},
                    "unit": {"id": "perlintasan", "en": "crossings"}},
        "disclosure": {"counts_people": True, "k": 5, "zeros": "published"},
        "releases": [{"version": "1.0.0", "date": "2025-06-01",
                      "notes": {"id": "Rilis uji (sintetis).", "en": "Benchmark release (synthetic)."}}],
    }


def write_dataset(root: Path, row_posts: tuple[str, ...], rows: int, seed: int = SEED,
                  producer: str | None = None, slug: str = "bench-crossings") -> Path:
    """data/regions.yaml (copied), data/<slug>.yaml and its CSV of `rows` rows; the CSV's path."""
    data = root / "data"
    (data / "tables").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "data" / "regions.yaml", data / "regions.yaml")
    csv_path = data / "tables" / f"{slug}.csv"
    write_rows(csv_path, rows, row_posts, seed)
    (data / f"{slug}.yaml").write_text(
        "# SYNTHETIC benchmark dataset (bench/corpus.py), not official statistics.\n"
        + dump(dataset_definition(row_posts, f"tables/{slug}.csv", producer)), encoding="utf-8")
    return csv_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--rows", type=int, default=CORPUS_DATASET_ROWS, help="rows of the corpus's own dataset")
    args = parser.parse_args()
    corpus = generate(args.root, args.n, args.seed, args.rows)
    print(f"{corpus.files} content files in {corpus.root}: {corpus.counts}")


if __name__ == "__main__":
    main()
