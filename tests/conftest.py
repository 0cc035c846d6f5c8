"""Shared fixtures: a test PKI, the browser, and a way to crawl or scan a loopback site."""

from __future__ import annotations

import asyncio
import os
import tempfile
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
