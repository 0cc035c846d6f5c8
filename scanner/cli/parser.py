"""The command line's flags: one parser for every subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, NoReturn

from scanner import __version__
from scanner.cli.common import EXIT_USAGE
from scanner.cli_support import (
    EXIT_CODES,
    HelpFormatter,
    global_flags,
    shows_config_defaults,
)


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line and exit code 2 (not a usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"complyscan: error: {message} (see `{self.prog} --help`)\n")


class _CommandParser(_Parser):
    """A subcommand's parser: defaults and exit codes in --help; -v/-q also after the command."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"formatter_class": HelpFormatter, "epilog": EXIT_CODES, **kwargs})
        global_flags(self, top=False)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand."""
    parser = _Parser(
        prog="complyscan",
        description="Does a web site keep the promises of its own privacy statement?",
        epilog=EXIT_CODES,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"complyscan {__version__}")
    global_flags(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_CommandParser, metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan a site against its privacy statement")
    scan.add_argument("url", nargs="?", help="the start URL (or [scan] url in --config)")
    _scan_options(scan)
    shows_config_defaults(scan)
    scan.add_argument("--json", action="store_true", help="a JSON summary on stdout")

    demo = sub.add_parser("demo", help="scan the bundled demo site (or just serve it)")
    demo.add_argument("--out", type=Path, default=Path("out/demo"), help="where the reports go")
    demo.add_argument(
        "--variant", choices=["violating", "clean"], default="violating", help="which demo site"
    )
    demo.add_argument("--serve", action="store_true", help="serve the demo site until Ctrl-C")
    demo.add_argument("--workers", type=int, help="pages rendered at once (default: cores)")
    demo.add_argument(
        "--format", dest="formats", type=_csv, help="json,html,sarif,junit,md (default: all)"
    )
    demo.add_argument("--chromium", help="the Chromium executable to drive")

    statement = sub.add_parser("statement", help="print the claims a privacy statement makes")
    statement.add_argument(
        "source",
        help="a file (HTML or text) or a URL; exit 2 when it cannot be read (empty, a PDF, "
        "a language without claim patterns)",
    )
    statement.add_argument("--json", action="store_true", help="the Statement as JSON")
    statement.add_argument("--resolve", action="append", default=[], metavar="PATTERN:ADDR")
    statement.add_argument("--ca-bundle", type=Path)

    report = sub.add_parser("report", help="render a saved report.json again")
    report.add_argument("report", type=Path)
    report.add_argument(
        "--format", dest="formats", type=_csv, default=["html"], help="json,html,sarif,junit,md"
    )
    report.add_argument("--out", type=Path, help="where to write (default: beside REPORT.json)")

    sub.add_parser("schema", help="print the JSON Schema of report.json")

    init = sub.add_parser("init", help="draft a complyscan.toml from a first scan")
    init.add_argument("url", help="the start URL")
    init.add_argument("--file", type=Path, default=Path("complyscan.toml"), help="where to write")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--max-pages", type=int, default=30, help="pages the first scan crawls")
    init.add_argument("--resolve", action="append", default=[], metavar="PATTERN:ADDR")
    init.add_argument("--only-resolved", action="store_true", default=None)
    init.add_argument("--ca-bundle", type=Path)
    init.add_argument("--chromium", help="the Chromium executable to drive")

    history = sub.add_parser("history", help="past scans of each site, from the history store")
    history.add_argument("--db", help="the history store: path or URL (default: per user)")
    history.add_argument("--site", help="only the scans of this site (any URL on it)")
    history.add_argument("--profile", help="only the scans of this target (see scan --profile)")

    diff = sub.add_parser("diff", help="what changed between two scans")
    diff.add_argument("old", help="a report.json, or a scan id from the history store")
    diff.add_argument("new", help="a report.json, or a scan id from the history store")
    diff.add_argument("--db", help="the history store, for scan ids")
    diff.add_argument("--json", action="store_true", help="the changes as JSON")

    scan_all = sub.add_parser("scan-all", help="scan every [[site]] of a sites.toml")
    scan_all.add_argument("sites", type=Path, help="a TOML file of [[site]] tables")
    scan_all.add_argument("--parallel", type=int, default=1, help="sites at once (default 1)")
    scan_all.add_argument("--db", help="the history store for sites that name none")

    doctor = sub.add_parser("doctor", help="check that this machine can scan (exit 3 if not)")
    doctor.add_argument("--chromium", help="the Chromium executable to check")
    doctor.add_argument("--db", help="the history store to check (default: per user)")

    validate = sub.add_parser("validate", help="check config, waivers, sites files; no scan")
    validate.add_argument(
        "config", type=Path, nargs="?", help="a complyscan.toml (default: ./complyscan.toml)"
    )
    validate.add_argument("--waivers", type=Path, help="a waivers TOML file")
    validate.add_argument("--sites", type=Path, help="a sites.toml for scan-all")

    completion = sub.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=["bash", "zsh"], help="the shell")

    from scanner.fleet.cli import add_parsers

    add_parsers(sub)  # fleet ..., worker
    return parser


def _scan_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument("--config", type=Path, help="complyscan.toml")
    scan.add_argument("--out", type=Path, help="where the reports go (default: out)")
    scan.add_argument("--max-pages", type=int, help="pages crawled at most")
    scan.add_argument("--max-depth", type=int, help="links followed from the start URL at most")
    scan.add_argument("--workers", type=int, help="pages rendered at once (default: cores)")
    scan.add_argument("--time-budget", type=float, metavar="SECONDS", help="crawl time at most")
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
    scan.add_argument(
        "--fail-on",
        choices=["critical", "high", "medium", "low", "none"],
        help="findings at or above this fail the gate",
    )
    scan.add_argument("--format", dest="formats", type=_csv, help="json,html,sarif,junit,md")
    scan.add_argument("--db", help="the history store: path or URL (default: per user)")
    scan.add_argument("--profile", help="the target's name: history has one timeline per target")
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
    scan.add_argument(
        "--tls-profile", choices=["modern", "intermediate", "old"], help="Mozilla's TLS profile"
    )
    scan.add_argument(
        "--tls-slow",
        action="store_true",
        default=None,
        help="fewer connections for fragile servers",
    )
    scan.add_argument("--statement-url", help="where the privacy statement is")
    scan.add_argument(
        "--no-screenshots",
        dest="screenshots",
        action="store_false",
        default=None,
        help="no form screenshots in report.html",
    )
    scan.add_argument(
        "--respect-robots", action="store_true", default=None, help="honour robots.txt"
    )
    scan.add_argument(
        "--trap-threshold", type=int, help="URLs of one pattern crawled at most (default 20)"
    )
    scan.add_argument("--per-host", type=int, help="page loads at once per host (default 2)")
    scan.add_argument("--host-delay", type=float, metavar="SECONDS", help="between page loads")
    scan.add_argument(
        "--dwell", type=float, metavar="SECONDS", help="page time each page gets (default 30)"
    )
    scan.add_argument("--user-agent", help="the user agent to send (default: desktop Chrome)")
    scan.add_argument(
        "--allow-unread-pages",
        action="store_true",
        default=None,
        help="pages that cannot be read in time do not make the scan incomplete (exit 3)",
    )
    scan.add_argument(
        "--no-consent",
        dest="consent",
        action="store_false",
        default=None,
        help="no consent visits (no choice, reject all, accept all, GPC): the crawl only",
    )
