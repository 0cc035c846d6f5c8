"""What a scan prints: a progress bar on a terminal, plain lines in CI, and a short summary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scanner.engine import Progress as ScanProgress
from scanner.model import Page, ScanResult, Severity, TlsResult
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
            self._bar.update(self._task, completed=done, total=done + queued, note=note)
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
        """The short summary: verdict, findings by severity, top findings, report paths."""
        self._stop_bar()
        s = result.summary
        out = self.out
        out.print(
            f"[bold]complyscan[/bold] {_clip(result.target, 200)}: {s.pages} page(s), "
            f"{s.forms_collecting_pi} form(s) collecting personal information, "
            f"{s.third_party_requests} third-party request(s), {s.beacons} beacon(s), "
            f"{s.cookies} cookie(s), {s.hosts} host(s) TLS-checked, {s.duration_seconds:.1f} s"
        )
        if not result.complete:
            out.print(f"[bold red]INCOMPLETE[/]: {_clip(str(result.incomplete_reason), 300)}")
        for page in [p for p in result.pages if p.unread][:5]:
            out.print(f"  not read: {_clip(page.url, 100)} ({_clip(page.unread or '', 100)})")
        counts = "  ".join(
            f"[{_COLOURS[sev.value]}]{sev.value} {s.findings.get(sev.value, 0)}[/]"
            for sev in Severity
        )
        out.print(f"findings: {counts}")
        for finding in result.findings[:12]:
            sev = Severity(finding.severity).value
            quote = f'  (contradicts: "{_clip(finding.claim.quote, 70)}")' if finding.claim else ""
            out.print(
                f"  [{_COLOURS[sev]}]{sev:<8}[/] {finding.rule_id:<30} "
                f"{_clip(finding.message, 110)}{quote}",
                markup=True,
                soft_wrap=True,
            )
        if len(result.findings) > 12:
            out.print(f"  ... and {len(result.findings) - 12} more in the reports")
        for fmt, path in paths.items():
            out.print(f"{fmt + ':':<6} {path}")
        colour = {"passed": "bold green", "failed": "bold red"}.get(outcome.status, "bold yellow")
        out.print(f"[{colour}]gate {outcome.status}[/] ({_clip(outcome.summary_line(), 300)})")


def _clip(text: str, width: int) -> str:
    from rich.markup import escape

    text = " ".join(for_terminal(text).split())
    return escape(text if len(text) <= width else text[: width - 1] + "…")
