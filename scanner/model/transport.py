"""What the transport stage finds about each host: TLS (sslyze) and HTTP (HSTS, redirects)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from scanner.model.base import HostRole, Model


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
