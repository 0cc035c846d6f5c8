"""The rule catalogue loads, validates, and its generated docs stay current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.catalogue import (
    CLAIM_KINDS,
    CatalogueError,
    Rule,
    load_catalogue,
    parse_catalogue,
    rules_markdown,
    rules_testing,
)
from scanner.model import Severity

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
DESIGN_RULE_IDS = {
    "pi-form-over-http",
    "pi-form-posts-to-http",
    "mixed-content-on-pi-page",
    "tls-legacy-protocol",
    "tls-weak-cipher",
    "tls-profile-noncompliant",
    "tls-cert-invalid",
    "tls-cert-expiring",
    "hsts-missing",
    "http-not-redirected",
    "cookie-not-secure",
    "pi-form-posts-to-third-party",
    "pi-sent-to-third-party",
    "beacon-undisclosed-vendor",
    "beacons-not-disclosed",
    "advertising-tracker",
    "third-party-cookie-undisclosed",
    "cookies-not-disclosed",
    "statement-not-found",
    "statement-not-linked",
    "statement-over-http",
    "statement-changed",
}
"""The public rule ids of design.md: the catalogue may add rules, never drop these."""


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "some-rule",
        "area": "transport",
        "severity": "high",
        "claims": ["cookies"],
        "title": "A title",
        "description": "Why it matters.",
        "fix": "What to do.",
    }
    entry.update(changes)
    return entry


def test_catalogue_loads_every_rule_of_the_design_as_frozen_rules() -> None:
    rules = load_catalogue()

    assert set(rules) >= DESIGN_RULE_IDS
    rule = rules["pi-form-over-http"]
    assert rule == Rule(
        id="pi-form-over-http",
        area="transport",
        severity=Severity.HIGH,
        claims=("transport-encryption",),
        title=rule.title,
        description=rule.description,
        fix=rule.fix,
    )
    assert rule.description.startswith("A page with a form")
    with pytest.raises(AttributeError):
        rule.id = "other"  # type: ignore[misc]
    assert rules["statement-changed"].claims == ()


def test_catalogue_is_cached_but_callers_cannot_corrupt_it() -> None:
    first = load_catalogue()
    first.pop("pi-form-over-http")

    assert "pi-form-over-http" in load_catalogue()


def test_rules_testing_a_claim_kind() -> None:
    ids = [rule.id for rule in rules_testing("cookies")]

    assert ids == [
        "third-party-cookie-undisclosed",
        "cookies-not-disclosed",
        "cookie-undeclared",
        "cookie-lifetime-exceeds-declared",
        "cookie-category-mismatch",
    ]
    assert rules_testing("contact") == []


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"rule": []}, "top-level `rules:` list"),
        ({"rules": [_entry(), _entry()]}, "'some-rule' appears twice"),
        ({"rules": [_entry(severity="urgent")]}, "unknown severity 'urgent'"),
        ({"rules": [_entry(claims=["cookies", "telepathy"])]}, "unknown claim kinds ['telepathy']"),
        ({"rules": [_entry(id="Not Kebab")]}, "is not kebab-case"),
        ({"rules": [_entry(fix="  ")]}, "fix must be a non-empty string"),
        ({"rules": [_entry(colour="red")]}, "unknown fields ['colour']"),
    ],
)
def test_a_malformed_catalogue_is_refused_with_one_clear_line(
    data: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(data, "cat.yaml")

    assert complaint in str(raised.value)
    assert "\n" not in str(raised.value)


def test_every_claim_kind_of_the_model_is_listed_in_the_docs() -> None:
    text = rules_markdown()

    for kind in CLAIM_KINDS:
        assert f"| `{kind}` |" in text


def test_committed_rules_md_matches_the_catalogue() -> None:
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `python -m scanner.catalogue --markdown > docs/rules.md`"
    )
