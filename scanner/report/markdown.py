"""report.md: the short summary for a pull-request comment or a CI job's step summary.

Everything the site controls is escaped for Markdown and for the HTML that GitHub and GitLab
allow in it, so a page title can neither format, link, mention nor inject markup.
"""

from __future__ import annotations

from typing import ClassVar

from scanner.catalogue import load_catalogue
from scanner.model import Finding, ScanResult
from scanner.report.common import (
    SEVERITIES,
    failing_findings,
    finding_where,
    severity_counts,
    sorted_findings,
    verdict,
)
from scanner.report.declaration import declaration_rows
from scanner.report.interface import ReportWriter
from scanner.sanitize import for_markdown, markdown_code

TOP_FINDINGS = 10
_MAX_TEXT = 160
_ICONS = {"passed": "✅", "failed": "❌", "incomplete": "⚠️", "not gated": "ℹ️"}


def escape(text: str, limit: int = _MAX_TEXT) -> str:
    """Site text as inert Markdown on one line (scanner.sanitize.for_markdown)."""
    return for_markdown(text, limit)


def _finding_row(finding: Finding, result: ScanResult) -> str:
    quote = f"“{escape(finding.claim.quote)}”" if finding.claim else "—"
    rule = escape(finding.rule_id, 60)
    cells = [
        finding.severity.value,
        f"**{rule}**<br>{escape(finding.title, 100)}",
        markdown_code(finding_where(finding, result), 100),
        quote,
    ]
    return "| " + " | ".join(cells) + " |"


class MarkdownWriter(ReportWriter):
    """Verdict, severity counts, the top findings, and where the full report is."""

    format: ClassVar[str] = "md"
    filename: ClassVar[str] = "report.md"

    def render(self, result: ScanResult) -> str:
        """The Markdown summary."""
        state = verdict(result)
        catalogue = load_catalogue()
        lines = [f"## {_ICONS[state]} complyscan: {_headline(result)}", ""]
        lines.append(
            f"Target: {markdown_code(result.target, 200)} · "
            f"{len(result.pages)} pages · {len(result.beacons)} beacons · "
            f"{len(result.cookies)} cookies · {len(result.hosts)} hosts · "
            f"scanned {result.started_at:%Y-%m-%d %H:%M %Z}".rstrip()
        )
        lines.append("")
        if not result.complete:
            reason = escape(result.incomplete_reason or "the scan did not finish", 300)
            lines += [
                f"> **Scan incomplete:** {reason}. A scan that could not look never passes.",
                "",
            ]
        unread = [p for p in result.pages if p.unread]
        lines += [
            f"- Not read: {escape(p.url, 200)} ({escape(p.unread or '', 200)})" for p in unread
        ]
        lines += [""] if unread else []

        active, waived = (
            severity_counts(result.findings),
            severity_counts(result.findings, waived=True),
        )
        lines += ["| Severity | Findings | Waived |", "|---|---:|---:|"]
        for severity in SEVERITIES:
            lines.append(f"| {severity.value} | {active[severity]} | {waived[severity]} |")
        lines.append("")

        findings = [f for f in sorted_findings(result.findings) if not f.waived]
        if findings:
            lines += [
                "### Top findings",
                "",
                "| Severity | Rule | Where | Statement sentence it contradicts |",
                "|---|---|---|---|",
            ]
            lines += [_finding_row(f, result) for f in findings[:TOP_FINDINGS]]
            if len(findings) > TOP_FINDINGS:
                lines += ["", f"…and {len(findings) - TOP_FINDINGS} more in `report.html`."]
            lines.append("")
            unknown = sorted({f.rule_id for f in findings} - set(catalogue))
            if unknown:
                names = ", ".join(escape(rule_id, 60) for rule_id in unknown)
                lines += [f"Rules not in this version's catalogue: {names}.", ""]
        else:
            lines += ["No findings.", ""]

        lines += _declaration_lines(result)
        lines.append(
            "Full report: open `report.html` from this job's artifacts (statement vs. site, "
            "evidence, fixes). Code scanning: `report.sarif`; machine-readable: `report.json`."
        )
        return "\n".join(lines) + "\n"


def _declaration_lines(result: ScanResult) -> list[str]:
    """The cookies that break the site's cookie declaration, declared beside observed."""
    rows = [r for r in declaration_rows(result) if r.problems][:TOP_FINDINGS]
    if not rows:
        return []
    lines = [
        "### Cookie declaration vs. observed",
        "",
        "| Cookie | Declared | Observed lifetime | Problem |",
        "|---|---|---|---|",
    ]
    started = result.started_at.timestamp()
    for row in rows:
        said = "not declared"
        if row.declared is not None:
            said = (
                " · ".join(v for v in (row.declared.category_text, row.declared.duration) if v)
                or "listed"
            )
        lines.append(
            f"| {escape(row.name, 80)} | {escape(said, 80)} | {row.lifetime(started)} | "
            f"{', '.join(row.problems)} |"
        )
    return [*lines, ""]


def _headline(result: ScanResult) -> str:
    state = verdict(result)
    if state == "incomplete":
        return "scan incomplete"
    if state == "not gated":
        return f"{len(result.findings)} findings (not gated)"
    failing = len(failing_findings(result))
    return f"gate {state} — {failing} findings at or above {result.summary.fail_on}"
