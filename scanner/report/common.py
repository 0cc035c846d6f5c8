"""What more than one output format needs: ordering, counting, locating and redacting findings."""

from __future__ import annotations

from typing import Any, Literal

from scanner.model import Finding, ScanResult, Severity
from scanner.sanitize import for_xml
from scanner.urls import netloc_of

SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
"""Every severity, most severe first."""

Verdict = Literal["passed", "failed", "incomplete", "not gated"]

_SENSITIVE_KEYS = frozenset(
    {"value", "post_data", "cookie", "set-cookie", "authorization", "password", "typed"}
)


def verdict(result: ScanResult) -> Verdict:
    """The gate's verdict as recorded; an incomplete scan is incomplete whatever was recorded."""
    if not result.complete:
        return "incomplete"
    return result.summary.gate or "not gated"


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, waived ones after the others, then by rule and location."""
    return sorted(
        findings,
        key=lambda f: (f.waived, -f.severity.rank, f.rule_id, f.page_url or f.host or ""),
    )


def severity_counts(findings: list[Finding], *, waived: bool = False) -> dict[Severity, int]:
    """Severity -> number of findings (not waived, or only waived ones), every severity present."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        if finding.waived == waived:
            counts[finding.severity] += 1
    return counts


def failing_findings(result: ScanResult) -> list[Finding]:
    """Unwaived findings at or above the recorded fail-on threshold (none when it is "none")."""
    if result.summary.fail_on not in {s.value for s in Severity}:
        return []
    threshold = Severity(result.summary.fail_on).rank
    return [f for f in result.findings if not f.waived and f.severity.rank >= threshold]


def host_url(host: str, result: ScanResult) -> str:
    """`https://host:port/` for a host name (the port from result.hosts, else 443)."""
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and (":" not in name or name.endswith("]")):
        return f"https://{name}:{port}/"
    port_number = next((h.port for h in result.hosts if h.host == host), 443)
    return f"https://{netloc_of(host, None)}:{port_number}/"


def finding_where(finding: Finding, result: ScanResult) -> str:
    """Where a finding is, as a URL: its page, else its host as https://host:port/."""
    if finding.page_url:
        return finding.page_url
    if finding.host:
        return host_url(finding.host, result)
    return result.target


def redact(value: Any, key: str = "") -> Any:
    """Evidence with secrets (cookie values, request bodies, credentials) replaced by their size.

    report.json keeps the evidence whole; the reports a person or a code-scanning service reads
    show what was sent, not the visitor's data.
    """
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    if isinstance(value, str) and key.lower() in _SENSITIVE_KEYS and value:
        return f"[redacted, {len(value)} characters]"
    return value


def printable(text: str) -> str:
    """`text` without control characters and lone surrogates (scanner.sanitize.for_xml)."""
    return for_xml(text)
