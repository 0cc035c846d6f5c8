"""The terminal summary: worst first, one stable layout, wrapped at words on a terminal and
never in CI; and a progress bar whose total never goes down."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console as RichConsole
from rich.progress import Progress

from scanner.model import Page
from scanner.terminal import Console, summary_lines
from tests.fixtures.results.hostile import gated_result

PATHS = {"json": Path("out/report.json"), "html": Path("out/report.html")}


def _text(width: int | None) -> list[str]:
    return [line for line, _ in summary_lines(gated_result(), PATHS, width)]


def test_the_worst_finding_comes_first_and_the_verdict_last() -> None:
    lines = _text(None)
    rows = [line.split() for line in lines if re.match(r"  (critical|high|medium|low|info) ", line)]

    assert rows[0][:4] == ["critical", "FAILS", "GATE", "pi-sent-to-third-party"]
    statuses = [row[1] for row in rows]
    assert statuses.index("baselined") > max(i for i, s in enumerate(statuses) if s == "FAILS")
    assert statuses[-1] == "waived" or "waived" not in statuses[:-1]
    assert lines[-1] == "gate failed: 5 new findings at or above high (2 baselined, 1 waived)"
    assert any(line.startswith("note: waiver for statement-not-linked") for line in lines)


def test_ci_logs_are_never_wrapped() -> None:
    lines = _text(None)

    message = next(line for line in lines if "was sent, hashed, to Evil Ads" in line)
    assert message.startswith("            The e-mail typed on") and message.endswith(".")
    assert max(len(line) for line in lines) > 120


@pytest.mark.parametrize("width", [80, 100, 120])
def test_a_terminal_is_wrapped_at_word_boundaries(width: int) -> None:
    wrapped = _text(width)
    flat = " ".join(" ".join(_text(None)).split())
    words = set(flat.split())

    for line in wrapped:
        assert len(line) <= width or " " not in line.strip(), line
        for word in line.split():
            assert word in words, (word, line)  # no word cut in two
    assert " ".join(" ".join(wrapped).split()) == flat


def test_the_progress_total_never_goes_down() -> None:
    console = Console()
    bar = Progress(console=RichConsole(file=io.StringIO()))
    console._bar, console._task = bar, bar.add_task("crawl", total=None, note="", hosts="")

    totals = []
    for done, queued in [(1, 5), (2, 6), (3, 1), (4, 0)]:
        console._on_page(Page(url=f"https://shop.example/{done}"), done, queued)
        totals.append(bar.tasks[0].total)

    assert totals == [6, 8, 8, 8]
