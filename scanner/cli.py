"""The `complyscan` command line.

Exit codes (design.md): 0 gate passed; 1 gate failed; 2 usage or configuration error; 3 scan
incomplete (start URL unreachable, browser could not start, crawl aborted). A scan that could not
look never exits 0. Errors a user can cause end in one line, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from scanner import __version__
from scanner.sanitize import TerminalLogFormatter, for_terminal, for_terminal_json, redact_url

if TYPE_CHECKING:  # the commands import what they use when they run: `--help` stays fast
    from scanner.config import ScanConfig
    from scanner.demo.server import SiteServer
    from scanner.demo.site import DemoInfo
    from scanner.model import ScanResult
    from scanner.pipeline import SiteOutcome
    from scanner.store import HistoryStore

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input from the user: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line and exit code 2 (not a usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"complyscan: error: {message} (see `{self.prog} --help`)\n")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand."""
    parser = _Parser(
        prog="complyscan",
        description="Does a web site keep the promises of its own privacy statement?",
    )
    parser.add_argument("--version", action="version", version=f"complyscan {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=os.environ.get("COMPLYSCAN_DEBUG", "") not in ("", "0"),
        help="print the traceback of an unexpected error (or set COMPLYSCAN_DEBUG=1)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan a site against its privacy statement")
    scan.add_argument("url", nargs="?", help="the start URL (or [scan] url in --config)")
    _scan_options(scan)

    demo = sub.add_parser("demo", help="scan the bundled demo site (or just serve it)")
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    demo.add_argument("--variant", choices=["violating", "clean"], default="violating")
    demo.add_argument("--serve", action="store_true", help="serve the demo site until Ctrl-C")
    demo.add_argument("--workers", type=int)
    demo.add_argument("--format", dest="formats", type=_csv)
    demo.add_argument("--chromium", help="the Chromium executable to drive")

    statement = sub.add_parser("statement", help="print the claims a privacy statement makes")
    statement.add_argument("source", help="a file (HTML or text) or a URL")
    statement.add_argument("--json", action="store_true", help="the Statement as JSON")
    statement.add_argument("--resolve", action="append", default=[], metavar="PATTERN:ADDR")
    statement.add_argument("--ca-bundle", type=Path)

    report = sub.add_parser("report", help="render a saved report.json again")
    report.add_argument("report", type=Path)
    report.add_argument("--format", dest="formats", type=_csv, default=["html"])
    report.add_argument("--out", type=Path)

    sub.add_parser("schema", help="print the JSON Schema of report.json")

    init = sub.add_parser("init", help="draft a complyscan.toml from a first scan")
    init.add_argument("url", help="the start URL")
    init.add_argument("--file", type=Path, default=Path("complyscan.toml"), help="where to write")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--max-pages", type=int, default=30)
    init.add_argument("--resolve", action="append", default=[], metavar="PATTERN:ADDR")
    init.add_argument("--only-resolved", action="store_true", default=None)
    init.add_argument("--ca-bundle", type=Path)
    init.add_argument("--chromium", help="the Chromium executable to drive")

    history = sub.add_parser("history", help="past scans of each site, from the history store")
    history.add_argument("--db", type=Path, help="the history store (default: per user)")
    history.add_argument("--site", help="only the scans of this site (any URL on it)")

    diff = sub.add_parser("diff", help="what changed between two scans")
    diff.add_argument("old", help="a report.json, or a scan id from the history store")
    diff.add_argument("new", help="a report.json, or a scan id from the history store")
    diff.add_argument("--db", type=Path, help="the history store, for scan ids")
    diff.add_argument("--json", action="store_true", help="the changes as JSON")

    scan_all = sub.add_parser("scan-all", help="scan every [[site]] of a sites.toml")
    scan_all.add_argument("sites", type=Path, help="a TOML file of [[site]] tables")
    scan_all.add_argument("--parallel", type=int, default=1, help="sites at once (default 1)")
    scan_all.add_argument("--db", type=Path, help="the history store for sites that name none")
    return parser


