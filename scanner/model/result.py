"""The whole scan (report.json): tool, summary, what changed since the previous scan."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from scanner.consent.model import Consent
from scanner.model.base import SCHEMA_VERSION, FailOn, Model
from scanner.model.crawl import Beacon, Cookie, Page
from scanner.model.findings import Finding, FindingBrief
from scanner.model.statement import Statement
from scanner.model.transport import HostSecurity


class ToolInfo(Model):
    """Versions of everything that produced the result."""

    name: str = "complyscan"
    """The tool's name."""
    version: str = ""
    """complyscan's version."""
    chromium: str | None = None
    """The Chromium version that rendered the pages."""
    sslyze: str | None = None
    """The sslyze version that scanned TLS."""
    profile: str | None = None
    """The Mozilla TLS profile applied."""
    profile_version: str | None = None
    """The version of Mozilla's profiles."""
    vendor_data_version: str | None = None
    """The version of the vendor data set."""


class GateCounts(Model):
    """The gate's arithmetic: every report shows these numbers, not its own."""

    failing: int = 0
    """New findings at or above --fail-on: a gate fails when this is not 0."""
    new: int = 0
    """Findings neither in the baseline nor waived, at any severity."""
    baselined: int = 0
    """Findings the baseline already had."""
    waived: int = 0
    """Findings an active waiver accepts."""


class Summary(Model):
    """Counts a reader (or a CI job) wants first."""

    pages: int = 0
    """Pages visited."""
    pages_failed: int = 0
    """Pages that could not be loaded."""
    forms_collecting_pi: int = 0
    """Forms that collect personal information."""
    requests: int = 0
    """Requests the pages made."""
    third_party_requests: int = 0
    """Of which to third parties."""
    beacons: int = 0
    """Beacons to third parties."""
    cookies: int = 0
    """Distinct cookies set or attempted."""
    hosts: int = 0
    """Hosts TLS-scanned."""
    findings: dict[str, int] = Field(default_factory=dict, description="Severity -> count")
    gate: Literal["passed", "failed", "incomplete"] | None = None
    """The CI gate's verdict; null when the result was not gated."""
    fail_on: FailOn = "high"
    """The gate's threshold."""
    gate_counts: GateCounts | None = None
    """What the gate counted; null when the result was not gated."""
    gate_notes: list[str] = Field(default_factory=list)
    """What the gate wants a reader told: expired waivers, why a scan is incomplete."""
    duration_seconds: float = 0.0
    """How long the scan took."""


class ChangedFinding(FindingBrief):
    """A finding new or resolved since the previous scan (a brief of the Finding)."""

    fingerprint: str
    """Its fingerprint, as its report recorded it."""


class AddedRemoved(Model):
    """Names that appeared and went since the previous scan, sorted."""

    added: list[str] = Field(default_factory=list)
    """Names only in this scan."""
    removed: list[str] = Field(default_factory=list)
    """Names only in the previous scan."""


class TlsChange(Model):
    """A host:port whose accepted protocols or certificate changed, or that appeared or went."""

    host: str
    """The host."""
    port: int
    """The port."""
    status: Literal["added", "removed", "changed"]
    """added (new host), removed (gone) or changed."""
    protocols_added: list[str] = Field(default_factory=list)
    """Protocols it accepts now and did not before."""
    protocols_removed: list[str] = Field(default_factory=list)
    """Protocols it accepted before and no longer does."""
    certificate_renewed: bool = False
    """True when the certificate's sha256 changed."""
    sha256_before: str | None = None
    """The previous certificate's sha256."""
    sha256_after: str | None = None
    """The current certificate's sha256."""
    days_left_before: int | None = None
    """Days left on the previous certificate, at the previous scan."""
    days_left_after: int | None = None
    """Days left on the current certificate."""


class PreviousScan(Model):
    """Which scan the changes are measured from."""

    target: str
    """Its start URL."""
    started_at: str
    """When it started (ISO 8601)."""


class Changes(Model):
    """What changed since the previous scan of the same site (scanner/diff.py makes it)."""

    previous: PreviousScan
    """The previous scan."""
    previous_started_at: str
    """When it started, for display (YYYY-MM-DD HH:MM UTC)."""
    new: list[ChangedFinding] = Field(default_factory=list)
    """Findings only in this scan (waived ones count as absent)."""
    resolved: list[ChangedFinding] = Field(default_factory=list)
    """Findings only in the previous scan."""
    vendors: AddedRemoved = Field(default_factory=AddedRemoved)
    """Third parties seen (vendor names, else beacon hosts)."""
    cookies: AddedRemoved = Field(default_factory=AddedRemoved)
    """Cookies, as `name (domain/path)`."""
    tls: list[TlsChange] = Field(default_factory=list)
    """Per host:port TLS changes."""
    statement_changed: bool = False
    """True when the statement's text changed."""
    statement_diff: list[str] = Field(default_factory=list)
    """The unified diff of the statement's text, line by line."""


class ScanResult(Model):
    """Everything one scan gathered and concluded: report.json."""

    schema_version: int = SCHEMA_VERSION
    """The version of this contract (2 today; docs/report-format.md says what changed)."""
    tool: ToolInfo = Field(default_factory=ToolInfo)
    """Versions of everything that produced it."""
    target: str
    """The start URL."""
    started_at: datetime
    """When the scan started (UTC)."""
    finished_at: datetime | None = None
    """When it finished; null while it runs or when it was cut off."""
    complete: bool = False
    """False when the scan could not finish (start URL unreachable, browser failed, stopped)."""
    incomplete_reason: str | None = None
    """Why it is incomplete."""
    config: dict[str, Any] = Field(default_factory=dict)
    """The configuration the scan ran with (complyscan.toml and flags), as recorded."""
    summary: Summary = Field(default_factory=Summary)
    """Counts a reader wants first, and the gate's verdict."""
    pages: list[Page] = Field(default_factory=list)
    """Every page visited."""
    beacons: list[Beacon] = Field(default_factory=list)
    """Every beacon to a third party."""
    cookies: list[Cookie] = Field(default_factory=list)
    """Every distinct cookie set or attempted."""
    hosts: list[HostSecurity] = Field(default_factory=list)
    """Transport security of each host:port that serves, receives or publishes what matters."""
    statement: Statement | None = None
    """The privacy statement; null when none was found."""
    findings: list[Finding] = Field(default_factory=list)
    """Every finding, most severe first."""
    notes: list[str] = Field(default_factory=list, description="Traps cut off, limits reached")
    consent: Consent | None = None
    """The consent manager and what the site did in each consent state (scanner/consent/);
    null when the consent visits did not run."""
    changes: Changes | None = None
    """What changed since the previous scan of the same site (from the history store); null when
    there was no previous scan. `complyscan diff --json` prints the same shape."""
