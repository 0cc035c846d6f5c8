"""Tell a chat or an incident tool when a scheduled scan finds something new (`--webhook URL`).

Only findings whose fingerprint was not in the previous scan of the site are sent (every
finding, when there is no previous scan); nothing is sent when there are none. A webhook that
fails costs a warning line: it never stops the scan or changes its exit code.

The verdict and counts are the gate's (scanner.report.common.gate_view), as in every other
output: each new finding says whether the gate counted it (new), or the baseline or a waiver
accepted it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from scanner.fingerprint import finding_fingerprint
from scanner.model import Changes, ScanResult
from scanner.report.common import as_gated, finding_status, gate_view
from scanner.store import site_of

TIMEOUT_S = 10.0
ATTEMPTS = 2
"""One try and one retry."""


def new_findings(
    result: ScanResult, changes: Changes | dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The findings new since the previous scan: `changes["new"]`, or every unwaived finding
    when there was no previous scan."""
    if isinstance(changes, Changes):
        changes = changes.model_dump(mode="json")
    if changes is not None:
        return list(changes["new"])
    return [
        {
            "rule_id": f.rule_id,
            "severity": f.severity.value,
            "message": f.message,
            "page_url": f.page_url,
            "host": f.host,
            "fingerprint": finding_fingerprint(f),
        }
        for f in result.findings
        if not f.waived
    ]


def payload(
    result: ScanResult, new: list[dict[str, Any]], paths: dict[str, Path]
) -> dict[str, Any]:
    """The JSON summary posted: the gate's verdict and counts, and the new findings."""
    result = as_gated(result)
    gate = gate_view(result)
    gated = {finding_fingerprint(f): f for f in result.findings}

    def status(fingerprint: str) -> tuple[str, bool]:
        finding = gated.get(fingerprint)
        if finding is None:  # not in this scan as gated: nothing accepted it
            return "new", False
        return finding_status(finding), bool(finding.fails_gate)

    return {
        "site": site_of(result.target),
        "target": result.target,
        "verdict": gate.verdict,
        "headline": gate.headline(),
        "fail_on": gate.fail_on,
        "complete": result.complete,
        "started_at": result.started_at.isoformat(),
        "counts": gate.counts.model_dump(mode="json"),
        "by_severity": result.summary.findings,
        "new_findings": [
            {
                "rule_id": f["rule_id"],
                "severity": f["severity"],
                "message": f["message"],
                "location": f.get("page_url") or f.get("host"),
                "fingerprint": f["fingerprint"],
                "status": status(f["fingerprint"])[0],
                "fails_gate": status(f["fingerprint"])[1],
            }
            for f in new
        ],
        "reports": {fmt: str(path.resolve()) for fmt, path in paths.items()},
    }


def notify(
    url: str, result: ScanResult, changes: Changes | dict[str, Any] | None, paths: dict[str, Path]
) -> str | None:
    """POST the summary of new findings to `url` (nothing when there are none). Returns a
    warning line when it could not be delivered, else None."""
    new = new_findings(result, changes)
    if not new:
        return None
    body = payload(result, new, paths)
    problem = ""
    quiet = _HideUrl(url)
    httpx_log = logging.getLogger("httpx")
    httpx_log.addFilter(quiet)  # httpx logs each request's URL at INFO (with --verbose)
    try:
        with httpx.Client(timeout=TIMEOUT_S) as client:
            for _attempt in range(ATTEMPTS):
                try:
                    response = client.post(url, json=body)
                except httpx.HTTPError as exc:
                    problem = (str(exc) or type(exc).__name__).replace(url, public_form(url))
                    continue
                if response.is_success:
                    return None
                problem = f"HTTP {response.status_code}"
    finally:
        httpx_log.removeFilter(quiet)
    return f"webhook {public_form(url)}: not delivered ({problem})"


def public_form(url: str) -> str:
    """The webhook URL as it may be printed: scheme and host only (its path and query are the
    secret that lets anyone post to the channel)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


class _HideUrl(logging.Filter):
    """Drops log records that would print the webhook URL."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.host = urlsplit(url).netloc or url

    def filter(self, record: logging.LogRecord) -> bool:
        return self.host not in record.getMessage()
