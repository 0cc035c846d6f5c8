"""The one vocabulary every stage of a scan shares.

Each stage of design.md reads these models and adds to them; report.json is `ScanResult` dumped
to JSON, and its JSON Schema (`complyscan schema`) is a public, versioned contract: fields may be
added, never renamed or removed, without a new `SCHEMA_VERSION`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class Model(BaseModel):
    """Base of every model: unknown fields are refused so that typos cannot pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Severity(enum.StrEnum):
    """How urgent a finding is, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info: larger is more severe."""
        return _SEVERITY_RANK[self]

    def raised(self, steps: int = 1) -> Severity:
        """This severity moved `steps` towards critical (never past it)."""
        rank = min(self.rank + steps, Severity.CRITICAL.rank)
        return next(s for s in Severity if s.rank == rank)


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


PIKind = Literal[
    "name",
    "email",
    "phone",
    "postal_address",
    "payment_card",
    "birth_date",
    "password",
    "government_id",
]
"""Kinds of personal information a form field can collect."""


# ---------------------------------------------------------------------------------------------
# Crawl
# ---------------------------------------------------------------------------------------------


class FormField(Model):
    """One input of a form, as the browser rendered it."""

    tag: str = Field(description="input, select or textarea")
    type: str = Field("", description="The input's type attribute, lower-case (text, email, ...)")
    name: str = Field("", description="The name attribute")
    id: str = Field("", description="The id attribute")
    autocomplete: str = Field("", description="The autocomplete attribute, lower-case")
    label: str = Field("", description="The visible label text, placeholder or aria-label")
    pi_kind: PIKind | None = Field(None, description="The personal information it collects, if any")


class Form(Model):
    """A form on a page (or a group of inputs outside any form), never submitted."""

    action: str = Field(description="Where it submits, resolved as the browser would")
    other_actions: list[str] = Field(
        default_factory=list, description="Other targets set by buttons' formaction"
    )
    method: str = Field("get", description="get or post, lower-case")
    selector: str = Field("", description="A CSS selector or description locating it on the page")
    frame_url: str | None = Field(None, description="The iframe document it lives in, if any")
    fields: list[FormField] = Field(default_factory=list)
    collects_pi: bool = Field(
        False, description="True when any field collects personal information"
    )
    pi_kinds: list[PIKind] = Field(default_factory=list, description="Kinds collected, sorted")
    screenshot: str | None = Field(None, description="Path of a screenshot of the form, if kept")


class Request(Model):
    """One request a page made, as the browser saw it."""

    url: str
    method: str = "GET"
    resource_type: str = Field("", description="document, script, image, xhr, fetch, ping, ...")
    status: int | None = Field(None, description="HTTP status, None when it failed")
    failure: str | None = Field(None, description="The network error, when it failed")
    third_party: bool = False
    initiator: str | None = Field(None, description="URL of the script that made it, if known")
    redirected_from: str | None = None
    post_data_size: int = 0
    content_type: str | None = Field(None, description="Content-Type of the request body")
    post_data: str | None = Field(
        None,
        description="The request body (whole within a per-page budget; base64 when binary); "
        "used by leak probes, redacted in reports",
    )
    post_data_base64: bool = Field(False, description="post_data is base64 of binary bytes")
    post_data_truncated: bool = Field(
        False, description="The body was cut at the page's body budget (8 MiB a page)"
    )
    headers: dict[str, str] = Field(default_factory=dict, description="Request headers sent")


class Cookie(Model):
    """A cookie a page's visit set or tried to set."""

    name: str
    value: str = Field("", description="The value; redacted in reports unless asked for")
    domain: str = ""
    path: str = "/"
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    expires: float | None = Field(None, description="Unix time; None for a session cookie")
    third_party: bool = False
    vendor: str | None = None
    set_by: str | None = Field(None, description="The response URL or script that set it")
    page_url: str | None = Field(None, description="The page on which it was first seen")
    stored: bool = Field(True, description="False when the browser blocked it")
    blocked_reasons: list[str] = Field(default_factory=list)


class Page(Model):
    """One crawled page and what its visit did."""

    url: str
    final_url: str | None = None
    status: int | None = None
    title: str = ""
    error: str | None = Field(None, description="Why the page could not be loaded, if it failed")
    depth: int = 0
    https: bool = False
    forms: list[Form] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list, description="In-scope links found on the page")
    requests: list[Request] = Field(default_factory=list)
    cookies: list[Cookie] = Field(default_factory=list)
    has_statement_link: bool = False
    statement_links: list[str] = Field(default_factory=list)
    mixed_content: list[str] = Field(
        default_factory=list, description="http:// subresources of an https page"
    )
    load_ms: int = 0
    local_storage: list[str] = Field(
        default_factory=list,
        description=(
            "Keys (never values) in localStorage after the visit, at most 200; keys of a frame "
            "from another origin are prefixed with that origin and a space"
        ),
    )
    session_storage: list[str] = Field(
        default_factory=list, description="Keys in sessionStorage, as local_storage"
    )
    popups: list[str] = Field(default_factory=list, description="Windows the page opened (closed)")
    dialogs: list[str] = Field(default_factory=list, description="Dialogs it raised (dismissed)")
    probe_values: dict[str, str] = Field(
        default_factory=dict,
        description="Canary values typed into personal-information fields (never submitted)",
    )
    leaks: list[dict[str, Any]] = Field(
        default_factory=list, description="Canary values found in requests that left the page"
    )


# ---------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------


class Beacon(Model):
    """A request that carries information about the visit to a third party."""

    url: str
    page_url: str
    vendor: str | None = None
    category: str | None = None
    kind: str = Field(description="pixel, sendbeacon, ping, analytics-endpoint, query-ids, ...")
    third_party: bool = True
    initiator: str | None = None
    params: dict[str, str] = Field(default_factory=dict, description="Decoded query/body values")


