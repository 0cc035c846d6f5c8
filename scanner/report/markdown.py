"""report.md: the short summary for a pull-request comment or a CI job's step summary.

Everything the site controls is escaped for Markdown and for the HTML that GitHub and GitLab
allow in it, so a page title can neither format, link, mention nor inject markup. The verdict and
its counts are the gate's (scanner.report.common.gate_view), so the comment never says something
else than the exit code; each finding says whether it is new, baselined or waived.
"""

from __future__ import annotations

from typing import ClassVar

from scanner.catalogue import Rule, load_catalogue
from scanner.model import Finding, ScanResult
from scanner.report.common import (
    SEVERITIES,
    as_gated,
    finding_status,
    finding_where,
    gate_view,
    sorted_findings,
    statement_unread,
)
from scanner.report.declaration import declaration_rows
from scanner.report.interface import ReportWriter
from scanner.sanitize import for_markdown, markdown_code

TOP_FINDINGS = 10
_MAX_TEXT = 160
_ICONS = {"passed": "✅", "failed": "❌", "incomplete": "⚠️", "not gated": "ℹ️"}
_STATUS_MARK = {"new": "**new**", "baselined": "baselined", "waived": "waived"}


def escape(text: str, limit: int = _MAX_TEXT) -> str:
    """Site text as inert Markdown on one line (scanner.sanitize.for_markdown)."""
    return for_markdown(text, limit)


def _status_cell(finding: Finding, result: ScanResult) -> str:
    status = finding_status(finding)
    if finding.fails_gate:
        return "**new — fails the gate**"
    if status == "waived":
        return f"waived: {escape(finding.waiver_reason or 'no reason given', 80)}"
    if status == "new" and result.summary.gate is not None:
        return "new (below threshold)" if result.summary.fail_on != "none" else "new"
    return _STATUS_MARK[status]


def _finding_row(finding: Finding, result: ScanResult, quotes: dict[str, int], gap: bool) -> str:
    quote = f"quote {quotes[finding.claim.quote]}" if finding.claim else "—"
    if gap:
        quote = "— (disclosure gap)"
    rule = escape(finding.rule_id, 60)
    cells = [
        finding.severity.value,
        _status_cell(finding, result),
        f"**{rule}**<br>{escape(finding.message, 220)}",
        markdown_code(finding_where(finding, result), 100),
        quote,
    ]
    return "| " + " | ".join(cells) + " |"


def _is_gap(finding: Finding, rule: Rule | None) -> bool:
    """A disclosure gap: the rule tests a claim the statement does not make."""
    return finding.claim is None and rule is not None and bool(rule.claims)


def _count_table(result: ScanResult) -> list[str]:
    """Findings by severity and by what the gate made of them."""
    counts = {(s, st): 0 for s in SEVERITIES for st in ("new", "baselined", "waived")}
    for finding in result.findings:
        counts[(finding.severity, finding_status(finding))] += 1
    lines = ["| Severity | New | Baselined | Waived |", "|---|---:|---:|---:|"]
    for severity in SEVERITIES:
        row = [str(counts[(severity, st)]) for st in ("new", "baselined", "waived")]
        lines.append(f"| {severity.value} | " + " | ".join(row) + " |")
    return lines


class MarkdownWriter(ReportWriter):
    """Verdict, counts as the gate counted them, the top findings, and where the full report is."""

    format: ClassVar[str] = "md"
    filename: ClassVar[str] = "report.md"

    def render(self, result: ScanResult) -> str:
        """The Markdown summary."""
        result = as_gated(result)
        gate = gate_view(result)
        catalogue = load_catalogue()
        lines = [f"## {_ICONS[gate.verdict]} complyscan: {gate.headline()}", ""]
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
        if gate.waiver_notes:
            lines += [f"> **Note:** {escape(note, 300)}" + "  " for note in gate.waiver_notes]
            lines.append("")
        not_read = statement_unread(result)
        if not_read:
            lines += [f"> **Statement not read:** {escape(not_read, 400)}", ""]

        lines += _count_table(result)
        lines.append("")

        findings = sorted_findings(result.findings)
        if findings:
            shown = findings[:TOP_FINDINGS]
            quotes: dict[str, int] = {}
            for finding in shown:
                if finding.claim is not None:
                    quotes.setdefault(finding.claim.quote, len(quotes) + 1)
            lines += [
                "### Top findings",
                "",
                "| Severity | Status | Finding | Where | Contradicts |",
                "|---|---|---|---|---|",
            ]
            lines += [
                _finding_row(
                    f, result, quotes, not not_read and _is_gap(f, catalogue.get(f.rule_id))
                )
                for f in shown
            ]
            if len(findings) > TOP_FINDINGS:
                more = f"…and {len(findings) - TOP_FINDINGS} more"
                where = " in `report.html`" if "report.html" in self.companions else ""
                lines += ["", f"{more}{where}."]
            lines.append("")
            if quotes:
                lines += ["Statement sentences these findings contradict:", ""]
                lines += [f"{n}. “{escape(quote, 400)}”" for quote, n in quotes.items()]
                lines.append("")
            unknown = sorted({f.rule_id for f in findings} - set(catalogue))
            if unknown:
                names = ", ".join(escape(rule_id, 60) for rule_id in unknown)
                lines += [f"Rules not in this version's catalogue: {names}.", ""]
        elif result.complete:
            lines += ["No findings.", ""]
        else:
            lines += ["No findings in what the scan could see before it stopped.", ""]

        lines += _declaration_lines(result)
        lines.append(self._where_next())
        return "\n".join(lines) + "\n"

    def _where_next(self) -> str:
        """Links to the other reports of this run, only those that were written."""
        parts = []
        if "report.html" in self.companions:
            parts.append(
                "Full report: open `report.html` from this job's artifacts (statement vs. site, "
                "evidence, fixes)."
            )
        others = [
            f"{label}: `{name}`"
            for name, label in (("report.sarif", "Code scanning"), ("report.json", "data"))
            if name in self.companions
        ]
        if others:
            parts.append("; ".join(others) + ".")
        return " ".join(parts) or "Only this summary was written (`--format md`)."


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


__all__ = ["TOP_FINDINGS", "MarkdownWriter", "escape"]
