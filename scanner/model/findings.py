"""Findings: what a check reports, with the claim it tests and the evidence."""

from __future__ import annotations

from pydantic import Field, JsonValue

from scanner.model.base import FindingStatus, Model, Severity
from scanner.model.statement import ClaimKind


class ClaimRef(Model):
    """The claim a finding tests: present means contradiction."""

    kind: ClaimKind
    """The kind of the claim contradicted."""
    quote: str
    """The statement's sentence that the evidence contradicts."""


Evidence = dict[str, JsonValue]
"""What shows a finding, as JSON. Its keys depend on the rule (docs/report-format.md lists them):
a URL and status, the forms and fields, the protocols or certificate dates, the beacons, cookies or
leaks, a statement diff."""


class FindingBrief(Model):
    """What identifies a finding to a reader: rule, severity, words and place."""

    rule_id: str
    """The rule (rules/catalogue.yaml, docs/rules.md): a stable id waivers and CI configs name."""
    severity: Severity
    """The rule's severity, raised one step when the finding contradicts a claim."""
    title: str
    """The rule's title."""
    message: str
    """What was found, in one or two sentences."""
    page_url: str | None = None
    """The page where it was found, if it is about a page."""
    host: str | None = None
    """The host (no port) it is about, if any."""


class Finding(FindingBrief):
    """A place where the site does not keep its statement, or does not disclose what it does."""

    evidence: Evidence = Field(default_factory=dict)
    """What shows it, as JSON; the keys depend on the rule (see docs/report-format.md)."""
    claim: ClaimRef | None = None
    """The claim it contradicts; null for a disclosure gap (the statement is silent)."""
    fingerprint: str = ""
    """Its stable id (version 2): 16 hex of sha256 over the rule and canonical location.
    Reports of schema_version 1 hold version 1 fingerprints here."""
    fingerprint_v1: str | None = None
    """The id schema_version 1 gave the same finding, so older baselines still match."""
    waived: bool = False
    """True when an active waiver accepts it (the gate does not count it)."""
    waiver_reason: str | None = None
    """The waiver's reason, when waived."""
    gate_status: FindingStatus | None = None
    """What the gate made of it: new, baselined (its fingerprint is in --baseline) or waived;
    null when the result was not gated."""
    fails_gate: bool = False
    """True when the gate counted it: new, not waived, at or above --fail-on."""
