"""One site, start to finish: `run_site(config) -> SiteOutcome`.

The scan of design.md's flow (`engine.Scan`), then everything that turns it into outputs:
waivers and baseline, the previous scan from the history store (for statement-changed and
`changes`), the gate's verdict, the reports, the store and the webhook. `complyscan scan`,
`scan-all`, `demo` and `init` run a site through here, and so will a fleet worker: nothing here
prints or exits; what the command line shows comes back in the SiteOutcome (and, while the scan
runs, through the `progress`, `on_warning` and `on_reports` callbacks).

Exit codes (design.md): 0 gate passed; 1 gate failed; 2 usage or configuration error (a bad
--out, --waivers, --baseline or --db); 3 scan incomplete (the browser could not start, the crawl
aborted, the scan was interrupted).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from scanner.browser.discovery import BrowserNotFound
from scanner.browser.settings import CrawlError
from scanner.config import ConfigError, ScanConfig
from scanner.diff import diff
from scanner.engine import Progress, Scan, load_result
from scanner.gate import GateConfigError, GateOutcome, evaluate, load_waivers
from scanner.model import Changes, ScanResult
from scanner.outdir import OutDirError, claim
from scanner.report import write_reports
from scanner.store import HistoryStore, StoreError, default_path, previous_scan, target_key
from scanner.webhook import notify

log = logging.getLogger(__name__)

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


@dataclass(frozen=True)
class SiteOutcome:
    """What running one site produced: the gated scan, the verdict, the outputs, the problems."""

    exit_code: int
    """0 gate passed, 1 gate failed, 2 usage or configuration error, 3 scan incomplete."""
    result: ScanResult | None = None
    """The scan as gated (what the reports, the store and the webhook saw); None when no scan
    ran (a usage error) or the browser could not start."""
    gate: GateOutcome | None = None
    """The gate's verdict and what decided it; None when there is no result."""
    paths: dict[str, Path] = field(default_factory=dict)
    """The reports written: format -> file."""
    warnings: tuple[str, ...] = ()
    """Lines worth showing that change nothing (no default history store, webhook not
    delivered)."""
    error: str | None = None
    """Why there is no result, in one line: a usage error (exit 2) or the browser could not
    start (exit 3)."""
    store_error: str | None = None
    """The history store given with --db could not be used (exit 2, after the reports)."""
    scan_id: int | None = None
    """The scan's id in the history store, when it was added."""
    store_path: Path | str | None = None
    """The history store the scan was added to (a file, or a database URL without its password)."""

    @property
    def verdict(self) -> str | None:
        """passed, failed or incomplete; None when there is no result."""
        return self.gate.status if self.gate is not None else None


def run_site(
    config: ScanConfig,
    *,
    progress: Progress | None = None,
    history: bool = True,
    previous: ScanResult | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_reports: Callable[[GateOutcome, dict[str, Path]], None] | None = None,
) -> SiteOutcome:
    """Scan one site with a ready configuration, gate it and write its outputs.

    The scan holds --out for its whole life: a second scan there is a usage error
    (scanner/outdir.py). The previous scan of the site (for statement-changed and `changes`)
    comes from one place: with `history`, from the store (--db, else the per-user one), which
    this scan is then added to, after the reports are written; without it, it is `previous`,
    read by a caller that keeps history elsewhere (a fleet worker, from the fleet's database, by
    the same `previous_scan`). `on_warning` hears each warning as it happens; `on_reports`
    hears the verdict as soon as the reports are written (before the store and the webhook).
    Never raises for anything a user or a site can cause.
    """
    if history and previous is not None:
        raise ValueError("the previous scan comes from the history store or from the caller")
    try:
        out_dir = claim(config)
    except OutDirError as exc:
        return SiteOutcome(exit_code=EXIT_USAGE, error=str(exc))
    with out_dir:
        return _run_in_claimed_out(
            config, progress or Progress(), history, previous, _Warnings(on_warning), on_reports
        )


class _Warnings:
    """The warnings of one run: kept for the outcome, and told as they happen."""

    def __init__(self, listener: Callable[[str], None] | None) -> None:
        self.lines: list[str] = []
        self._listener = listener

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        if self._listener is not None:
            self._listener(line)


