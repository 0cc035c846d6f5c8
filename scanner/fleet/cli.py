"""`complyscan fleet ...` and `complyscan worker`: the command line of the fleet (docs/fleet.md).

The store and queue are named by `--db postgresql://...` or `$COMPLYSCAN_DB`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMATS = ("html", "json", "md")


def add_parsers(sub: Any) -> None:
    """Add `fleet` (with its subcommands) and `worker` to the main parser's subparsers."""
    fleet = sub.add_parser("fleet", help="scan many sites on many machines (docs/fleet.md)")
    actions = fleet.add_subparsers(
        dest="fleet_command", required=True, parser_class=sub._parser_class
    )

    submit = actions.add_parser("submit", help="queue every [[site]] of a sites.toml as a run")
    submit.add_argument("sites", type=Path, help="a TOML file of [[site]] tables (as scan-all)")
    submit.add_argument("--run", help="the run's name (default: the sites file and the time)")
    submit.add_argument("--artifacts", help="report files: a directory or s3://bucket/prefix")

    status = actions.add_parser("status", help="queued, running, done and failed, per site")
    status.add_argument("run", nargs="?", help="a run (default: the latest)")
    status.add_argument("--json", action="store_true", help="as JSON (for monitoring)")

    retry = actions.add_parser("retry", help="queue a run's failed sites again")
    retry.add_argument("run")
    retry.add_argument("--failed", action="store_true", required=True, help="the failed sites")

    cancel = actions.add_parser("cancel", help="cancel a run's sites not started yet")
    cancel.add_argument("run")

    report = actions.add_parser("report", help="one summary across a run's sites")
    report.add_argument("run")
    report.add_argument("--out", type=Path, default=Path("out/fleet"), help="where it goes")
    report.add_argument("--format", default="html,json,md", help="html,json,md")

    schedule = actions.add_parser("schedule", help="periodic runs of a sites.toml (cron)")
    schedule.add_argument("sites", type=Path, nargs="?", help="a TOML file of [[site]] tables")
    schedule.add_argument("--name", help="the schedule's name (runs are NAME-<time>)")
    schedule.add_argument("--cron", help='when, as cron: "0 2 * * *" is 02:00 UTC nightly')
    schedule.add_argument("--artifacts", help="report files: a directory or s3://bucket/prefix")
    schedule.add_argument("--remove", metavar="NAME", help="remove a schedule")

    metrics = actions.add_parser("metrics", help="Prometheus-style metrics of every run")
    metrics.add_argument("--out", type=Path, help="write to this file (node exporter textfile)")

    for parser in (submit, status, retry, cancel, report, schedule, metrics):
        _db_option(parser)

    worker = sub.add_parser("worker", help="run fleet jobs: one site at a time per slot")
    _db_option(worker)
    worker.add_argument("--queues", help="comma-separated queues (default: all)")
    worker.add_argument("--concurrency", type=int, default=1, help="sites at once (default 1)")
    worker.add_argument("--max-jobs", type=int, help="stop after N jobs (default: never)")
    worker.add_argument(
        "--time-limit", type=float, default=1800.0, help="seconds per site (default 1800)"
    )
    worker.add_argument(
        "--memory-limit", type=int, default=4096, help="MiB per site, whole tree (default 4096)"
    )
    worker.add_argument(
        "--stalled-after",
        type=float,
        default=60.0,
        help="seconds without a heartbeat before a worker's job is retried (default 60)",
    )


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=os.environ.get("COMPLYSCAN_DB"), help="postgresql://... ($COMPLYSCAN_DB)"
    )


def run(args: argparse.Namespace) -> int:
    """Run `fleet ...` or `worker`; bad input is a UsageError (exit 2)."""
    from scanner.cli import UsageError
    from scanner.fleet.artifacts import ArtifactsError
    from scanner.fleet.queue import QueueError, conninfo
    from scanner.store import StoreError

    if not args.db:
        raise UsageError("a fleet needs --db postgresql://user@host/db (or $COMPLYSCAN_DB)")
    try:
        conninfo(args.db)
        if args.command == "worker":
            return _worker(args)
        return int(COMMANDS[args.fleet_command](args))
    except (StoreError, QueueError, ArtifactsError) as exc:
        raise UsageError(str(exc)) from None


def _records(db: str) -> Any:
    from scanner.fleet.records import FleetRecords
    from scanner.store import HistoryStore

    return FleetRecords(HistoryStore(db))


def _known_run(records: Any, run: str) -> None:
    from scanner.cli import UsageError

    if not records.has_run(run):
        raise UsageError(f"no fleet run named {run!r} (see `complyscan fleet status`)")


def _load(sites: Path) -> list[Any]:
    from scanner.cli import UsageError
    from scanner.config import ConfigError
    from scanner.scan_all import load_sites
    from scanner.store import site_of

    try:
        configs = load_sites(sites)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    seen: set[str] = set()
    for config in configs:
        site = site_of(config.url)
        if site in seen:
            raise UsageError(f"{sites}: {site} is listed twice (one job per site and run)")
        seen.add(site)
    return configs


def _artifacts(spec: str | None) -> str:
    from scanner.fleet.artifacts import open_storage

    spec = spec or "fleet-artifacts"
    if not spec.startswith("s3://"):
        spec = str(Path(spec).resolve())
    open_storage(spec)  # a bad location fails here, before any job is queued
    return spec


