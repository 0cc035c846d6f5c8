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
    assert driver["informationUri"].startswith("https://")
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


def test_locations_are_page_urls_or_hosts_as_https_urls(run: dict[str, Any]) -> None:
    uris = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"]
    }

    assert uris["pi-sent-to-third-party"] == SIGNUP
    assert uris["tls-legacy-protocol"] == "https://shop.example:443/"
    assert uris["tls-profile-noncompliant"] == "https://api.shop.example:8443/"
    assert uris["statement-not-linked"] == (
        "https://shop.example/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E"
    )
    assert not any(ch in uri for uri in uris.values() for ch in ' "<>')


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
