"""`python build.py serve`: preview on 127.0.0.1, rebuilding when a source changes.

The preview serves site/ exactly as built (the same atomic build as `python build.py`), so what an
editor sees is what will be deployed. A broken edit prints its problems and keeps the last good site.
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
from .problems import format_text

WATCHED = ("content", "data", "templates")
DEBOUNCE_S = 0.2


class _Changes(FileSystemEventHandler):
    def __init__(self) -> None:
        self.changed = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        self.changed.set()


def _rebuild(config: BuildConfig) -> bool:
    from .pipeline import build

    started = time.perf_counter()
    # The preview skips the offline bundle (a second full render): edits show sooner.
    result = build(config, bundle=False)
    sys.stderr.write(format_text(result.problems))
    if result.written:
        print(f"serve: rebuilt in {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
    else:
        print("serve: build failed; still serving the last good site", file=sys.stderr, flush=True)
    return result.written


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(config: BuildConfig, *, port: int = 8000) -> int:
    _rebuild(config)
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
            _rebuild(config)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        server.shutdown()
