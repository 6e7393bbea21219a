"""`python build.py serve`: preview on 127.0.0.1, updated when a source changes.

The preview serves site/: first the same atomic build as `python build.py` (without the offline
bundle), then, after each edit, only what the edit changed (lintas/preview.py), the edited page
first. A broken edit prints its problems and keeps the last good site.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import BuildConfig
from .preview import Preview

WATCHED = ("content", "data", "templates")
DEBOUNCE_S = 0.2


class _Changes(FileSystemEventHandler):
    def __init__(self) -> None:
        self.changed = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        self.changed.set()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves site/ only to this machine: a request whose Host is not the address we listen on is
    refused (a web page elsewhere could point a DNS name at 127.0.0.1: DNS rebinding), a path that
    cannot name a file (a NUL byte, say) is a 400 with one log line, and no folder is listed."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _allowed_host(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = getattr(self.server, "server_port", None)
        return host in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def send_head(self) -> Any:
        if not self._allowed_host():
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Host not allowed")
            print(f"serve: refused a request for Host {self.headers.get('Host')!r}", file=sys.stderr)
            return None
        if "\x00" in urllib.parse.unquote(self.path) or "\\" in urllib.parse.unquote(self.path):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad path")
            print(f"serve: 400 for a path that names no file: {self.path[:80]!r}", file=sys.stderr)
            return None
        return super().send_head()

    def list_directory(self, path: Any) -> Any:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None


class PortError(Exception):
    """The preview's port cannot be used."""


def open_server(site_dir: str, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Handler, directory=site_dir)
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise PortError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc


def serve(config: BuildConfig, *, port: int = 8000) -> int:
    server = open_server(str(config.site_dir), port)  # before the build: a busy port fails at once
    # Watch before the first build: an edit made while it runs, or as soon as the first page is
    # served, is seen (watching after serving lost such an edit on a busy machine).
    changes = _Changes()
    observer = Observer()
    for name in WATCHED:
        folder = config.root / name
        if folder.is_dir():
            observer.schedule(changes, str(folder), recursive=True)
    observer.start()
    preview = Preview(config)
    preview.full()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"serve: http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)", file=sys.stderr, flush=True)
    try:
        while True:
            changes.changed.wait()
            time.sleep(DEBOUNCE_S)  # let an editor finish writing (save = write + rename)
            changes.changed.clear()
            preview.update(pending=changes.changed.is_set)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        server.shutdown()
        preview.close()
