"""What more than one output format needs: ordering, counting, locating and redacting findings."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from scanner.catalogue import load_catalogue
from scanner.model import Finding, FindingStatus, GateCounts, ScanResult, Severity
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


@dataclass(frozen=True)
class GateView:
    """The gate's verdict and arithmetic as recorded in the result (scanner.gate.evaluate wrote
    them): every output shows these, so no two outputs can count differently."""

    verdict: Verdict
    """passed, failed, incomplete or not gated."""
    fail_on: str
    """The threshold applied."""
    counts: GateCounts
    """What the gate counted: failing, new, baselined, waived."""
    notes: tuple[str, ...]
    """What the gate wants a reader told: expired waivers, why the scan is incomplete."""

    @property
    def waiver_notes(self) -> tuple[str, ...]:
        """The notes other than the incomplete scan's reason (expired waivers)."""
        return tuple(n for n in self.notes if not n.startswith("scan incomplete"))

    def headline(self) -> str:
        """One sentence: the verdict and what decided it, the same words in every output.

        Only our own words and numbers: no site text, so every medium can show it as it is.
        """
        c = self.counts
        extras = ", ".join(
            f"{n} {label}" for n, label in ((c.baselined, "baselined"), (c.waived, "waived")) if n
        )
        extra = f" ({extras})" if extras else ""
        if self.verdict == "not gated":
            return f"not gated: {plural(c.new + c.baselined + c.waived, 'finding')}"
        if self.verdict == "incomplete":
            return "scan incomplete: a scan that could not look never passes"
        if self.fail_on == "none":
            return f"gate {self.verdict}: --fail-on none, {plural(c.new, 'new finding')}{extra}"
        counted = plural(c.failing, "new finding")
        return f"gate {self.verdict}: {counted} at or above {self.fail_on}{extra}"


def plural(count: int, noun: str) -> str:
    """1 new finding, 2 new findings."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def gate_view(result: ScanResult) -> GateView:
    """The verdict of `result` as its gate recorded it (see `as_gated` for older reports)."""
    result = as_gated(result)
    counts = result.summary.gate_counts or GateCounts()
    notes = list(result.summary.gate_notes)
    if not result.complete and not any(n.startswith("scan incomplete") for n in notes):
        notes.insert(0, f"scan incomplete: {result.incomplete_reason or 'it did not finish'}")
    return GateView(verdict(result), result.summary.fail_on, counts, tuple(notes))


def as_gated(result: ScanResult) -> ScanResult:
    """`result` with each finding's gate_status / fails_gate and summary.gate_counts filled in.

    scanner.gate.evaluate records them; a result gated by an older complyscan (a report.json
    re-rendered with `complyscan report`) has only waived flags: every other finding is new, and
    it fails the gate when at or above the recorded threshold. Ungated results are left as
    they are (their findings have no status).
    """
    if result.summary.gate is None or result.summary.gate_counts is not None:
        return result
    threshold = Severity(result.summary.fail_on).rank if result.summary.fail_on != "none" else None
    findings = [
        f.model_copy(
            update={
                "gate_status": "waived" if f.waived else "new",
                "fails_gate": not f.waived
                and threshold is not None
                and f.severity.rank >= threshold,
            }
        )
        for f in result.findings
    ]
    waived = sum(1 for f in findings if f.waived)
    counts = GateCounts(
        failing=sum(1 for f in findings if f.fails_gate),
        new=len(findings) - waived,
        waived=waived,
    )
    summary = result.summary.model_copy(update={"gate_counts": counts})
    return result.model_copy(update={"findings": findings, "summary": summary})


def statement_unread(result: ScanResult) -> str | None:
    """The line every output shows when the statement was found but its claims could not be
    read (a language without claim patterns, no text): no finding is then a contradiction or a
    disclosure gap. None when it was read, or when there is no statement."""
    statement = result.statement
    if statement is None or not statement.unread:
        return None
    return (
        f"{statement.unread}: its claims were not read, so no finding contradicts it and none "
        "is a disclosure gap; the rules that test what it discloses were not checked "
        "(statement-not-read)."
    )


def finding_status(finding: Finding) -> FindingStatus:
    """new, baselined or waived, as the gate recorded it (waived or new when not gated)."""
    if finding.gate_status is not None:
        return finding.gate_status
    return "waived" if finding.waived else "new"


def status_text(finding: Finding, result: ScanResult) -> str:
    """Why a finding does or does not count, in words: the same in every output."""
    status = finding_status(finding)
    if status == "waived":
        return f"waived: {finding.waiver_reason or 'no reason given'}"
    if status == "baselined":
        return "baselined: already in the baseline, not counted"
    if result.summary.gate is None:
        return "new (not gated)"
    if finding.fails_gate:
        return f"new: fails the gate (at or above {result.summary.fail_on})"
    if result.summary.fail_on == "none":
        return "new: not counted (--fail-on none)"
    return f"new: below --fail-on {result.summary.fail_on}, not counted"


_STATUS_ORDER = {"new": 0, "baselined": 1, "waived": 2}


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first: new before baselined before waived, then by impact — severity, a
    contradiction before a disclosure gap, a rule severe by nature before one raised by a
    contradiction, a rule found in more places first — then by rule and location, so the
    order is stable."""
    per_rule = Counter(f.rule_id for f in findings)
    rules = load_catalogue()

    def own_rank(finding: Finding) -> int:
        """The rule's own severity: critical by nature before raised to critical."""
        rule = rules.get(finding.rule_id)
        return rule.severity.rank if rule else finding.severity.rank

    return sorted(
        findings,
        key=lambda f: (
            _STATUS_ORDER[finding_status(f)],
            not f.fails_gate,
            -f.severity.rank,
            f.claim is None,
            -own_rank(f),
            -per_rule[f.rule_id],
            f.rule_id,
            f.page_url or f.host or "",
        ),
    )


def severity_counts(findings: list[Finding], *, waived: bool = False) -> dict[Severity, int]:
    """Severity -> number of findings (not waived, or only waived ones), every severity present."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        if finding.waived == waived:
            counts[finding.severity] += 1
    return counts


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


_PY_COLLECTION = re.compile(r"[\{\[]\s*'[^']*'(?:\s*,\s*'[^']*')*\s*[\}\]]")


def readable(text: str) -> str:
    """Python reprs inside a message ({'TLS_A', 'TLS_B'}, as sslyze words its profile issues)
    as a plain list: TLS_A, TLS_B."""
    return _PY_COLLECTION.sub(lambda m: ", ".join(re.findall(r"'([^']*)'", m.group(0))), text)


def evidence_text(value: Any) -> str:
    """One evidence value as a person reads it: yes/no, —, numbers, text without reprs."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return " · ".join(f"{k}: {evidence_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(evidence_text(v) for v in value) or "none"
    return readable(str(value))


def readable_evidence(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """Evidence, redacted, as (key, text) lines a person reads: no JSON, no Python reprs."""
    return [(str(k), evidence_text(v)) for k, v in redact(evidence).items() if k != "screenshot"]


def printable(text: str) -> str:
    """`text` without control characters and lone surrogates (scanner.sanitize.for_xml)."""
    return for_xml(text)
