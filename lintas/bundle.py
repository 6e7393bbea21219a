"""The offline bundle: the whole site for opening from disk (file://), as one zip.

The bundle is not rendered again: lintas/renderer.py makes it from the online render (folder links
pointing at index.html, Material's JavaScript and built-in search, the Web Worker shim), the
publisher's files are added, and it is zipped here.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

BUNDLE_PATH = "downloads/lintas-offline.zip"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed: the same sources give the same bytes


def zip_folder(folder: Path, prefix: str = "lintas/") -> bytes:
    """Deterministic zip: sorted entries, fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(prefix + path.relative_to(folder).as_posix(), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buffer.getvalue()
