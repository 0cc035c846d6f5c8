"""What the crawl observes on each page (forms, requests, cookies, leaks) and the beacons
the parties stage finds among them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scanner.consent.model import ConsentStateName
from scanner.model.base import BeaconKind, FormMethod, Model, PIKind, VendorCategory


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
    consent_state: ConsentStateName | None = None
    """None: seen by the main crawl; else the consent state it was first seen in (only there)."""


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
    consent_state: ConsentStateName | None = None
    """None: seen by the main crawl; else the consent state it was first seen in (only there)."""
