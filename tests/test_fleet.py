"""The fleet end to end: a real PostgreSQL (tests/pg.py), real worker processes, real Chromium
scanning loopback sites. Nothing may be lost or counted twice when a worker is killed with -9
or when PostgreSQL restarts in the middle of a run; one site's browser always blows its memory
budget (it fails after its 3 attempts, with the reason), two sites share a registrable domain
(never scanned at once), one is slow."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from scanner.cli import main
from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Response, SiteServer
from scanner.fleet.records import FleetRecords
from scanner.store import HistoryStore

pytestmark = pytest.mark.browser

TEST_MARKER = "COMPLYSCAN_TEST_FLEET"
"""Every process this test starts (workers, their scans, their browsers) carries it."""

PAGE = "<!doctype html><title>{name}</title><h1>{name}</h1><p>Nothing to see.</p>"
# Grows the renderer by 64 MiB at a time, without end, before the page has even loaded: only
# the memory guard stops it (a renderer's own limits are far above the test's budget).
MEMORY_BOMB = (
    "<!doctype html><title>Bomb</title><script>const keep = [];"
    "for (;;) keep.push(new Uint8Array(64 << 20).fill(7));</script>"
)
SLOW = "www.slow.test"
POISON = "www.poison.test"
TWINS = ("a.twin.test", "b.twin.test")
GONE = "www.gone.test"
MEMORY_LIMIT_MB = 1536
"""Above a small site's summed RSS (about 1.2 GiB: its PSS is half that), so the guard reads
PSS only for the peak and the bomb; the bomb passes it within a second all the same."""


def fleet_hosts(count: int) -> list[Host]:
    """`count` tiny sites: the slow one, the poison one, the twins, then plain ones."""
    hosts = [
        Host(SLOW, routes={"/": Response(PAGE.format(name="slow"), delay=4.0)}),
        Host(POISON, routes={"/": Response(MEMORY_BOMB)}),
        *(Host(name, routes={"/": Response(PAGE.format(name=name))}) for name in TWINS),
    ]
    for index in range(count - len(hosts)):
        name = f"www.site{index:02d}.test"
        hosts.append(Host(name, routes={"/": Response(PAGE.format(name=name))}))
    return hosts


def unreachable_url(server: SiteServer) -> str:
    """A site of the run that nothing serves: its name resolves nowhere (--only-resolved)."""
    return server.url(GONE)


def sites_toml(server: SiteServer, directory: Path, unreachable: bool = False) -> Path:
    """A sites.toml (scan-all's format) with minimal scan settings for every host (and one
    unreachable site)."""
    tables = []
    urls = [server.url(host.name) for host in server.hosts]
    for url in urls + ([unreachable_url(server)] if unreachable else []):
        tables.append(
            "\n".join(
                [
                    "[[site]]",
                    f'url = "{url}"',
                    f"resolve = {json.dumps(server.resolve_rules())}",
                    "only_resolved = true",
                    f'ca_bundle = "{server.ca_pem}"',
                    "max_pages = 1",
                    "workers = 1",
                    'formats = ["json"]',
                    'fail_on = "none"',
                    "screenshots = false",
                    # No page here sends anything late: 0.1 s of network quiet ends a page.
                    "quiet_s = 0.1",
                ]
            )
        )
    path = directory / "sites.toml"
    path.write_text("\n\n".join(tables) + "\n")
    return path


class Fleet:
    """Worker processes of one test, all marked, each in a process group of its own."""

    def __init__(self, db: str, marker: str, log_dir: Path) -> None:
        self.db = db
        self.marker = marker
        self.log_dir = log_dir
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker-{len(self.workers)}.log").open("wb")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scanner.cli",
                "worker",
                "--db",
                self.db,
                "--stalled-after",
                "4",
                "--time-limit",
                "90",
                "--memory-limit",
                str(MEMORY_LIMIT_MB),
            ],
            env={**os.environ, TEST_MARKER: self.marker},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def ours(self) -> list[psutil.Process]:
        """Live processes carrying this test's marker (never anyone else's)."""
        found = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if process.environ().get(TEST_MARKER) == self.marker:
                    found.append(process)
        return found

    def chromium_left(self) -> list[str]:
        """Chromium processes of this test still running."""
        left = []
        for process in self.ours():
            with contextlib.suppress(psutil.Error):
                if process.status() != psutil.STATUS_ZOMBIE and "chrom" in process.name().lower():
                    left.append(f"{process.pid} {process.name()}")
        return left

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        # Anything of ours still alive is a leak the assertions report; end it after them.

    def kill_leftovers(self) -> None:
        for process in self.ours():
            with contextlib.suppress(psutil.Error):
                process.kill()


@pytest.fixture
def fleet_site(pki: TestPKI) -> Iterator[Any]:
    servers: list[SiteServer] = []

    def make(count: int) -> SiteServer:
        server = SiteServer(fleet_hosts(count), pki, prefer_standard_ports=False).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def wait_until_finished(records: FleetRecords, run: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # PostgreSQL may be restarting
            states = records.states(run)
            if states and all(s.state in ("done", "failed") for s in states):
                return {s.site: s for s in states}
        time.sleep(0.25)
    raise AssertionError(f"run {run} did not finish: {[(s.site, s.state) for s in states]}")


def wait_for_running(records: FleetRecords, run: str, skip: str | None = None) -> Any:
    """The site whose scan started last (so it has seconds to go), not a host named `skip`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [
            s
            for s in records.states(run)
            if s.state == "running" and s.worker and (skip is None or skip not in s.site)
        ]
        if running:
            return max(running, key=lambda s: s.started_at or "")
        time.sleep(0.2)
    raise AssertionError("no site started")


