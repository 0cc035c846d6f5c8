"""report.junit.xml: the gate's verdict as a test report, for the CI server's test view.

One test case per finding, named after its rule and place, failing only when the gate counted
it (new, at or above --fail-on); the findings the gate did not count are skipped, with the reason
(below the threshold, baselined, waived). A rule that found nothing is one passing case, so the
view shows what was checked. One case per finding rather than one per rule: a viewer shows one
<failure> per case (GitLab, Jenkins), each finding gets its own message, and a case's name stays
the same across runs, so "new failure" and "fixed" in GitLab's merge-request test summary mean
what they say. An incomplete scan adds an errored `scan-complete` case: a scan that could not
look must not show up green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import ClassVar

from scanner.catalogue import load_catalogue
from scanner.model import Finding, ScanResult
from scanner.report.common import (
    as_gated,
    finding_where,
    gate_view,
    readable_evidence,
    sorted_findings,
    status_text,
)
from scanner.report.interface import ReportWriter
from scanner.sanitize import for_xml


def _element(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.Element(tag, {k: for_xml(v) for k, v in attributes.items()})
    if text is not None:
        element.text = for_xml(text)
    return element


def _details(finding: Finding, where: str, result: ScanResult) -> str:
    lines = [
        finding.message,
        f"Where: {where}",
        f"Severity: {finding.severity.value}",
        f"Gate: {status_text(finding, result)}",
        f"Fingerprint: {finding.fingerprint}",
    ]
    if finding.claim is not None:
        lines.append(f'Contradicts ({finding.claim.kind}): "{finding.claim.quote}"')
    evidence = readable_evidence(finding.evidence)
    if evidence:
        lines += ["Evidence:", *(f"  {key}: {value}" for key, value in evidence)]
    return "\n".join(lines)


class JUnitWriter(ReportWriter):
    """One testsuite; a case per finding (classname = area) and per rule that found nothing."""

    format: ClassVar[str] = "junit"
    filename: ClassVar[str] = "report.junit.xml"

    def render(self, result: ScanResult) -> str:
        """The JUnit XML document, with its XML declaration."""
        result = as_gated(result)
        gate = gate_view(result)
        catalogue = load_catalogue()
        suite = _element("testsuite", name=f"complyscan {result.target}")
        suite.append(properties := ET.Element("properties"))
        for name, value in (
            ("target", result.target),
            ("gate", gate.verdict),
            ("fail_on", result.summary.fail_on),
            ("headline", gate.headline()),
            ("complete", str(result.complete).lower()),
        ):
            properties.append(_element("property", name=name, value=value))

        tests = failures = skipped = errors = 0
        found = set()
        for finding in sorted_findings(result.findings):
            rule = catalogue.get(finding.rule_id)
            area = rule.area if rule else "unknown"
            where = finding_where(finding, result)
            found.add(finding.rule_id)
            case = _element(
                "testcase", classname=f"complyscan.{area}", name=f"{finding.rule_id} {where}"
            )
            case.set("time", "0")
            details = _details(finding, where, result)
            if finding.fails_gate:
                message = f"{finding.severity.value}: {finding.title}: {finding.message}"
                case.append(
                    _element("failure", details, message=message, type=finding.severity.value)
                )
                failures += 1
            else:
                case.append(_element("skipped", message=status_text(finding, result)))
                case.append(_element("system-out", details))
                skipped += 1
            tests += 1
            suite.append(case)
        for rule in catalogue.values():
            if rule.id not in found:
                suite.append(
                    _element("testcase", classname=f"complyscan.{rule.area}", name=rule.id)
                )
                suite[-1].set("time", "0")
                tests += 1

        if not result.complete:
            errors = 1
            tests += 1
            reason = result.incomplete_reason or "the scan did not finish"
            case = _element("testcase", classname="complyscan.scan", name="scan-complete", time="0")
            case.append(_element("error", reason, message=f"Scan incomplete: {reason}"))
            suite.append(case)
        if gate.waiver_notes:
            suite.append(_element("system-err", "\n".join(gate.waiver_notes)))

        duration = result.summary.duration_seconds
        if not duration and result.finished_at is not None:
            duration = (result.finished_at - result.started_at).total_seconds()
        counts = {
            "tests": str(tests),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
        }
        for key, value in counts.items():
            suite.set(key, value)
        suite.set("time", f"{duration:.3f}")
        suite.set("timestamp", result.started_at.isoformat())
        root = ET.Element("testsuites", {"name": "complyscan", **counts})
        root.append(suite)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
