"""report.sarif: SARIF 2.1.0 for code-scanning services (GitHub code scanning, GitLab, Azure).

Levels and security-severity follow GitHub's reading of SARIF: critical and high are errors,
medium a warning, low and info notes; `security-severity` (a number as a string) places a result
in GitHub's critical/high/medium/low bands. Locations are the page URL, or the host as
`https://host:port/`; `partialFingerprints` carries our fingerprint so the service tracks a finding
across runs the way our own baseline does.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from scanner import __version__
from scanner.catalogue import Rule, load_catalogue
from scanner.fingerprint import finding_fingerprint
from scanner.model import Finding, ScanResult, Severity
from scanner.report.common import finding_where, redact, sorted_findings
from scanner.report.interface import ReportWriter
from scanner.sanitize import for_sarif

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/complyscan/"
FINGERPRINT_KEY = "complyscanFingerprint/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def rule_name(rule_id: str) -> str:
    """pi-form-over-http -> PiFormOverHttp: SARIF's human-readable rule name."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _descriptor(rule: Rule) -> dict[str, Any]:
    claims = ", ".join(rule.claims) or "none"
    return {
        "id": rule.id,
        "name": rule_name(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {
            "text": f"{rule.description}\n\nFix: {rule.fix}",
            "markdown": (
                f"{rule.description}\n\n**Fix:** {rule.fix}\n\nStatement claims it tests: {claims}."
            ),
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": list(dict.fromkeys(["security", "privacy", rule.area, *rule.claims])),
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _unknown_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule a newer scanner reported that this catalogue does not know."""
    return {
        "id": finding.rule_id,
        "name": rule_name(finding.rule_id) or "UnknownRule",
        "shortDescription": {"text": finding.title},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": ["security", "privacy"]},
    }


def _uri(url: str) -> str:
    """A URL as a valid URI reference: spaces, quotes and angle brackets percent-encoded."""
    return quote(url, safe=_URI_SAFE)


def _message(finding: Finding) -> str:
    """The result's message.text: site text in it cannot form a link (see for_sarif)."""
    text = finding.message
    if finding.claim is not None:
        text += f' The privacy statement says: "{finding.claim.quote}"'
    return for_sarif(text)


def _result(finding: Finding, index: int, result: ScanResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding_where(finding, result))}
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(finding)},
        "properties": {
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "severity": finding.severity.value,
            "contradiction": finding.claim is not None,
            "claim": finding.claim.model_dump() if finding.claim else None,
            "evidence": redact(finding.evidence),
        },
    }
    if finding.waived:
        reason = finding.waiver_reason or "waived"
        entry["suppressions"] = [{"kind": "external", "justification": reason}]
    return entry


def _notifications(result: ScanResult) -> list[dict[str, Any]]:
    notes = [{"level": "note", "message": {"text": for_sarif(note)}} for note in result.notes]
    if not result.complete:
        reason = result.incomplete_reason or "the scan did not finish"
        text = for_sarif(f"Scan incomplete: {reason}")
        notes.insert(0, {"level": "error", "message": {"text": text}})
    return notes


def _site(target: str) -> str:
    """The target's host, as the code-scanning category (one per site)."""
    return urlsplit(target).hostname or "site"


def _time(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


class SarifWriter(ReportWriter):
    """One run, every catalogue rule as a reportingDescriptor, one result per finding."""

    format: ClassVar[str] = "sarif"
    filename: ClassVar[str] = "report.sarif"

    def render(self, result: ScanResult) -> str:
        """The SARIF log as indented JSON."""
        return json.dumps(self.log(result), indent=2, ensure_ascii=False) + "\n"

    def log(self, result: ScanResult) -> dict[str, Any]:
        """The SARIF log as a dict."""
        descriptors = [_descriptor(rule) for rule in load_catalogue().values()]
        index = {d["id"]: i for i, d in enumerate(descriptors)}
        results = []
        for finding in sorted_findings(result.findings):
            if finding.rule_id not in index:
                index[finding.rule_id] = len(descriptors)
                descriptors.append(_unknown_descriptor(finding))
            results.append(_result(finding, index[finding.rule_id], result))
        invocation = {
            "executionSuccessful": result.complete,
            "startTimeUtc": _time(result.started_at),
            "endTimeUtc": _time(result.finished_at),
            "toolExecutionNotifications": _notifications(result),
        }
        version = result.tool.version or __version__
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": result.tool.name,
                            "version": version,
                            "semanticVersion": version,
                            "informationUri": INFORMATION_URI,
                            "rules": descriptors,
                        }
                    },
                    "automationDetails": {"id": f"complyscan/{_site(result.target)}/"},
                    "invocations": [{k: v for k, v in invocation.items() if v is not None}],
                    "results": results,
                    "properties": {
                        "target": result.target,
                        "gate": result.summary.gate,
                        "failOn": result.summary.fail_on,
                        "schemaVersion": result.schema_version,
                    },
                }
            ],
        }
