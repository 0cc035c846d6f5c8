"""The one network policy: which hosts a scan may reach on a site's behalf, and at which address.

Every request the tool makes because a site named a URL (the statement and cookie policy,
robots.txt, sitemaps, the HTTP checks, each redirect of any of them, and the TLS scans) asks
`NetPolicy.admit` first, and connects to the address the answer names: the name is resolved once
here, checked, and the checked address is the one used (no second lookup, so no DNS-rebinding
window). The browser applies the same rule through its resolver rules and its address guard
(scanner/browser/crawler.py, scanner/browser/workers.py, guard.js).

The rule (docs/security.md):

- a host a `--resolve` rule covers goes to that rule's address, whatever it is: the user put it
  in scope;
- any other host must be in the crawl scope (TLS scans may also look at public hosts outside it:
  the hosts that receive a personal-information form);
- an address that is not public (private, loopback, link-local, CGNAT 100.64/10, multicast,
  reserved, unspecified; IPv4, IPv6, IPv4-mapped and the other IPv6 forms that embed an IPv4
  address; decimal, octal and hex integer spellings), written in the URL or resolved from a
  name, is refused unless the user named that very host: the start URL's host, a scope host
  written without a wildcard, an `allow_private` host, or a `--resolve` address. A wildcard
  (`*.example.com`) never admits a private address: the site's own DNS could point any
  subdomain at the runner's network.

Refusals are recorded (`NetPolicy.refused`) so the report can say what was not fetched and why.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scanner.net import Resolver
from scanner.scope import Scope
from scanner.urls import host_is_valid as host_is_valid
from scanner.urls import idna_host

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
MAX_REFUSALS_KEPT = 200
"""Refused fetches kept for the report (a hostile page can ask for thousands)."""


class PolicyRefused(Exception):
    """A URL the policy does not let the scan reach; the message says why."""


@dataclass(frozen=True)
class Admission:
    """Where a URL may be fetched: its host name and the checked address to connect to."""

    host: str
    """The host, lower-case, IDNA (punycode), no trailing dot: the name for SNI and Host."""
    address: str
    """The address to connect to (already checked)."""


@dataclass(frozen=True)
class Refusal:
    """One fetch the policy refused."""

    url: str
    purpose: str
    """What the fetch was for: statement, robots, sitemap, http-check, tls, ..."""
    reason: str


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, or None for a name.

    Accepts what browsers and `inet_aton` accept: `[::1]`, `127.0.0.1`, `2130706433`,
    `0x7f.1`, `0177.0.0.1`, `127.1`, with or without a trailing dot.
    """
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        try:
            if part.startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part, 8))
            else:
                numbers.append(int(part, 10))
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def is_public_address(address: IPAddress) -> bool:
    """True only for a globally routable unicast address (embedded IPv4 forms looked through)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return is_public_address(embedded)
        if address.is_site_local or address in _SIX_TO_FOUR:
            return False
    elif address in _CGNAT:
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


@dataclass
class NetPolicy:
    """The scan's policy: its --resolve rules, its scope and the start URL's host."""

    resolver: Resolver
    scope: Scope | None = None
    """None: no crawl scope (a lone `complyscan statement URL`): the URL's own host is in scope."""
    named_hosts: frozenset[str] = frozenset()
    """Hosts the user named (start URL, --statement-url): may be private addresses."""
    refused: list[Refusal] = field(default_factory=list)

    @classmethod
    def for_scan(
        cls,
        resolver: Resolver,
        scope: Scope | None,
        *urls: str | None,
        hosts: Iterable[str] = (),
    ) -> NetPolicy:
        """The policy of a scan whose user named these URLs (start URL, statement URL) and
        these scope hosts (`[scope] hosts`; a wildcard entry names no host)."""
        named = {idna_host(urlsplit(u).hostname or "") for u in urls if u}
        named |= {idna_host(h) for h in hosts if not any(c in h for c in "*?[")}
        return cls(resolver, scope, frozenset(h for h in named if h))

    # -- decisions ---------------------------------------------------------------------------

    def user_named(self, host: str) -> bool:
        """True when the user put this very host in scope (so it may be a private address)."""
        host = idna_host(host)
        if self.resolver.covers(host):
            return True
        named = self._named()
        if host in named:
            return True
        literal = parse_ip_literal(host)
        if literal is None:
            return False
        literals = {parse_ip_literal(h) for h in named}
        literals |= {parse_ip_literal(r.address) for r in self.resolver.rules}
        return literal in literals

    def _named(self) -> set[str]:
        """The hosts the user named: `named_hosts` and the scope's allow_private."""
        named = set(self.named_hosts)
        if self.scope is not None:
            named |= {idna_host(h) for h in self.scope.allow_private}
        return named

    def in_scope(self, host: str) -> bool:
        """True when the host is in the crawl scope (or the user named it)."""
        host = idna_host(host)
        if self.resolver.covers(host) or self.user_named(host):
            return True
        return self.scope is not None and self.scope.host_in_scope(host)

    def address_allowed(self, host: str, address: IPAddress) -> bool:
        """True when `host` may be reached at `address`."""
        return is_public_address(address) or self.user_named(host)

    def decide(self, url: str, *, outside_scope: bool = False) -> str | None:
        """Why `url` is refused before any lookup, or None when it may go on to resolution.

        `outside_scope` lets a public host outside the scope through (TLS scans of the hosts
        that receive a form); private addresses are refused all the same.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return f"{parts.scheme or 'no'} scheme"
        host = idna_host(parts.hostname or "")
        if not host:
            return "no host"
        if not host_is_valid(host):
            return f"{host!r} is not a valid host name"
        if self.resolver.covers(host):
            return None
        literal = parse_ip_literal(host)
        if literal is not None and not self.address_allowed(host, literal):
            return f"{host} is a non-public address ({literal}) the user did not put in scope"
        if not outside_scope and not self.in_scope(host):
            return f"{host} is outside the scan's scope"
        if literal is None and self.resolver.only_resolved:
            return f"no --resolve rule covers {host}, so it is not looked up"
        return None

    async def admit(self, url: str, purpose: str, *, outside_scope: bool = False) -> Admission:
        """Check `url`, resolve its host once, check every address; raise PolicyRefused.

        The Admission's address is the one to connect to. A name that does not resolve raises
        ConnectionError (that is no refusal: there is nothing to reach).
        """
        host, fixed = self._before_lookup(url, purpose, outside_scope)
        if fixed is not None:
            return fixed
        try:
            addresses = await _lookup(host)
        except OSError as exc:
            raise ConnectionError(f"{url}: cannot resolve {host} ({exc})") from None
        return self._checked(url, purpose, host, addresses)

    def admit_blocking(self, url: str, purpose: str, *, outside_scope: bool = False) -> Admission:
        """`admit` for a worker thread (the TLS scans): the same checks, a blocking lookup."""
        host, fixed = self._before_lookup(url, purpose, outside_scope)
        if fixed is not None:
            return fixed
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ConnectionError(f"{url}: cannot resolve {host} ({exc})") from None
        return self._checked(url, purpose, host, _addresses(infos))

    def _before_lookup(
        self, url: str, purpose: str, outside_scope: bool
    ) -> tuple[str, Admission | None]:
        """(host, its admission when no lookup is needed); raises PolicyRefused."""
        reason = self.decide(url, outside_scope=outside_scope)
        if reason is not None:
            self.record(url, purpose, reason)
            raise PolicyRefused(f"{url}: refused by the network policy: {reason}")
        host = idna_host(urlsplit(url).hostname or "")
        fixed = self._fixed_address(host)
        return host, None if fixed is None else Admission(host, fixed)

    def _fixed_address(self, host: str) -> str | None:
        """The address a host needs no lookup for: its --resolve address, or itself."""
        address = self.resolver.lookup(host)
        if address is not None:
            return address
        literal = parse_ip_literal(host)
        return None if literal is None else str(literal)

    def _checked(self, url: str, purpose: str, host: str, addresses: list[IPAddress]) -> Admission:
        # Every address the name has must pass: a site could list a public and a private one.
        bad = [a for a in addresses if not self.address_allowed(host, a)]
        if addresses and not bad:
            return Admission(host, str(addresses[0]))
        reason = (
            f"{host} resolves to a non-public address ({bad[0]}) the user did not put in scope"
            if bad
            else f"{host} resolves to no address"
        )
        self.record(url, purpose, reason)
        raise PolicyRefused(f"{url}: refused by the network policy: {reason}")

    def chromium_rules(self) -> str | None:
        """Chromium's --host-resolver-rules: the --resolve rules, then every non-public address
        refused at the browser's resolver, so that no context (page, frame, dedicated, shared
        or service worker, WebSocket) can reach one, whatever script runs there.

        Chromium applies the first rule that matches, to IP literals too (after it has
        canonicalised `0x7f.1` to `127.0.0.1`); an address the user put in scope is mapped to
        itself first. The patterns are wildcards over the host text: a name whose first label
        is such a number (`10.example.com`) is refused too, which no real site relies on.
        """
        rules = [f"MAP {r.pattern} {_chromium_address(r.address)}" for r in self.resolver.rules]
        named = self._named()
        if not self.resolver.only_resolved:
            # A name the user gave (`http://localhost:8000/`) goes to the system resolver.
            rules += [
                f"EXCLUDE {h}"
                for h in sorted(named)
                if parse_ip_literal(h) is None and not self.resolver.covers(h)
            ]
        allowed = {str(a) for a in map(parse_ip_literal, named) if a is not None}
        allowed |= {str(parse_ip_literal(r.address)) for r in self.resolver.rules}
        rules += [f"MAP {a} {_chromium_address(a)}" for a in sorted(allowed)]
        rules += [f"MAP {pattern} ~NOTFOUND" for pattern in CHROMIUM_REFUSED]
        if self.resolver.only_resolved:
            rules.append("MAP * ~NOTFOUND")
        return ", ".join(rules)

    def record(self, url: str, purpose: str, reason: str) -> None:
        """Note a refused fetch (once per URL and purpose, at most MAX_REFUSALS_KEPT)."""
        refusal = Refusal(url[:2000], purpose, reason)
        if refusal not in self.refused and len(self.refused) < MAX_REFUSALS_KEPT:
            self.refused.append(refusal)

    def notes(self) -> list[str]:
        """One report note per refused fetch."""
        return [
            f"Not fetched ({r.purpose}, network policy): {r.url}: {r.reason}" for r in self.refused
        ]


CHROMIUM_REFUSED = (
    "localhost",
    "*.localhost",
    "0.*",
    "10.*",
    "127.*",
    "169.254.*",
    "192.168.*",
    "192.0.0.*",
    "198.18.*",
    "198.19.*",
    *(f"172.{n}.*" for n in range(16, 32)),
    *(f"100.{n}.*" for n in range(64, 128)),
    *(f"{n}.*" for n in range(224, 256)),
    "::",
    "::1",
    "::ffff:*",
    "64:ff9b:*",
    "2002:*",
    *(f"{prefix}*:*" for prefix in ("fc", "fd", "fe8", "fe9", "fea", "feb", "fec", "fed", "fee")),
    "fef*:*",
    "ff*:*",
)
"""Host patterns Chromium's resolver refuses: every non-public IPv4 and IPv6 range (the IPv6
ones contain a colon, so they never match a name)."""


def _chromium_address(address: str) -> str:
    return f"[{address}]" if ":" in address else address


async def _lookup(host: str) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (TCP), in its order."""
    loop = asyncio.get_running_loop()
    return _addresses(await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM))


def _addresses(infos: list[tuple[Any, ...]]) -> list[IPAddress]:
    seen: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen
