"""report.sarif: SARIF 2.1.0 for code-scanning services (GitHub code scanning, GitLab, Azure).

Levels and security-severity follow GitHub's reading of SARIF: critical and high are errors,
medium a warning, low and info notes; `security-severity` (a number as a string) places a result
in GitHub's critical/high/medium/low bands (info has none: it is not a security alert).

GitHub code scanning accepts only repository-relative artifact paths, never `https://` URIs, so
each result's physical location is a stable placeholder path under `.complyscan/site/` named
after the page (or host:port) it is about, relative to the repository root (`%SRCROOT%`); the
URL itself is the result's logical location, in its message and in `properties.url`.
`partialFingerprints` carries our fingerprint so the service tracks a finding across runs the
way our own baseline does; `baselineState` and `properties.status` say what the gate made of it.
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
from scanner.report.common import (
    as_gated,
    finding_status,
    finding_where,
    gate_view,
    redact,
    sorted_findings,
    status_text,
)
from scanner.report.interface import ReportWriter
from scanner.sanitize import for_sarif

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SITE_ROOT = ".complyscan/site"
"""Where the placeholder artifact paths of results live, relative to the repository root."""
FINGERPRINT_KEY = "complyscanFingerprint/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
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
        "properties": _severity_properties(
            rule.severity,
            {
                "tags": list(dict.fromkeys(["security", "privacy", rule.area, *rule.claims])),
                "precision": "high",
            },
        ),
    }


def _severity_properties(severity: Severity, properties: dict[str, Any]) -> dict[str, Any]:
    """`properties` with security-severity, which info (not a security alert) goes without."""
    if severity in SECURITY_SEVERITY:
        return {**properties, "security-severity": SECURITY_SEVERITY[severity]}
    return properties


def _unknown_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule a newer scanner reported that this catalogue does not know."""
    return {
        "id": finding.rule_id,
        "name": rule_name(finding.rule_id) or "UnknownRule",
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": finding.title},
        "help": {"text": "This rule is not in this version's catalogue."},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": ["security", "privacy"]},
    }


def _uri(url: str) -> str:
    """A URL as a valid URI reference: spaces, quotes and angle brackets percent-encoded."""
    return quote(url, safe=_URI_SAFE)


def artifact_path(url: str) -> str:
    """The placeholder repository path of a page or host URL: `https://shop.example:8443/a/b?q`
    -> `.complyscan/site/shop.example_8443/a/b`; a path ending in / gets `index`. Stable across
    runs (GitHub keys alerts on it), relative, and free of characters a path cannot hold."""
    parts = urlsplit(url)
    netloc = (parts.hostname or "site") + (f"_{parts.port}" if parts.port else "")
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index"
    segments = [s for s in path.split("/") if s not in ("", ".", "..")]
    safe = [re.sub(r"[^A-Za-z0-9._~-]", "_", s) for s in [netloc, *segments]]
    return "/".join([SITE_ROOT, *safe])


def _message(finding: Finding, where: str) -> str:
    """The result's message.text: the URL it is about (the location is only a placeholder
    path), and site text in it cannot form a link (see for_sarif)."""
    text = finding.message
    if where not in text:
        text = f"{text} (at {where})"
    if finding.claim is not None:
        text += f' The privacy statement says: "{finding.claim.quote}"'
    return for_sarif(text)


_BASELINE_STATE = {"new": "new", "baselined": "unchanged"}


def _result(finding: Finding, index: int, result: ScanResult) -> dict[str, Any]:
    where = finding_where(finding, result)
    status = finding_status(finding)
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding, where)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_path(where), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": _uri(where)}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(finding)},
        "properties": _severity_properties(
            finding.severity,
            {
                "url": _uri(where),
                "severity": finding.severity.value,
                "status": status,
                "failsGate": finding.fails_gate,
                "statusText": for_sarif(status_text(finding, result)),
                "contradiction": finding.claim is not None,
                "claim": finding.claim.model_dump() if finding.claim else None,
                "evidence": redact(finding.evidence),
            },
        ),
    }
    if status in _BASELINE_STATE and result.summary.gate is not None:
        entry["baselineState"] = _BASELINE_STATE[status]
    if finding.waived:
        reason = finding.waiver_reason or "waived"
        entry["suppressions"] = [{"kind": "external", "justification": reason}]
    return entry


def _notifications(result: ScanResult) -> list[dict[str, Any]]:
    gate = gate_view(result)
    notes = [
        {
            "level": "error" if note.startswith("scan incomplete") else "warning",
            "message": {"text": for_sarif(note)},
        }
        for note in gate.notes
    ]
    notes += [{"level": "note", "message": {"text": for_sarif(note)}} for note in result.notes]
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
        result = as_gated(result)
        descriptors = [_descriptor(rule) for rule in load_catalogue().values()]
        index = {d["id"]: i for i, d in enumerate(descriptors)}
        results = []
        for finding in sorted_findings(result.findings):
            if finding.rule_id not in index:
                index[finding.rule_id] = len(descriptors)
                descriptors.append(_unknown_descriptor(finding))
            results.append(_result(finding, index[finding.rule_id], result))
        gate = gate_view(result)
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
                            "rules": descriptors,
                        }
                    },
                    "automationDetails": {"id": f"complyscan/{_site(result.target)}/"},
                    "invocations": [{k: v for k, v in invocation.items() if v is not None}],
                    "results": results,
                    "originalUriBaseIds": {
                        "%SRCROOT%": {
                            "description": {
                                "text": "The repository root: result paths under "
                                f"{SITE_ROOT}/ stand for the site's pages and hosts."
                            }
                        }
                    },
                    "properties": {
                        "target": result.target,
                        "gate": result.summary.gate,
                        "failOn": result.summary.fail_on,
                        "headline": for_sarif(gate.headline()),
                        "counts": gate.counts.model_dump(),
                        "schemaVersion": result.schema_version,
                    },
                }
            ],
        }
