"""What changed between two hand-made scans of a site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scanner.diff import diff, format_diff, is_empty
from scanner.model import (
    Beacon,
    Certificate,
    Changes,
    Cookie,
    Finding,
    HostSecurity,
    ScanResult,
    Severity,
    Statement,
    TlsResult,
)

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
PRIVACY = "https://www.shop.test/privacy"


def finding(rule: str, host: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        rule_id=rule,
        severity=severity,
        title=rule,
        message=f"{rule} on {host}",
        host=host,
        fingerprint=f"{rule}:{host}",
    )


def host(name: str, sha: str, days: int, *protocols: str) -> HostSecurity:
    accepted = {p: p in protocols for p in ("TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")}
    return HostSecurity(
        host=name,
        tls=TlsResult(protocols=accepted, certificate=Certificate(sha256=sha, days_left=days)),
    )


def scan(
    *,
    day: int = 0,
    findings: list[Finding] | None = None,
    beacons: tuple[str, ...] = (),
    cookies: tuple[str, ...] = (),
    hosts: list[HostSecurity] | None = None,
    statement: str | None = "We use cookies.\nWe protect your data with SSL.",
) -> ScanResult:
    return ScanResult(
        target="https://www.shop.test/",
        started_at=T0 + timedelta(days=day),
        complete=True,
        findings=findings or [],
        beacons=[
            Beacon(url=url, page_url="https://www.shop.test/", kind="pixel", vendor=vendor or None)
            for url, _, vendor in (b.partition(" ") for b in beacons)
        ],
        cookies=[Cookie(name=name, domain=".shop.test") for name in cookies],
        hosts=hosts or [],
        statement=Statement(url=PRIVACY, sha256=str(hash(statement)), text=statement)
        if statement
        else None,
    )


def test_nothing_changed() -> None:
    old = scan(findings=[finding("hsts-missing", "a")], hosts=[host("a", "aa", 60, "TLS 1.2")])
    new = scan(
        day=1, findings=[finding("hsts-missing", "a")], hosts=[host("a", "aa", 59, "TLS 1.2")]
    )
    changes = diff(old, new)
    assert is_empty(changes)
    assert format_diff(changes).endswith(": none")


def test_findings_new_and_resolved_by_fingerprint() -> None:
    old = scan(findings=[finding("hsts-missing", "a"), finding("tls-cert-expiring", "b")])
    waived = finding("cookie-not-secure", "c").model_copy(update={"waived": True})
    new = scan(day=1, findings=[finding("hsts-missing", "a"), finding("tls-legacy-protocol", "b")])
    new.findings.append(waived)

    changes = diff(old, new)

    assert [f["rule_id"] for f in changes["new"]] == ["tls-legacy-protocol"]
    assert changes["new"][0]["severity"] == "high" and changes["new"][0]["host"] == "b"
    assert [f["rule_id"] for f in changes["resolved"]] == ["tls-cert-expiring"]
    assert changes["previous"]["started_at"] == T0.isoformat()


def test_an_incomplete_scan_resolves_nothing_it_did_not_look_for() -> None:
    old = scan(findings=[finding("hsts-missing", "a"), finding("tls-cert-expiring", "b")])
    new = scan(day=1, findings=[finding("tls-legacy-protocol", "b")])
    new.complete, new.incomplete_reason = False, "interrupted"

    changes = diff(old, new)

    assert changes["resolved"] == []
    assert [f["rule_id"] for f in changes["new"]] == ["tls-legacy-protocol"]


def test_vendors_and_cookies_added_and_removed() -> None:
    old = scan(beacons=("https://px.ads.test/p.gif AdCo",), cookies=("_ga", "old"))
    new = scan(
        day=1,
        beacons=("https://px.ads.test/p.gif AdCo", "https://px.newpixel.test/i.gif"),
        cookies=("_ga", "_fbp"),
    )
    changes = diff(old, new)
    assert changes["vendors"] == {"added": ["px.newpixel.test"], "removed": []}
    assert changes["cookies"] == {"added": ["_fbp (.shop.test/)"], "removed": ["old (.shop.test/)"]}
    text = format_diff(changes)
    assert "+ vendor: px.newpixel.test" in text and "- cookie: old (.shop.test/)" in text


def test_tls_protocols_and_certificate_renewal_per_host() -> None:
    old = scan(
        hosts=[
            host("www.shop.test", "aa" * 32, 5, "TLS 1.2", "TLS 1.3"),
            host("old.shop.test", "cc" * 32, 50, "TLS 1.2"),
            host("pay.shop.test", "dd" * 32, 80, "TLS 1.2"),
        ]
    )
    new = scan(
        day=1,
        hosts=[
            host("www.shop.test", "bb" * 32, 89, "TLS 1.2", "TLS 1.3"),
            host("pay.shop.test", "dd" * 32, 79, "TLS 1.0", "TLS 1.2"),
        ],
    )
    tls = {t["host"]: t for t in diff(old, new)["tls"]}

    assert set(tls) == {"www.shop.test", "old.shop.test", "pay.shop.test"}
    www = tls["www.shop.test"]
    assert www["certificate_renewed"] and (www["days_left_before"], www["days_left_after"]) == (
        5,
        89,
    )
    assert www["protocols_added"] == www["protocols_removed"] == []
    assert tls["pay.shop.test"]["protocols_added"] == ["TLS 1.0"]
    assert not tls["pay.shop.test"]["certificate_renewed"]
    assert tls["old.shop.test"]["status"] == "removed"
    text = format_diff(diff(old, new))
    assert "~ tls www.shop.test:443: certificate renewed" in text
    assert "~ tls pay.shop.test:443: now accepts TLS 1.0" in text


def test_the_statement_text_diff_is_unified() -> None:
    old = scan()
    new = scan(day=1, statement="We use cookies.\nWe share data with advertising partners.")
    changes = diff(old, new)
    assert changes["statement_changed"]
    assert "-We protect your data with SSL." in changes["statement_diff"]
    assert "+We share data with advertising partners." in changes["statement_diff"]
    assert "    +We share data with advertising partners." in format_diff(changes)


def test_a_statement_that_disappeared_is_a_change() -> None:
    changes = diff(scan(), scan(day=1, statement=None))
    assert changes["statement_changed"]
    assert "-We use cookies." in changes["statement_diff"]


def test_the_html_report_shows_the_changes_since_the_last_scan() -> None:
    from scanner.report.html import HtmlWriter

    old = scan(hosts=[host("www.shop.test", "aa" * 32, 5, "TLS 1.2")])
    new = scan(
        day=1,
        findings=[finding("statement-changed", "www.shop.test")],
        beacons=("https://px.newpixel.test/i.gif",),
        hosts=[host("www.shop.test", "bb" * 32, 89, "TLS 1.2")],
        statement="We use cookies.\n<script>We sell data</script>",
    )
    new.changes = Changes.model_validate(diff(old, new))

    page = HtmlWriter().render(new)

    block = page.split("What changed since the previous scan", 1)[1].split("</section>", 1)[0]
    assert "+1</span> appeared" in block and "statement-changed" in block
    assert "px.newpixel.test" in block
    assert "certificate renewed (5 → 89 days left)" in block
    assert "+&lt;script&gt;We sell data&lt;/script&gt;" in block
