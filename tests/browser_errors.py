"""What counts as an error on a page loaded in the browser tests."""

from __future__ import annotations

import time
import weakref
from typing import Any

# Chromium reports a request it cancelled itself as ERR_ABORTED: a favicon or
# prefetch still in flight when the test navigates to the next page. That is not
# a broken resource; a missing one still shows up as an HTTP error status.
CANCELLED = "net::ERR_ABORTED"


def watch(page: Any) -> list[str]:
    """Collect console errors, uncaught exceptions, failed requests and HTTP errors on `page`."""
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"exception: {e}"))
    page.on("requestfailed",
            lambda r: r.failure != CANCELLED and errors.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status}: {r.url}"))
    return errors


_ANSWERED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def goto_settled(page: Any, url: str, timeout: float = 10.0) -> None:
    """`page.goto(url)`, then wait until none of the page's requests is in flight and its favicon
    (fetched after `load`) has answered once on this page: what wait_until="networkidle" waits for
    on this site's pages, which fetch nothing on a timer, without its fixed 500 ms of quiet after
    the last request. Past `timeout` it falls back on networkidle itself."""
    answered = _ANSWERED.setdefault(page, set())
    pending: set[Any] = set()

    def start(request: Any) -> None:
        pending.add(request)

    def end(request: Any) -> None:
        pending.discard(request)
        answered.add(request.url)

    page.on("request", start)
    page.on("requestfinished", end)
    page.on("requestfailed", end)
    try:
        page.goto(url, wait_until="load")
        icons = page.eval_on_selector_all("link[rel~=icon][href]", "els => els.map(e => e.href)")
        icons = {icon for icon in icons if not icon.startswith("data:")}  # a data: icon is never fetched
        deadline = time.monotonic() + timeout
        while pending or not icons <= answered:
            if time.monotonic() > deadline:
                page.wait_for_load_state("networkidle")
                return
            page.wait_for_timeout(10)
    finally:
        page.remove_listener("request", start)
        page.remove_listener("requestfinished", end)
        page.remove_listener("requestfailed", end)
