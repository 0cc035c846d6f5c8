"""The one-site pipeline, as the fleet calls it: the single seam between the fleet and a scan.

When scanner/pipeline.py's `run_site(config, ...) -> SiteOutcome` exists, `run_one_site`
becomes a call to it; nothing else in scanner/fleet/ knows how a site is scanned.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from scanner.config import ScanConfig
from scanner.model import ScanResult


@dataclass(frozen=True)
class SiteOutcome:
    """What scanning one site gave."""

    exit_code: int
    """The scan's exit code (0 passed, 1 gate failed, 2 configuration, 3 incomplete)."""
    result: ScanResult | None
    """The result; an unreachable site still has one (incomplete, with its reason)."""
    reason: str | None = None
    """Why there is no result (the browser could not start, a bad setting): one line."""


def run_one_site(config: ScanConfig) -> SiteOutcome:
    """Scan one site, quietly; the report files go to `config.out`. The fleet records the result
    in its own store, so the scan keeps no history of its own here."""
    from scanner.cli import UsageError, _scan_site

    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code, result = _scan_site(config, quiet=True, history=False)
    except UsageError as exc:
        return SiteOutcome(2, None, str(exc))
    if result is None:
        lines = output.getvalue().strip().splitlines()
        return SiteOutcome(code, None, lines[-1] if lines else "no result")
    return SiteOutcome(code, result)
