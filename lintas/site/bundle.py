"""The offline bundle: the whole site built for opening from disk (file://), as one zip.

From file:// a browser shows a folder listing for 'posts/x/' and refuses module scripts and fetch(),
so the bundle is rendered with index.html URLs, classic scripts and Material's built-in search
(its offline plugin inlines the index). Our own HTML parts link to folders; they get 'index.html'
appended here.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

BUNDLE_PATH = "downloads/lintas-offline.zip"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed: the same sources give the same bytes

_HREF = re.compile(r'(href|src)="([^"#:?]*?/)(#[^"]*)?"')


def file_urls(html: str) -> str:
    """Relative folder links ('../posts/x/', './') become '.../index.html' links."""

    def fix(match: re.Match[str]) -> str:
        attr, path, anchor = match.group(1), match.group(2), match.group(3) or ""
        if path.startswith("/"):
            return match.group(0)
        return f'{attr}="{path}index.html{anchor}"'

    return _HREF.sub(fix, html)


def prepare_for_file_urls(folder: Path) -> None:
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = file_urls(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


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
