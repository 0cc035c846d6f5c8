"""report.html grows linearly with the statement's claims and the findings (issue 13, item 13):
it once compared every claim with every finding and every other claim (5,000 of each: 194 s)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from scanner.model import Claim, ClaimRef, Finding, ScanResult, Severity, Statement
from scanner.report.html import HtmlWriter


def result_with(n: int) -> ScanResult:
    """n claims of one kind, each contradicted by one finding that quotes it."""
    sentences = [f"We never share your data with partner number {i}." for i in range(n)]
    claims, position = [], 0
    for sentence in sentences:
        end = position + len(sentence)
        claims.append(Claim(kind="no-third-party-sharing", quote=sentence, start=position, end=end))
        position = end + 1
    findings = [
        Finding(
            rule_id="pi-form-posts-to-third-party",
            severity=Severity.HIGH,
            title="A form posts to a third party",
            message=f"form {i}",
            page_url=f"https://www.shop.test/p{i}",
            claim=ClaimRef(kind="no-third-party-sharing", quote=sentence),
            fingerprint=f"{i:016x}",
        )
        for i, sentence in enumerate(sentences)
    ]
    statement = Statement(
        url="https://www.shop.test/privacy", sha256="0", text=" ".join(sentences), claims=claims
    )
    return ScanResult(
        target="https://www.shop.test/",
        started_at=datetime.now(UTC),
        complete=True,
        statement=statement,
        findings=findings,
    )


def render_seconds(n: int) -> float:
    result = result_with(n)
    started = time.perf_counter()
    html = HtmlWriter().render(result)
    seconds = time.perf_counter() - started
    assert html.count("partner number 7.") >= 2  # the claim and its contradicting finding
    return seconds


def test_rendering_is_linear_in_claims_and_findings() -> None:
    render_seconds(200)  # templates compiled, imports done
    small, large = render_seconds(1000), render_seconds(5000)
    # Linear: about 5x. Quadratic was 25x (2.8 s and 194 s here).
    assert large < 12 * small + 1.0, (small, large)
