"""What a scan prints: a progress bar on a terminal, plain lines in CI, and a short summary."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from scanner.engine import Progress as ScanProgress
from scanner.model import Page, ScanResult, TlsResult
from scanner.report.common import (
    SEVERITIES,
    finding_status,
    finding_where,
    gate_view,
    sorted_findings,
    statement_unread,
)
from scanner.sanitize import for_terminal

_COLOURS = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


class Console:
    """The scan's voice on stdout (summary) and stderr (progress, errors)."""

    def __init__(self, quiet: bool = False) -> None:
        self.interactive = sys.stderr.isatty() and not os.environ.get("CI")
        self.out = RichConsole(highlight=False, no_color=not sys.stdout.isatty())
        self.err = RichConsole(stderr=True, highlight=False, no_color=not self.interactive)
        self.quiet = quiet
        self._bar: Progress | None = None
        self._task: Any = None
        self._total = 0

    def error(self, message: str) -> None:
        """One line, to stderr."""
        self._stop_bar()
        print(f"complyscan: error: {for_terminal(message)}", file=sys.stderr)

    def progress(self) -> ScanProgress:
        """Callbacks for the engine."""
        if self.quiet:
            return ScanProgress()
        if self.interactive:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("pages  [dim]{task.fields[hosts]}[/]"),
                TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(),
                console=self.err,
                transient=True,
            )
            self._task = self._bar.add_task("crawl", total=None, note="", hosts="")
            self._bar.start()
        return ScanProgress(
            on_page=self._on_page,
            on_host=self._on_host,
            on_hosts=self._on_hosts,
            on_stage=self._on_stage,
        )

    def _on_page(self, page: Page, done: int, queued: int) -> None:
        if self._bar is not None:
            note = _clip(page.url, 60)
            # pages leave the queue unvisited (caps, traps, duplicates): the total never shrinks
            self._total = max(self._total, done + queued)
            self._bar.update(self._task, completed=done, total=self._total, note=note)
        else:
            status = page.error or page.status
            line = f"page {done} (+{queued} queued): {page.url} [{status}]"
            print(for_terminal(line), file=sys.stderr)

    def _on_host(self, host: str, port: int, tls: TlsResult) -> None:
        if self._bar is None:
            state = "ok" if tls.reachable else f"unreachable ({tls.error})"
            line = f"tls {host}:{port}: {state} in {tls.scan_seconds:.1f} s"
            print(for_terminal(line), file=sys.stderr)

    def _on_hosts(self, done: int, started: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, hosts=f"hosts {done}/{started} TLS-scanned")

    def _on_stage(self, stage: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=stage)
        else:
            print(f"stage: {stage}", file=sys.stderr)

    def _stop_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def summary(self, result: ScanResult, outcome: Any, paths: dict[str, Path]) -> None:
        """The short summary: verdict, findings worst first, report paths (see summary_lines).

        On a terminal the text is wrapped at word boundaries to its width; elsewhere (CI logs,
        a pipe) never wrapped, so a log viewer wraps it as wide as it is.
        """
        self._stop_bar()
        width = self.out.width if self.out.is_terminal else None
        lines = summary_lines(result, paths, width)
        for number, (line, severity) in enumerate(lines, start=1):
            text = Text(line)
            if severity is not None:
                text.stylize(_COLOURS[severity], 2, 2 + len(severity))
            if number == len(lines):  # the verdict
                text.stylize(_VERDICT_COLOURS.get(outcome.status, "bold yellow"), 0, 12)
            self.out.print(text, soft_wrap=True)


_VERDICT_COLOURS = {"passed": "bold green", "failed": "bold red"}
TOP_FINDINGS = 12
_STATUS_WORDS = {"new": "new", "baselined": "baselined", "waived": "waived"}


def summary_lines(
    result: ScanResult, paths: dict[str, Path], width: int | None = None
) -> list[tuple[str, str | None]]:
    """The summary as (line, severity to colour): a stable layout, worst finding first.

    Each finding is a header line (severity, gate status, rule, place) and its message below,
    indented; `width` wraps long lines at word boundaries (None: never wrap, for CI logs).
    The counts and the last line are the gate's (scanner.report.common.gate_view).
    """
    gate = gate_view(result)
    s = result.summary
    lines: list[tuple[str, str | None]] = []

    def one(text: str) -> str:
        """Site text on one line, with nothing a terminal would act on."""
        return " ".join(for_terminal(text).split())

    def add(text: str, indent: str = "", severity: str | None = None) -> None:
        if width is None or len(text) <= width:
            lines.append((text, severity))
            return
        wrapped = textwrap.wrap(
            text,
            width=max(width, 40),
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.append((wrapped[0], severity))
        lines.extend((rest, None) for rest in wrapped[1:])

    add(
        f"complyscan {one(result.target)}: {s.pages} page(s), {s.forms_collecting_pi} form(s) "
        f"collecting personal information, {s.third_party_requests} third-party request(s), "
        f"{s.beacons} beacon(s), {s.cookies} cookie(s), {s.hosts} host(s) TLS-checked, "
        f"{s.duration_seconds:.1f} s"
    )
    if not result.complete:
        add(f"INCOMPLETE: {one(result.incomplete_reason or 'the scan did not finish')}")
    for page in [p for p in result.pages if p.unread][:5]:
        add(f"  not read: {one(page.url)} ({one(page.unread or '')})", indent="    ")
    counts = "  ".join(f"{sev.value} {s.findings.get(sev.value, 0)}" for sev in SEVERITIES)
    add(f"findings: {counts}")
    if gate.verdict != "not gated":
        c = gate.counts
        add(
            f"by status: {c.failing} failing (new, at or above {gate.fail_on}) · {c.new} new "
            f"· {c.baselined} baselined · {c.waived} waived"
        )
    for note in gate.waiver_notes:
        add(f"note: {one(note)}", indent="      ")
    if unread := statement_unread(result):
        add(f"statement not read: {one(unread)}", indent="      ")
    findings = sorted_findings(result.findings)
    if findings:
        rule_width = min(32, max(len(f.rule_id) for f in findings) + 2)
        lines.append(("", None))
        for finding in findings[:TOP_FINDINGS]:
            status = "FAILS GATE" if finding.fails_gate else _STATUS_WORDS[finding_status(finding)]
            where = one(finding_where(finding, result))
            severity = finding.severity.value
            add(
                f"  {severity:<8}  {status:<10}  {one(finding.rule_id):<{rule_width}}  {where}",
                indent=" " * 24,
                severity=severity,
            )
            add(f"            {one(finding.message)}", indent=" " * 12)
            if finding.claim is not None:
                add(f'            contradicts: "{one(finding.claim.quote)}"', indent=" " * 12)
            if finding.waived:
                add(f"            waived: {one(finding.waiver_reason or '')}", indent=" " * 12)
        if len(findings) > TOP_FINDINGS:
            add(f"  … and {len(findings) - TOP_FINDINGS} more in the reports")
        lines.append(("", None))
    for fmt, path in paths.items():
        lines.append((for_terminal(f"{fmt + ':':<6} {path}"), None))
    add(gate.headline())
    return lines


def _clip(text: str, width: int) -> str:
    from rich.markup import escape

    text = " ".join(for_terminal(text).split())
    return escape(text if len(text) <= width else text[: width - 1] + "…")
