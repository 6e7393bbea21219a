"""The offline bundle: the whole site for opening from disk (file://), as one zip.

The bundle is not rendered again: lintas/renderer.py makes it from the online render (folder links
pointing at index.html, Material's JavaScript and built-in search, the Web Worker shim), the
publisher's files are added, and it is zipped here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from ..i18n import LANGS, lang_prefix
from ..outputs import OutputError, Outputs
from ..write import write_outputs
from .render import BUNDLE_SIZE_MARK, bundle_size_text

BUNDLE_PATH = "downloads/lintas-offline.zip"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed: the same sources give the same bytes


# Already compressed: deflating them again costs CPU for nothing, they are stored as they are. (XLSX
# and zip files are not: their parts are loosely compressed, deflating them gains 2-8%.)
_STORED = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".woff", ".woff2", ".gz", ".wasm")


def zip_files(files: Mapping[str, bytes], prefix: str = "lintas/") -> bytes:
    """Deterministic zip of a site held in memory (file bytes by site path): sorted entries, fixed
    timestamps and permissions. zlib's default level: level 9 took 2.6 times the CPU for a zip 0.7%
    smaller (the sample site's bundle); compressed formats are stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(files, key=lambda p: p.split("/")):  # the order of sorted Paths
            info = zipfile.ZipInfo(prefix + path, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if path.lower().endswith(_STORED) else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[path])
    return buffer.getvalue()


def with_outputs(copy: Mapping[str, bytes], outputs: Mapping[str, bytes]) -> dict[str, bytes]:
    """The offline copy with the publisher's files added; none may take a rendered file's place."""
    combined = dict(copy)
    for path in outputs:
        if path in combined:
            raise OutputError(f"output {path!r} would overwrite a rendered file")
        combined[path] = outputs[path]
    return combined


def home_pages() -> dict[str, str]:
    """The home page of each language, by its path in the site: they link the bundle."""
    return {lang: lang_prefix(lang) + "index.html" for lang in LANGS}


def fill_bundle_size(site_dir: Path, size: int) -> None:
    """The online home pages link the offline bundle with its size, known once it is zipped: the
    render left a mark in its place (lintas.site.render)."""
    files = Outputs()
    for lang, path in home_pages().items():
        html = (site_dir / path).read_text(encoding="utf-8")
        files.add(path, html.replace(BUNDLE_SIZE_MARK, bundle_size_text(size, lang)).encode("utf-8"))
    write_outputs(site_dir, files, replace=frozenset(files))
