"""The one vocabulary every stage of a scan shares.

Each stage of design.md reads these models and adds to them; report.json is `ScanResult` dumped
to JSON, and its JSON Schema (`complyscan schema`) is a public, versioned contract: fields may be
added, never renamed or removed, without a new `SCHEMA_VERSION`. Every field is described by its
attribute docstring (or its Field description), which the schema carries; docs/report-format.md
says what changed between versions.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

SCHEMA_VERSION = 2
"""2: fingerprints v2 (plus fingerprint_v1), typed leaks, changes and closed vocabularies."""


class Model(BaseModel):
    """Base of every model: unknown fields are refused so that typos cannot pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_attribute_docstrings=True)


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

VendorCategory = Literal[
    "analytics",
    "advertising",
    "social",
    "tag-manager",
    "session-recording",
    "customer-support",
    "cdn",
    "consent",
    "video",
    "hosting",
    "utility",
    "other",
]
"""Our vendor categories (rules/vendors and complyscan.toml `[[vendors]]` use these)."""

BeaconKind = Literal[
    "pixel", "sendbeacon", "ping", "analytics-endpoint", "query-ids", "websocket", "data-upload"
]
"""How a beacon carries the visit: an image pixel, navigator.sendBeacon, an <a ping>, a known
analytics endpoint, identifiers in a third party's query string, messages over a WebSocket, or
any other body sent to another site."""

HostRole = Literal["start", "statement", "serves-pi-form", "receives-pi-form", "cert-error", "all"]
"""Why a host was TLS-scanned: the start URL's, the statement's, one serving or receiving a
personal-information form, one whose page failed with a certificate error, or every host (when
the scan is asked to scan all)."""

FailOn = Literal["critical", "high", "medium", "low", "none"]
"""A --fail-on threshold: findings at or above the severity fail the gate; none never fails."""

FindingStatus = Literal["new", "baselined", "waived"]
"""A finding as the gate saw it: new, already in the baseline, or accepted by a waiver."""


def _form_method(value: Any) -> Any:
    """A method the browser would not use (a hostile page's getter) submits as GET, as it would."""
    if isinstance(value, str):
        value = value.lower()
        return value if value in ("get", "post", "dialog", "script") else "get"
    return value


FormMethod = Annotated[Literal["get", "post", "dialog", "script"], BeforeValidator(_form_method)]
"""get, post or dialog as the form's method attribute resolves (lower-case); "script" for a
group of personal-information inputs outside any <form>, which only the page's scripts send."""


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
    method: FormMethod = "get"
    """get, post or dialog (lower-case); "script" for inputs outside any <form>, which only the
    page's scripts can send (their action is the page itself)."""
    selector: str = Field("", description="A CSS selector or description locating it on the page")
    frame_url: str | None = Field(None, description="The iframe document it lives in, if any")
    fields: list[FormField] = Field(default_factory=list)
    """Its inputs, in document order."""
    collects_pi: bool = Field(
        False, description="True when any field collects personal information"
    )
    pi_kinds: list[PIKind] = Field(default_factory=list, description="Kinds collected, sorted")
    screenshot: str | None = Field(None, description="Path of a screenshot of the form, if kept")


class Request(Model):
    """One request a page made, as the browser saw it."""

    url: str
    """The URL requested (as sent, query included)."""
    method: str = "GET"
    """The HTTP method, upper-case as sent."""
    resource_type: str = Field("", description="document, script, image, xhr, fetch, ping, ...")
    status: int | None = Field(None, description="HTTP status, None when it failed")
    failure: str | None = Field(None, description="The network error, when it failed")
    third_party: bool = False
    """True when the request went to another site than the scanned one."""
    initiator: str | None = Field(None, description="URL of the script that made it, if known")
    redirected_from: str | None = None
    """The URL whose redirect led here, if any."""
    post_data_size: int = 0
    """Size in bytes of the request body (0 without one)."""
    content_type: str | None = Field(None, description="Content-Type of the request body")
    post_data: str | None = Field(
        None, description="The request body (truncated); used by leak probes, redacted in reports"
    )
    headers: dict[str, str] = Field(default_factory=dict, description="Request headers sent")


