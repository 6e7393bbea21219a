"""Command line: `python build.py [build|check|serve|schema|release]`.

Exit codes: 0 clean, 1 content problems (printed as path:line:col, no traceback), 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import NoReturn

from .config import BuildConfig
from .problems import format_json, format_text, has_errors


def _today(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line on stderr and exit code 2 (no usage block, no traceback)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def usage_error(message: str) -> int:
    print(f"build.py: {message}", file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: here)")
    parser.add_argument("--today", type=_today, help="judge notices as of this date (YYYY-MM-DD)")
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check", help="load and validate sources only")
    check.add_argument("--format", choices=("text", "json"), default="text")
    sub.add_parser("build", help="validate, then build the whole site into site/ (the default)")
    serve = sub.add_parser("serve", help="preview on 127.0.0.1 and rebuild when a source changes")
    serve.add_argument("--port", type=_port, default=8000)
    schema = sub.add_parser("schema", help="write the JSON Schema of every kind")
    schema.add_argument("--out", type=Path, default=Path("schemas"))
    release = sub.add_parser("release", help="freeze a dataset's current files as its next version")
    release.add_argument("dataset", help="dataset slug, e.g. crossings-monthly")
    withdraw = sub.add_parser("withdraw", help="withdraw a released version: its files go, a "
                                               "tombstone page with the reason and checksums stays")
    withdraw.add_argument("dataset", help="dataset slug, e.g. crossings-monthly")
    withdraw.add_argument("version", help="released version, e.g. 1.0.0")
    withdraw.add_argument("--reason", required=True, help="why, shown on the tombstone page")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = BuildConfig.for_root(args.root, today=args.today)
    if not (config.root / "content").is_dir():
        return usage_error(f"no content/ folder in {config.root}")
    try:
        os.listdir(config.root / "content")
    except OSError as exc:
        return usage_error(f"cannot read {config.root / 'content'}: {exc.strerror or exc}")
    command = args.command or "build"
    if command == "schema":
        from .content.schema_export import write_schemas

        try:
            written = write_schemas(args.out)
        except OSError as exc:
            return usage_error(f"cannot write schemas to {args.out}: {exc.strerror or exc}")
        for path in written:
            print(path)
        return 0
    if command == "release":
        from .pipeline import release_dataset

        report: list[str] = []
        version, problems = release_dataset(config.root, args.dataset, report)
        sys.stderr.write(format_text(problems))
        if has_errors(problems) or not version:
            return 1
        for line in report:
            print(line)
        print(f"released {args.dataset} {version}")
        return 0
    if command == "withdraw":
        from .datasets.publish import withdraw_version

        if not args.reason.strip():
            print("build.py withdraw: --reason must say why", file=sys.stderr)
            return 2
        problems = withdraw_version(config.root, args.dataset, args.version, args.reason.strip(),
                                    config.today)
        sys.stderr.write(format_text(problems))
        if has_errors(problems):
            return 1
        print(f"withdrew {args.dataset} {args.version}")
        return 0
    if command == "build":
        return _build(config)
    if command == "serve":
        from .serve import PortError, serve

        try:
            return serve(config, port=args.port)
        except PortError as exc:
            return usage_error(str(exc))
    from .pipeline import check as run_check

    _site, problems = run_check(config)
    if getattr(args, "format", "text") == "json":
        sys.stdout.write(format_json(problems))
    else:
        sys.stderr.write(format_text(problems))
    failed = has_errors(problems)
    if not failed and getattr(args, "format", "text") == "text":
        print("check: no problems found", file=sys.stderr)
    return 1 if failed else 0


def _build(config: BuildConfig) -> int:
    import time

    from .pipeline import build

    started = time.perf_counter()
    result = build(config, keep_state=True)
    sys.stderr.write(format_text(result.problems))
    if not result.written:
        print("build: failed; site/ was left as it was", file=sys.stderr)
        return 1
    if result.state is not None:
        from .datasets.publish import audit_lines

        for line in audit_lines(result.state.site.datasets):
            print(line, file=sys.stderr)
    print(f"build: {result.pages} pages, {result.files} files written to {config.site_dir} "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
