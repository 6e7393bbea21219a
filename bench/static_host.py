"""A small static host for site/, with the headers a real one sends (docs/deploy.md): gzip for
text, long-lived caching for files whose name carries a content hash, revalidation for the rest,
`404.html` for missing pages. Lighthouse is run against it (tests/test_lighthouse.py), because
Python's `http.server` sends neither compression nor cache headers and would be scored for that.

    .venv/bin/python bench/static_host.py [--site site] [--port 8000]

Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import gzip
import mimetypes
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|ld\+json|xml|atom\+xml|geo\+json|"
                          r"manifest\+json)|image/svg\+xml)")
# Material's assets carry a content hash in their name (main.57a0d79d.min.css): cache for a year.
HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(css|js)$|^/pagefind/(fragment|index|filter)/")
IMMUTABLE = "public, max-age=31536000, immutable"
ASSET = "public, max-age=604800"  # CSS, images, scripts without a hash: a week
PAGE = "no-cache"  # HTML, feeds, data: always revalidated (ETag / Last-Modified)
ASSET_SUFFIXES = {".css", ".js", ".svg", ".png", ".jpg", ".webp", ".ico", ".woff2", ".wasm"}

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("application/wasm", ".wasm")


def cache_control(path: str) -> str:
    if HASHED.search(path):
        return IMMUTABLE
    if Path(path).suffix in ASSET_SUFFIXES:
        return ASSET
    return PAGE


class StaticHandler(SimpleHTTPRequestHandler):
    """Files of `directory`; gzip when the client accepts it and the type is text."""

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        folder = Path(path)
        if folder.is_dir() and not self.path.split("?", 1)[0].endswith("/"):
            return super().send_head()  # redirect to the folder's address with '/'
        if folder.is_dir():
            folder = folder / "index.html"
        if not folder.is_file():
            return self._send_file(Path(self.directory) / "404.html", 404)
        return self._send_file(folder, 200)

    def _send_file(self, file: Path, status: int):  # type: ignore[no-untyped-def]
        import io

        body = file.read_bytes() if file.is_file() else b"not found"
        ctype = self.guess_type(str(file)) if file.is_file() else "text/plain"
        if ctype.startswith("text/") and "charset" not in ctype:
            ctype += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        rel = "/" + file.relative_to(Path(self.directory)).as_posix() if file.is_file() else self.path
        self.send_header("Cache-Control", cache_control(rel) if status == 200 else PAGE)
        self.send_header("X-Content-Type-Options", "nosniff")
        if COMPRESSIBLE.match(ctype) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serving(site: Path, port: int = 0) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 (a free port by default) in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(StaticHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    with serving(args.site, args.port) as url:
        print(f"serving {args.site} at {url}/ (Ctrl+C to stop)")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