# ---------------------------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------------------------


class Certificate(Model):
    """The leaf certificate a host presented, and how it validated."""

    subject: str = ""
    issuer: str = ""
    san: list[str] = Field(default_factory=list)
    not_before: datetime | None = None
    not_after: datetime | None = None
    days_left: int | None = None
    key_type: str = ""
    key_size: int | None = None
    signature_algorithm: str = ""
    sha256: str = ""
    trusted: bool = False
    hostname_matches: bool = False
    self_signed: bool = False
    validation_errors: list[str] = Field(default_factory=list)


class TlsResult(Model):
    """What sslyze found on one host:port."""

    reachable: bool = True
    error: str | None = None
    protocols: dict[str, bool] = Field(
        default_factory=dict, description="SSL 2.0 ... TLS 1.3 -> accepted"
    )
    cipher_suites: dict[str, list[str]] = Field(
        default_factory=dict, description="Protocol -> accepted cipher suite names"
    )
    weak_cipher_suites: list[str] = Field(default_factory=list)
    certificate: Certificate | None = None
    profile: str = "intermediate"
    profile_version: str | None = None
    profile_compliant: bool | None = None
    profile_issues: list[str] = Field(default_factory=list)
    vulnerabilities: dict[str, bool] = Field(default_factory=dict)
    scan_seconds: float = 0.0


class HttpCheck(Model):
    """What httpx saw on a host over HTTP and HTTPS: redirects, HSTS and headers."""

    url: str
    http_url: str | None = None
    redirect_chain: list[str] = Field(default_factory=list)
    http_status: int | None = None
    redirects_to_https: bool | None = Field(
        None, description="None when nothing answered over plain HTTP"
    )
    hsts: str | None = Field(None, description="The Strict-Transport-Security header as received")
    hsts_max_age: int | None = None
    hsts_include_subdomains: bool = False
    hsts_preload: bool = False
    csp: str | None = None
    error: str | None = None


class HostSecurity(Model):
    """Transport security of one host:port."""

    host: str = Field(description="The host name, no port")
    port: int = 443
    address: str | None = Field(None, description="The address connected to, when --resolve'd")
    roles: list[str] = Field(
        default_factory=list, description="serves-pi-form, receives-pi-form, statement, start"
    )
    tls: TlsResult | None = None
    http: list[HttpCheck] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Statement
# ---------------------------------------------------------------------------------------------

ClaimKind = Literal[
    "transport-encryption",
    "no-third-party-sharing",
    "third-party-analytics",
    "web-beacons",
    "cookies",
    "cookie-control",
    "access-logs",
    "anonymous-analytics",
    "processors",
    "contact",
    "named-third-parties",
]


class Claim(Model):
    """A promise or disclosure the statement makes, with the sentence that makes it."""

    kind: ClaimKind
    polarity: Literal["affirms", "denies"] = "affirms"
    quote: str = Field(description="The sentence, as it stands in the statement's text")
    start: int = Field(description="Offset of the quote in Statement.text")
    end: int
    vendor: str | None = Field(None, description="For named-third-parties: the vendor named")


class Statement(Model):
    """The site's published privacy statement."""

    url: str
    sha256: str
    text: str
    language: str = "en"
    https: bool = True
    claims: list[Claim] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Findings and the result
# ---------------------------------------------------------------------------------------------


class ClaimRef(Model):
    """The claim a finding tests: present means contradiction."""

    kind: ClaimKind
    quote: str


class Finding(Model):
    """A place where the site does not keep its statement, or does not disclose what it does."""

    rule_id: str
    severity: Severity
    title: str
    message: str
    page_url: str | None = None
    host: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    claim: ClaimRef | None = None
    fingerprint: str = ""
    waived: bool = False
    waiver_reason: str | None = None


class ToolInfo(Model):
    """Versions of everything that produced the result."""

    name: str = "complyscan"
    version: str = ""
    chromium: str | None = None
    sslyze: str | None = None
    profile: str | None = None
    profile_version: str | None = None
    vendor_data_version: str | None = None


class Summary(Model):
    """Counts a reader (or a CI job) wants first."""

    pages: int = 0
    pages_failed: int = 0
    forms_collecting_pi: int = 0
    requests: int = 0
    third_party_requests: int = 0
    beacons: int = 0
    cookies: int = 0
    hosts: int = 0
    findings: dict[str, int] = Field(default_factory=dict, description="Severity -> count")
    gate: Literal["passed", "failed", "incomplete"] | None = None
    fail_on: str = "high"
    duration_seconds: float = 0.0


class ScanResult(Model):
    """Everything one scan gathered and concluded: report.json."""

    schema_version: int = SCHEMA_VERSION
    tool: ToolInfo = Field(default_factory=ToolInfo)
    target: str
    started_at: datetime
    finished_at: datetime | None = None
    complete: bool = False
    incomplete_reason: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    summary: Summary = Field(default_factory=Summary)
    pages: list[Page] = Field(default_factory=list)
    beacons: list[Beacon] = Field(default_factory=list)
    cookies: list[Cookie] = Field(default_factory=list)
    hosts: list[HostSecurity] = Field(default_factory=list)
    statement: Statement | None = None
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Traps cut off, limits reached")
    changes: dict[str, Any] | None = Field(
        None,
        description=(
            "What changed since the previous scan of the same site (from the history store): "
            "findings new and resolved by fingerprint, vendors and cookies added and removed, "
            "TLS changes per host, the statement's unified diff. Null when there was no "
            "previous scan. Shape: see `complyscan diff --json`"
        ),
    )
