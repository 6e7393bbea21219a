"""SYNTHETIC demonstration input: record-level border crossings with fake identifying columns.

Nothing here is real. Names are 'CONTOH <n>', passport numbers start with X and NIKs with 99 (not
a province code), so no real person can be matched; they exist to prove that identifying columns
never leave the build. Deterministic for a seed: the committed file can be regenerated exactly
(`python -m lintas.datasets.synthetic data/tables/crossings-records.csv`).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

HEADER = ["crossing_id", "crossed_on", "post", "direction", "nationality_group", "full_name",
          "passport_no", "nik", "birth_date"]
POSTS = [("plbn-motaain", 6), ("plbn-wini", 3), ("plbn-motamasin", 1)]
GROUPS = [("WNI", 46), ("TLS", 46), ("ASEAN", 5), ("OTHER", 3)]


def records(n: int, seed: int = 20240901, year: int = 2024) -> list[list[str]]:
    rng = random.Random(seed)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    posts, post_w = zip(*POSTS, strict=True)
    groups, group_w = zip(*GROUPS, strict=True)
    out = []
    for i in range(1, n + 1):
        day = start + dt.timedelta(days=rng.randrange(days))
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        out.append([
            f"{i:07d}", day.isoformat(), rng.choices(posts, post_w)[0],
            rng.choice(("departure", "arrival")), rng.choices(groups, group_w)[0],
            f"CONTOH {i:06d}", f"X{i:07d}", f"99{i:014d}", birth.isoformat(),
        ])
    out.sort(key=lambda r: (r[1], r[0]))
    return out


def write(path: Path, n: int = 10000, seed: int = 20240901) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(records(n, seed))


if __name__ == "__main__":
    write(Path(sys.argv[1]))