def _scan_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument("--config", type=Path, help="complyscan.toml")
    scan.add_argument("--out", type=Path, help="where the reports go (default: out)")
    scan.add_argument("--max-pages", type=int)
    scan.add_argument("--max-depth", type=int)
    scan.add_argument("--workers", type=int, help="pages rendered at once (default: cores)")
    scan.add_argument("--time-budget", type=float, metavar="SECONDS")
    scan.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="PATTERN:ADDR",
        help="connect to ADDR for host PATTERN (or *.domain); repeatable",
    )
    scan.add_argument(
        "--only-resolved",
        action="store_true",
        default=None,
        help="names no --resolve rule covers do not resolve",
    )
    scan.add_argument("--ca-bundle", type=Path, help="a PEM CA that browser, sslyze, httpx trust")
    scan.add_argument("--chromium", help="the Chromium executable to drive")
    scan.add_argument("--fail-on", choices=["critical", "high", "medium", "low", "none"])
    scan.add_argument("--format", dest="formats", type=_csv, help="json,html,sarif,junit,md")
    scan.add_argument("--db", type=Path, help="the history store (default: per user)")
    scan.add_argument("--webhook", metavar="URL", help="POST a summary of new findings here")
    scan.add_argument("--baseline", type=Path, help="fail only on findings new since REPORT.json")
    scan.add_argument("--waivers", type=Path, help="a TOML file of waived findings")
    scan.add_argument(
        "--resume",
        action="store_true",
        default=None,
        help="continue a killed scan in the same --out",
    )
    scan.add_argument(
        "--tls-all", action="store_true", default=None, help="TLS-scan every in-scope host"
    )
    scan.add_argument("--tls-profile", choices=["modern", "intermediate", "old"])
    scan.add_argument(
        "--tls-slow",
        action="store_true",
        default=None,
        help="fewer connections for fragile servers",
    )
    scan.add_argument("--statement-url", help="where the privacy statement is")
    scan.add_argument("--no-screenshots", dest="screenshots", action="store_false", default=None)
    scan.add_argument(
        "--respect-robots", action="store_true", default=None, help="honour robots.txt"
    )
    scan.add_argument(
        "--trap-threshold", type=int, help="URLs of one pattern crawled at most (default 20)"
    )
    scan.add_argument("--per-host", type=int, help="page loads at once per host (default 2)")
    scan.add_argument("--host-delay", type=float, metavar="SECONDS", help="between page loads")
    scan.add_argument(
        "--allow-unread-pages",
        action="store_true",
        default=None,
        help="pages that cannot be read in time do not make the scan incomplete (exit 3)",
    )


# -- scan --------------------------------------------------------------------------------------


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = (
        "url",
        "out",
        "max_pages",
        "max_depth",
        "workers",
        "time_budget",
        "resolve",
        "only_resolved",
        "ca_bundle",
        "chromium",
        "fail_on",
        "formats",
        "db",
        "webhook",
        "baseline",
        "waivers",
        "resume",
        "tls_all",
        "tls_profile",
        "tls_slow",
        "statement_url",
        "screenshots",
        "respect_robots",
        "trap_threshold",
        "per_host",
        "host_delay",
        "allow_unread_pages",
    )
    return {k: getattr(args, k, None) for k in keys}


def _run_scan(config: ScanConfig, quiet: bool = False, history: bool = True) -> int:
    """Run a scan with a ready configuration: reports, summary, gate. Returns the exit code."""
    return _scan_site(config, quiet, history).exit_code


def _scan_site(config: ScanConfig, quiet: bool = False, history: bool = True) -> SiteOutcome:
    """`run_site` with the scan's voice on the terminal: progress, warnings, the summary as soon
    as the reports are written, the history line, and the error that ends it."""
    from scanner.pipeline import run_site
    from scanner.terminal import Console

    console = Console(quiet=quiet)
    outcome = run_site(
        config,
        progress=console.progress(),
        history=history,
        on_warning=_warn,
        on_reports=lambda gate, paths: console.summary(gate.result, gate, paths),
    )
    if outcome.scan_id is not None:
        print(f"history: scan {outcome.scan_id} in {outcome.store_path}")
    problem = outcome.error or outcome.store_error
    if problem is not None:
        console.error(problem)
    return outcome


def _warn(line: str) -> None:
    print(f"complyscan: warning: {for_terminal(line)}", file=sys.stderr)


def _load_report(path: Path, flag: str | None = None) -> ScanResult:
    """A saved report.json; a file that is not one is a usage error."""
    from scanner.config import ConfigError
    from scanner.pipeline import load_report

    try:
        return load_report(path, flag)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def cmd_scan(args: argparse.Namespace) -> int:
    """`complyscan scan`."""
    from scanner.config import ConfigError, build_config

    try:
        config = build_config(args.config, _overrides(args))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return _run_scan(config)


def cmd_demo(args: argparse.Namespace) -> int:
    """`complyscan demo`: the bundled demo site, scanned (or just served)."""
    from scanner.config import ScanConfig
    from scanner.demo.site import start_demo

    workdir = Path(tempfile.mkdtemp(prefix="complyscan-demo-"))
    server, info = start_demo(workdir, variant=args.variant)
    try:
        if args.serve:
            return _serve_demo(server, info)
        fields: dict[str, Any] = dict(
            url=info.start_url(server),
            out=args.out,
            resolve=server.resolve_rules(),
            only_resolved=True,
            ca_bundle=server.ca_pem,
            disclosed=[dataclasses.asdict(d) for d in info.disclosed],
            formats=args.formats or ["json", "html", "sarif", "junit", "md"],
        )
        if args.workers:
            fields["workers"] = args.workers
        if args.chromium:
            fields["chromium"] = args.chromium
        # The demo's fictional site stays out of the user's history of real sites.
        return _run_scan(ScanConfig(**fields), history=False)
    finally:
        server.stop()


