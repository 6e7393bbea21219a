"""What counts as an error on a page loaded in the browser tests, and waiting for a page's requests."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Chromium reports a request it cancelled itself as ERR_ABORTED: a favicon or
# prefetch still in flight when the test navigates to the next page. That is not
# a broken resource; a missing one still shows up as an HTTP error status.
CANCELLED = "net::ERR_ABORTED"


def _handlers(errors: list[str]) -> dict[str, Callable[[Any], object]]:
    return {
        "console": lambda m: m.type == "error" and errors.append(f"console: {m.text}"),
        "pageerror": lambda e: errors.append(f"exception: {e}"),
        "requestfailed": lambda r: r.failure != CANCELLED and errors.append(f"failed: {r.url} {r.failure}"),
        "response": lambda r: r.status >= 400 and errors.append(f"{r.status}: {r.url}"),
    }


def watch(page: Any) -> list[str]:
    """Collect console errors, uncaught exceptions, failed requests and HTTP errors on `page`."""
    errors: list[str] = []
    for event, handler in _handlers(errors).items():
        page.on(event, handler)
    return errors


@contextmanager
def watching(page: Any) -> Iterator[list[str]]:
    """`watch(page)` for the length of a `with` block: a page shared by several tests gives each
    test the errors of its own visits only."""
    errors: list[str] = []
    handlers = _handlers(errors)
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        yield errors
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)


_ANSWERED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


class Requests:
    """The requests of `page` in flight and the URLs answered on it, from the moment it is made."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.pending: set[Any] = set()
        self.answered = _ANSWERED.setdefault(page, set())
        self._on = {"request": self._start, "requestfinished": self._end, "requestfailed": self._end}
        for event, handler in self._on.items():
            page.on(event, handler)

    def _start(self, request: Any) -> None:
        self.pending.add(request)

    def _end(self, request: Any) -> None:
        self.pending.discard(request)
        self.answered.add(request.url)

    def close(self) -> None:
        for event, handler in self._on.items():
            self.page.remove_listener(event, handler)

    def settle(self, icons: set[str] | None = None, timeout: float = 10.0) -> None:
        """Wait until none of the page's requests is in flight and the page's favicon (fetched after
        `load`; `icons` when the caller read them already) has answered once on this page: what
        wait_until="networkidle" waits for on this site's pages, which fetch nothing on a timer,
        without its fixed 500 ms of quiet after the last request. Past `timeout` it falls back on
        networkidle itself."""
        if icons is None:
            icons = set(self.page.eval_on_selector_all("link[rel~=icon][href]", "els => els.map(e => e.href)"))
        icons = {icon for icon in icons if not icon.startswith("data:")}  # a data: icon is never fetched
        deadline = time.monotonic() + timeout
        while self.pending or not icons <= self.answered:
            if time.monotonic() > deadline:
                self.page.wait_for_load_state("networkidle")
                return
            self.page.wait_for_timeout(10)


@contextmanager
def settling(page: Any, timeout: float = 10.0) -> Iterator[Requests]:
    """Track `page`'s requests during the `with` block (a click, a key press that navigates or
    fetches), then wait as `Requests.settle` does."""
    requests = Requests(page)
    try:
        yield requests
        requests.settle(timeout=timeout)
    finally:
        requests.close()


def goto_settled(page: Any, url: str, timeout: float = 10.0) -> None:
    """`page.goto(url)`, then wait as `Requests.settle` does (no request in flight, favicon answered)."""
    with settling(page, timeout):
        page.goto(url, wait_until="load")
