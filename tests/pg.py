"""A real PostgreSQL for the tests (and `make bench-fleet`), started from the installed server
binaries in a temporary directory, listening on loopback and a unix socket.

initdb refuses to run as root: as root the cluster belongs to `nobody` (runuser), the way the
Debian package runs it as `postgres`. `find_binaries()` is None when there is no server here;
the tests that need one are then skipped with that reason (`make test` installs it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "nobody"


def find_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl (Debian's newest version first, then PATH)."""
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(directory) / "initdb").exists():
            return Path(directory)
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One throwaway cluster: `start()`, `url(db)`, `create_database()`, `restart()`, `stop()`."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.directory = Path(tempfile.mkdtemp(prefix="complyscan-pg-"))
        self.data = self.directory / "data"
        self.port = _free_port()
        self._count = 0

    def _run(self, *argv: str) -> None:
        command = [str(self.binaries / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        """initdb (first time) and start; returns when the server accepts connections."""
        if os.geteuid() == 0:
            shutil.chown(self.directory, USER)
            self.directory.chmod(0o700)
        if not self.data.exists():
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            )
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        log = self.directory / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`immediate` is a crash, as far as clients can tell)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Stop (immediately, dropping every connection) and start again on the same port."""
        self.stop("immediate")
        self.start()

    def url(self, database: str = "postgres") -> str:
        """A `postgresql://` URL for `--db`."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        self._count += 1
        name = f"{prefix}{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        """Stop the server (if running) and delete its directory."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
