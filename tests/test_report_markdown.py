"""report.md: a short, inert summary for PR comments and CI step summaries."""

from __future__ import annotations

import re

import pytest

from scanner.report.markdown import TOP_FINDINGS, MarkdownWriter, escape
from tests.fixtures.results.hostile import build_result

Z = "\u200b"  # after . : @ # / so that no autolink, mention or reference forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", f"&lt;script&gt;alert\\(1\\)&lt;/{Z}script&gt;"),
        ("a | b", "a \\| b"),
        ("`code`", "\\`code\\`"),
        ("[x](javascript:y)", f"\\[x\\]\\(javascript\\:{Z}y\\)"),
        ("*b* _i_ ~s~ #1", f"\\*b\\* \\_i\\_ \\~s\\~ \\#{Z}1"),
        ("line\nbreak", "line break"),
        ("ping @admin", f"ping @{Z}admin"),
        ("{{7*7}}", "\\{\\{7\\*7\\}\\}"),
        ("see www.evil.test", f"see www.{Z}evil.{Z}test"),
        ("esc \x1b[2J", "esc \ufffd\\[2J"),
    ],
)
def test_escape_makes_site_text_inert(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_escape_shortens_long_text() -> None:
    assert escape("x" * 500, 20) == "x" * 19 + "…"


def test_the_summary_leads_with_the_verdict_and_counts() -> None:
    text = MarkdownWriter().render(build_result())
    lines = text.splitlines()

    assert lines[0] == "## ❌ complyscan: gate failed — 6 findings at or above high"
    assert "| critical | 4 | 0 |" in lines
    assert "| medium | 3 | 1 |" in lines
    assert "report.html" in lines[-1]


def test_top_findings_quote_the_contradicted_sentence() -> None:
    text = MarkdownWriter().render(build_result())
    rows = [line for line in text.splitlines() if line.startswith("| critical | **")]

    assert len(rows) == 4
    leak = next(r for r in rows if "pi\\-sent" in r or "pi-sent" in r)
    assert "“We never share your personal information with third parties " in leak
    assert "&lt;script&gt;" in leak
    assert sum(line.startswith("| ") for line in text.splitlines()) >= TOP_FINDINGS


def test_no_site_text_can_break_the_table_or_inject_markup() -> None:
    text = MarkdownWriter().render(build_result())
    table = [line for line in text.splitlines() if line.startswith("| ") and "](" not in line]

    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)  # code spans are literal
    assert "<script>" not in outside_code and "<img" not in outside_code
    assert "](javascript" not in outside_code
    for row in table:
        unescaped_pipes = re.findall(r"(?<!\\)\|", row)
        assert len(unescaped_pipes) in (4, 5), row  # 3 or 4 columns, nothing more


def test_an_incomplete_scan_says_it_never_passes() -> None:
    text = MarkdownWriter().render(build_result(complete=False))

    assert text.startswith("## ⚠️ complyscan: scan incomplete")
    assert "**Scan incomplete:** crawl aborted &lt;script&gt;" in text


def test_a_scan_without_findings_says_so() -> None:
    result = build_result()
    result.findings = []
    result.summary.gate = "passed"

    text = MarkdownWriter().render(result)

    assert text.startswith("## ✅ complyscan: gate passed — 0 findings at or above high")
    assert "No findings." in text
