"""The output directory of a scan: usable, held by one scan at a time, and resumed only by the
scan that started it (issue 13, items 9, 11 and 12).

- `claim(config)` checks that --out is a directory the scan can write (else one line, exit 2),
  takes an exclusive lock on it (a second scan with the same --out exits 2 instead of deleting
  the first one's pages), and with --resume refuses a pages.jsonl from another site or another
  configuration.
- `start_pages_file(config)` begins a fresh pages.jsonl and records whose it is.
- pages.jsonl is only ever appended to (`append_stream`): a kill at any moment keeps every page
  already written; the line being written when it died is skipped when read back.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO

from scanner.config import ScanConfig
from scanner.scope import normalise_url

PAGES_FILE = "pages.jsonl"
IDENTITY_FILE = "pages.identity.json"
LOCK_FILE = ".complyscan.lock"

_IDENTITY_FIELDS = (
    "hosts",
    "exclude_hosts",
    "paths",
    "exclude_paths",
    "first_party",
    "max_depth",
    "respect_robots",
    "trap_threshold",
    "resolve",
    "only_resolved",
)
"""What decides which pages a scan visits: a resumed scan must agree on all of it."""


class OutDirError(Exception):
    """--out cannot be used (one line; the command line exits 2)."""


def identity(config: ScanConfig) -> dict[str, str]:
    """Whose pages.jsonl it is: the site and a hash of the settings that choose its pages."""
    chosen = {k: v for k, v in config.public_dict().items() if k in _IDENTITY_FIELDS}
    text = json.dumps(chosen, sort_keys=True, default=str)
    return {
        "target": normalise_url(config.url),
        "config_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


class OutDir:
    """A claimed output directory; `release()` (or the end of a `with`) frees it."""

    def __init__(self, path: Path, lock: IO[str]) -> None:
        self.path = path
        self._lock = lock

    def release(self) -> None:
        """Let another scan use the directory."""
        self._lock.close()

    def __enter__(self) -> OutDir:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def claim(config: ScanConfig) -> OutDir:
    """Check, lock and (with --resume) match the output directory; raises OutDirError."""
    out = config.out
    ensure_writable(out)
    lock = _lock(out)
    try:
        if config.resume:
            _check_resumable(config)
    except OutDirError:
        lock.close()
        raise
    return OutDir(out, lock)


def ensure_writable(out: Path) -> None:
    """--out is (or can be made) a directory this process can write; raises OutDirError."""
    if out.exists() and not out.is_dir():
        raise OutDirError(f"--out {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out) as probe:
            probe.write(b"complyscan")
            probe.flush()
    except OSError as exc:
        raise OutDirError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def _lock(out: Path) -> IO[str]:
    handle = (out / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise OutDirError(
            f"--out {out}: another scan (pid {holder}) is using it; wait for it to end "
            "or choose another --out"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _check_resumable(config: ScanConfig) -> None:
    out = config.out
    if not (out / PAGES_FILE).exists():
        return
    try:
        recorded = json.loads((out / IDENTITY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise OutDirError(
            f"--resume: {out / PAGES_FILE} does not say which scan wrote it; "
            "scan again without --resume"
        ) from None
    wanted = identity(config)
    if not isinstance(recorded, dict) or recorded.get("target") != wanted["target"]:
        site = recorded.get("target") if isinstance(recorded, dict) else "?"
        raise OutDirError(
            f"--resume: {out / PAGES_FILE} is from a scan of {site}, not {wanted['target']}; "
            "scan without --resume or choose another --out"
        )
    if recorded.get("config_sha256") != wanted["config_sha256"]:
        raise OutDirError(
            f"--resume: {out / PAGES_FILE} is from a scan with other scope settings "
            "(hosts, paths, depth, robots, --resolve); scan without --resume or restore them"
        )


def start_pages_file(config: ScanConfig) -> None:
    """A fresh scan: no pages yet, and a record of whose pages will follow."""
    out = config.out
    (out / PAGES_FILE).unlink(missing_ok=True)
    temporary = out / (IDENTITY_FILE + ".tmp")
    temporary.write_text(json.dumps(identity(config)), encoding="utf-8")
    os.replace(temporary, out / IDENTITY_FILE)


def append_stream(path: Path) -> IO[str]:
    """pages.jsonl opened for appending, after ending a line a killed scan left half-written
    (so the next page starts a line of its own; the broken line is skipped when read)."""
    with contextlib.suppress(FileNotFoundError), path.open("rb") as existing:
        existing.seek(0, os.SEEK_END)
        if existing.tell() > 0:
            existing.seek(-1, os.SEEK_END)
            if existing.read(1) != b"\n":
                with path.open("a", encoding="utf-8") as fix:
                    fix.write("\n")
    return path.open("a", encoding="utf-8")
