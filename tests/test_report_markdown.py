"""report.md: a short, inert summary for PR comments and CI step summaries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from markdown_it import MarkdownIt

from scanner.report.markdown import TOP_FINDINGS, MarkdownWriter, escape
from tests.fixtures.results.hostile import build_result, gated_result

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


def test_the_summary_leads_with_the_verdict_and_counts_as_the_gate_counted() -> None:
    text = MarkdownWriter().render(gated_result())
    lines = text.splitlines()

    assert lines[0] == (
        "## ❌ complyscan: gate failed: 5 new findings at or above high (2 baselined, 1 waived)"
    )
    assert "| critical | 3 | 1 | 0 |" in lines  # new, baselined, waived
    assert "| medium | 2 | 1 | 1 |" in lines


def test_all_findings_in_the_baseline_pass_and_say_so() -> None:
    result = gated_result()
    everything = result.model_copy(deep=True)
    from scanner.gate import evaluate

    again = evaluate(result, "high", everything, [], date(2026, 3, 1)).result
    text = MarkdownWriter().render(again)

    assert text.splitlines()[0] == (
        "## ✅ complyscan: gate passed: 0 new findings at or above high (14 baselined)"
    )
    assert "**new — fails the gate**" not in text


def test_rows_show_the_message_and_quote_each_sentence_once() -> None:
    text = MarkdownWriter().render(gated_result())
    rows = [line for line in text.splitlines() if line.startswith("| critical | ")]

    leak = next(r for r in rows if "pi\\-sent" in r or "pi-sent" in r)
    assert "was sent, hashed, to Evil Ads &lt;script&gt;" in leak  # which vendor
    assert "**new — fails the gate**" in leak
    number = re.search(r"\| quote (\d+) \|$", leak)
    assert number is not None and "We never share" not in leak
    assert f"\n{number.group(1)}. “We never share your personal information" in text
    ssl = "“We protect all personal information with SSL.”"
    assert text.count(ssl) == 1
    assert re.search(rf"^\d\. {re.escape(ssl)}$", text, re.MULTILINE)
    assert sum(line.startswith("| ") for line in text.splitlines()) >= TOP_FINDINGS


def test_expired_waivers_are_noted() -> None:
    text = MarkdownWriter().render(gated_result())

    assert "> **Note:** waiver for statement-not-linked at \\* expired on 2026-02-01" in text


def test_it_links_only_the_reports_that_were_written() -> None:
    alone = MarkdownWriter().render(gated_result())
    writer = MarkdownWriter()
    writer.companions = frozenset({"report.md", "report.html", "report.json"})
    with_html = writer.render(gated_result())

    assert "report.html" not in alone and "report.sarif" not in alone
    assert "report.html" in with_html and "report.sarif" not in with_html


def test_no_site_text_can_break_the_table_or_inject_markup() -> None:
    text = MarkdownWriter().render(gated_result())
    table = [line for line in text.splitlines() if line.startswith("| ") and "](" not in line]

    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)  # code spans are literal
    assert "<script>" not in outside_code and "<img" not in outside_code
    assert "](javascript" not in outside_code
    for row in table:
        unescaped_pipes = re.findall(r"(?<!\\)\|", row)
        assert len(unescaped_pipes) in (5, 6), row  # 4 or 5 columns, nothing more
    rendered = MarkdownIt("gfm-like", {"linkify": True}).render(text)
    assert "<script>" not in rendered and "<img" not in rendered
    assert rendered.count("<table>") == 2 and rendered.count("<tr>") == 6 + 11
    assert "<li>“We protect all personal information with SSL.”</li>" in rendered


def test_an_incomplete_scan_says_it_never_passes() -> None:
    text = MarkdownWriter().render(gated_result(complete=False))

    assert text.startswith("## ⚠️ complyscan: scan incomplete")
    assert "**Scan incomplete:** crawl aborted &lt;script&gt;" in text


def test_a_scan_without_findings_says_so() -> None:
    result = build_result()
    result.findings = []
    result.summary.gate = "passed"

    text = MarkdownWriter().render(result)

    assert text.startswith("## ✅ complyscan: gate passed: 0 new findings at or above high")
    assert "No findings." in text
