"""What counts as an error on a page loaded in the browser tests."""

from __future__ import annotations

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
