"""The job queue: the one module that knows the engine (Procrastinate, on PostgreSQL).

The rest of the fleet sees `JobQueue`: `prepare`, `submit`, `cancel`, `pending` and `work`, with
a handler `async (run, site) -> None` that raises `RetryLater` for a harness failure worth
another try. A Celery adapter would implement the same names.

What Procrastinate gives, and where it is used:
- `lock`: a site's registrable domain, so two sites of one domain are never scanned at once,
  by any worker (politeness);
- `queueing_lock`: (run, site), so a site queued twice is queued once;
- retries with exponential backoff, on `RetryLater` only;
- heartbeats: every worker records one; a job whose worker stopped beating (kill -9, OOM, lost
  node) is found by `get_stalled_jobs` and put back by `retry_job` (the reaper below, run by
  every worker: whichever finds it first requeues it, the others' attempts fail harmlessly);
- periodic tasks, deferred once per tick however many workers run (`fleet schedule`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

import procrastinate
from procrastinate import exceptions as procrastinate_exceptions

from scanner.fleet.records import MAX_ATTEMPTS
from scanner.store import store_url

log = logging.getLogger(__name__)

SITES_QUEUE = "sites"
TASK = "complyscan.scan_site"
TICK = "complyscan.schedule_tick"
BACKOFF_S = 2
"""Exponential backoff base between attempts: 2 s, then 4 s."""

POOL_WAIT_S = 3.0
"""How long the engine waits for a pooled connection before the query fails."""

Handler = Callable[[str, str], Awaitable[None]]
Tick = Callable[[int], Awaitable[None]]


class RetryLater(Exception):
    """A harness failure (the browser crashed, a limit was hit): try the site again later."""


class QueueError(Exception):
    """The queue cannot be used (one line)."""


def conninfo(db: str) -> str:
    """A psycopg connection string from `--db` (PostgreSQL only: the queue lives there)."""
    url = store_url(db)
    if url.get_backend_name() != "postgresql":
        raise QueueError(f"--db {db}: a fleet needs PostgreSQL (postgresql://user@host/db)")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class JobQueue:
    """Sites as jobs in PostgreSQL."""

    def __init__(self, db: str) -> None:
        self.conninfo = conninfo(db)
        self.handler: Handler | None = None
        self.tick: Tick | None = None

    def _app(self) -> procrastinate.App:
        app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=self.conninfo,
                kwargs={"connect_timeout": 10},
                # How long a query waits for a pooled connection: while the database does not
                # answer, every query fails after this (the loop in `work` reconnects), and a
                # stopping worker is not held for the pool's default 30 s.
                timeout=POOL_WAIT_S,
            )
        )

        @app.task(
            name=TASK,
            queue=SITES_QUEUE,
            # Our attempt count (scanner/fleet/records.py) decides when to stop; this bound only
            # keeps a job from looping should the records be unreachable.
            retry=procrastinate.RetryStrategy(
                max_attempts=MAX_ATTEMPTS + 2,
                exponential_wait=BACKOFF_S,
                retry_exceptions=[RetryLater],
            ),
        )
        async def scan_site(run: str, site: str) -> None:
            assert self.handler is not None, "submit-only queue"
            await self.handler(run, site)

        @app.periodic(cron="* * * * *", periodic_id="schedules")
        @app.task(name=TICK, queue="schedules", queueing_lock="schedule-tick")
        async def schedule_tick(timestamp: int) -> None:
            if self.tick is not None:
                await self.tick(timestamp)

        return app

    async def prepare(self) -> None:
        """Create Procrastinate's tables on first use (one process at a time)."""
        import psycopg

        try:
            async with await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, connect_timeout=10
            ) as conn:
                await conn.execute("SELECT pg_advisory_lock(1886218866)")
                try:
                    found = await (
                        await conn.execute("SELECT to_regclass('procrastinate_jobs')")
                    ).fetchone()
                    if found is None or found[0] is None:
                        app = self._app()
                        async with app.open_async():
                            await app.schema_manager.apply_schema_async()
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(1886218866)")
        except psycopg.Error as exc:
            raise QueueError(f"job queue: {str(exc).strip().splitlines()[0]}") from None

    async def submit(self, run: str, sites: list[tuple[str, str]]) -> int:
        """Queue one job per (site, lock); returns how many were queued (not already there)."""
        app = self._app()
        queued = 0
        async with app.open_async():
            task = app.tasks[TASK]
            for site, lock in sites:
                try:
                    await task.configure(lock=lock, queueing_lock=f"{run}|{site}").defer_async(
                        run=run, site=site
                    )
                    queued += 1
                except procrastinate_exceptions.AlreadyEnqueued:
                    pass
        return queued

    async def cancel(self, run: str) -> int:
        """Cancel the jobs of `run` not started yet; returns how many."""
        app = self._app()
        cancelled = 0
        async with app.open_async():
            for job in await app.job_manager.list_jobs_async(task=TASK, status="todo"):
                if job.task_kwargs.get("run") == run and job.id is not None:
                    cancelled += bool(await app.job_manager.cancel_job_by_id_async(job.id))
        return cancelled

    async def pending(self) -> int:
        """Jobs queued or running (for monitoring and the benchmark)."""
        app = self._app()
        async with app.open_async():
            jobs = await app.job_manager.list_jobs_async()
        return sum(job.status in ("todo", "doing") for job in jobs)

    async def work(
        self,
        handler: Handler,
        *,
        name: str,
        queues: list[str] | None,
        concurrency: int,
        max_jobs: int | None,
        stalled_after: float,
        tick: Tick | None = None,
    ) -> None:
        """Run jobs until SIGINT/SIGTERM or `max_jobs` are done. A lost database (restart,
        failover) stops the engine's worker; it is started again once the database answers."""
        done = 0
        stopping = False
        worker: Any = None

        async def counted(run: str, site: str) -> None:
            nonlocal done
            try:
                await handler(run, site)
            finally:
                done += 1
                if max_jobs is not None and done >= max_jobs and worker is not None:
                    worker.stop()

        this = asyncio.current_task()

        def stop() -> None:
            nonlocal stopping
            stopping = True
            if worker is not None:
                worker.stop()  # the running jobs finish first
            elif this is not None:
                # No job runs: it is connecting to the database (up to the connection pool's
                # 30 s when the database does not answer) or waiting to, so it stops now.
                this.cancel()

        self.handler = counted
        self.tick = tick
        for log_handler in logging.getLogger().handlers:
            log_handler.addFilter(_one_line)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        try:
            while not stopping and (max_jobs is None or done < max_jobs):
                app = self._app()
                try:
                    async with app.open_async():
                        options: dict[str, Any] = {
                            "queues": queues,
                            "name": name,
                            "concurrency": concurrency,
                            "install_signal_handlers": False,
                            "update_heartbeat_interval": max(stalled_after / 6, 0.5),
                            "stalled_worker_timeout": stalled_after,
                            "fetch_job_polling_interval": 2.0,
                        }
                        worker = app._worker(**options)
                        reaper = asyncio.create_task(_reap(app, stalled_after))
                        try:
                            await worker.run()
                        finally:
                            reaper.cancel()
                            with contextlib.suppress(asyncio.CancelledError, Exception):
                                await reaper
                except Exception as exc:  # the database went away: wait for it, then go on
                    log.warning("worker: %s; reconnecting", str(exc).strip().splitlines()[0])
                worker = None
                if not stopping and (max_jobs is None or done < max_jobs):
                    await asyncio.sleep(1.0)
        except asyncio.CancelledError:
            if not stopping:
                raise


def _one_line(record: logging.LogRecord) -> bool:
    """The engine logs a lost database with a traceback; an operator needs one line."""
    if record.exc_info and record.name.startswith("procrastinate"):
        error = record.exc_info[1]
        detail = " ".join(str(error).split())[:200]
        record.msg = f"{record.getMessage()} ({type(error).__name__}: {detail})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
    return True


async def _reap(app: procrastinate.App, stalled_after: float) -> None:
    """Put back the jobs of workers that stopped beating (their site's next attempt decides
    whether it is tried again or failed: scanner/fleet/records.py)."""
    while True:
        await asyncio.sleep(max(stalled_after / 3, 0.5))
        try:
            await app.job_manager.prune_stalled_workers(stalled_after)
            stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
            for job in stalled:
                with contextlib.suppress(Exception):  # another worker's reaper was first
                    await app.job_manager.retry_job(job)
                    log.warning("requeued job %s (%s): its worker stopped", job.id, job.task_kwargs)
        except Exception as exc:
            log.warning("reaper: %s", str(exc).strip().splitlines()[0])
