"""The history store: every scan of every site, in one SQLite file per user.

Scheduled scans (docs/scheduling.md) record each result here, so that the next scan of the same
site knows what it saw last time: the `statement-changed` rule, the "since last scan" block of the
HTML report, `complyscan diff` by scan id and the webhook all read it.

The file is `$XDG_DATA_HOME/complyscan/history.sqlite` (else `~/.local/share/...`) unless `--db`
names another. It runs in WAL mode with a busy timeout, so two scans that finish at the same time
both get written. Anything wrong with the file (not SQLite, damaged, another program's database,
a newer schema) is a `StoreError` of one line; the command line writes the reports first, so a
broken store never loses a scan.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from scanner.model import ScanResult, Severity
from scanner.sanitize import scrub_surrogates
from scanner.urls import origin

STORE_VERSION = 1
"""The schema version, kept in SQLite's `user_version`."""

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer before giving up."""

_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    target TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    complete INTEGER NOT NULL,
    gate TEXT,
    critical INTEGER NOT NULL,
    high INTEGER NOT NULL,
    medium INTEGER NOT NULL,
    low INTEGER NOT NULL,
    info INTEGER NOT NULL,
    report BLOB NOT NULL
);
CREATE INDEX scans_by_site ON scans (site, id);
"""
"""`report` is report.json, zlib-compressed; the other columns make listing cheap."""

_COUNTS = tuple(s.value for s in Severity)


class StoreError(Exception):
    """The history store cannot be used (one line, for the user; exit code 2)."""


@dataclass(frozen=True)
class ScanRow:
    """One past scan, as `complyscan history` lists it."""

    id: int
    site: str
    """The start URL's origin: what makes two scans scans of the same site."""
    target: str
    started_at: datetime
    finished_at: datetime | None
    complete: bool
    gate: str | None
    """passed, failed or incomplete (None when no gate was evaluated)."""
    counts: dict[str, int]
    """Severity -> number of findings."""


def default_path() -> Path:
    """The per-user store: `$XDG_DATA_HOME/complyscan/history.sqlite`, else under
    `~/.local/share`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "complyscan" / "history.sqlite"


def site_of(url: str) -> str:
    """The origin of `url` (`https://www.example.com`, the port only when not the default)."""
    return origin(url)


class HistoryStore:
    """The scans of every site in one SQLite file; opened (and created) by the constructor."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _refuse_non_sqlite(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"history store {self.path}: cannot open it ({exc})") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._prepare()
        except sqlite3.Error as exc:
            self._db.close()
            raise self._error(exc) from None
        except StoreError:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """Create the schema in a new file; refuse a file that holds something else."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if version == 0 and not tables:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {STORE_VERSION}")
            elif version > STORE_VERSION and "scans" in tables:
                raise StoreError(
                    f"history store {self.path}: written by a newer complyscan "
                    f"(store version {version}; this one knows {STORE_VERSION})"
                )
            elif version != STORE_VERSION or "scans" not in tables:
                raise StoreError(
                    f"history store {self.path}: an SQLite database, but not a complyscan "
                    "history store (use another --db)"
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"history store {self.path}: {exc}")

    def close(self) -> None:
        """Close the file (the store cannot be used afterwards)."""
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing and reading ---------------------------------------------------------------------

    def add(self, result: ScanResult) -> int:
        """Record a finished scan (complete or not); returns its id."""
        counts = {s: 0 for s in _COUNTS}
        for finding in result.findings:
            counts[Severity(finding.severity).value] += 1
        scrub_surrogates(result)
        report = zlib.compress(result.model_dump_json().encode("utf-8"), 6)
        try:
            cursor = self._db.execute(
                "INSERT INTO scans (site, target, started_at, finished_at, complete, gate, "
                "critical, high, medium, low, info, report) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    site_of(result.target),
                    result.target,
                    result.started_at.isoformat(),
                    result.finished_at.isoformat() if result.finished_at else None,
                    int(result.complete),
                    result.summary.gate,
                    *(counts[s] for s in _COUNTS),
                    report,
                ),
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def latest(self, site: str, before_id: int | None = None) -> ScanResult | None:
        """The last complete scan of `site` (an origin or any URL on it), optionally the last
        one before scan `before_id`. Incomplete scans are skipped: what they did not see is not
        a change."""
        query = "SELECT report FROM scans WHERE site = ? AND complete = 1"
        params: list[object] = [site_of(site)]
        if before_id is not None:
            query += " AND id < ?"
            params.append(before_id)
        row = self._fetchone(query + " ORDER BY id DESC LIMIT 1", params)
        return _load(row[0], self.path) if row else None

    def scans(self, site: str | None = None) -> list[ScanRow]:
        """Past scans, oldest first; only those of `site` when given."""
        query = (
            "SELECT id, site, target, started_at, finished_at, complete, gate, "
            "critical, high, medium, low, info FROM scans"
        )
        params: list[object] = []
        if site is not None:
            query += " WHERE site = ?"
            params.append(site_of(site))
        try:
            rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return [
            ScanRow(
                id=row[0],
                site=row[1],
                target=row[2],
                started_at=datetime.fromisoformat(row[3]),
                finished_at=datetime.fromisoformat(row[4]) if row[4] else None,
                complete=bool(row[5]),
                gate=row[6],
                counts=dict(zip(_COUNTS, row[7:12], strict=True)),
            )
            for row in rows
        ]

    def get(self, scan_id: int) -> ScanResult:
        """The full result of scan `scan_id`; StoreError when there is none."""
        row = self._fetchone("SELECT report FROM scans WHERE id = ?", [scan_id])
        if row is None:
            raise StoreError(f"history store {self.path}: no scan with id {scan_id}")
        return _load(row[0], self.path)

    def _fetchone(self, query: str, params: list[object]) -> tuple[bytes] | None:
        try:
            row: tuple[bytes] | None = self._db.execute(query, params).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return row


def _refuse_non_sqlite(path: Path) -> None:
    """A file that exists and is not SQLite is refused before SQLite could write to it."""
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"history store {path}: cannot read it ({exc.strerror})") from None
    if head and head != _SQLITE_MAGIC:
        raise StoreError(f"history store {path}: not an SQLite file (damaged, or not a store)")


def _load(blob: bytes, path: Path) -> ScanResult:
    try:
        return ScanResult.model_validate_json(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise StoreError(f"history store {path}: a damaged report ({first})") from None
