"""Shared fixtures: a test PKI, the browser, and a way to crawl or scan a loopback site."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import faulthandler
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.discovery import find_chromium
from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, SiteServer

# Scans keep history in a per-user store by default: tests (and the subprocesses they start)
# use a private one, never the developer's.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="complyscan-test-data-")

# pytest-timeout (300 s, pyproject.toml) raises in the main thread, which an event loop can
# swallow (a task that catches it) or a C call can outlast; a test still running after this
# long has every thread's stack written to a file and its process ended, so a hang costs one
# test, never the run (CI's 90 minutes). xdist gives the ended worker's test file, the test
# included, to a new worker: a rerun like any other (`--reruns`), then failed at once. The
# controller prints the stacks at the end (`pytest_terminal_summary`).
HANG_LIMIT_S = 420
HANG_DIR = "COMPLYSCAN_TEST_HANG_DIR"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        os.environ.setdefault(HANG_DIR, tempfile.mkdtemp(prefix="complyscan-test-hangs-"))
        atexit.register(_remove_if_empty, Path(os.environ[HANG_DIR]))


def _remove_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):
        directory.rmdir()


def _hang_dumps() -> Iterator[tuple[Path, str]]:
    """The dumps whose limit was reached (faulthandler wrote its stacks): path and text."""
    for dump in sorted(Path(os.environ.get(HANG_DIR, "/nonexistent")).glob("*.txt")):
        text = dump.read_text(errors="replace")
        if "\nTimeout (" in text:
            yield dump, text


def _hangs(nodeid: str) -> int:
    """How many processes were ended running this test."""
    return sum(1 for _, text in _hang_dumps() if text.startswith(f"{nodeid} ran past "))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    hangs = _hangs(item.nodeid)
    if hangs > (item.config.getoption("reruns", None) or 0):
        pytest.fail(f"hung {hangs} times (past {HANG_LIMIT_S} s each): not run again")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile`, where a test whose worker was ended is a rerun, not a failure.

    xdist's file scheduler puts what an ended worker had not finished of its file (the test
    it was running first) back in its queue; it only refuses pytest-rerunfailures' request to
    do so (`mark_test_pending`), so the crash was reported as a failure even when the test
    then passed in the new worker."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class RerunEndedTests(LoadFileScheduling):
        def mark_test_pending(self, item: str) -> None:
            """Already pending: `remove_node` queued the ended worker's unfinished tests."""

    return RerunEndedTests(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    dump = Path(os.environ[HANG_DIR]) / f"{os.getpid()}.txt"
    with dump.open("w") as file:
        file.write(f"{item.nodeid} ran past {HANG_LIMIT_S} s; its process was ended:\n")
        file.flush()
        faulthandler.dump_traceback_later(HANG_LIMIT_S, exit=True, file=file)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
    dump.unlink()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # What is left after the last test (a thread that is not a daemon, an atexit handler)
    # cannot hold the process at exit past this either.
    dump = Path(os.environ[HANG_DIR]) / f"{os.getpid()}-exit.txt"
    file = dump.open("w")
    file.write(f"pytest process {os.getpid()} did not exit within {HANG_LIMIT_S} s:\n")
    file.flush()
    faulthandler.dump_traceback_later(HANG_LIMIT_S, exit=True, file=file)
    atexit.register(dump.unlink, missing_ok=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for dump, text in _hang_dumps():
        terminalreporter.write_sep("=", f"hung ({dump})")
        terminalreporter.write(text)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    """One test CA for the whole run (keys cost time)."""
    return TestPKI.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The real Chromium: a test that needs it fails (never skips) when there is none."""
    return find_chromium()


def serve(hosts: list[Host], pki: TestPKI) -> SiteServer:
    """Start a loopback site; the caller stops it (or uses `with`)."""
    return SiteServer(hosts, pki).start()


@pytest.fixture
def site(pki: TestPKI) -> Iterator[Any]:
    """A factory of loopback sites, all stopped at the end of the test."""
    servers: list[SiteServer] = []

    def make(hosts: list[Host]) -> SiteServer:
        server = serve(hosts, pki)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def scan_loopback(server: SiteServer, host: str, out: Path, *, consent: bool = False) -> Any:
    """A whole scan (real Chromium, sslyze) of `https://host/` on a loopback site; the consent
    states only when a test asks for them."""
    from scanner.config import ScanConfig
    from scanner.engine import Scan

    config = ScanConfig(
        url=server.url(host, "/"),
        out=out,
        resolve=server.resolve_rules(),
        only_resolved=True,
        ca_bundle=Path(server.ca_pem),
        workers=2,
        screenshots=False,
        consent=consent,
    )
    return asyncio.run(Scan(config).run())


@pytest.fixture(scope="session", autouse=True)
def _consent_states_only_where_tested() -> Iterator[None]:
    """The consent states (four more browsers a scan) only in the tests that are about them:
    those pass consent=True; every other scan, in process or as `complyscan`, skips them."""
    previous = os.environ.get("COMPLYSCAN_CONSENT")
    os.environ["COMPLYSCAN_CONSENT"] = "off"
    yield
    if previous is None:
        os.environ.pop("COMPLYSCAN_CONSENT", None)
    else:
        os.environ["COMPLYSCAN_CONSENT"] = previous


def run(coro: Any) -> Any:
    """Run a coroutine to completion from a synchronous test."""
    return asyncio.run(coro)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL started for this test run (tests/pg.py); skipped, with the reason,
    only where no server binaries are installed (`make test` installs them)."""
    from tests.pg import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    server = PostgresServer(binaries).start()
    yield server
    server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty history store: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "h.sqlite")
    server = request.getfixturevalue("postgres")
    return str(server.create_database("store"))


class Canary:
    """A TCP listener on a loopback address the scan must never touch: counts every connection
    (and closes it at once). `url(scheme)` is its address as a site would write it."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.connections = 0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((address, 0))
        self._socket.listen(64)
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, scheme: str = "http", path: str = "/", host: str | None = None) -> str:
        return f"{scheme}://{host or self.address}:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A canary listener on 127.0.0.9, an address no test puts in scope: 0 connections allowed."""
    listener = Canary("127.0.0.9")
    yield listener
    listener.close()
