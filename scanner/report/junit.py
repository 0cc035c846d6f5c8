"""report.junit.xml: every catalogue rule as a test case, so any CI server shows what failed.

A rule passes when it found nothing (or only waived findings) and fails with one <failure> per
finding. An incomplete scan adds an errored `scan-complete` case: a scan that could not look must
not show up green.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import ClassVar

from scanner.catalogue import load_catalogue
from scanner.model import Finding, ScanResult
from scanner.report.common import finding_where, redact, sorted_findings
from scanner.report.interface import ReportWriter
from scanner.sanitize import for_xml


def _element(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.Element(tag, {k: for_xml(v) for k, v in attributes.items()})
    if text is not None:
        element.text = for_xml(text)
    return element


def _failure_text(finding: Finding, where: str) -> str:
    lines = [finding.message, f"Where: {where}", f"Fingerprint: {finding.fingerprint}"]
    if finding.claim is not None:
        lines.append(f'Contradicts ({finding.claim.kind}): "{finding.claim.quote}"')
    evidence = json.dumps(redact(finding.evidence), indent=2, ensure_ascii=False, default=str)
    lines += ["Evidence:", evidence]
    return "\n".join(lines)


class JUnitWriter(ReportWriter):
    """One testsuite; one testcase per rule (classname = area, name = rule id)."""

    format: ClassVar[str] = "junit"
    filename: ClassVar[str] = "report.junit.xml"

    def render(self, result: ScanResult) -> str:
        """The JUnit XML document, with its XML declaration."""
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted_findings(result.findings):
            by_rule[finding.rule_id].append(finding)
        catalogue = load_catalogue()
        cases = [(rule.area, rule.id) for rule in catalogue.values()]
        cases += [("unknown", rule_id) for rule_id in by_rule if rule_id not in catalogue]

        suite = _element("testsuite", name=f"complyscan {result.target}")
        suite.append(properties := ET.Element("properties"))
        for name, value in (
            ("target", result.target),
            ("gate", result.summary.gate or "not gated"),
            ("fail_on", result.summary.fail_on),
            ("complete", str(result.complete).lower()),
        ):
            properties.append(_element("property", name=name, value=value))

        failures = errors = 0
        waived_lines: list[str] = []
        for area, rule_id in cases:
            case = _element("testcase", classname=area, name=rule_id, time="0")
            failed = False
            for finding in by_rule.get(rule_id, []):
                where = finding_where(finding, result)
                if finding.waived:
                    waived_lines.append(f"{rule_id} at {where}: waived ({finding.waiver_reason})")
                    continue
                failed = True
                text = _failure_text(finding, where)
                message = f"{finding.title}: {finding.message}"
                case.append(_element("failure", text, message=message, type=finding.severity))
            failures += failed
            suite.append(case)

        if not result.complete:
            errors = 1
            reason = result.incomplete_reason or "the scan did not finish"
            case = _element("testcase", classname="scan", name="scan-complete", time="0")
            case.append(_element("error", reason, message=f"Scan incomplete: {reason}"))
            suite.append(case)
        if waived_lines:
            suite.append(_element("system-out", "\n".join(waived_lines)))

        duration = result.summary.duration_seconds
        if not duration and result.finished_at is not None:
            duration = (result.finished_at - result.started_at).total_seconds()
        suite.set("tests", str(len(cases) + errors))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", "0")
        suite.set("time", f"{duration:.3f}")
        suite.set("timestamp", result.started_at.isoformat())
        root = ET.Element("testsuites", {k: suite.get(k, "") for k in ("tests", "failures")})
        root.set("errors", str(errors))
        root.set("name", "complyscan")
        root.append(suite)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
