"""The history store: every scan of every site, in SQLite (one file per user) or PostgreSQL.

Scheduled scans (docs/scheduling.md) record each result here, so that the next scan of the same
site knows what it saw last time: the `statement-changed` rule, the "since last scan" block of the
HTML report, `complyscan diff` by scan id and the webhook all read it. A fleet (docs/fleet.md)
keeps its runs here too, in PostgreSQL, where many workers write at once.

`--db` names the store: a path or `sqlite:///path` for SQLite, `postgresql://...` for
PostgreSQL (psycopg 3). The default is `$XDG_DATA_HOME/complyscan/history.sqlite` (else
`~/.local/share/...`). SQLite runs in WAL mode with a busy timeout, so two scans that finish at
the same time both get written.

History is kept per site AND target: a staging scan (`--resolve` to a staging address, or
`--profile staging`) and the nightly production scan of the same URL are two timelines, and
each scan is compared only with the previous scan of its own (`target_key`).

The schema is kept by Alembic migrations (scanner/migrations/), run when a store is opened: a
file written by an older complyscan is migrated in place. Anything wrong with the store (not
SQLite, damaged, another program's database, a newer schema, a server that does not answer) is
a `StoreError` of one line; the command line writes the reports first, so a broken store never
loses a scan.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from scanner.model import ScanResult, Severity
from scanner.net import Resolver
from scanner.sanitize import scrub_surrogates
from scanner.urls import idna_host, origin

if TYPE_CHECKING:
    from scanner.config import ScanConfig

STORE_VERSION = 3
"""The schema version, kept in SQLite's `user_version` (1 was the store before Alembic)."""

HEAD_REVISION = "0003"
"""The newest Alembic revision in scanner/migrations/versions/."""

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer before giving up."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_MIGRATION_LOCK = 0x636F6D70  # pg_advisory_xact_lock key: one migrating process at a time
_URL = re.compile(r"^(?P<scheme>[a-z][a-z0-9+]*)://", re.IGNORECASE)

_COUNTS = tuple(s.value for s in Severity)

DEFAULT_TARGET = "default"
"""The target of a scan without --profile or --resolve (the site as DNS resolves it)."""

metadata = sa.MetaData()
scans = sa.Table(
    "scans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("profile", sa.Text, nullable=False, server_default=DEFAULT_TARGET),
    sa.Column("started_at", sa.Text, nullable=False),
    sa.Column("finished_at", sa.Text),
    sa.Column("complete", sa.Integer, nullable=False),
    sa.Column("gate", sa.Text),
    *(sa.Column(name, sa.Integer, nullable=False) for name in _COUNTS),
    sa.Column("report", sa.LargeBinary, nullable=False),
)
"""`report` is report.json, zlib-compressed; the other columns make listing cheap."""


class StoreError(Exception):
    """The history store cannot be used (one line, for the user; exit code 2)."""


@dataclass(frozen=True)
class ScanRow:
    """One past scan, as `complyscan history` lists it."""

    id: int
    site: str
    """The start URL's origin: what makes two scans scans of the same site."""
    target: str
    """The start URL."""
    profile: str
    """The target key (`target_key`): the --profile name, resolve:ADDRESSES or default."""
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


def target_key(profile: str | None, resolve: list[str], url: str) -> str:
    """What a scan of the site at `url` was pointed at, the second half of its history key:
    the `--profile` name when given, else `resolve:ADDRESS` when a `--resolve` rule sends the
    start URL's host to ADDRESS, else "default" (the site as DNS resolves it)."""
    if profile:
        return profile
    address = Resolver.from_strings(resolve).lookup(idna_host(urlsplit(url).hostname or ""))
    return f"resolve:{address}" if address else DEFAULT_TARGET


def previous_scan(store: HistoryStore, config: ScanConfig) -> ScanResult | None:
    """The scan a new scan of `config`'s site is compared with (statement-changed, `changes`):
    the last complete one in `store` of the same site on the same target (`target_key`). A
    single scan, scan-all and a fleet worker all read it here."""
    return store.latest(config.url, target_key(config.profile, config.resolve, config.url))


def store_url(db: str | Path) -> sa.URL:
    """The SQLAlchemy URL of `--db`: `postgresql://...` (psycopg 3), `sqlite:///path`, or a bare
    path (SQLite). Raises StoreError for another scheme."""
    text = str(db)
    match = _URL.match(text)
    if match is None:
        return sa.URL.create("sqlite", database=str(Path(text).expanduser()))
    scheme = match["scheme"].lower()
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"--db {redact(text)}: not a database URL ({exc})") from None
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if scheme == "sqlite" and url.database:
        return url
    raise StoreError(
        f"--db {redact(text)}: use a path, sqlite:///path or postgresql://user@host/db"
    )


def redact(db: str | Path | sa.URL) -> str:
    """`db` fit to print: a URL's password is hidden."""
    if isinstance(db, sa.URL):
        return db.render_as_string(hide_password=True).replace("+psycopg", "")
    text = str(db)
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", text)


