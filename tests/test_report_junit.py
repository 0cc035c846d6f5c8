"""report.junit.xml: one test case per rule, failures per finding, counts a CI server trusts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from scanner.catalogue import load_catalogue
from scanner.report.junit import JUnitWriter
from tests.fixtures.results.hostile import SCRIPT, SECRET_COOKIE_VALUE, build_result


def _parse(complete: bool = True) -> tuple[str, ET.Element]:
    text = JUnitWriter().render(build_result(complete=complete))
    return text, ET.fromstring(text)


def test_one_suite_with_one_case_per_catalogue_rule() -> None:
    _, root = _parse()
    suites = root.findall("testsuite")

    assert root.tag == "testsuites"
    assert len(suites) == 1
    cases = suites[0].findall("testcase")
    catalogue = load_catalogue()
    assert [(c.get("classname"), c.get("name")) for c in cases[: len(catalogue)]] == [
        (rule.area, rule.id) for rule in catalogue.values()
    ]
    assert [c.get("name") for c in cases[len(catalogue) :]] == ["future-rule"]


def test_failures_are_one_per_finding_and_the_counts_add_up() -> None:
    _, root = _parse()
    suite = root.find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}

    failed = [name for name, case in cases.items() if case.findall("failure")]
    rules = len(load_catalogue()) + 1  # and future-rule, which the catalogue does not know
    assert suite.get("tests") == str(len(cases)) == str(rules)
    assert suite.get("failures") == str(len(failed)) == "13"
    assert suite.get("errors") == "0"
    assert (root.get("tests"), root.get("failures")) == (str(rules), "13")
    assert cases["pi-form-over-http"].findall("failure")[0].get("type") == "critical"
    assert not cases["tls-weak-cipher"].findall("failure")  # nothing found: a pass


def test_a_waived_finding_does_not_fail_its_rule() -> None:
    _, root = _parse()
    case = root.find(".//testcase[@name='cookie-not-secure']")
    out = root.find(".//system-out")

    assert case is not None and out is not None
    assert case.findall("failure") == []
    assert out.text is not None and "cookie-not-secure at https://shop.example/signup" in out.text


def test_failure_text_carries_the_evidence_and_the_contradicted_sentence() -> None:
    _, root = _parse()
    failure = root.find(".//testcase[@name='pi-sent-to-third-party']/failure")

    assert failure is not None and failure.text is not None
    assert failure.get("message", "").startswith("Typed personal information reaches a third")
    assert SCRIPT in failure.get("message", "")
    assert 'Contradicts (no-third-party-sharing): "We never share' in failure.text
    assert '"encoding": "sha256"' in failure.text
    assert SECRET_COOKIE_VALUE not in failure.text


def test_hostile_text_is_escaped_and_control_characters_cannot_break_the_xml() -> None:
    text, root = _parse()

    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "\x07" not in text
    failure = root.find(".//testcase[@name='pi-form-posts-to-http']/failure")
    assert failure is not None
    assert "posts to http://shop.example/register \ufffd." in failure.get("message", "")


def test_an_incomplete_scan_is_an_error_case() -> None:
    _, root = _parse(complete=False)
    suite = root.find("testsuite")
    assert suite is not None

    error = suite.find("testcase[@name='scan-complete']/error")
    assert error is not None
    assert error.get("message") == f"Scan incomplete: crawl aborted {SCRIPT}"
    assert (suite.get("tests"), suite.get("errors")) == (str(len(load_catalogue()) + 2), "1")
    assert root.get("errors") == "1"
