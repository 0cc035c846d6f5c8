"""`complyscan scan`, `demo`, `init` and `scan-all`: a site through scanner.pipeline, with
the scan's voice on the terminal."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.cli.common import EXIT_INCOMPLETE, EXIT_PASSED, EXIT_USAGE, UsageError
from scanner.cli_support import (
    json_summary,
)
from scanner.sanitize import for_terminal, for_terminal_json

if TYPE_CHECKING:  # the commands import what they use when they run: `--help` stays fast
    from scanner.config import ScanConfig
    from scanner.demo.server import SiteServer
    from scanner.demo.site import DemoInfo
    from scanner.gate import GateOutcome
    from scanner.pipeline import SiteOutcome


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
        "profile",
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
        "dwell",
        "user_agent",
        "allow_unread_pages",
        "consent",
    )
    return {k: getattr(args, k, None) for k in keys}


def _run_scan(config: ScanConfig, quiet: bool = False, history: bool = True) -> int:
    """Run a scan with a ready configuration: reports, summary, gate. Returns the exit code."""
    return _scan_site(config, quiet, history).exit_code


def _scan_site(
    config: ScanConfig, quiet: bool = False, history: bool = True, summary: str = "text"
) -> SiteOutcome:
    """`run_site` with the scan's voice on the terminal: the progress (unless `quiet`), warnings
    as they happen, the summary once the reports are written, the history line, and the error
    that ends it. `summary`: "text" on the terminal, "json" (scan --json) or "none" (-q) on
    stdout."""
    from scanner.pipeline import run_site
    from scanner.terminal import Console

    console = Console(quiet=quiet)

    def on_reports(gate: GateOutcome, paths: dict[str, Path]) -> None:
        if summary == "text":  # `quiet` is the progress; "json" and "none" are --json and -q
            console.summary(gate.result, gate, paths)

    outcome = run_site(
        config,
        progress=console.progress(),
        history=history,
        on_warning=_warn,
        on_reports=on_reports,
    )
    if outcome.scan_id is not None and summary != "none":
        print(f"history: scan {outcome.scan_id} in {outcome.store_path}", file=sys.stderr)
    problem = outcome.error or outcome.store_error
    if problem is not None:
        console.error(problem)
    if summary == "json" and outcome.gate is not None:
        data = json_summary(outcome.result, outcome.gate, outcome.paths, outcome.exit_code)
        print(for_terminal_json(data))
    elif summary == "json" and outcome.exit_code == EXIT_INCOMPLETE:
        print(for_terminal_json(json_summary(None, outcome.error, {}, EXIT_INCOMPLETE)))
    return outcome


def _warn(line: str) -> None:
    print(f"complyscan: warning: {for_terminal(line)}", file=sys.stderr)


def cmd_scan(args: argparse.Namespace) -> int:
    """`complyscan scan`."""
    from scanner.config import ConfigError, build_config

    try:
        config = build_config(args.config, _overrides(args))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    summary = "json" if args.json else "none" if args.quiet else "text"
    return _scan_site(config, quiet=args.quiet, summary=summary).exit_code


def cmd_demo(args: argparse.Namespace) -> int:
    """`complyscan demo`: the bundled demo site, scanned (or just served)."""
    from scanner.config import ScanConfig
    from scanner.demo.site import start_demo

    # The test CA's keys live only as long as the demo: removed on exit, also after Ctrl-C.
    workdir = tempfile.TemporaryDirectory(prefix="complyscan-demo-")
    server, info = start_demo(Path(workdir.name), variant=args.variant)
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
        summary = "none" if args.quiet else "text"
        outcome = _scan_site(ScanConfig(**fields), args.quiet, history=False, summary=summary)
        return outcome.exit_code
    finally:
        server.stop()
        workdir.cleanup()


def _serve_demo(server: SiteServer, info: DemoInfo) -> int:
    start = info.start_url(server)
    print(f"Demo site ({start}) on loopback; CA: {server.ca_pem}")
    print("Scan it with:")
    rules = " ".join(f"--resolve {r}" for r in server.resolve_rules())
    print(f"  complyscan scan {start} {rules} --only-resolved --ca-bundle {server.ca_pem}")
    print("Ctrl-C stops it.", flush=True)
    # SIGTERM (a service manager, `timeout`) stops it like Ctrl-C, so the CA's keys are removed.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        signal.pause()
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