class Cookie(Model):
    """A cookie a page's visit set or tried to set."""

    name: str
    """The cookie's name."""
    value: str = Field("", description="The value; redacted in reports unless asked for")
    domain: str = ""
    """The Domain it was set for (a leading dot: the domain and its subdomains)."""
    path: str = "/"
    """The Path it was set for."""
    secure: bool = False
    """True when it has the Secure attribute (sent over HTTPS only)."""
    http_only: bool = False
    """True when it has the HttpOnly attribute (hidden from scripts)."""
    same_site: str | None = None
    """The SameSite attribute as sent, capitalised (Strict, Lax, None), or None when absent."""
    expires: float | None = Field(None, description="Unix time; None for a session cookie")
    third_party: bool = False
    """True when the cookie's domain belongs to another site than the scanned one."""
    vendor: str | None = None
    """The vendor it belongs to, when one is known (how: vendor_source)."""
    set_by: str | None = Field(None, description="The response URL or script that set it")
    page_url: str | None = Field(None, description="The page on which it was first seen")
    stored: bool = Field(True, description="False when the browser blocked it")
    blocked_reasons: list[str] = Field(default_factory=list)
    """Why the browser blocked it (Chromium's reasons, e.g. ThirdPartyPhaseout); else empty."""
    vendor_source: Literal["domain", "script", "name", "shared"] | None = Field(
        None,
        description="How `vendor` was decided: the cookie's domain, the vendor script that "
        "wrote it, a cookie name the vendor's SDK uses, or its value sent to the vendor",
    )
    shared_with: list[str] = Field(
        default_factory=list,
        description="Third parties whose endpoints received this first-party cookie's value "
        "(an identifier shared with them) on the page",
    )


class Leak(Model):
    """A canary typed into a form (or an e-mail address) found in a request that left the page."""

    kind: PIKind = Field(description="The kind of personal information that leaked")
    encoding: str = Field(
        description="How it was written: plain, url-encoded, url-encoded-plus, base64, sha256, ..."
    )
    where: str = Field(description="url, body, or header:<name> (lower-case), e.g. header:referer")
    request_url: str = Field(description="The request that carried it")
    third_party: bool = Field(description="True when the request went to a third party")
    method: str = Field("GET", description="The request's HTTP method")
    initiator: str | None = Field(None, description="URL of the script that made it, if known")
    decoded: str = Field(
        "",
        description="How the body was unwrapped before the value was found "
        '("base64, gzip"); empty when it was seen as sent',
    )


class Page(Model):
    """One crawled page and what its visit did."""

    url: str
    """The URL visited (canonical crawl form)."""
    final_url: str | None = None
    """Where the visit ended after redirects; None when it did not load."""
    status: int | None = None
    """The HTTP status of the main document; None when it did not load."""
    title: str = ""
    """The document's title."""
    error: str | None = Field(None, description="Why the page could not be loaded, if it failed")
    unread: str | None = Field(
        None,
        description=(
            "Why the page could not be read in time (no answer, a script that never yields, too "
            "big to read, a crashed renderer): its forms and links are unknown"
        ),
    )
    depth: int = 0
    """Links followed from the start URL (0 for the start URL, 1 for a sitemap's pages)."""
    https: bool = False
    """True when the final URL is https."""
    forms: list[Form] = Field(default_factory=list)
    """Forms (and groups of inputs outside any form) on the page and its frames."""
    links: list[str] = Field(default_factory=list, description="In-scope links found on the page")
    requests: list[Request] = Field(default_factory=list)
    """Every request the page made while it was visited."""
    cookies: list[Cookie] = Field(default_factory=list)
    """Cookies the visit set or tried to set."""
    has_statement_link: bool = False
    """True when the page links to something that looks like a privacy statement."""
    statement_links: list[str] = Field(default_factory=list)
    """The links that look like a privacy statement."""
    mixed_content: list[str] = Field(
        default_factory=list, description="http:// subresources of an https page"
    )
    load_ms: int = 0
    """Milliseconds from navigation to the page settling."""
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
    leaks: list[Leak] = Field(
        default_factory=list, description="Canary values found in requests that left the page"
    )


# ---------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------


