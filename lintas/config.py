"""Build settings that do not come from content: where things are and what day it is."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path


def build_datetime() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


def build_today() -> dt.date:
    """The day notices are judged active on and dates checked against: LINTAS_TODAY, else the
    real date. Not SOURCE_DATE_EPOCH: that pins timestamps, and an old epoch must not turn
    yesterday's review date into a 'future' one."""
    today = os.environ.get("LINTAS_TODAY")
    if today:
        return dt.date.fromisoformat(today)
    return dt.date.today()


@dataclass(frozen=True)
class BuildConfig:
    root: Path
    site_dir: Path
    today: dt.date
    built_at: dt.datetime

    @classmethod
    def for_root(cls, root: Path, site_dir: Path | None = None,
                 today: dt.date | None = None) -> BuildConfig:
        root = root.resolve()
        return cls(root=root, site_dir=(site_dir or root / "site").absolute(),
                   today=today or build_today(), built_at=build_datetime())
