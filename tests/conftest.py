"""Shared fixtures. Each feature's tests keep their own helpers in their own files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25: reproducible test builds


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's content/, data/ and templates/ in a temporary project folder."""
    for name in ("content", "data", "templates"):
        src = ROOT / name
        if src.exists():
            shutil.copytree(src, tmp_path / name)
    return tmp_path
