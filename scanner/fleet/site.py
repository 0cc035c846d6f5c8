"""The one-site pipeline, as the fleet calls it: the single seam between the fleet and a scan.

`run_one_site` is scanner/pipeline.py's `run_site` without a history store of its own: the fleet
keeps history in its database, reads the site's previous scan from there (the worker, with the
store's `previous_scan`, as a single scan reads it) and hands it in; nothing else in
scanner/fleet/ knows how a site is scanned.
"""

from __future__ import annotations

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


def run_one_site(config: ScanConfig, previous: ScanResult | None = None) -> SiteOutcome:
    """Scan one site, quietly, compared with `previous` (the site's previous scan, from the
    fleet's store); the report files go to `config.out`. The fleet records the result in its own
    store, so the scan keeps no history of its own here."""
    from scanner.pipeline import run_site

    outcome = run_site(config, history=False, previous=previous)
    if outcome.result is None:
        return SiteOutcome(outcome.exit_code, None, outcome.error or "no result")
    return SiteOutcome(outcome.exit_code, outcome.result)
