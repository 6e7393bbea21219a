"""Compiled templates kept between builds: Jinja2's bytecode cache in the user's cache folder.

Compiling the templates (ours and Material's, about 140 per build) is about a tenth of a build's
CPU time, and they rarely change. A compiled template is found again by what it was compiled from:
its name, the checksum of its source and the environment settings that change the compiled code:
the syntax, escaping, how each filter and test is called (Jinja2's own key is the template's file path, and the theme folder MkDocs reads is a fresh
temporary folder on every build). Jinja2 checks the source checksum again when it loads and writes
each entry atomically; a damaged entry is compiled again. The cache only saves time: with it gone, off
(`LINTAS_CACHE_DIR=off`) or not writable, every build compiles everything, with the same output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import CodeType

from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket

from ..cache import cache_dir, private_folder


def _settings(env: Environment, name: str) -> str:
    """What, besides the source, the compiled code of a template depends on: the syntax, whether
    output is escaped, and how each filter and test is called (context passed or not)."""
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    calls = sorted((kind, key, str(getattr(func, "jinja_pass_arg", "")))
                   for kind, table in (("filter", env.filters), ("test", env.tests)) for key, func in table.items())
    # Every plain setting (the syntax, trim_blocks, optimized, an extension's newstyle_gettext...).
    plain = sorted((k, v) for k, v in vars(env).items() if isinstance(v, (bool, int, str, type(None))))
    return repr((autoescape, calls, plain, env.finalize is not None,
                 str(getattr(env.finalize, "jinja_pass_arg", "")), sorted(env.extensions)))


class TemplateCache(FileSystemBytecodeCache):
    """Jinja2's file cache, keyed by template name, source checksum and environment settings."""

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        checksum = self.get_source_checksum(source)
        key = hashlib.sha256(f"{_settings(environment, name)}\0{name}\0{checksum}".encode()).hexdigest()
        bucket = Bucket(environment, key, checksum)
        self.load_bytecode(bucket)
        if bucket.code is not None:
            # The code names the file it was compiled from (tracebacks and template errors show
            # it); from here it is this file, as a fresh compile would name it.
            bucket.code = _named(bucket.code, filename or "<template>")
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry (Jinja2 lets a cut-short one raise): compile again
            bucket.reset()


def _named(code: CodeType, filename: str) -> CodeType:
    consts = tuple(_named(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


_CACHES: dict[Path, TemplateCache | None] = {}


def template_cache() -> TemplateCache | None:
    """The cache for this user, or None when it is off or its folder cannot be made ours (compiled
    code is run as it is read: only from a folder nobody else can write to)."""
    base = cache_dir()
    if base is None:
        return None
    key = base / "templates"
    if key not in _CACHES:
        folder = private_folder("templates")
        _CACHES[key] = None if folder is None else TemplateCache(str(folder), "%s.jinja")
    return _CACHES[key]


def with_cache(env: Environment) -> Environment:
    """`env`, compiling through the template cache when there is one."""
    env.bytecode_cache = template_cache()
    return env
