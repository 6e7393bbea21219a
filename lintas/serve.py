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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(config: BuildConfig, *, port: int = 8000) -> int:
    preview = Preview(config)
    preview.full()
    handler = functools.partial(_Quiet, directory=str(config.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"serve: http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)", file=sys.stderr, flush=True)
    changes = _Changes()
    observer = Observer()
    for name in WATCHED:
        folder = config.root / name
        if folder.is_dir():
            observer.schedule(changes, str(folder), recursive=True)
    observer.start()
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
