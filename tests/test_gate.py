"""The CI gate: thresholds, baselines, waivers and incomplete scans."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from scanner.fingerprint import finding_fingerprint, fingerprint, fingerprint_v1
from scanner.gate import (
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_PASSED,
    GateConfigError,
    Waiver,
    evaluate,
    load_waivers,
)
from scanner.model import Finding, ScanResult, Severity
from scanner.urls import canonical_location
from tests.fixtures.results.hostile import CONTACT, SIGNUP, build_result

TODAY = date(2026, 3, 1)


def _clean(result: ScanResult) -> ScanResult:
    """The hostile scan without its fixture-made waiver marks, as a fresh scan would be."""
    for finding in result.findings:
        finding.waived, finding.waiver_reason = False, None
    return result


def _ids(findings: tuple[Finding, ...]) -> list[str]:
    return [f.rule_id for f in findings]


# --- fingerprints -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("HTTPS://Shop.Example:443/a?b=2&a=1#top", "https://shop.example/a?a=1&b=2"),
        ("http://shop.example:80", "http://shop.example/"),
        ("https://user:pw@shop.example./a", "https://shop.example/a"),
        ("Shop.Example:443", "shop.example"),
        ("shop.example.", "shop.example"),
    ],
)
def test_fingerprints_ignore_cosmetic_differences_of_a_location(one: str, other: str) -> None:
    assert canonical_location(one) == canonical_location(other)
    assert fingerprint("pi-form-over-http", one) == fingerprint("pi-form-over-http", other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://shop.example:8443/", "https://shop.example/"),
        ("https://shop.example/a", "https://shop.example/A"),
        ("http://shop.example/", "https://shop.example/"),
        ("https://shop.example/?a=1", "https://shop.example/?a=2"),
        ("https://shop.example/?a=1&a=2", "https://shop.example/?a=2&a=1"),
    ],
)
def test_fingerprints_keep_differences_that_matter(one: str, other: str) -> None:
    assert fingerprint("r", one) != fingerprint("r", other)


def test_a_fingerprint_is_16_hex_chars_and_depends_on_the_rule() -> None:
    value = fingerprint("hsts-missing", "shop.example")

    assert len(value) == 16
    int(value, 16)
    assert value != fingerprint("tls-cert-invalid", "shop.example")


def test_a_finding_without_a_recorded_fingerprint_gets_one_from_rule_and_location() -> None:
    finding = Finding(
        rule_id="hsts-missing", severity=Severity.HIGH, title="t", message="m", host="Shop.Example"
    )

    assert finding_fingerprint(finding) == fingerprint("hsts-missing", "shop.example")


# --- thresholds and incomplete scans -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fail_on", "status", "code", "failing"),
    [
        ("critical", "failed", EXIT_FAILED, 4),
        ("high", "failed", EXIT_FAILED, 6),
        ("medium", "failed", EXIT_FAILED, 10),
        ("low", "failed", EXIT_FAILED, 12),
        ("none", "passed", EXIT_PASSED, 0),
    ],
)
def test_fail_on_counts_findings_at_or_above_the_threshold(
    fail_on: str, status: str, code: int, failing: int
) -> None:
    outcome = evaluate(_clean(build_result()), fail_on, None, [], TODAY)

    assert (outcome.status, outcome.exit_code, len(outcome.failing)) == (status, code, failing)
    assert all(f.severity.rank >= Severity.LOW.rank for f in outcome.failing)
    assert outcome.result.summary.gate == status
    assert outcome.result.summary.fail_on == fail_on


def test_a_scan_without_findings_above_the_threshold_passes() -> None:
    result = _clean(build_result())
    result.findings = [f for f in result.findings if f.severity is Severity.INFO]

    outcome = evaluate(result, "low", None, [], TODAY)

    assert (outcome.status, outcome.exit_code) == ("passed", EXIT_PASSED)
    assert outcome.summary_line() == "gate passed: 0 finding(s) at or above low"


@pytest.mark.parametrize("fail_on", ["critical", "none"])
def test_an_incomplete_scan_is_never_a_pass(fail_on: str) -> None:
    result = _clean(build_result(complete=False))
    result.findings = []

    outcome = evaluate(result, fail_on, None, [], TODAY)

    assert (outcome.status, outcome.exit_code) == ("incomplete", EXIT_INCOMPLETE)
    assert outcome.notes[0].startswith("scan incomplete: crawl aborted")
    assert outcome.summary_line().startswith("gate incomplete: crawl aborted")


def test_an_unknown_threshold_is_a_configuration_error() -> None:
    with pytest.raises(GateConfigError, match="--fail-on must be one of critical"):
        evaluate(build_result(), "severe", None, [], TODAY)


def test_the_verdict_carries_the_gated_result_and_changes_nothing() -> None:
    result = _clean(build_result())
    before = result.model_dump_json()
    waiver = Waiver("hsts-missing", "shop.example", "known")

    outcome = evaluate(result, "medium", None, [waiver], TODAY)

    assert result.model_dump_json() == before  # the scan given is left as it was
    gated = outcome.result
    assert [(f.rule_id, f.waiver_reason) for f in gated.findings if f.waived] == [
        ("hsts-missing", "known")
    ]
    assert (gated.summary.gate, gated.summary.fail_on) == ("failed", "medium")
    assert len(outcome.new) + len(outcome.waived) == len(gated.findings)
    assert outcome.counted == outcome.failing


# --- baseline ------------------------------------------------------------------------------------


def test_only_findings_new_since_the_baseline_count() -> None:
    baseline = _clean(build_result())
    baseline.findings = [f for f in baseline.findings if f.rule_id != "pi-form-over-http"]

    outcome = evaluate(_clean(build_result()), "high", baseline, [], TODAY)

    assert _ids(outcome.failing) == ["pi-form-over-http"]
    assert len(outcome.in_baseline) == 13
    assert outcome.summary_line() == "gate failed: 1 finding(s) at or above high (13 in baseline)"


def test_a_baseline_matches_findings_whose_urls_differ_only_cosmetically() -> None:
    baseline = _clean(build_result())
    for finding in baseline.findings:
        finding.fingerprint = ""  # an older report: recomputed from the location
        if finding.page_url == CONTACT:
            finding.page_url = "HTTP://SHOP.EXAMPLE:80/contact#form"

    outcome = evaluate(_clean(build_result()), "low", baseline, [], TODAY)

    assert (outcome.status, outcome.failing) == ("passed", ())


# --- waivers -------------------------------------------------------------------------------------


def test_an_active_waiver_waives_matching_findings_only() -> None:
    waiver = Waiver("pi-form-posts-to-http", "https://shop.example/signup*", "legacy form", None)

    outcome = evaluate(_clean(build_result()), "critical", None, [waiver], TODAY)

    assert _ids(outcome.waived) == ["pi-form-posts-to-http"]
    marked = [f for f in outcome.result.findings if f.waived]
    assert [(f.rule_id, f.waiver_reason) for f in marked] == [
        ("pi-form-posts-to-http", "legacy form")
    ]
    assert "pi-form-posts-to-http" not in _ids(outcome.failing)
    assert len(outcome.failing) == 3


def test_a_waiver_globs_on_the_host_of_a_host_finding() -> None:
    waiver = Waiver("tls-legacy-protocol", "*.example", "old clients", date(2026, 3, 1))

    outcome = evaluate(_clean(build_result()), "critical", None, [waiver], TODAY)

    assert _ids(outcome.waived) == ["tls-legacy-protocol"]
    assert outcome.expired_waivers == ()


def test_an_expired_waiver_stops_waiving_and_the_outcome_says_so() -> None:
    waiver = Waiver("tls-legacy-protocol", "shop.example", "old clients", date(2026, 2, 28))

    outcome = evaluate(_clean(build_result()), "critical", None, [waiver], TODAY)

    assert outcome.waived == ()
    assert "tls-legacy-protocol" in _ids(outcome.failing)
    assert outcome.expired_waivers == (waiver,)
    assert outcome.notes == (
        "waiver for tls-legacy-protocol at shop.example expired on 2026-02-28: it no longer "
        "waives anything (1 finding(s) it matches now count)",
    )


def test_a_finding_marked_waived_by_an_earlier_run_counts_unless_a_waiver_still_applies() -> None:
    outcome = evaluate(build_result(), "medium", None, [], TODAY)

    assert "cookie-not-secure" in _ids(outcome.failing)
    assert not any(f.waived for f in outcome.result.findings)


def test_load_waivers_reads_the_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "waivers.toml"
    path.write_text(
        "[[waiver]]\n"
        'rule = "hsts-missing"\n'
        'location = "shop.example"\n'
        'reason = "CDN sets HSTS"\n'
        "expires = 2027-01-31\n"
        "\n"
        "[[waiver]]\n"
        'rule = "tls-cert-expiring"\n'
        'reason = "renewal automated"\n'
        'expires = "2027-02-01"\n'
    )

    assert load_waivers(path) == [
        Waiver("hsts-missing", "shop.example", "CDN sets HSTS", date(2027, 1, 31)),
        Waiver("tls-cert-expiring", "*", "renewal automated", date(2027, 2, 1)),
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[[waiver]]\nrule = ", "not valid TOML"),
        ('[[waiver]]\nrule = "no-such-rule"\nreason = "x"\n', "unknown rule 'no-such-rule'"),
        ('[[waiver]]\nrule = "hsts-missing"\n', "`reason` is required"),
        ('[[waiver]]\nreason = "x"\n', "`rule` (a rule id) is required"),
        ('[[waiver]]\nrule = "hsts-missing"\nreason = "x"\nexpires = "soon"\n', "`expires` must"),
        ('[[waiver]]\nrule = "hsts-missing"\nreason = "x"\nuntil = 2027-01-01\n', "unknown keys"),
        ('[[waivers]]\nrule = "hsts-missing"\n', "unknown keys ['waivers']"),
        ('waiver = "everything"\n', "must be an array of tables"),
    ],
)
def test_a_bad_waivers_file_is_one_clear_line(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "waivers.toml"
    path.write_text(text)

    with pytest.raises(GateConfigError) as raised:
        load_waivers(path)

    message = str(raised.value)
    assert complaint in message
    assert message.startswith(str(path))
    assert "\n" not in message


def test_a_missing_waivers_file_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(GateConfigError, match="cannot read waivers: No such file"):
        load_waivers(tmp_path / "absent.toml")


def test_the_fixture_fingerprints_match_the_gates_own() -> None:
    result = build_result()

    assert all(
        f.fingerprint == finding_fingerprint(f.model_copy(update={"fingerprint": ""}))
        for f in result.findings
    )
    assert SIGNUP in {f.page_url for f in result.findings}


# --- fingerprints v1 -> v2 -----------------------------------------------------------------------

V1_REPORT = Path(__file__).parent / "fixtures" / "results" / "rules-v1-report.json"


def _every_rule_now() -> ScanResult:
    """The findings of tests/test_checks_per_rule.py's cases, as this version computes them, for
    the rules schema_version 1 had (rules added since cannot be in a v1 report)."""
    from scanner.checks import run_checks
    from tests.test_checks_per_rule import CASES

    v1_rules = {f["rule_id"] for f in json.loads(V1_REPORT.read_text())["findings"]}
    findings = [
        f
        for rule, case in sorted(CASES.items())
        if rule in v1_rules
        for f in run_checks(case())
        if f.rule_id == rule
    ]
    return ScanResult(
        target="https://www.shop.test/",
        started_at=datetime.now(UTC),
        complete=True,
        findings=findings,
    )


def test_a_schema_v1_report_still_works_as_a_baseline() -> None:
    """rules-v1-report.json: the same cases, written by schema_version 1 (v1 fingerprints)."""
    from scanner.engine import load_result

    baseline = load_result(V1_REPORT)
    now = _every_rule_now()
    assert baseline.schema_version == 1
    assert not {f.fingerprint for f in now.findings} & {f.fingerprint for f in baseline.findings}

    outcome = evaluate(now, "low", baseline, [], TODAY)

    assert outcome.new == () and outcome.status == "passed"
    assert len(outcome.in_baseline) == len(baseline.findings) == 23


def test_a_diff_against_a_schema_v1_report_maps_the_fingerprints() -> None:
    from scanner.diff import diff
    from scanner.engine import load_result

    changes = diff(load_result(V1_REPORT), _every_rule_now())

    assert (changes["new"], changes["resolved"]) == ([], [])


def test_the_v1_key_is_the_one_schema_v1_wrote() -> None:
    assert fingerprint_v1("hsts-missing", "Shop.Example:443") == fingerprint_v1(
        "hsts-missing", "shop.example"
    )
    assert fingerprint_v1("r", "https://a.example/") != fingerprint("r", "https://a.example/")
