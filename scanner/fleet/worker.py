"""`complyscan worker`: take `scan_site(run, site)` jobs and run each in a child process group.

One job: claim the site's next attempt (scanner/fleet/records.py), scan it in a child process
group under the limits (scanner/fleet/runner.py), store its report files under the attempt's
own prefix (scanner/fleet/artifacts.py), then record result, report location and state in one
transaction. A harness failure is retried (3 attempts in all, with backoff); after the last one
the site is failed with the reason. An unreachable site is a result, not a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from croniter import croniter

from scanner.config import ScanConfig
from scanner.fleet.artifacts import ArtifactsError, attempt_prefix, open_storage
from scanner.fleet.queue import JobQueue, RetryLater
from scanner.fleet.records import MAX_ATTEMPTS, FleetRecords, Superseded
from scanner.fleet.runner import Limits, run_site_process, start_fork_server
from scanner.parties.domains import registrable_domain
from scanner.store import HistoryStore, StoreError, previous_scan, site_of, target_key

log = logging.getLogger(__name__)

DB_PATIENCE_S = 300.0
"""How long a finished scan waits for the database (a restart, a failover) to record itself."""

T = TypeVar("T")


def lock_of(config: ScanConfig) -> str:
    """The queue lock of a site: its registrable domain (one scan of a domain at a time)."""
    host = urlsplit(config.url).hostname or config.url
    return registrable_domain(host) or host


async def submit_run(
    db: str, run: str, configs: list[ScanConfig], artifacts: str
) -> tuple[list[str], int]:
    """Record run `run` and queue its new sites; returns (sites added, jobs queued)."""
    entries = [(site_of(c.url), lock_of(c), c.model_dump_json()) for c in configs]
    queue = JobQueue(db)
    await queue.prepare()
    with HistoryStore(db) as store:
        added = FleetRecords(store).add_run(run, artifacts, entries)
    locks = {site: lock for site, lock, _ in entries}
    queued = await queue.submit(run, [(site, locks[site]) for site in added])
    return added, queued


async def _patiently(call: Callable[[], T]) -> T:
    """A store call, repeated while the database does not answer (up to DB_PATIENCE_S)."""
    deadline = time.monotonic() + DB_PATIENCE_S
    delay = 0.5
    while True:
        try:
            return await asyncio.to_thread(call)
        except StoreError as exc:
            if time.monotonic() > deadline or "no scan" in str(exc):
                raise
            log.warning("store: %s; trying again", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


class SiteWorker:
    """The job handler of one worker process."""

    def __init__(self, db: str, name: str, limits: Limits) -> None:
        self.db = db
        self.name = name
        self.limits = limits
        self.store = HistoryStore(db)
        self.records = FleetRecords(self.store)

    async def scan_site(self, run: str, site: str) -> None:
        """One job: the next attempt at `site` of `run`."""
        claim = await _patiently(lambda: self.records.claim(run, site, self.name))
        if claim is None:
            return  # finished, cancelled, or failed for good just now
        config = ScanConfig.model_validate_json(claim.config)
        # The site's previous scan, from the fleet's own history (where `finish` records this
        # one), found as a single scan finds it in its store: statement-changed and `changes`.
        previous = await _patiently(lambda: previous_scan(self.store, config))
        with tempfile.TemporaryDirectory(prefix="complyscan-reports-") as staging:
            out = Path(staging) / "reports"
            config = config.model_copy(update={"out": out, "db": None, "webhook": None})
            outcome = await run_site_process(config, self.limits, previous)
            location = None
            reason = outcome.failure
            if outcome.result is not None:
                try:
                    storage = open_storage(claim.artifacts)
                    prefix = attempt_prefix(run, site, claim.attempt)
                    location = await asyncio.to_thread(storage.put, out, prefix)
                except (OSError, ArtifactsError) as exc:
                    reason = f"report files not stored: {exc}"
                    outcome = type(outcome)(None, None, reason, outcome.peak_rss)
        final = (
            outcome.result is not None or outcome.exit_code == 2 or claim.attempt >= MAX_ATTEMPTS
        )
        if outcome.result is None and final and outcome.exit_code != 2:
            reason = f"attempt {claim.attempt} of {MAX_ATTEMPTS}: {reason}"
        try:
            await _patiently(
                lambda: self.records.finish(
                    run,
                    site,
                    claim.attempt,
                    result=outcome.result,
                    exit_code=outcome.exit_code,
                    reason=reason,
                    artifacts=location,
                    peak_rss=outcome.peak_rss,
                    final=final,
                    target=target_key(config.profile, config.resolve, config.url),
                )
            )
        except Superseded as exc:
            log.warning("%s", exc)
            return
        if not final:
            raise RetryLater(reason)

    async def schedule_tick(self, timestamp: int) -> None:
        """Submit the periodic runs due at `timestamp` (once each, however many workers)."""
        at = datetime.fromtimestamp(timestamp, UTC)
        for schedule in await asyncio.to_thread(self.records.list_schedules):
            if not croniter.match(schedule["cron"], at):
                continue
            run = f"{schedule['name']}-{at:%Y%m%dT%H%M}"
            if not await asyncio.to_thread(self.records.take_due, schedule["name"], run):
                continue
            configs = [ScanConfig.model_validate(c) for c in json.loads(schedule["sites"])]
            await submit_run(self.db, run, configs, schedule["artifacts"])
            log.info("scheduled run %s submitted", run)


def default_name() -> str:
    """host:pid, as `fleet status` shows the worker of a site."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_worker(
    db: str,
    *,
    queues: list[str] | None,
    concurrency: int,
    max_jobs: int | None,
    limits: Limits,
    stalled_after: float,
) -> None:
    """The body of `complyscan worker`."""
    name = default_name()
    queue = JobQueue(db)
    await queue.prepare()
    await asyncio.to_thread(start_fork_server)
    worker = SiteWorker(db, name, limits)
    try:
        await queue.work(
            worker.scan_site,
            name=name,
            queues=queues,
            concurrency=concurrency,
            max_jobs=max_jobs,
            stalled_after=stalled_after,
            tick=worker.schedule_tick,
        )
    finally:
        worker.store.close()
