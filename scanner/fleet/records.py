"""A fleet's runs in the history store: one row per (run, site) with its state, attempts,
reason and result, and one row per attempt (worker, start, end) for audits.

States: queued -> running -> done | failed; queued -> cancelled. A result is recorded only by
the attempt that holds the row (`state = running AND attempts = n`), in the same transaction as
the scan it adds to history and the report files' location: an attempt that lost its row (its
worker was given up for dead and the site was retried) cannot count the site a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from scanner.model import ScanResult
from scanner.store import HistoryStore, insert_scan

MAX_ATTEMPTS = 3
"""Attempts per site for harness failures (a crashed browser, a lost worker, a limit)."""

STATES = ("queued", "running", "done", "failed", "cancelled")

_meta = sa.MetaData()
runs = sa.Table(
    "fleet_runs",
    _meta,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("artifacts", sa.Text, nullable=False),
    sa.Column("cancelled", sa.Integer, nullable=False),
)
sites = sa.Table(
    "fleet_sites",
    _meta,
    sa.Column("run", sa.Text, primary_key=True),
    sa.Column("site", sa.Text, primary_key=True),
    sa.Column("lock", sa.Text),
    sa.Column("config", sa.Text),
    sa.Column("state", sa.Text),
    sa.Column("attempts", sa.Integer),
    sa.Column("worker", sa.Text),
    sa.Column("started_at", sa.Text),
    sa.Column("finished_at", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("exit_code", sa.Integer),
    sa.Column("scan_id", sa.Integer),
    sa.Column("artifacts", sa.Text),
    sa.Column("peak_rss", sa.BigInteger),
)
attempts = sa.Table(
    "fleet_attempts",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run", sa.Text),
    sa.Column("site", sa.Text),
    sa.Column("attempt", sa.Integer),
    sa.Column("worker", sa.Text),
    sa.Column("started_at", sa.Text),
    sa.Column("finished_at", sa.Text),
    sa.Column("outcome", sa.Text),
)
schedules = sa.Table(
    "fleet_schedules",
    _meta,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("cron", sa.Text),
    sa.Column("sites", sa.Text),
    sa.Column("artifacts", sa.Text),
    sa.Column("last_run", sa.Text),
)


def now() -> str:
    """The time as the fleet tables keep it (ISO 8601, UTC, microseconds)."""
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class SiteState:
    """One site of a run, as `fleet status` shows it."""

    site: str
    state: str
    attempts: int
    worker: str | None
    started_at: str | None
    finished_at: str | None
    reason: str | None
    """Why the site failed (or why its last attempt did)."""
    exit_code: int | None
    scan_id: int | None
    artifacts: str | None
    """Where the site's report files are (directory or s3:// prefix of the recorded attempt)."""
    peak_rss: int | None

    def as_json(self) -> dict[str, Any]:
        """The row for `fleet status --json`."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Claim:
    """An attempt that may run: its number, and the site's configuration."""

    attempt: int
    config: str
    artifacts: str


class Superseded(Exception):
    """This attempt no longer holds its site (it was given up and retried, or cancelled)."""


