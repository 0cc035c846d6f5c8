"""The fleet's command line and its pieces without a browser: bad input, submission and status
on a real PostgreSQL, report files in a directory and in an S3-compatible server on loopback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.fleet.artifacts import DirectoryStorage, S3Storage, attempt_prefix
from scanner.fleet.records import FleetRecords
from scanner.fleet.report import metrics, summary, to_html
from scanner.store import HistoryStore

SITES = """
[[site]]
url = "https://www.a.example.test/"
[[site]]
url = "https://shop.a.example.test/"
[[site]]
url = "https://www.b.test:8443/"
"""


def database_and_sites(postgres: Any, tmp_path: Path, name: str) -> tuple[str, Path]:
    """A new PostgreSQL database and a sites.toml of SITES."""
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES)
    return postgres.create_database(name), sites


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fleet", "status"], "a fleet needs --db postgresql://"),
        (["fleet", "status", "--db", "/tmp/h.sqlite"], "a fleet needs PostgreSQL"),
        (["worker", "--db", "mysql://u:secret@h/x"], "use a path, sqlite:///path or postgresql"),
        (["fleet", "retry", "r", "--db", "postgresql://u@h/x"], "--failed"),
    ],
)
def test_bad_fleet_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.delenv("COMPLYSCAN_DB", raising=False)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "secret" not in err


def test_submit_status_cancel_and_report_on_postgresql(
    tmp_path: Path, postgres: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db, sites = database_and_sites(postgres, tmp_path, "cli")
    # Given a run submitted twice
    assert main(["fleet", "submit", str(sites), "--run", "n1", "--db", db]) == 0
    assert "3 site(s) added, 3 job(s) queued" in capsys.readouterr().out
    assert main(["fleet", "submit", str(sites), "--run", "n1", "--db", db]) == 0
    assert "0 site(s) added, 0 job(s) queued" in capsys.readouterr().out
    # Then it is queued once, with the registrable domain as each job's lock
    import psycopg

    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT lock, queueing_lock FROM procrastinate_jobs ORDER BY queueing_lock"
        ).fetchall()
    assert sorted(lock for lock, _ in rows) == ["b.test", "example.test", "example.test"]
    assert {q for _, q in rows} == {
        "n1|https://www.a.example.test",
        "n1|https://shop.a.example.test",
        "n1|https://www.b.test:8443",
    }
    assert main(["fleet", "status", "n1", "--json", "--db", db]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["counts"]["queued"] == 3 and len(status["sites"]) == 3
    # When it is cancelled, nothing is left to run, and its report says so (exit 3)
    assert main(["fleet", "cancel", "n1", "--db", db]) == 0
    assert "3 site(s) cancelled (3 job(s))" in capsys.readouterr().out
    out = tmp_path / "report"
    assert main(["fleet", "report", "n1", "--out", str(out), "--db", db]) == 3
    doc = json.loads((out / "fleet-json.json").read_text())
    assert doc["sites_by_state"]["cancelled"] == 3
    assert "| https://www.b.test:8443 | cancelled |" in (out / "fleet-summary.md").read_text()
    assert main(["fleet", "report", "nope", "--db", db]) == 2
    assert main(["fleet", "metrics", "--db", db]) == 0
    assert 'complyscan_fleet_sites{run="n1",state="cancelled"} 3' in capsys.readouterr().out


def test_a_site_cannot_be_recorded_by_an_attempt_that_lost_it(store_db: str) -> None:
    from tests.test_store import result

    with HistoryStore(store_db) as store:
        records = FleetRecords(store)
        records.add_run("r", "/tmp/a", [("https://www.shop.test", "shop.test", "{}")])
        first = records.claim("r", "https://www.shop.test", "w1")
        assert first is not None and first.attempt == 1
        # the worker of attempt 1 is given up for dead; attempt 2 starts elsewhere
        second = records.claim("r", "https://www.shop.test", "w2")
        assert second is not None and second.attempt == 2
        from scanner.fleet.records import Superseded

        def finish(attempt: int, artifacts: str) -> None:
            records.finish(
                "r",
                "https://www.shop.test",
                attempt,
                result=result(),
                exit_code=0,
                reason=None,
                artifacts=artifacts,
                peak_rss=1,
                final=True,
            )

        with pytest.raises(Superseded):
            finish(1, "x")
        assert store.scans() == []  # the late result of attempt 1 was not counted
        finish(2, "y")
        (state,) = records.states("r")
        assert (state.state, state.attempts, state.artifacts) == ("done", 2, "y")
        assert len(store.scans()) == 1
        outcomes = [a["outcome"] for a in records.attempts_of("r")]
        assert outcomes[0].startswith("lost") and outcomes[1] == "done"
        doc = summary(records, "r")
        assert doc["sites"][0]["gate"] == "passed"
        assert "<script>" not in to_html({**doc, "run": "<script>"})
        assert 'state="done"} 1' in metrics(records)


def test_the_third_lost_attempt_fails_the_site_with_the_reason(store_db: str) -> None:
    with HistoryStore(store_db) as store:
        records = FleetRecords(store)
        records.add_run("r", "/tmp/a", [("https://x.test", "x.test", "{}")])
        for _ in range(3):
            assert records.claim("r", "https://x.test", "w") is not None
        assert records.claim("r", "https://x.test", "w") is None
        (state,) = records.states("r")
        assert state.state == "failed" and "attempt 3 of 3" in (state.reason or "")


def _report_dir(tmp_path: Path) -> Path:
    local = tmp_path / "reports"
    local.mkdir()
    (local / "report.json").write_text('{"ok": true}')
    return local


def test_directory_storage_writes_each_attempt_under_its_own_prefix(tmp_path: Path) -> None:
    storage = DirectoryStorage(tmp_path / "artifacts")
    local = _report_dir(tmp_path)
    one = storage.put(local, attempt_prefix("run 1", "https://www.x.test:8443", 1))
    two = storage.put(local, attempt_prefix("run 1", "https://www.x.test:8443", 2))
    assert one != two and one.endswith("run_1/https_www.x.test_8443/attempt-1")
    assert storage.get(two, "report.json") == b'{"ok": true}'
    assert not list((tmp_path / "artifacts").rglob("*.partial"))


def test_s3_storage_against_a_local_s3_server(tmp_path: Path, monkeypatch: Any) -> None:
    server_module = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    # Only loopback: fake credentials (no instance-metadata look-up), a local endpoint.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        storage = S3Storage("s3://reports/fleet")
        storage.client.create_bucket(Bucket="reports")
        location = storage.put(_report_dir(tmp_path), attempt_prefix("r", "https://a.test", 2))
        assert location == "s3://reports/fleet/r/https_a.test/attempt-2"
        assert storage.get(location, "report.json") == b'{"ok": true}'
        assert storage.get(location, "missing.json") is None
    finally:
        server.stop()
    assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1")


def test_a_schedule_submits_its_run_once_per_tick(
    tmp_path: Path, postgres: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    from datetime import UTC, datetime

    from scanner.fleet.runner import Limits
    from scanner.fleet.worker import SiteWorker

    db, sites = database_and_sites(postgres, tmp_path, "sched")
    assert main(["fleet", "schedule", str(sites), "--db", db, "--name", "nightly"]) == 2
    assert main(["fleet", "schedule", str(sites), "--db", db, "--name", "n", "--cron", "x"]) == 2
    argv = ["fleet", "schedule", str(sites), "--db", db, "--name", "nightly", "--cron", "0 2 * * *"]
    assert main(argv) == 0
    # When two workers tick at 02:00 and one at 02:01
    at = int(datetime(2026, 5, 1, 2, 0, tzinfo=UTC).timestamp())
    worker = SiteWorker(db, "w", Limits())
    try:
        for timestamp in (at, at, at + 60):
            asyncio.run(worker.schedule_tick(timestamp))
    finally:
        worker.store.close()
    # Then one run was submitted, named after its time
    with HistoryStore(db) as store:
        records = FleetRecords(store)
        assert records.run_names() == ["nightly-20260501T0200"]
        assert len(records.states("nightly-20260501T0200")) == 3
    capsys.readouterr()
    assert main(["fleet", "schedule", "--db", db]) == 0
    assert "nightly  0 2 * * *  last run: nightly-20260501T0200" in capsys.readouterr().out
    assert main(["fleet", "schedule", "--db", db, "--remove", "nightly"]) == 0


def test_retry_failed_queues_the_failed_sites_again(
    tmp_path: Path, postgres: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db, sites = database_and_sites(postgres, tmp_path, "retry")
    assert main(["fleet", "submit", str(sites), "--run", "r", "--db", db]) == 0
    site = "https://www.b.test:8443"
    with HistoryStore(db) as store:
        records = FleetRecords(store)
        for _ in range(4):  # three attempts whose workers were lost: failed
            records.claim("r", site, "w")
        assert [s.state for s in records.states("r") if s.site == site] == ["failed"]
    capsys.readouterr()
    assert main(["fleet", "retry", "r", "--failed", "--db", db]) == 0
    # no worker ran, so the site's first job still waits: it is not queued twice, and it will
    # run the fresh attempt
    assert "1 failed site(s) queued again (0 job(s))" in capsys.readouterr().out
    with HistoryStore(db) as store:
        (state,) = [s for s in FleetRecords(store).states("r") if s.site == site]
        assert (state.state, state.attempts, state.reason) == ("queued", 0, None)


def test_a_worker_stops_at_once_on_sigterm_while_its_database_is_down(
    tmp_path: Path, postgres: Any
) -> None:
    import contextlib
    import signal
    import subprocess
    import sys
    import time

    import psycopg

    db = postgres.create_database("stop")
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "scanner.cli", "worker", "--db", db],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Given a worker at work
        deadline = time.monotonic() + 60
        beating = False
        while not beating and time.monotonic() < deadline:
            time.sleep(0.1)
            with contextlib.suppress(psycopg.Error), psycopg.connect(db) as conn:
                row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
                beating = row is not None and row[0] > 0
        assert beating, log.read_text(errors="replace")[-3000:]
        # When its database goes away, and it is told to stop while it tries to reconnect
        postgres.stop("immediate")
        try:
            time.sleep(4.0)  # the outage is noticed at once; a second later it reconnects
            asked = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=40)
            took = time.monotonic() - asked
        finally:
            postgres.start()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    # Then it stops within seconds (not after the connection pool's 30 s), cleanly
    assert took < 5, f"the worker took {took:.1f} s to stop"
    assert worker.returncode == 0 and "Traceback" not in log.read_text(errors="replace")
