"""report.junit.xml, read the way GitLab reads a JUnit report (junitparser): one case per
finding, a failure only where the gate failed, the rest skipped with the reason."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from scanner.catalogue import load_catalogue
from scanner.report.junit import JUnitWriter
from tests.fixtures.results.hostile import SCRIPT, SECRET_COOKIE_VALUE, gated_result


def _read(tmp_path: Path, *, complete: bool = True, fail_on: str = "high") -> TestSuite:
    path = tmp_path / "report.junit.xml"
    path.write_text(JUnitWriter().render(gated_result(complete=complete, fail_on=fail_on)))
    suites = list(JUnitXml.fromfile(str(path)))
    assert len(suites) == 1
    suite = suites[0]
    assert isinstance(suite, TestSuite)
    return suite


def _cases(suite: TestSuite) -> dict[str, TestCase]:
    return {case.name: case for case in suite}


def _kind(case: TestCase) -> str:
    results = case.result
    if not results:
        return "passed"
    return {Failure: "failed", Error: "error", Skipped: "skipped"}[type(results[0])]


def test_only_the_findings_the_gate_counted_fail(tmp_path: Path) -> None:
    suite = _read(tmp_path)
    failed = sorted(name for name, case in _cases(suite).items() if _kind(case) == "failed")

    assert failed == [
        "advertising-tracker https://shop.example/signup?b=2&a=1",
        "pi-form-over-http http://shop.example/contact",
        "pi-form-posts-to-http https://shop.example/signup?b=2&a=1",
        "pi-sent-to-third-party https://shop.example/signup?b=2&a=1",
        "third-party-cookie-undisclosed https://shop.example/signup?b=2&a=1",
    ]
    assert suite.failures == 5 and suite.errors == 0
    assert all(len(case.result) <= 1 for case in suite)  # one <failure> a viewer can show


def test_findings_the_gate_did_not_count_are_skipped_with_the_reason(tmp_path: Path) -> None:
    cases = _cases(_read(tmp_path))

    def reason(name: str) -> str:
        case = cases[name]
        assert _kind(case) == "skipped", name
        return str(case.result[0].message)

    assert reason("tls-legacy-protocol https://shop.example:443/").startswith("baselined")
    assert reason("cookie-not-secure https://shop.example/signup?b=2&a=1").startswith(
        f"waived: Analytics cookie, accepted until the migration {SCRIPT}"
    )
    assert reason("tls-cert-expiring https://shop.example:443/") == (
        "new: below --fail-on high, not counted"
    )


def test_rules_that_found_nothing_pass_and_the_counts_add_up(tmp_path: Path) -> None:
    suite = _read(tmp_path)
    kinds = [_kind(case) for case in suite]
    cases = _cases(suite)

    assert _kind(cases["tls-weak-cipher"]) == "passed"
    assert cases["tls-weak-cipher"].classname == "complyscan.transport"
    assert suite.tests == len(kinds) == 14 + len(load_catalogue()) - 13  # 13 rules fired
    assert suite.skipped == kinds.count("skipped") == 9


def test_with_fail_on_critical_a_high_finding_is_skipped_not_failed(tmp_path: Path) -> None:
    cases = _cases(_read(tmp_path, fail_on="critical"))

    advertising = cases["advertising-tracker https://shop.example/signup?b=2&a=1"]
    assert _kind(advertising) == "skipped"
    assert advertising.result[0].message == "new: below --fail-on critical, not counted"


def test_failure_text_carries_readable_evidence_and_the_contradicted_sentence(
    tmp_path: Path,
) -> None:
    case = _cases(_read(tmp_path))["pi-sent-to-third-party https://shop.example/signup?b=2&a=1"]
    failure = case.result[0]

    assert str(failure.message).startswith("critical: Typed personal information reaches a")
    assert SCRIPT in str(failure.message)
    text = str(failure.text)
    assert 'Contradicts (no-third-party-sharing): "We never share' in text
    assert "encoding: sha256" in text and "Gate: new: fails the gate" in text
    assert SECRET_COOKIE_VALUE not in text


def test_hostile_text_is_escaped_and_control_characters_cannot_break_the_xml() -> None:
    text = JUnitWriter().render(gated_result())
    root = ET.fromstring(text)

    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\x07" not in text
    failure = root.find(
        ".//testcase[@name='pi-form-posts-to-http https://shop.example/signup?b=2&a=1']/failure"
    )
    assert failure is not None
    assert "posts to http://shop.example/register \ufffd." in failure.get("message", "")


def test_an_incomplete_scan_is_an_error_case(tmp_path: Path) -> None:
    suite = _read(tmp_path, complete=False)
    case = _cases(suite)["scan-complete"]

    assert _kind(case) == "error"
    assert case.result[0].message == f"Scan incomplete: crawl aborted {SCRIPT}"
    assert suite.errors == 1


def test_expired_waivers_are_in_the_log_of_the_suite() -> None:
    root = ET.fromstring(JUnitWriter().render(gated_result()))
    err = root.find("testsuite/system-err")

    assert err is not None and err.text is not None
    assert "waiver for statement-not-linked at * expired on 2026-02-01" in err.text