class Beacon(Model):
    """A request that carries information about the visit to a third party."""

    url: str
    """The request's URL."""
    page_url: str
    """The page whose visit sent it."""
    vendor: str | None = None
    """The vendor the host belongs to, when the vendor data names one (for a recipient no
    vendor data knows: "unknown recipient <site>", see vendor_source)."""
    category: VendorCategory | None = None
    """The vendor's category; None when no vendor is known."""
    kind: BeaconKind = Field(
        description="pixel, sendbeacon, ping, analytics-endpoint, query-ids, websocket, data-upload"
    )
    third_party: bool = True
    """Always true today: first-party requests are not beacons."""
    initiator: str | None = None
    """URL of the script that sent it, if known."""
    params: dict[str, str] = Field(default_factory=dict, description="Decoded query/body values")
    vendor_source: Literal["destination", "initiator", "unknown"] | None = Field(
        None,
        description="How `vendor` was decided: the destination host's vendor, the sending "
        "script's vendor, or neither (vendor is then 'unknown recipient <site>')",
    )


# ---------------------------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------------------------


class Certificate(Model):
    """The leaf certificate a host presented, and how it validated."""

    subject: str = ""
    """The subject, as an RFC 4514 string."""
    issuer: str = ""
    """The issuer, as an RFC 4514 string."""
    san: list[str] = Field(default_factory=list)
    """Subject alternative names (DNS names and IP addresses)."""
    not_before: datetime | None = None
    """Start of validity (UTC)."""
    not_after: datetime | None = None
    """End of validity (UTC)."""
    days_left: int | None = None
    """Whole days until not_after, rounded down: negative once expired."""
    key_type: str = ""
    """RSA, EC (with its curve), Ed25519, ..."""
    key_size: int | None = None
    """Key size in bits."""
    signature_algorithm: str = ""
    """The signature algorithm's name, e.g. ecdsa-with-SHA256."""
    sha256: str = ""
    """SHA-256 fingerprint of the certificate, hex."""
    trusted: bool = False
    """True when the chain validated against a trust store (system, Mozilla, --ca-bundle)."""
    hostname_matches: bool = False
    """True when a SAN covers the host scanned."""
    self_signed: bool = False
    """True when the leaf signed itself."""
    validation_errors: list[str] = Field(default_factory=list)
    """Every reason it failed: expired, not yet valid, hostname mismatch, self-signed, untrusted
    root, incomplete chain (or the verifier's words for anything else); empty when trusted."""


class TlsResult(Model):
    """What sslyze found on one host:port."""

    reachable: bool = True
    """False when no TLS handshake could be made (see error)."""
    error: str | None = None
    """Why the host could not be scanned, when it could not."""
    protocols: dict[str, bool] = Field(
        default_factory=dict, description="SSL 2.0 ... TLS 1.3 -> accepted"
    )
    cipher_suites: dict[str, list[str]] = Field(
        default_factory=dict, description="Protocol -> accepted cipher suite names"
    )
    weak_cipher_suites: list[str] = Field(default_factory=list)
    """Accepted suites that are NULL, EXPORT, RC4, 3DES, anonymous or without forward secrecy."""
    certificate: Certificate | None = None
    """The leaf certificate, when one was received."""
    profile: Literal["modern", "intermediate", "old"] = "intermediate"
    """The Mozilla TLS profile the host was checked against."""
    profile_version: str | None = None
    """The version of Mozilla's profiles the installed sslyze ships."""
    profile_compliant: bool | None = None
    """True or false against the profile; None when it could not be checked."""
    profile_issues: list[str] = Field(default_factory=list)
    """What the profile check found wrong, one line each."""
    vulnerabilities: dict[str, bool] = Field(default_factory=dict)
    """Known attacks sslyze tests (heartbleed, robot, ccs_injection, ...) -> vulnerable."""
    scan_seconds: float = 0.0
    """How long sslyze took."""


class HttpCheck(Model):
    """What httpx saw on a host over HTTP and HTTPS: redirects, HSTS and headers."""

    url: str
    """The https:// URL checked."""
    http_url: str | None = None
    """Its http:// form, tried to see whether it redirects to https."""
    redirect_chain: list[str] = Field(default_factory=list)
    """The URLs the http:// form led through."""
    http_status: int | None = None
    """The status the http:// form answered with; None when nothing answered."""
    redirects_to_https: bool | None = Field(
        None, description="None when nothing answered over plain HTTP"
    )
    hsts: str | None = Field(None, description="The Strict-Transport-Security header as received")
    hsts_max_age: int | None = None
    """HSTS max-age in seconds, when the header parsed."""
    hsts_include_subdomains: bool = False
    """True when HSTS has includeSubDomains."""
    hsts_preload: bool = False
    """True when HSTS has preload."""
    csp: str | None = None
    """The Content-Security-Policy header as received."""
    error: str | None = None
    """Why the check could not be made, when it could not."""