def check_run(records: FleetRecords, run: str, final: dict[str, Any], server: SiteServer) -> None:
    """Every site exactly once; the poison site failed after 3 attempts; twins never overlap."""
    sites = {server.url(h.name).rstrip("/") for h in server.hosts}
    gone = unreachable_url(server).rstrip("/")
    if gone in final:  # a site that cannot be reached is a result (incomplete), not a failure
        assert (final[gone].state, final[gone].exit_code, final[gone].attempts) == ("done", 3, 1)
        sites.add(gone)
    assert set(final) == sites
    for site, state in final.items():
        if state.state == "done":
            assert state.scan_id is not None and state.artifacts, site
            assert (Path(state.artifacts) / "report.json").is_file(), site
            assert state.artifacts.endswith(f"attempt-{state.attempts}"), site
        else:
            assert state.reason, site
    done = [s for s in final.values() if s.state == "done"]
    scans = records.store.scans()
    assert len(scans) == len(done), "a site was counted twice (or lost its scan)"
    assert sorted(s.scan_id for s in done) == sorted(r.id for r in scans)
    assert {r.site for r in scans} == {s.site for s in done}

    poison = final[server.url(POISON).rstrip("/")]
    assert poison.state == "failed" and poison.attempts == 3, poison
    assert "memory limit" in poison.reason, poison.reason
    assert all(s.state == "done" for site, s in final.items() if site != poison.site), {
        site: (s.state, s.reason) for site, s in final.items() if s.state != "done"
    }

    spans = {
        TWINS[0]: [],
        TWINS[1]: [],
    }  # type: dict[str, list[tuple[datetime, datetime]]]
    for attempt in records.attempts_of(run):
        for twin in TWINS:
            if twin in attempt["site"]:
                end = attempt["finished_at"] or attempt["started_at"]
                spans[twin].append(
                    (datetime.fromisoformat(attempt["started_at"]), datetime.fromisoformat(end))
                )
    for a_start, a_end in spans[TWINS[0]]:
        for b_start, b_end in spans[TWINS[1]]:
            assert a_end <= b_start or b_end <= a_start, "the twins were scanned at once"


def run_fleet(
    tmp_path: Path,
    postgres: Any,
    server: SiteServer,
    disturb: Any,
    timeout: float,
    unreachable: bool = False,
) -> None:
    db = postgres.create_database("fleet")
    sites = sites_toml(server, tmp_path, unreachable)
    artifacts = tmp_path / "artifacts"
    assert (
        main(
            [
                "fleet",
                "submit",
                str(sites),
                "--run",
                "r1",
                "--db",
                db,
                "--artifacts",
                str(artifacts),
            ]
        )
        == 0
    )
    # submitting again queues nothing twice
    assert main(["fleet", "submit", str(sites), "--run", "r1", "--db", db]) == 0
    fleet = Fleet(db, uuid.uuid4().hex, tmp_path)
    store = HistoryStore(db)
    records = FleetRecords(store)
    try:
        for _ in range(3):
            fleet.start_worker()
        disturbed = disturb(fleet, records, postgres)
        final = wait_until_finished(records, "r1", timeout)
        check_run(records, "r1", final, server)
        if disturbed is not None:  # the killed worker's site: a lost attempt, then one result
            outcomes = [a["outcome"] for a in records.attempts_of("r1") if a["site"] == disturbed]
            assert outcomes[0].startswith("lost"), outcomes
            assert final[disturbed].state == "done" and final[disturbed].attempts >= 2
    finally:
        fleet.stop()
        time.sleep(0.5)
        left = fleet.chromium_left()
        fleet.kill_leftovers()
        store.close()
    assert left == [], f"Chromium left running: {left}"
    for log in sorted(tmp_path.glob("worker-*.log")):
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text()[-3000:]


