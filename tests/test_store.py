"""The history store: what it records, two writers at once, and files it must refuse. The same
tests run on SQLite and on a real PostgreSQL (the `store_db` fixture)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner.model import Finding, ScanResult, Severity, Summary
from scanner.store import STORE_VERSION, HistoryStore, StoreError, default_path, site_of, store_url

FIXTURES = Path(__file__).parent / "fixtures"

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def result(
    target: str = "https://www.shop.test/",
    *,
    at: datetime = T0,
    complete: bool = True,
    severities: tuple[Severity, ...] = (),
) -> ScanResult:
    findings = [
        Finding(rule_id="hsts-missing", severity=s, title="t", message=f"m{i}", host="h")
        for i, s in enumerate(severities)
    ]
    return ScanResult(
        target=target,
        started_at=at,
        finished_at=at + timedelta(seconds=30),
        complete=complete,
        findings=findings,
        summary=Summary(gate="failed" if severities else "passed"),
    )


def test_a_scan_is_stored_and_read_back(store_db: str) -> None:
    with HistoryStore(store_db) as store:
        first = store.add(result(severities=(Severity.HIGH, Severity.HIGH, Severity.LOW)))
        second = store.add(result(at=T0 + timedelta(days=1)))

        rows = store.scans()
        assert [r.id for r in rows] == [first, second]
        assert rows[0].site == "https://www.shop.test"
        assert rows[0].gate == "failed" and rows[0].complete
        assert rows[0].counts == {"critical": 0, "high": 2, "medium": 0, "low": 1, "info": 0}
        assert store.get(first).findings[2].message == "m2"
        latest = store.latest("https://www.shop.test/some/page")
        assert latest is not None and latest.started_at == T0 + timedelta(days=1)
        before = store.latest("https://www.shop.test", before_id=second)
        assert before is not None and len(before.findings) == 3
        assert store.latest("https://www.shop.test", before_id=first) is None


def test_latest_skips_incomplete_scans_and_other_sites(store_db: str) -> None:
    with HistoryStore(store_db) as store:
        kept = store.add(result())
        store.add(result(at=T0 + timedelta(days=1), complete=False))
        store.add(result("https://www.shop.test:8443/", at=T0 + timedelta(days=2)))

        latest = store.latest("https://www.shop.test/")
        assert latest is not None and latest.started_at == store.get(kept).started_at
        assert [r.site for r in store.scans("https://www.shop.test:8443/x")] == [
            "https://www.shop.test:8443"
        ]
        with pytest.raises(StoreError, match="no scan with id 99"):
            store.get(99)


def test_the_file_is_in_wal_mode_with_a_versioned_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
    assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0003"
    db.close()


def test_a_store_written_by_the_sqlite3_store_is_migrated_in_place(tmp_path: Path) -> None:
    # Given a file written by complyscan's store before Alembic (user_version 1, two scans)
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "history-v1.sqlite", path)
    # When it is opened (twice: the second open finds it current)
    for _ in range(2):
        with HistoryStore(f"sqlite:///{path}") as store:
            rows = store.scans()
            # Then its scans are all there and new ones go on after them
            assert [r.counts["high"] for r in rows[:2]] == [1, 0]
            assert store.get(rows[0].id).findings[1].message == "m1"
            store.add(result(at=T0 + timedelta(days=9)))
    with HistoryStore(path) as store:
        assert [r.id for r in store.scans()] == [1, 2, 3, 4]
        latest = store.latest("https://www.shop.test")
        assert latest is not None and latest.started_at == T0 + timedelta(days=9)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
    assert {row[0] for row in db.execute("SELECT name FROM sqlite_master")} >= {"fleet_sites"}
    db.close()


@pytest.mark.parametrize(
    ("db", "backend"),
    [
        ("history.sqlite", "sqlite"),
        ("sqlite:////var/h.sqlite", "sqlite"),
        ("postgresql://scan@db.internal/complyscan", "postgresql"),
        ("postgres://scan:pw@db.internal:5433/c", "postgresql"),
    ],
)
def test_db_is_a_path_or_a_url(db: str, backend: str) -> None:
    url = store_url(db)
    assert url.get_backend_name() == backend
    if backend == "postgresql":
        assert url.get_driver_name() == "psycopg"


def test_an_unknown_db_scheme_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as error:
        store_url("mysql://u:secret@h/db")
    assert "secret" not in str(error.value) and "postgresql://" in str(error.value)


def test_a_postgresql_server_that_does_not_answer_is_store_error(tmp_path: Path) -> None:
    # port 9 on loopback: nothing listens (discard is not run here)
    with pytest.raises(StoreError, match=r"history store postgresql://u:\*\*\*@127.0.0.1:9/x"):
        HistoryStore("postgresql://u:pw@127.0.0.1:9/x")


def test_two_writers_at_once_both_get_written(store_db: str) -> None:
    path = store_db
    start = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []

    def writer(site: str) -> None:
        try:
            with HistoryStore(path) as store:
                start.wait()
                for day in range(25):
                    store.add(result(site, at=T0 + timedelta(days=day)))
        except BaseException as exc:  # reported below, in the test's thread
            start.abort()  # the other writer does not wait for this one
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=(f"https://{name}.test/",), daemon=True)
        for name in "ab"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert [f"{type(e).__name__}: {e}" for e in errors] == []
    with HistoryStore(path) as store:
        assert len(store.scans("https://a.test")) == 25
        assert len(store.scans("https://b.test")) == 25


def _execute(path: Path, statement: str) -> None:
    """Run one statement on the file with plain sqlite3, as another program would."""
    db = sqlite3.connect(path)
    db.execute(statement)
    db.commit()
    db.close()


def test_a_damaged_file_is_one_line_store_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database\n" * 100)
    with pytest.raises(StoreError) as error:
        HistoryStore(path)
    assert "not an SQLite file" in str(error.value) and "\n" not in str(error.value)
    assert path.read_bytes().startswith(b"this is not")  # left as it was


def test_a_truncated_sqlite_file_is_store_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        store.add(result())
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 200)
    with pytest.raises(StoreError, match=str(path)):
        HistoryStore(path).scans()


def test_another_programs_postgresql_database_is_refused(postgres: Any) -> None:
    import psycopg

    url = postgres.create_database("other")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="a PostgreSQL database, but not a complyscan"):
        HistoryStore(url)


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    _execute(path, "CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not a complyscan history store"):
        HistoryStore(path)


def test_a_newer_store_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).close()
    _execute(path, "PRAGMA user_version = 7")
    with pytest.raises(StoreError, match="newer complyscan"):
        HistoryStore(path)


def test_default_path_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/data")
    assert default_path() == Path("/data/complyscan/history.sqlite")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_path() == Path.home() / ".local/share/complyscan/history.sqlite"


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://WWW.Shop.test/a?b", "https://www.shop.test"),
        ("https://www.shop.test:443/", "https://www.shop.test"),
        ("http://www.shop.test:8080/x", "http://www.shop.test:8080"),
    ],
)
def test_a_site_is_the_start_urls_origin(url: str, site: str) -> None:
    assert site_of(url) == site


def test_history_is_kept_per_site_and_target(store_db: str) -> None:
    # Given a production scan, then a staging scan of the same URL, then production again
    with HistoryStore(store_db) as store:
        production = store.add(result(severities=(Severity.HIGH,)))
        staging = store.add(result(at=T0 + timedelta(hours=1)), "staging")
        store.add(result(at=T0 + timedelta(hours=2)), "resolve:127.0.0.2")
        # Then each target's previous scan is its own, never the other target's
        latest = store.latest("https://www.shop.test/")
        assert latest is not None and latest.started_at == T0
        latest = store.latest("https://www.shop.test/", "staging")
        assert latest is not None and latest.started_at == T0 + timedelta(hours=1)
        assert store.latest("https://www.shop.test/", "staging", before_id=staging) is None
        assert store.latest("https://www.shop.test/", "nightly") is None
        # And the listing shows and filters by target
        assert [(r.id, r.profile) for r in store.scans("https://www.shop.test", "staging")] == [
            (staging, "staging")
        ]
        assert [r.profile for r in store.scans()] == ["default", "staging", "resolve:127.0.0.2"]
        assert store.scans(profile="default")[0].id == production


def test_scans_recorded_before_targets_get_the_default_target(store_db: str) -> None:
    # Given a store at revision 0002 (before targets) holding one scan
    import sqlalchemy as sa

    from scanner.store import _alembic, _engine, store_url

    engine = _engine(store_url(store_db))
    with engine.begin() as conn:
        _alembic(conn, "upgrade", "0002")
        assert "profile" not in {c["name"] for c in sa.inspect(conn).get_columns("scans")}
        conn.execute(
            sa.text(
                "INSERT INTO scans (site, target, started_at, complete, critical, high, medium,"
                " low, info, report) VALUES (:site, :target, :at, 1, 0, 0, 0, 0, 0, :report)"
            ),
            {
                "site": "https://www.shop.test",
                "target": "https://www.shop.test/",
                "at": T0.isoformat(),
                "report": __import__("zlib").compress(result().model_dump_json().encode()),
            },
        )
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA user_version = 2")
    engine.dispose()
    # When it is opened, it is migrated in place: the old scan is the default target's
    with HistoryStore(store_db) as store:
        assert [r.profile for r in store.scans()] == ["default"]
        assert store.latest("https://www.shop.test/") is not None
        assert store.latest("https://www.shop.test/", "staging") is None


@pytest.mark.parametrize(
    ("profile", "resolve", "key"),
    [
        (None, [], "default"),
        ("staging", ["www.shop.test:127.0.0.2"], "staging"),
        (None, ["cdn.shop.test:127.0.0.4", "*.SHOP.test:127.0.0.3"], "resolve:127.0.0.3"),
        (None, ["shop.test:127.0.0.4", "www.shop.test:[::1]"], "resolve:::1"),
        (None, ["cdn.shop.test:127.0.0.4"], "default"),
    ],
)
def test_the_target_is_the_profile_else_the_start_hosts_resolved_address(
    profile: str | None, resolve: list[str], key: str
) -> None:
    from scanner.store import target_key

    assert target_key(profile, resolve, "https://WWW.shop.test:8443/x") == key


def test_a_scan_is_compared_with_the_last_complete_scan_of_its_site_and_target(
    store_db: str,
) -> None:
    from scanner.config import ScanConfig
    from scanner.store import previous_scan

    config = ScanConfig(url="https://www.shop.test/shop", resolve=["www.shop.test:127.0.0.2"])
    with HistoryStore(store_db) as store:
        # Given no scan of the site yet
        assert previous_scan(store, config) is None
        # When it has a complete scan on its target, then an incomplete one, and scans of
        # another target and another site
        kept = store.add(result(), "resolve:127.0.0.2")
        store.add(result(at=T0 + timedelta(hours=1), complete=False), "resolve:127.0.0.2")
        store.add(result(at=T0 + timedelta(hours=2)), "default")
        store.add(
            result("https://other.shop.test/", at=T0 + timedelta(hours=3)), "resolve:127.0.0.2"
        )
        # Then its previous scan is the complete one on its own target (what `scan` and a
        # fleet worker both read)
        previous = previous_scan(store, config)
        assert previous is not None and previous.started_at == store.get(kept).started_at
        staging = config.model_copy(update={"profile": "staging"})
        assert previous_scan(store, staging) is None
