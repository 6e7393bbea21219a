"""The Content-Security-Policy of every page: one place, so every part of the build uses the same.

The site is static, so the policy is a `<meta http-equiv>` tag, first in <head> (it only governs
what comes after it). No page carries an inline script of ours or of the theme: Material's start-up
script is moved into a file for the offline bundle and left out online (renderer.py,
templates/material/partials/javascripts/), the checker and the search page load files and read
their data from JSON blocks (`type="application/json"`, which browsers never run). So
`script-src` needs no `'unsafe-inline'` and no hash; `inline_hashes` exists for a template that
ever must inline a script: hash its template output, never whatever inline script a finished page
happens to hold (that would allowlist an injected one).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable


def script_hash(script: str) -> str:
    """The CSP source for an inline script's exact text: 'sha256-<base64>'."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(*, wasm: bool = False, inline_hashes: Iterable[str] = ()) -> str:
    """The policy text. `wasm`: the search pages only. Pagefind compiles WebAssembly in its worker
    and, when the worker cannot start, in the page, where it needs 'wasm-unsafe-eval' (measured in
    tests/test_browser_search_csp.py; docs/security.md)."""
    scripts = ["'self'", *(script_hash(s) for s in inline_hashes)]
    if wasm:
        scripts.append("'wasm-unsafe-eval'")
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(scripts),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def meta_tag(*, wasm: bool = False) -> str:
    """The <meta http-equiv="Content-Security-Policy"> element."""
    return f'<meta http-equiv="Content-Security-Policy" content="{policy(wasm=wasm)}">'


__all__ = ["meta_tag", "policy", "script_hash"]
