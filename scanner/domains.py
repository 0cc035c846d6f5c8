"""Which site a host belongs to, and whether it is the scanned site (first party) or another.

A *site* is a registrable domain (eTLD+1) under the Public Suffix List, private suffixes included:
`a.github.io` and `b.github.io` are two sites, as browsers treat them. The list is the snapshot
bundled with `publicsuffixlist`, so nothing is fetched. Hosts the list cannot place are decided
here: an IP address or a single-label host (`localhost`) is its own site, and under a TLD the list
does not know (`.test`, `.example`, `.internal`) the last two labels are the site, so
`a.shop.test` and `b.shop.test` are one site and `cdn.other.test` is another.

These functions run once per request of a crawl, so their answers are cached.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    """The Public Suffix List, parsed on first use: 0.1 s that `complyscan statement` saves."""
    return PublicSuffixList(accept_unknown=False)


_CACHE_SIZE = 65536

# `scheme:` not followed by a port number (`localhost:8080` is a host and port, not a scheme).
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)")


def host_of(url_or_host: str) -> str:
    """The host of a URL (or of a bare host name), lower-case, without port, brackets or final dot.

    `https://WWW.Example.com:8443/x` -> `www.example.com`; `[::1]:80` -> `::1`; `example.com` ->
    `example.com`. An empty string when there is no host (`about:blank`, `data:` URLs).
    """
    return _host_of(url_or_host)


@lru_cache(maxsize=_CACHE_SIZE)
def _host_of(text: str) -> str:
    text = text.strip()
    if text.count(":") > 1 and not text.startswith("[") and is_ip_address(text):
        return _normalise_host(text)  # a bare IPv6 address
    scheme = _SCHEME.match(text)
    if scheme and not text.startswith("//", scheme.end()):
        # data:, about:, javascript:, mailto: have no host; blob: wraps its creator's origin.
        return _host_of(text[scheme.end() :]) if scheme[1].lower() == "blob" else ""
    if not scheme and not text.startswith("//"):
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return ""
    return _normalise_host(host or "")


def _normalise_host(host: str) -> str:
    host = host.strip().strip("[]").rstrip(".").lower()
    if host and not host.isascii():
        # An unencodable name keeps its Unicode form: still a stable key, if not a DNS name.
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


def is_public_suffix(domain: str) -> bool:
    """True for a public suffix (`com`, `co.uk`, `github.io`) or a one-label name (`test`):
    a cookie Domain browsers refuse (unless it is the host itself)."""
    domain = domain.strip().lstrip(".").rstrip(".").lower()
    if not domain or is_ip_address(domain):
        return False
    return "." not in domain or bool(_psl().is_public(domain))


def is_ip_address(host: str) -> bool:
    """True for an IPv4 or IPv6 address (brackets and zone index allowed)."""
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


@lru_cache(maxsize=_CACHE_SIZE)
def registrable_domain(host: str) -> str:
    """The site (eTLD+1) that `host` belongs to; see the module docstring for the special cases.

    A URL is accepted too. A host that is itself a public suffix (`github.io`) is its own site.
    """
    host = host_of(host)
    if not host or is_ip_address(host) or "." not in host:
        return host
    labels = host.split(".")
    if _psl().publicsuffix(host) is None:
        # A TLD the list does not know (.test, .example, .local, .internal): last two labels.
        return ".".join(labels[-2:])
    site = _psl().privatesuffix(host)
    return site if site is not None else host


def same_site(a: str, b: str) -> bool:
    """True when two hosts or URLs belong to the same registrable domain."""
    return registrable_domain(a) == registrable_domain(b)


class FirstParty:
    """The scanned site: the start URL's registrable domain plus domains configured as ours.

    A configured entry is a host, a URL or `*.domain`; it makes that domain and its subdomains
    first party without pulling in the rest of its site, so configuring `shop-cdn.cloudfront.net`
    does not make every CloudFront customer first party. A configured registrable domain
    (`example-cdn.com`) covers all of its hosts.
    """

    def __init__(self, start_url: str, domains: Iterable[str] = ()) -> None:
        self.start_host = host_of(start_url)
        self.site = registrable_domain(self.start_host)
        suffixes = {self.site} if self.site else set()
        for entry in domains:
            entry = entry.strip()
            entry = entry[2:] if entry.startswith("*.") else entry
            host = host_of(entry)
            if host:
                suffixes.add(host)
        self.domains: frozenset[str] = frozenset(suffixes)
        """The hosts whose subdomains (and themselves) are first party."""
        self._cache: dict[str, bool] = {}

    def is_first_party(self, url_or_host: str) -> bool:
        """True when the URL's (or host's) site is the scanned site or a configured domain."""
        known = self._cache.get(url_or_host)
        if known is None:
            known = self._decide(host_of(url_or_host))
            if len(self._cache) < _CACHE_SIZE:
                self._cache[url_or_host] = known
        return known

    def is_third_party(self, url_or_host: str) -> bool:
        """The opposite of is_first_party, for hosts that have one (`data:` URLs have none)."""
        host = host_of(url_or_host)
        return bool(host) and not self.is_first_party(host)

    def _decide(self, host: str) -> bool:
        if not host:
            return True  # data:, blob:, about: — nothing leaves the page
        if registrable_domain(host) in self.domains:
            return True
        labels = host.split(".")
        return any(".".join(labels[i:]) in self.domains for i in range(len(labels)))

    def __repr__(self) -> str:
        return f"FirstParty({sorted(self.domains)!r})"