def cmd_submit(args: argparse.Namespace) -> int:
    """`fleet submit sites.toml [--run NAME]`."""
    from scanner.fleet.worker import submit_run

    configs = _load(args.sites)
    run_name = args.run or f"{args.sites.stem}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    added, queued = asyncio.run(submit_run(args.db, run_name, configs, _artifacts(args.artifacts)))
    print(f"run {run_name}: {len(added)} site(s) added, {queued} job(s) queued")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """`fleet status [RUN] [--json]`."""
    from scanner.fleet.records import counts

    records = _records(args.db)
    name = args.run or (records.run_names() or [None])[-1]
    if name is None:
        print(json.dumps({"runs": []}) if args.json else "no fleet runs")
        return 0
    _known_run(records, name)
    states = records.states(name)
    if args.json:
        document = {"run": name, "counts": counts(states), "sites": [s.as_json() for s in states]}
        print(json.dumps(document, indent=2))
        return 0
    totals = "  ".join(f"{state} {n}" for state, n in counts(states).items())
    print(f"run {name}: {totals}")
    for state in states:
        detail = state.reason or state.artifacts or state.worker or ""
        print(f"  {state.state:<9} {state.attempts}  {state.site}  {detail}")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    """`fleet retry RUN --failed`."""
    from scanner.fleet.queue import JobQueue

    records = _records(args.db)
    _known_run(records, args.run)
    failed = records.requeue_failed(args.run)
    pairs = [(site, records.lock_of(args.run, site)) for site in failed]
    queued = asyncio.run(JobQueue(args.db).submit(args.run, pairs)) if pairs else 0
    print(f"run {args.run}: {len(failed)} failed site(s) queued again ({queued} job(s))")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    """`fleet cancel RUN`."""
    from scanner.fleet.queue import JobQueue

    records = _records(args.db)
    _known_run(records, args.run)
    sites = records.cancel(args.run)
    jobs = asyncio.run(JobQueue(args.db).cancel(args.run))
    print(f"run {args.run}: {sites} site(s) cancelled ({jobs} job(s)); running ones finish")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """`fleet report RUN`: exit 0 when every site has a result, 3 when some have none."""
    from scanner.cli import UsageError
    from scanner.fleet.report import summary, write

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"--format {args.format}: choose from {','.join(FORMATS)}")
    records = _records(args.db)
    _known_run(records, args.run)
    doc = summary(records, args.run)
    for path in write(doc, args.out, formats):
        print(f"wrote {path}")
    return 0 if doc["sites_by_state"]["done"] == len(doc["sites"]) else 3


def cmd_schedule(args: argparse.Namespace) -> int:
    """`fleet schedule sites.toml --name N --cron EXPR`, `--remove N`, or the list."""
    from croniter import croniter

    from scanner.cli import UsageError
    from scanner.fleet.queue import JobQueue

    records = _records(args.db)
    if args.remove:
        if not records.remove_schedule(args.remove):
            raise UsageError(f"no schedule named {args.remove!r}")
        print(f"schedule {args.remove} removed")
        return 0
    if args.sites is None:
        for entry in records.list_schedules():
            print(f"{entry['name']}  {entry['cron']}  last run: {entry['last_run'] or '-'}")
        return 0
    if not args.name or not args.cron:
        raise UsageError("fleet schedule SITES needs --name and --cron")
    if not croniter.is_valid(args.cron):
        raise UsageError(f"--cron {args.cron!r}: not a cron expression")
    configs = _load(args.sites)
    sites = json.dumps([json.loads(c.model_dump_json()) for c in configs])
    asyncio.run(JobQueue(args.db).prepare())
    records.set_schedule(args.name, args.cron, sites, _artifacts(args.artifacts))
    print(f"schedule {args.name}: {len(configs)} site(s) at {args.cron!r} (UTC), run by workers")
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    """`fleet metrics [--out FILE]`: Prometheus text format."""
    from scanner.fleet.report import metrics

    text = metrics(_records(args.db))
    if args.out is None:
        sys.stdout.write(text)
        return 0
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(args.out)  # a scraper never reads half a file
    return 0


def _worker(args: argparse.Namespace) -> int:
    from scanner.cli import UsageError
    from scanner.fleet.runner import Limits
    from scanner.fleet.worker import run_worker

    if args.concurrency < 1 or (args.max_jobs is not None and args.max_jobs < 1):
        raise UsageError("--concurrency and --max-jobs must be 1 or more")
    if args.time_limit <= 0 or args.memory_limit <= 0 or args.stalled_after <= 0:
        raise UsageError("--time-limit, --memory-limit and --stalled-after must be positive")
    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    asyncio.run(
        run_worker(
            args.db,
            queues=queues,
            concurrency=args.concurrency,
            max_jobs=args.max_jobs,
            limits=Limits(seconds=args.time_limit, memory_mb=args.memory_limit),
            stalled_after=args.stalled_after,
        )
    )
    return 0


COMMANDS = {
    "submit": cmd_submit,
    "status": cmd_status,
    "retry": cmd_retry,
    "cancel": cmd_cancel,
    "report": cmd_report,
    "schedule": cmd_schedule,
    "metrics": cmd_metrics,
}