def _run_in_claimed_out(
    config: ScanConfig,
    progress: Progress,
    history: bool,
    previous: ScanResult | None,
    warn: _Warnings,
    on_reports: Callable[[GateOutcome, dict[str, Path]], None] | None,
) -> SiteOutcome:
    """`run_site` once --out is checked and held."""
    try:
        waivers = load_waivers(config.waivers) if config.waivers else []
        baseline = load_report(config.baseline, "--baseline") if config.baseline else None
    except (GateConfigError, ConfigError) as exc:
        return SiteOutcome(exit_code=EXIT_USAGE, error=str(exc), warnings=tuple(warn.lines))
    store, store_error = _open_store(config, warn) if history else (None, None)
    target = target_key(config.profile, config.resolve, config.url)  # a timeline per target
    if store is not None:
        try:
            previous = previous_scan(store, config)
        except StoreError as exc:
            store_error = exc
    scan = Scan(config, progress, previous=previous)
    try:
        stopped = _run_scan(scan)
    except (BrowserNotFound, CrawlError) as exc:
        if store is not None:
            store.close()
        return SiteOutcome(exit_code=EXIT_INCOMPLETE, error=str(exc), warnings=tuple(warn.lines))
    result = scan.result
    if stopped:
        result.pages = scan.pages
        result.complete = False
        result.incomplete_reason = f"{stopped}: the report holds what was gathered so far"
        result.finished_at = result.finished_at or datetime.now(UTC)
    result.changes = Changes.model_validate(diff(previous, result)) if previous else None
    gate = evaluate(result, config.fail_on, baseline, waivers, date.today())
    result = gate.result  # the scan as gated: what the reports, store and webhook see
    paths = write_reports(result, config.out, config.formats)
    if on_reports is not None:
        on_reports(gate, paths)
    scan_id = None
    if store is not None:
        try:
            scan_id = store.add(result, target)
        except StoreError as exc:
            store_error = exc
        finally:
            store.close()
    if config.webhook:
        warning = notify(config.webhook, result, result.changes, paths)
        if warning:
            warn(warning)
    return SiteOutcome(
        exit_code=EXIT_USAGE if store_error is not None else int(gate.exit_code),
        result=result,
        gate=gate,
        paths=paths,
        warnings=tuple(warn.lines),
        store_error=str(store_error) if store_error is not None else None,
        scan_id=scan_id,
        store_path=store.path if store is not None and scan_id is not None else None,
    )


def _run_scan(scan: Scan) -> str | None:
    """Run the scan's event loop; SIGINT and SIGTERM end it with what was gathered. Returns why
    it stopped early (interrupted, an unexpected error), or None when it ran to its end.
    BrowserNotFound and CrawlError (the browser could not start) pass through."""
    interrupted = False

    async def main() -> None:
        nonlocal interrupted
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop() -> None:
            nonlocal interrupted
            interrupted = True
            task.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        try:
            await scan.run()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    stopped: str | None = None
    try:
        asyncio.run(main())
    except (BrowserNotFound, CrawlError):
        raise
    except asyncio.CancelledError:
        pass
    except Exception as exc:  # not a verdict: report what was gathered, exit 3 (never 1)
        log.debug("the scan failed", exc_info=True)
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        stopped = f"the scan stopped on an unexpected error ({type(exc).__name__}: {first})"
    if interrupted:
        stopped = "interrupted"
    return stopped


def _open_store(
    config: ScanConfig, warn: Callable[[str], None]
) -> tuple[HistoryStore | None, StoreError | None]:
    """The history store (None when unusable) and the error to end with: a broken --db is an
    error (exit 2, after the reports are written); a broken default store only a warning."""
    try:
        return HistoryStore(config.db or default_path()), None
    except StoreError as exc:
        if config.db is not None:
            return None, exc
        warn(f"{exc} (no history kept)")
        return None, None


def load_report(path: Path, flag: str | None = None) -> ScanResult:
    """A saved report.json; raises ConfigError, one line naming the file (after `flag`, the
    option that gave it, e.g. --baseline)."""
    try:
        return load_result(path)
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        where = f"{flag} {path}" if flag else str(path)
        raise ConfigError(f"{where}: not a complyscan report.json ({first})") from None
