"""Name resolution (--resolve) and trust (--ca-bundle), shared by Chromium, sslyze and httpx.

`--resolve www.example.com:10.0.0.5` makes every part of a scan connect to that address while it
keeps using the real host name for SNI, Host and cookies; `*.example.com` matches any subdomain
(not the bare domain). The same rules feed Chromium's --host-resolver-rules, sslyze's
ServerNetworkLocation(ip_address=...) and httpx's connection, so the three can never disagree.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from scanner.urls import idna_host


class ResolveError(ValueError):
    """A --resolve rule that cannot be understood."""


@dataclass(frozen=True)
class ResolveRule:
    """One `PATTERN:ADDR` rule."""

    pattern: str
    """A host name, or `*.domain` for every subdomain of domain."""
    address: str
    """An IPv4 or IPv6 address."""

    @classmethod
    def parse(cls, text: str) -> ResolveRule:
        """Read `host:addr` or `*.domain:addr` (an IPv6 address may be bracketed)."""
        pattern, sep, address = text.strip().partition(":")
        if not sep or not pattern or not address:
            raise ResolveError(f"--resolve {text!r}: expected PATTERN:ADDRESS")
        address = address.strip("[]")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ResolveError(f"--resolve {text!r}: {address!r} is not an IP address") from None
        pattern = idna_host(pattern)
        body = pattern[2:] if pattern.startswith("*.") else pattern
        if not body or "*" in body or "/" in body or " " in body:
            raise ResolveError(f"--resolve {text!r}: {pattern!r} is not a host name or *.domain")
        return cls(pattern, address)

    def matches(self, host: str) -> bool:
        """True when this rule applies to `host`."""
        host = idna_host(host)
        if self.pattern.startswith("*."):
            return host.endswith(self.pattern[1:])
        return host == self.pattern

    def __str__(self) -> str:
        return f"{self.pattern}:{self.address}"


@dataclass(frozen=True)
class Resolver:
    """The scan's --resolve rules; the first rule that matches a host wins."""

    rules: tuple[ResolveRule, ...] = ()
    only_resolved: bool = False
    """When true, names no rule covers do not resolve at all (the demo and tests: no traffic
    may leave the machine)."""

    @classmethod
    def from_strings(cls, rules: list[str], only_resolved: bool = False) -> Resolver:
        """Parse a list of `PATTERN:ADDR` strings."""
        return cls(tuple(ResolveRule.parse(r) for r in rules), only_resolved)

    def lookup(self, host: str) -> str | None:
        """The address `host` must be reached at, or None to use ordinary DNS."""
        for rule in self.rules:
            if rule.matches(host):
                return rule.address
        return None

    def covers(self, host: str) -> bool:
        """True when a rule names this host (the user put its address in scope)."""
        return self.lookup(host) is not None

    def chromium_rules(self) -> str | None:
        """The value of Chromium's --host-resolver-rules, or None when there is nothing to map."""
        parts = [f"MAP {r.pattern} {_chromium_address(r.address)}" for r in self.rules]
        if self.only_resolved:
            parts.append("MAP * ~NOTFOUND")
        return ", ".join(parts) or None


def _chromium_address(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@dataclass(frozen=True)
class Trust:
    """Which certificate authorities the scan trusts: the system's, plus --ca-bundle."""

    ca_bundle: Path | None = None

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the system store and the bundle."""
        context = ssl.create_default_context(cafile=certifi.where())
        context.load_default_certs()
        if self.ca_bundle is not None:
            context.load_verify_locations(cafile=str(self.ca_bundle))
        return context

    def bundle_pems(self) -> list[bytes]:
        """Each certificate of the bundle, PEM-encoded (empty when there is no bundle)."""
        if self.ca_bundle is None:
            return []
        certificates = x509.load_pem_x509_certificates(self.ca_bundle.read_bytes())
        return [c.public_bytes(Encoding.PEM) for c in certificates]
