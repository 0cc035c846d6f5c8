"""report.sarif: valid SARIF 2.1.0 that code-scanning services read the way we mean it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.catalogue import load_catalogue
from scanner.report.sarif import FINGERPRINT_KEY, SarifWriter
from tests.fixtures.results.hostile import (
    SECRET_COOKIE_VALUE,
    SIGNUP,
    TYPED_EMAIL,
    build_result,
    gated_result,
)

SCHEMA = Path(__file__).resolve().parent / "fixtures" / "results" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SarifWriter().render(build_result()))
    return document


@pytest.fixture(scope="module")
def run(sarif: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = sarif["runs"][0]
    return value


def test_the_log_is_valid_against_the_official_sarif_2_1_0_schema(sarif: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)

    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))

    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert sarif["version"] == "2.1.0"


def test_an_incomplete_scan_is_still_valid_and_says_so() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = json.loads(SarifWriter().render(build_result(complete=False)))

    jsonschema.Draft4Validator(schema).validate(document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"


def test_the_driver_describes_every_catalogue_rule(run: dict[str, Any]) -> None:
    driver = run["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}

    assert driver["name"] == "complyscan"
    assert driver["version"] == "0.1.0"
    assert "informationUri" not in driver  # no published package page to point at
    assert set(load_catalogue()) <= set(rules)
    rule = rules["pi-sent-to-third-party"]
    assert rule["name"] == "PiSentToThirdParty"
    assert rule["shortDescription"]["text"] == "Typed personal information reaches a third party"
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["security-severity"] == "9.5"
    assert {"security", "privacy", "parties", "no-third-party-sharing"} <= set(
        rule["properties"]["tags"]
    )
    assert "**Fix:** Remove or configure the script" in rule["help"]["markdown"]
    assert "Fix: Remove or configure the script" in rule["help"]["text"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels["hsts-missing"] == "warning"
    assert levels["statement-not-linked"] == "note"
    assert rules["tls-profile-noncompliant"]["properties"]["security-severity"] == "3.0"


def test_each_finding_is_a_result_pointing_at_its_rule(run: dict[str, Any]) -> None:
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]

    assert len(results) == 14
    for entry in results:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
        assert len(entry["partialFingerprints"][FINGERPRINT_KEY]) == 16
    by_rule = {r["ruleId"]: r for r in results}
    leak = by_rule["pi-sent-to-third-party"]
    assert leak["level"] == "error"
    assert leak["properties"]["security-severity"] == "9.5"
    assert leak["message"]["text"].endswith(
        'The privacy statement says: "We never share your personal information with third '
        'parties <script>alert(1)</script>."'
    )
    assert by_rule["hsts-missing"]["level"] == "warning"
    assert by_rule["statement-changed"]["level"] == "note"
    assert by_rule["future-rule"]["level"] == "note"  # a rule the catalogue does not know


def test_locations_are_repository_paths_and_the_url_stays_in_the_result(
    run: dict[str, Any],
) -> None:
    by_rule = {r["ruleId"]: r for r in run["results"]}

    def where(rule: str) -> tuple[str, str, str]:
        location = by_rule[rule]["locations"][0]
        return (
            location["physicalLocation"]["artifactLocation"]["uri"],
            location["logicalLocations"][0]["fullyQualifiedName"],
            by_rule[rule]["properties"]["url"],
        )

    assert where("pi-sent-to-third-party") == (
        ".complyscan/site/shop.example/signup",
        SIGNUP,
        SIGNUP,
    )
    assert where("tls-legacy-protocol")[0] == ".complyscan/site/shop.example_443/index"
    assert where("tls-profile-noncompliant")[:2] == (
        ".complyscan/site/api.shop.example_8443/index",
        "https://api.shop.example:8443/",
    )
    assert where("statement-not-linked")[1] == (
        "https://shop.example/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E"
    )
    assert "(at https://shop.example:443/)" in by_rule["hsts-missing"]["message"]["text"]


def test_waived_findings_are_suppressed_not_dropped(run: dict[str, Any]) -> None:
    waived = [r for r in run["results"] if "suppressions" in r]

    assert [r["ruleId"] for r in waived] == ["cookie-not-secure"]
    assert waived[0]["suppressions"] == [
        {
            "kind": "external",
            "justification": "Analytics cookie, accepted until the migration "
            "<script>alert(1)</script>",
        }
    ]


def test_secrets_in_evidence_are_redacted(sarif: dict[str, Any]) -> None:
    text = json.dumps(sarif)

    assert SECRET_COOKIE_VALUE not in text
    assert TYPED_EMAIL not in text
    assert "[redacted, " in text


# --- GitHub code scanning's own requirements --------------------------------------------------
# "SARIF support for code scanning" (docs.github.com): what an upload must carry beyond the
# schema for GitHub to accept it and show useful alerts, and its documented limits.

MAX_RUNS, MAX_RESULTS, MAX_RULES, MAX_TAGS, MAX_LOCATIONS = 20, 25_000, 25_000, 20, 1_000
LEVELS = {"error", "warning", "note", "none"}


def github_code_scanning_problems(log: dict[str, Any]) -> list[str]:
    """What GitHub code scanning would reject or mis-read in a SARIF log (empty: none)."""
    problems: list[str] = []
    if log.get("version") != "2.1.0":
        problems.append("version must be 2.1.0")
    runs = log.get("runs")
    if not isinstance(runs, list) or len(runs) > MAX_RUNS:
        return [*problems, f"runs must be a list of at most {MAX_RUNS}"]
    for run in runs:
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name"):
            problems.append("tool.driver.name is required")
        rules = driver.get("rules", [])
        if len(rules) > MAX_RULES:
            problems.append("too many rules")
        ids = [rule.get("id") for rule in rules]
        for rule in rules:
            problems += _rule_problems(rule)
        results = run.get("results")
        if not isinstance(results, list) or len(results) > MAX_RESULTS:
            problems.append("results must be a list of at most 25,000")
            continue
        for n, result in enumerate(results):
            problems += [f"result {n}: {p}" for p in _result_problems(result, ids)]
    return problems


def _rule_problems(rule: dict[str, Any]) -> list[str]:
    where = f"rule {rule.get('id')}"
    problems = [
        f"{where}: {field}.text is required"
        for field in ("shortDescription", "fullDescription", "help")
        if not rule.get(field, {}).get("text")
    ]
    if rule.get("defaultConfiguration", {}).get("level", "warning") not in LEVELS:
        problems.append(f"{where}: bad default level")
    properties = rule.get("properties", {})
    if len(properties.get("tags", [])) > MAX_TAGS:
        problems.append(f"{where}: more than {MAX_TAGS} tags")
    problems += [f"{where}: {p}" for p in _security_severity_problems(properties)]
    return problems


def _security_severity_problems(properties: dict[str, Any]) -> list[str]:
    if "security-severity" not in properties:
        return []
    value = properties["security-severity"]
    if not isinstance(value, str):
        return ["security-severity must be a number written as a string"]
    try:
        score = float(value)
    except ValueError:
        return [f"security-severity {value!r} is not a number"]
    return [] if 0.1 <= score <= 10.0 else [f"security-severity {value} is outside 0.1-10.0"]


def _result_problems(result: dict[str, Any], rule_ids: list[str]) -> list[str]:
    problems = []
    if result.get("ruleId") not in rule_ids:
        problems.append("ruleId names no rule of the driver")
    index = result.get("ruleIndex")
    if index is not None and rule_ids[index] != result.get("ruleId"):
        problems.append("ruleIndex points at another rule")
    if not result.get("message", {}).get("text"):
        problems.append("message.text is required")
    if result.get("level", "warning") not in LEVELS:
        problems.append("bad level")
    locations = result.get("locations") or []
    if not 1 <= len(locations) <= MAX_LOCATIONS:
        problems.append("at least one location is needed for an alert to show")
    for location in locations:
        physical = location.get("physicalLocation", {})
        uri = physical.get("artifactLocation", {}).get("uri", "")
        if not uri:
            problems.append("physicalLocation.artifactLocation.uri must be a non-empty string")
        elif "://" in uri or uri.startswith("/"):
            problems.append(f"artifact uri {uri!r} is not relative to the repository root")
        line = (physical.get("region") or {"startLine": 1}).get("startLine")
        if not (isinstance(line, int) and line >= 1):
            problems.append("region.startLine must be a line number")
    fingerprints = result.get("partialFingerprints")
    if not fingerprints or not all(isinstance(v, str) and v for v in fingerprints.values()):
        problems.append("partialFingerprints are needed to track an alert across runs")
    problems += _security_severity_problems(result.get("properties", {}))
    return problems


def test_the_log_meets_github_code_scanning_requirements() -> None:
    for result in (gated_result(), gated_result(complete=False), build_result()):
        log = json.loads(SarifWriter().render(result))
        assert github_code_scanning_problems(log) == []


def test_the_requirement_checks_catch_what_github_rejects() -> None:
    log = json.loads(SarifWriter().render(gated_result()))
    first = log["runs"][0]["results"][0]
    first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = SIGNUP
    del first["partialFingerprints"]
    log["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"] = "0.0"

    problems = github_code_scanning_problems(log)

    assert len(problems) == 3, problems


def test_results_say_what_the_gate_made_of_them() -> None:
    results = json.loads(SarifWriter().render(gated_result()))["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}

    leak = by_rule["pi-sent-to-third-party"]
    assert (leak["baselineState"], leak["properties"]["status"]) == ("new", "new")
    assert leak["properties"]["failsGate"] is True
    legacy = by_rule["tls-legacy-protocol"]
    assert (legacy["baselineState"], legacy["properties"]["status"]) == ("unchanged", "baselined")
    assert legacy["properties"]["failsGate"] is False
    assert by_rule["cookie-not-secure"]["properties"]["status"] == "waived"
    assert "security-severity" not in by_rule["statement-changed"]["properties"]  # info


def test_expired_waivers_are_tool_notifications() -> None:
    run = json.loads(SarifWriter().render(gated_result()))["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]

    assert notes[0]["level"] == "warning"
    assert notes[0]["message"]["text"].startswith("waiver for statement-not-linked at * expired")
    assert run["properties"]["counts"] == {"failing": 5, "new": 11, "baselined": 2, "waived": 1}