class FleetRecords:
    """The fleet's tables in a history store (PostgreSQL for a fleet; SQLite works alone)."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    # -- runs ------------------------------------------------------------------------------------

    def add_run(
        self, name: str, artifacts: str, entries: Iterable[tuple[str, str, str]]
    ) -> list[str]:
        """Record run `name` with (site, lock, config JSON) entries; returns the sites that were
        not in it yet (submitting a run twice queues nothing twice)."""
        added = []
        with self.store.transaction() as conn:
            exists = conn.execute(sa.select(runs.c.name).where(runs.c.name == name)).first()
            if exists is None:
                conn.execute(
                    runs.insert().values(
                        name=name, created_at=now(), artifacts=artifacts, cancelled=0
                    )
                )
            known = set(conn.execute(sa.select(sites.c.site).where(sites.c.run == name)).scalars())
            for site, lock, config in entries:
                if site in known:
                    continue
                conn.execute(
                    sites.insert().values(
                        run=name, site=site, lock=lock, config=config, state="queued", attempts=0
                    )
                )
                added.append(site)
        return added

    def run_names(self) -> list[str]:
        """Every run, oldest first."""
        with self.store.transaction() as conn:
            return list(conn.execute(sa.select(runs.c.name).order_by(runs.c.created_at)).scalars())

    def has_run(self, name: str) -> bool:
        """Whether run `name` exists."""
        with self.store.transaction() as conn:
            return (
                conn.execute(sa.select(runs.c.name).where(runs.c.name == name)).first() is not None
            )

    def states(self, run: str) -> list[SiteState]:
        """Every site of `run`, in submission order of their names."""
        columns = [c for c in sites.c if c.name not in ("run", "lock", "config")]
        with self.store.transaction() as conn:
            rows = conn.execute(
                sa.select(*columns).where(sites.c.run == run).order_by(sites.c.site)
            ).all()
        return [SiteState(**row._mapping) for row in rows]

    def lock_of(self, run: str, site: str) -> str:
        """The queue lock of a site (its registrable domain)."""
        with self.store.transaction() as conn:
            return str(
                conn.execute(
                    sa.select(sites.c.lock).where(sites.c.run == run, sites.c.site == site)
                ).scalar_one()
            )

    def attempts_of(self, run: str) -> list[dict[str, Any]]:
        """Every attempt of every site of `run` (worker, start, end, outcome)."""
        with self.store.transaction() as conn:
            rows = conn.execute(
                sa.select(attempts).where(attempts.c.run == run).order_by(attempts.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    # -- one attempt -----------------------------------------------------------------------------

    def claim(self, run: str, site: str, worker: str) -> Claim | None:
        """Start the next attempt of `site`, or None when there is nothing to do: the site is
        finished or cancelled, or its attempts are used up (then it is marked failed here, with
        the reason: the last attempt's worker never reported back)."""
        with self.store.transaction() as conn:
            # FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers)
            row = conn.execute(
                sa.select(sites.c.state, sites.c.attempts, sites.c.config, runs.c.artifacts)
                .join(runs, runs.c.name == sites.c.run)
                .where(sites.c.run == run, sites.c.site == site)
                .with_for_update(of=sites)
            ).first()
            if row is None or row.state not in ("queued", "running"):
                return None
            if row.state == "running":  # the previous attempt's worker was lost
                conn.execute(
                    attempts.update()
                    .where(
                        attempts.c.run == run,
                        attempts.c.site == site,
                        attempts.c.attempt == row.attempts,
                        attempts.c.finished_at.is_(None),
                    )
                    .values(finished_at=now(), outcome="lost: its worker stopped answering")
                )
                if row.attempts >= MAX_ATTEMPTS:
                    conn.execute(
                        sites.update()
                        .where(sites.c.run == run, sites.c.site == site)
                        .values(
                            state="failed",
                            finished_at=now(),
                            reason=f"attempt {row.attempts} of {MAX_ATTEMPTS}: "
                            "its worker stopped answering (killed, out of memory or lost)",
                        )
                    )
                    return None
            attempt = row.attempts + 1
            conn.execute(
                sites.update()
                .where(sites.c.run == run, sites.c.site == site)
                .values(state="running", attempts=attempt, worker=worker, started_at=now())
            )
            conn.execute(
                attempts.insert().values(
                    run=run, site=site, attempt=attempt, worker=worker, started_at=now()
                )
            )
            return Claim(attempt, row.config, row.artifacts)

    def finish(
        self,
        run: str,
        site: str,
        attempt: int,
        *,
        result: ScanResult | None,
        exit_code: int | None,
        reason: str | None,
        artifacts: str | None,
        peak_rss: int,
        final: bool,
    ) -> None:
        """End attempt `attempt`: `done` with its result and report files, `failed` with the
        reason when `final`, else back to `queued` for a retry. Raises Superseded when the
        attempt no longer holds the site (nothing is written then)."""
        state = "done" if result is not None else ("failed" if final else "queued")
        outcome = state if state != "queued" else f"retry: {reason}"
        with self.store.transaction() as conn:
            scan_id = insert_scan(conn, result) if result is not None else None
            updated = conn.execute(
                sites.update()
                .where(
                    sites.c.run == run,
                    sites.c.site == site,
                    sites.c.state == "running",
                    sites.c.attempts == attempt,
                )
                .values(
                    state=state,
                    finished_at=now() if state != "queued" else None,
                    reason=reason,
                    exit_code=exit_code,
                    scan_id=scan_id,
                    artifacts=artifacts,
                    peak_rss=peak_rss,
                )
            )
            if updated.rowcount != 1:
                raise Superseded(f"{run} {site}: attempt {attempt} no longer holds the site")
            conn.execute(
                attempts.update()
                .where(
                    attempts.c.run == run, attempts.c.site == site, attempts.c.attempt == attempt
                )
                .values(finished_at=now(), outcome=outcome)
            )

    # -- operator's commands ---------------------------------------------------------------------

    def requeue_failed(self, run: str) -> list[str]:
        """Failed sites of `run` back to queued, with fresh attempts; returns them."""
        with self.store.transaction() as conn:
            failed = list(
                conn.execute(
                    sa.select(sites.c.site).where(sites.c.run == run, sites.c.state == "failed")
                ).scalars()
            )
            conn.execute(
                sites.update()
                .where(sites.c.run == run, sites.c.state == "failed")
                .values(state="queued", attempts=0, reason=None, finished_at=None)
            )
            conn.execute(runs.update().where(runs.c.name == run).values(cancelled=0))
        return failed

    def cancel(self, run: str) -> int:
        """Queued sites of `run` to cancelled (running ones finish); returns how many."""
        with self.store.transaction() as conn:
            conn.execute(runs.update().where(runs.c.name == run).values(cancelled=1))
            return int(
                conn.execute(
                    sites.update()
                    .where(sites.c.run == run, sites.c.state == "queued")
                    .values(state="cancelled", finished_at=now(), reason="cancelled")
                ).rowcount
            )

    # -- schedules -------------------------------------------------------------------------------

    def set_schedule(self, name: str, cron: str, sites_json: str, artifacts: str) -> None:
        """Add or replace periodic run `name` (its sites as a JSON list of ScanConfigs)."""
        with self.store.transaction() as conn:
            conn.execute(schedules.delete().where(schedules.c.name == name))
            conn.execute(
                schedules.insert().values(
                    name=name, cron=cron, sites=sites_json, artifacts=artifacts
                )
            )

    def remove_schedule(self, name: str) -> bool:
        """Remove periodic run `name`; whether it existed."""
        with self.store.transaction() as conn:
            return bool(conn.execute(schedules.delete().where(schedules.c.name == name)).rowcount)

    def list_schedules(self) -> list[dict[str, Any]]:
        """Every periodic run."""
        with self.store.transaction() as conn:
            rows = conn.execute(sa.select(schedules).order_by(schedules.c.name)).all()
        return [dict(row._mapping) for row in rows]

    def take_due(self, name: str, run: str) -> bool:
        """Mark `run` as the latest of schedule `name`; False when it was already taken (by
        another tick), so each periodic run is submitted once."""
        with self.store.transaction() as conn:
            return bool(
                conn.execute(
                    schedules.update()
                    .where(
                        schedules.c.name == name,
                        sa.or_(schedules.c.last_run.is_(None), schedules.c.last_run != run),
                    )
                    .values(last_run=run)
                ).rowcount
            )


def counts(states: Iterable[SiteState]) -> dict[str, int]:
    """State -> number of sites."""
    totals = dict.fromkeys(STATES, 0)
    for state in states:
        totals[state.state] = totals.get(state.state, 0) + 1
    return totals
