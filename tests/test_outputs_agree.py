"""One real scan (the real Chromium, loopback servers, the command line as CI runs it, with a
baseline and waivers), and every output read as its consumer reads it: report.json, report.html,
report.md (rendered), report.sarif, report.junit.xml (a JUnit reader, as GitLab) and the
terminal all give the gate's verdict and counts, and mark each finding alike.

The site's PI page lives on a host with no HTTPS at all: http-not-redirected fires beside
pi-form-over-http (design.md: something answers over HTTP without redirecting to https)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from junitparser import Failure, JUnitXml, Skipped
from markdown_it import MarkdownIt

from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Response, SiteServer
from scanner.fingerprint import fingerprint
from scanner.model import Finding, ScanResult, Severity
from tests.test_cli import complyscan

pytestmark = pytest.mark.browser

FORM = """<!doctype html><html><head><title>Join</title></head><body>
<form action="/join" method="post"><label>E-mail <input type="email" name="email"></label>
<label>Name <input type="text" name="name" autocomplete="name"></label><button>Join</button>
</form></body></html>"""
HOME = '<!doctype html><title>Home</title><a href="http://news.plain.test/">News</a>'


@pytest.fixture(scope="module")
def scanned(
    pki: TestPKI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Path, str]]:
    out = tmp_path_factory.mktemp("agree")
    hosts = [
        Host("www.plain.test", routes={"/": Response(HOME)}),
        Host("news.plain.test", https=False, http="serve", routes={"/": Response(FORM)}),
    ]
    with SiteServer(hosts, pki) as server:
        start = server.url("www.plain.test")
        news = server.url("news.plain.test", scheme="http")
        baseline = ScanResult(
            target=start,
            started_at=datetime(2026, 1, 1, tzinfo=UTC),
            findings=[
                Finding(
                    rule_id="pi-form-over-http",
                    severity=Severity.CRITICAL,
                    title="t",
                    message="m",
                    page_url=news,
                    fingerprint=fingerprint("pi-form-over-http", news),
                )
            ],
        )
        (out / "baseline.json").write_text(baseline.model_dump_json(), encoding="utf-8")
        (out / "waivers.toml").write_text(
            '[[waiver]]\nrule = "statement-not-found"\nreason = "No statement on staging"\n'
            '[[waiver]]\nrule = "hsts-missing"\nreason = "Old"\nexpires = 2020-01-31\n',
            encoding="utf-8",
        )
        args = ["scan", start, "--only-resolved", "--ca-bundle", server.ca_pem]
        for rule in server.resolve_rules():
            args += ["--resolve", rule]
        args += ["--out", str(out), "--db", str(out / "history.sqlite")]
        args += ["--baseline", str(out / "baseline.json"), "--waivers", str(out / "waivers.toml")]
        args += ["--format", "json,html,sarif,junit,md", "--max-pages", "4", "--workers", "1"]
        done = complyscan(*args, timeout=240)
    yield done, out, news


def _report(out: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


def test_a_pi_page_on_a_host_without_https_is_not_redirected(
    scanned: tuple[Any, Path, str],
) -> None:
    done, out, news = scanned
    assert "Traceback" not in done.stderr, done.stderr
    findings = {f["rule_id"]: f for f in _report(out)["findings"]}

    assert findings["pi-form-over-http"]["page_url"] == news
    not_redirected = findings["http-not-redirected"]
    assert not_redirected["page_url"] == news
    assert not_redirected["evidence"]["status"] == 200


def test_every_output_gives_the_gate_verdict_and_counts(scanned: tuple[Any, Path, str]) -> None:
    done, out, _ = scanned
    report = _report(out)
    counts = report["summary"]["gate_counts"]
    verdict = report["summary"]["gate"]
    assert done.returncode == {"passed": 0, "failed": 1}[verdict]
    statuses = [f["gate_status"] for f in report["findings"]]
    assert counts["baselined"] == statuses.count("baselined") == 1
    assert counts["waived"] == statuses.count("waived") == 1
    assert counts["failing"] == sum(f["fails_gate"] for f in report["findings"])

    headline = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("gate "))
    assert headline.startswith(f"gate {verdict}: {counts['failing']} new finding")
    assert "(1 baselined, 1 waived)" in headline

    markdown = (out / "report.md").read_text(encoding="utf-8")
    heading = MarkdownIt("gfm-like").parse(markdown)[1].content
    assert heading.endswith(f"complyscan: {headline}")

    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'data-gate-headline="{headline}"' in html

    run = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]
    assert run["properties"]["headline"] == headline
    assert run["properties"]["counts"] == counts

    (suite,) = list(JUnitXml.fromfile(str(out / "report.junit.xml")))
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["headline"] == headline
    assert suite.failures == counts["failing"]


def test_every_output_marks_each_finding_alike(scanned: tuple[Any, Path, str]) -> None:
    _, out, _ = scanned
    report = _report(out)
    run = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]
    sarif = {r["partialFingerprints"]["complyscanFingerprint/v1"]: r for r in run["results"]}
    (suite,) = list(JUnitXml.fromfile(str(out / "report.junit.xml")))
    junit = {case.name: case for case in suite}
    html = (out / "report.html").read_text(encoding="utf-8")
    markdown = (out / "report.md").read_text(encoding="utf-8")

    for finding in report["findings"]:
        status, fails = finding["gate_status"], finding["fails_gate"]
        entry = sarif[finding["fingerprint"]]
        assert (entry["properties"]["status"], entry["properties"]["failsGate"]) == (status, fails)
        assert ("suppressions" in entry) == (status == "waived")
        where = finding["page_url"] or entry["properties"]["url"]
        case = junit[f"{finding['rule_id']} {where}"]
        kind = type(case.result[0]) if case.result else None
        assert kind is (Failure if fails else Skipped), finding["rule_id"]
        card = re.search(
            rf'data-rule="{re.escape(finding["rule_id"])}"[^>]*data-status="(\w+)"'
            rf'[^>]*data-fails-gate="(\w+)"',
            html,
        )
        assert card is not None and card.groups() == (status, str(fails).lower())
    assert "baselined" in markdown and "waived: No statement on staging" in markdown


def test_the_expired_waiver_is_in_the_log_and_the_reports(scanned: tuple[Any, Path, str]) -> None:
    done, out, _ = scanned
    note = "waiver for hsts-missing at * expired on 2020-01-31"

    assert note in done.stdout
    assert any(n.startswith(note) for n in _report(out)["summary"]["gate_notes"])
    assert note in (out / "report.html").read_text(encoding="utf-8")
    assert note.replace("*", "\\*") in (out / "report.md").read_text(encoding="utf-8")
    assert note in (out / "report.sarif").read_text(encoding="utf-8")
    assert note in (out / "report.junit.xml").read_text(encoding="utf-8")


def test_the_ci_log_is_not_wrapped(scanned: tuple[Any, Path, str]) -> None:
    done, _, _ = scanned
    first = done.stdout.splitlines()[0]

    assert first.startswith("complyscan https://www.plain.test") and "TLS-checked" in first
    assert len(first) > 100  # one line, however long: the log viewer wraps it
