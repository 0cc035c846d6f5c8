"""Commands about statements and saved results: `statement`, `report`, `schema`,
`history`, `diff`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.cli.common import EXIT_PASSED, UsageError
from scanner.sanitize import for_terminal, for_terminal_json, redact_url

if TYPE_CHECKING:  # the commands import what they use when they run: `--help` stays fast
    from scanner.model import ScanResult
    from scanner.store import HistoryStore


def _load_report(path: Path, flag: str | None = None) -> ScanResult:
    """A saved report.json; a file that is not one is a usage error."""
    from scanner.config import ConfigError
    from scanner.pipeline import load_report

    try:
        return load_report(path, flag)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def cmd_statement(args: argparse.Namespace) -> int:
    """`complyscan statement FILE|URL`: the claims a statement makes."""
    import json

    from scanner.net import ResolveError, Resolver, Trust
    from scanner.statement.reader import StatementSourceError, format_claims, load_statement_source

    if args.ca_bundle is not None and not args.ca_bundle.is_file():
        raise UsageError(f"--ca-bundle {args.ca_bundle}: no such file")
    try:
        resolver = Resolver.from_strings(args.resolve)
    except ResolveError as exc:
        raise UsageError(str(exc)) from None
    trust = Trust(args.ca_bundle)

    def get(url: str) -> str:
        from scanner.fetch import fetch  # only for a URL: httpx takes 0.03 s to import
        from scanner.statement.source import fetch_rejection

        result = asyncio.run(fetch(url, resolver, trust))
        if reason := fetch_rejection(result):  # an error, a status, a PDF, an empty body
            raise StatementSourceError(f"{url}: {reason}")
        return result.text()

    try:
        statement = load_statement_source(args.source, get)
    except StatementSourceError as exc:
        raise UsageError(str(exc).replace(args.source, redact_url(args.source))) from None
    statement.url = redact_url(statement.url)  # user:password@ is never printed
    if args.json:
        print(
            for_terminal_json(
                json.dumps(statement.model_dump(mode="json"), indent=2, ensure_ascii=False)
            )
        )
    else:
        print(for_terminal(format_claims(statement), multiline=True))
    return EXIT_PASSED


def cmd_report(args: argparse.Namespace) -> int:
    """`complyscan report REPORT.json --format ...`: render a saved result again."""
    from scanner.config import FORMATS
    from scanner.outdir import OutDirError, ensure_writable
    from scanner.report import write_reports

    unknown = [f for f in args.formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    result = _load_report(args.report, "report")
    out = args.out or args.report.parent
    try:
        ensure_writable(out)
    except OutDirError as exc:
        raise UsageError(str(exc)) from None
    for fmt, path in write_reports(result, out, args.formats).items():
        print(f"{fmt}: {path}")
    return EXIT_PASSED


def cmd_schema(args: argparse.Namespace) -> int:
    """`complyscan schema`: the JSON Schema of report.json."""
    import json

    from scanner.report import json_schema

    print(json.dumps(json_schema(), indent=2))
    return EXIT_PASSED


def _store(path: str | None) -> HistoryStore:
    from scanner.store import HistoryStore, StoreError, default_path

    try:
        return HistoryStore(path or default_path())
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def cmd_history(args: argparse.Namespace) -> int:
    """`complyscan history`: past scans, one line each."""
    from scanner.store import StoreError

    with _store(args.db) as store:
        try:
            rows = store.scans(args.site, args.profile)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        if not rows:
            print(f"no scans recorded in {store.path}")
        for row in rows:
            verdict = (row.gate or "-") if row.complete else "incomplete"
            counts = " ".join(f"{sev} {n}" for sev, n in row.counts.items())
            line = (
                f"{row.id:>5}  {row.started_at:%Y-%m-%d %H:%M}  {row.site}  {row.profile}  "
                f"{verdict:<10}  {counts}"
            )
            print(for_terminal(line))
    return EXIT_PASSED


def _result_of(ref: str, db: str | None) -> ScanResult:
    """A report.json path, or a scan id from the history store."""
    from scanner.store import StoreError

    path = Path(ref)
    if path.is_file() or not ref.isdigit():
        return _load_report(path)
    with _store(db) as store:
        try:
            return store.get(int(ref))
        except StoreError as exc:
            raise UsageError(str(exc)) from None


def cmd_diff(args: argparse.Namespace) -> int:
    """`complyscan diff OLD NEW`: what changed between two scans."""
    import json

    from scanner.diff import diff, format_diff

    changes = diff(_result_of(args.old, args.db), _result_of(args.new, args.db))
    if args.json:
        print(for_terminal_json(json.dumps(changes, indent=2, ensure_ascii=False)))
    else:
        print(for_terminal(format_diff(changes), multiline=True))
    return EXIT_PASSED
