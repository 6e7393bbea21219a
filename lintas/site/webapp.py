"""The installable web app: one manifest per language and the icons, drawn here (nothing downloaded).

The icon is the favicon's design (a white 'L' on the header's indigo) as SVG and PNG; the maskable
PNG keeps the letter inside the central safe circle (40 % radius) that launchers never crop.
"""

from __future__ import annotations

import functools
import json
import struct
import zlib
from collections.abc import Callable

from ..i18n import LANGS, lang_prefix
from ..outputs import Outputs
from ..content.schemas import SiteSettings

THEME_COLOR = "#3f51b5"  # Material's indigo header, as the favicon
BACKGROUND_COLOR = "#ffffff"
ICON_DIR = "assets/icons"
ICONS = (  # file, size in pixels, purpose
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("maskable-512.png", 512, "maskable"),
)


def manifest_path(lang: str) -> str:
    return f"{lang_prefix(lang)}manifest.webmanifest"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int, int]],
        row_key: Callable[[int], object] | None = None) -> bytes:
    """An RGBA PNG from a function of (x, y); deterministic bytes. `row_key(y)`, when given, names
    what row y depends on: rows with the same key are drawn once (an icon has few distinct rows)."""
    drawn: dict[object, bytes] = {}
    rows = bytearray()
    for y in range(height):
        key = row_key(y) if row_key is not None else y
        row = drawn.get(key)
        if row is None:
            row = b"".join(bytes(pixel(x, y)) for x in range(width))
            if row_key is not None:
                drawn[key] = row
        rows.append(0)  # filter: none
        rows.extend(row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


def _letter(u: float, v: float) -> bool:
    """The favicon's 'L' on its 16-unit grid: M5 3v10h7v-2H7V3z."""
    return (5 <= u < 7 and 3 <= v < 13) or (5 <= u < 12 and 11 <= v < 13)


@functools.cache  # the same bytes every build: drawn once per process
def icon_png(size: int, maskable: bool) -> bytes:
    bg = (*_rgb(THEME_COLOR), 255)
    fg = (255, 255, 255, 255)
    clear = (0, 0, 0, 0)
    # Maskable: full bleed, the letter scaled to 60 % so it stays inside the safe circle.
    scale = 0.6 if maskable else 1.0
    radius = 0 if maskable else size * 3 / 16

    def corner_dy(y: int) -> float:
        cy = y + 0.5
        return max(radius - cy, 0.0, cy - (size - radius)) if radius else 0.0

    def v_of(y: int) -> float:
        return (((y + 0.5) / size - 0.5) / scale + 0.5) * 16

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        cx = x + 0.5
        if radius:  # rounded corners, as the favicon's rx=3
            dx = max(radius - cx, 0.0, cx - (size - radius))
            dy = corner_dy(y)
            if dx * dx + dy * dy > radius * radius:
                return clear
        u = ((cx / size - 0.5) / scale + 0.5) * 16
        return fg if _letter(u, v_of(y)) else bg

    def row_key(y: int) -> object:
        # A row depends on y only through its distance into a corner and the letter's bands.
        v = v_of(y)
        return corner_dy(y), 3 <= v < 13, 11 <= v < 13

    return png(size, size, pixel, row_key)


def icon_svg() -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
            f'<rect width="16" height="16" rx="3" fill="{THEME_COLOR}"/><path d="M5 3v10h7v-2H7V3z" fill="#fff"/></svg>\n')


def manifest(settings: SiteSettings, lang: str) -> dict[str, object]:
    """The manifest of one language. Indonesian's scope is the whole site, English's is en/; each
    starts at its language's home page. Paths are relative to the manifest, so a site served under
    a sub-path works unchanged."""
    up = "../" * lang_prefix(lang).count("/")
    name = settings.name.get(lang)
    short = getattr(settings, "short_name", None) or name.split(" — ")[0]
    return {
        "id": "./",
        "name": name,
        "short_name": short,
        "description": settings.tagline.get(lang),
        "lang": lang,
        "dir": "ltr",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{"src": f"{up}{ICON_DIR}/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]
        + [{"src": f"{up}{ICON_DIR}/{file}", "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
           for file, size, purpose in ICONS],
    }


def webapp_outputs(settings: SiteSettings) -> Outputs:
    out = Outputs()
    for lang in LANGS:
        out.add(manifest_path(lang), json.dumps(manifest(settings, lang), ensure_ascii=False, indent=1) + "\n")
    out.add(f"{ICON_DIR}/icon.svg", icon_svg())
    for file, size, purpose in ICONS:
        out.add(f"{ICON_DIR}/{file}", icon_png(size, purpose == "maskable"))
    return out