class HistoryStore:
    """The scans of every site in one database; opened (and created or migrated) by the
    constructor. `db` is a path or a URL (see `store_url`)."""

    def __init__(self, db: str | Path) -> None:
        self.url = store_url(db)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.path: Path | str = Path(self.url.database or "") if self.sqlite else redact(self.url)
        """Where the store is, fit to print (a file, or a URL without its password)."""
        if self.sqlite:
            assert isinstance(self.path, Path)
            _refuse_non_sqlite(self.path)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"history store {self.path}: cannot open it ({exc})") from None
        self.engine = _engine(self.url)
        try:
            self._prepare()
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise self._error(exc) from None
        except StoreError:
            self.engine.dispose()
            raise

    def _prepare(self) -> None:
        """Create or migrate the schema; refuse a database that holds something else."""
        with self.engine.begin() as conn:
            if not self.sqlite:
                conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
            # A fleet's job queue (Procrastinate) shares a PostgreSQL database with the store.
            tables = {
                t for t in sa.inspect(conn).get_table_names() if not t.startswith("procrastinate_")
            }
            version = conn.exec_driver_sql("PRAGMA user_version").scalar_one() if self.sqlite else 0
            revision = None
            if "alembic_version" in tables:
                revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            if version > STORE_VERSION or (revision is not None and revision > HEAD_REVISION):
                raise StoreError(
                    f"history store {self.path}: written by a newer complyscan "
                    f"(store version {max(version, STORE_VERSION + 1)}; "
                    f"this one knows {STORE_VERSION})"
                )
            if tables and "scans" not in tables:
                raise StoreError(
                    f"history store {self.path}: "
                    f"{'an SQLite' if self.sqlite else 'a PostgreSQL'} database, but not a "
                    "complyscan history store (use another --db)"
                )
            if revision == HEAD_REVISION:
                return
            if "scans" in tables and revision is None:
                if self.sqlite and version != 1:
                    raise StoreError(
                        f"history store {self.path}: an SQLite database, but not a complyscan "
                        "history store (use another --db)"
                    )
                _alembic(conn, "stamp", "0001")  # the store before Alembic: user_version 1
            _alembic(conn, "upgrade", "head")
            if self.sqlite:
                conn.exec_driver_sql(f"PRAGMA user_version = {STORE_VERSION}")

    def _error(self, exc: Exception) -> StoreError:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return StoreError(f"history store {self.path}: {first[0] if first else type(exc).__name__}")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on the store; any database error is a StoreError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        """Close the store (it cannot be used afterwards)."""
        self.engine.dispose()

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

    def add(self, result: ScanResult, profile: str = DEFAULT_TARGET) -> int:
        """Record a finished scan (complete or not) of target `profile`; returns its id."""
        with self.transaction() as conn:
            return insert_scan(conn, result, profile)

    def latest(
        self, site: str, profile: str = DEFAULT_TARGET, before_id: int | None = None
    ) -> ScanResult | None:
        """The last complete scan of `site` (an origin or any URL on it) on target `profile`,
        optionally the last one before scan `before_id`. Incomplete scans are skipped: what
        they did not see is not a change."""
        query = sa.select(scans.c.report).where(
            scans.c.site == site_of(site), scans.c.profile == profile, scans.c.complete == 1
        )
        if before_id is not None:
            query = query.where(scans.c.id < before_id)
        with self.transaction() as conn:
            blob = conn.execute(query.order_by(scans.c.id.desc()).limit(1)).scalar()
        return _load(blob, self.path) if blob is not None else None

    def scans(self, site: str | None = None, profile: str | None = None) -> list[ScanRow]:
        """Past scans, oldest first; only those of `site` and of target `profile` when given."""
        query = sa.select(*(c for c in scans.c if c.name != "report"))
        if site is not None:
            query = query.where(scans.c.site == site_of(site))
        if profile is not None:
            query = query.where(scans.c.profile == profile)
        with self.transaction() as conn:
            rows = conn.execute(query.order_by(scans.c.id)).all()
        return [
            ScanRow(
                id=row.id,
                site=row.site,
                target=row.target,
                profile=row.profile,
                started_at=datetime.fromisoformat(row.started_at),
                finished_at=datetime.fromisoformat(row.finished_at) if row.finished_at else None,
                complete=bool(row.complete),
                gate=row.gate,
                counts={name: getattr(row, name) for name in _COUNTS},
            )
            for row in rows
        ]

    def get(self, scan_id: int) -> ScanResult:
        """The full result of scan `scan_id`; StoreError when there is none."""
        with self.transaction() as conn:
            blob = conn.execute(sa.select(scans.c.report).where(scans.c.id == scan_id)).scalar()
        if blob is None:
            raise StoreError(f"history store {self.path}: no scan with id {scan_id}")
        return _load(blob, self.path)


def insert_scan(conn: Connection, result: ScanResult, profile: str = DEFAULT_TARGET) -> int:
    """Insert one scan of target `profile` inside the caller's transaction (a fleet records its
    run's row in the same one); returns its id."""
    counts = {s: 0 for s in _COUNTS}
    for finding in result.findings:
        counts[Severity(finding.severity).value] += 1
    scrub_surrogates(result)
    report = zlib.compress(result.model_dump_json().encode("utf-8"), 6)
    row = conn.execute(
        scans.insert()
        .values(
            site=site_of(result.target),
            target=result.target,
            profile=profile,
            started_at=result.started_at.isoformat(),
            finished_at=result.finished_at.isoformat() if result.finished_at else None,
            complete=int(result.complete),
            gate=result.summary.gate,
            report=report,
            **counts,
        )
        .returning(scans.c.id)
    )
    return int(row.scalar_one())


def _engine(url: sa.URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        # pre_ping: a pooled connection that a PostgreSQL restart cut is replaced, not used.
        return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    engine = sa.create_engine(
        url, poolclass=sa.pool.NullPool, connect_args={"timeout": BUSY_TIMEOUT_S}
    )

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are ours (BEGIN IMMEDIATE below), not the sqlite3 module's.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alembic(conn: Connection, command: str, revision: str) -> None:
    """Run an Alembic command on `conn`, inside its transaction."""
    from alembic import command as commands
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    getattr(commands, command)(config, revision)


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


def _load(blob: bytes, path: Path | str) -> ScanResult:
    try:
        return ScanResult.model_validate_json(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise StoreError(f"history store {path}: a damaged report ({first})") from None