class HostSecurity(Model):
    """Transport security of one host:port."""

    host: str = Field(description="The host name, no port")
    port: int = 443
    """The TCP port scanned."""
    address: str | None = Field(None, description="The address connected to, when --resolve'd")
    roles: list[HostRole] = Field(default_factory=list)
    """Why it was scanned: start, statement, serves-pi-form, receives-pi-form, cert-error, all."""
    tls: TlsResult | None = None
    """What sslyze found; None when not scanned."""
    http: list[HttpCheck] = Field(default_factory=list)
    """HTTP checks of the host's pages (one per page that collects personal information)."""
    refused: str | None = None
    """Why the network policy kept every scan away from this host, if it did."""


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
"""What a statement's sentence can promise or disclose (patterns in rules/claims/<lang>.yaml)."""


class Claim(Model):
    """A promise or disclosure the statement makes, with the sentence that makes it."""

    kind: ClaimKind
    """What it promises or discloses."""
    polarity: Literal["affirms", "denies"] = "affirms"
    """affirms ("we use TLS") or denies ("we do not use cookies")."""
    quote: str = Field(description="The sentence, as it stands in the statement's text")
    start: int = Field(description="Offset of the quote in Statement.text")
    end: int
    """Offset just past the quote in Statement.text."""
    vendor: str | None = Field(None, description="For named-third-parties: the vendor named")
    document: str | None = Field(
        None,
        description=(
            "URL of the document that makes the claim (one of Statement.documents); start and "
            "end are offsets into that document's text. None: Statement.url"
        ),
    )


CookieCategory = Literal["necessary", "functional", "analytics", "advertising"]


class DeclaredCookie(Model):
    """One cookie as the site's cookie declaration (a cookie policy's table) describes it."""

    name: str = Field(description="As declared; may hold a wildcard: _ga_*, _ga_<container-id>")
    provider: str | None = Field(None, description="Who sets it, as declared")
    purpose: str | None = None
    """The declared purpose, as worded."""
    category: CookieCategory | None = Field(
        None, description="The declared category (or the heading it is listed under), normalised"
    )
    category_text: str | None = Field(None, description="The category as the site words it")
    duration: str | None = Field(None, description="The declared duration or expiry, as worded")
    max_age_seconds: int | None = Field(
        None, description="The declared duration in seconds; 0 for a session cookie"
    )
    document_url: str = Field(description="The document whose table declares it")


class StatementDocument(Model):
    """One document of the statement: the privacy policy, or a cookie policy beside it."""

    url: str
    """Where it was read (after redirects)."""
    sha256: str = Field(description="SHA-256 of `text`; statement-changed compares it per URL")
    kind: Literal["privacy-policy", "cookie-policy"] = "privacy-policy"
    """Which document of the statement this is."""
    language: str = "en"
    """The language its claims were read in (en, ja)."""
    https: bool = True
    """True when it was served over HTTPS."""
    text: str = ""
    """Its plain text; claims citing it have offsets into it."""


class Statement(Model):
    """The site's published privacy statement.

    url, sha256 and text are the privacy policy's (as in every schema_version 1 report);
    `documents` lists it and, when the site has one, its cookie policy, and `claims` holds the
    claims of every document (Claim.document says which).
    """

    url: str
    """Where it was read (after redirects)."""
    sha256: str
    """SHA-256 of its text, hex: a changed hash is a changed statement."""
    text: str
    """Its plain text (navigation and footers dropped); claims' offsets point into it."""
    language: str = "en"
    """The language its claims were read in (en, ja)."""
    https: bool = True
    """True when it was served over HTTPS."""
    claims: list[Claim] = Field(default_factory=list)
    """Every claim it makes, in text order."""
    documents: list[StatementDocument] = Field(
        default_factory=list, description="The privacy policy, then a cookie policy if found"
    )
    cookies_declared: list[DeclaredCookie] = Field(
        default_factory=list,
        description="The cookie declaration read from the documents' cookie tables",
    )


# ---------------------------------------------------------------------------------------------
# Findings and the result
# ---------------------------------------------------------------------------------------------


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
    changes: Changes | None = None
    """What changed since the previous scan of the same site (from the history store); null when
    there was no previous scan. `complyscan diff --json` prints the same shape."""