def kill_a_worker_mid_scan(fleet: Fleet, records: FleetRecords, _: Any) -> str:
    """kill -9 the worker of a plain site while it scans it; returns the site."""
    running = wait_for_running(records, "r1", skip=POISON)
    pid = int(running.worker.rsplit(":", 1)[1])
    victim = next(w for w in fleet.workers if w.pid == pid)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    fleet.start_worker()  # the replacement, as systemd or Kubernetes would start one
    return str(running.site)


def restart_postgres_mid_run(fleet: Fleet, records: FleetRecords, postgres: Any) -> None:
    """Stop PostgreSQL at once (every connection dropped) while sites are being scanned."""
    wait_for_running(records, "r1")
    time.sleep(2.0)
    postgres.restart()


def test_a_worker_killed_mid_scan_loses_nothing_and_counts_nothing_twice(
    tmp_path: Path, postgres: Any, fleet_site: Any, chromium: Path
) -> None:
    server = fleet_site(29)  # and one site that nothing serves: 30
    run_fleet(tmp_path, postgres, server, kill_a_worker_mid_scan, timeout=480, unreachable=True)


def test_postgresql_restarted_mid_run_loses_nothing(
    tmp_path: Path, postgres: Any, fleet_site: Any, chromium: Path
) -> None:
    server = fleet_site(10)
    run_fleet(tmp_path, postgres, server, restart_postgres_mid_run, timeout=300)


def submit(sites: Path, run: str, db: str, artifacts: Path) -> None:
    argv = ["fleet", "submit", str(sites), "--run", run, "--db", db, "--artifacts", str(artifacts)]
    assert main(argv) == 0


def test_a_fleet_scan_is_compared_with_the_sites_previous_scan(
    tmp_path: Path, postgres: Any, pki: TestPKI, chromium: Path
) -> None:
    from tests.test_scan_all import HOME, SITE, STATEMENT_1, STATEMENT_2

    statement = {"text": STATEMENT_1}
    host = Host(
        SITE,
        routes={"/": Response(HOME), "/privacy": lambda _: Response(statement["text"])},
    )
    db = postgres.create_database("previous")
    artifacts = tmp_path / "artifacts"
    fleet = Fleet(db, uuid.uuid4().hex, tmp_path)
    store = HistoryStore(db)
    records = FleetRecords(store)
    with SiteServer([host], pki, prefer_standard_ports=False) as server:
        sites = sites_toml(server, tmp_path)
        site = server.url(SITE).rstrip("/")
        try:
            fleet.start_worker()
            # Given a first run of the site
            submit(sites, "night-1", db, artifacts)
            first = wait_until_finished(records, "night-1", 120)[site]
            assert first.state == "done", first.reason
            one = json.loads((Path(first.artifacts) / "report.json").read_text())
            assert one["complete"] and one["statement"] and one["changes"] is None
            # and a later scan of the same site and target that did not complete (it never
            # reached the statement): it must not be what the next scan compares with
            assert first.scan_id is not None
            unfinished = store.get(first.scan_id).model_copy(
                update={
                    "started_at": datetime.now(UTC),
                    "statement": None,
                    "complete": False,
                    "incomplete_reason": "interrupted: the report holds what was gathered",
                }
            )
            (row,) = store.scans(site)
            store.add(unfinished, row.profile)
            # When the statement changes and the site is scanned in a second run
            statement["text"] = STATEMENT_2
            submit(sites, "night-2", db, artifacts)
            second = wait_until_finished(records, "night-2", 120)[site]
            assert second.state == "done", second.reason
        finally:
            fleet.stop()
            fleet.kill_leftovers()
            store.close()
    # Then the second run's report compares it with the first run's (complete) scan
    two = json.loads((Path(second.artifacts) / "report.json").read_text())
    changes = two["changes"]
    assert changes is not None
    compared_with = datetime.fromisoformat(changes["previous"]["started_at"])
    assert compared_with == datetime.fromisoformat(one["started_at"])
    assert changes["statement_changed"]
    assert "+We may share your data with advertising partners." in changes["statement_diff"]
    (changed,) = [f for f in two["findings"] if f["rule_id"] == "statement-changed"]
    assert changed["fingerprint"] in {f["fingerprint"] for f in changes["new"]}