def _serve_demo(server: SiteServer, info: DemoInfo) -> int:
    start = info.start_url(server)
    print(f"Demo site ({start}) on loopback; CA: {server.ca_pem}")
    print("Scan it with:")
    rules = " ".join(f"--resolve {r}" for r in server.resolve_rules())
    print(f"  complyscan scan {start} {rules} --only-resolved --ca-bundle {server.ca_pem}")
    print("Ctrl-C stops it.")
    with contextlib.suppress(KeyboardInterrupt):
        signal.pause()
    return EXIT_PASSED


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

        result = asyncio.run(fetch(url, resolver, trust))
        if result.error or result.status != 200:
            raise StatementSourceError(f"{url}: {result.error or f'HTTP {result.status}'}")
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


# -- history, diff, scan-all -------------------------------------------------------------------


def _store(path: Path | None) -> HistoryStore:
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
            rows = store.scans(args.site)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        if not rows:
            print(f"no scans recorded in {store.path}")
        for row in rows:
            verdict = (row.gate or "-") if row.complete else "incomplete"
            counts = " ".join(f"{sev} {n}" for sev, n in row.counts.items())
            line = (
                f"{row.id:>5}  {row.started_at:%Y-%m-%d %H:%M}  {row.site}  {verdict:<10}  {counts}"
            )
            print(for_terminal(line))
    return EXIT_PASSED


def _result_of(ref: str, db: Path | None) -> ScanResult:
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


def cmd_scan_all(args: argparse.Namespace) -> int:
    """`complyscan scan-all sites.toml`: every site, one summary line each; the worst exit."""
    from scanner.config import ConfigError
    from scanner.scan_all import load_sites, run_all

    cores = os.cpu_count() or 1
    if not 1 <= args.parallel <= cores:
        raise UsageError(f"--parallel {args.parallel}: choose 1 to {cores} (the cores here)")
    try:
        configs = load_sites(args.sites, db=args.db)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return run_all(configs, args.parallel)


def cmd_init(args: argparse.Namespace) -> int:
    """`complyscan init URL`: a first scan, then a draft complyscan.toml to confirm."""
    from scanner.config import ConfigError, build_config
    from scanner.init import draft_config

    if args.file.exists() and not args.force:
        raise UsageError(f"{args.file} exists: use --force to overwrite it")
    overrides = {
        "url": args.url,
        "max_pages": args.max_pages,
        "resolve": args.resolve,
        "only_resolved": args.only_resolved,
        "ca_bundle": args.ca_bundle,
        "chromium": args.chromium,
        "out": Path(tempfile.mkdtemp(prefix="complyscan-init-")),
        "formats": ["json"],
        "fail_on": "none",
        "screenshots": False,
    }
    try:
        config = build_config(None, overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    outcome = _scan_site(config, quiet=True, history=False)
    result = outcome.result
    if result is None and outcome.exit_code == EXIT_USAGE:
        return EXIT_USAGE
    if result is None or not result.complete:
        reason = result.incomplete_reason if result is not None else "the browser could not start"
        print(f"complyscan: error: no draft written: {reason}", file=sys.stderr)
        return EXIT_INCOMPLETE
    args.file.write_text(draft_config(result), encoding="utf-8")
    statement = result.statement.url if result.statement else "not found"
    print(
        for_terminal(f"wrote {args.file}: {len(result.pages)} page(s), statement {statement}; ")
        + "review it before use"
    )
    return EXIT_PASSED


COMMANDS = {
    "scan": cmd_scan,
    "init": cmd_init,
    "demo": cmd_demo,
    "statement": cmd_statement,
    "report": cmd_report,
    "schema": cmd_schema,
    "history": cmd_history,
    "diff": cmd_diff,
    "scan-all": cmd_scan_all,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `complyscan` console script."""
    args = build_parser().parse_args(argv)
    stderr = logging.StreamHandler()
    stderr.setFormatter(TerminalLogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[stderr])
    if not args.verbose:
        # Playwright and sslyze log transient connection failures that are results, not errors.
        for noisy in ("asyncio", "sslyze", "httpx"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"complyscan: error: {for_terminal(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("complyscan: interrupted", file=sys.stderr)
        return EXIT_INCOMPLETE
    except Exception as exc:  # anything else is "could not look" (3), never "gate failed" (1)
        return _unexpected(exc, args.debug)


def _unexpected(exc: Exception, debug: bool) -> int:
    """One line for an error nobody planned for (the traceback only with --debug); exit 3."""
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        message = f"cannot read or write{where}: {exc.strerror or exc}"
    else:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        message = f"unexpected {type(exc).__name__}: {first}"
    hint = "" if debug else " (--debug or COMPLYSCAN_DEBUG=1 shows the traceback)"
    print(f"complyscan: error: {message}{hint}", file=sys.stderr)
    return EXIT_INCOMPLETE


if __name__ == "__main__":
    sys.exit(main())
