"""What a scan may visit: URL normalisation and the crawl scope.

Scope decides what is crawled; first party (scanner.parties.domains.FirstParty) decides how a
request is classified. The two are configured separately: a site's CDN can be first party
without being crawled.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from scanner.parties.domains import registrable_domain

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")


def _normalise_escapes(part: str, safe: str) -> str:
    """Upper-case percent escapes and decode those of unreserved characters (RFC 3986 6.2.2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if char.isascii() and (char.isalnum() or char in "-._~"):
            return char
        return "%" + match.group(1).upper()

    return quote(_UNRESERVED.sub(fix, part), safe=safe + "%")


def normalise_url(url: str) -> str:
    """The canonical form of an http(s) URL, so that one page is visited once.

    Scheme and host lower-case, default port dropped, fragment dropped, empty path made "/",
    percent-encoding normalised.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = _normalise_escapes(parts.path or "/", safe="/:@!$&'()*+,;=")
    query = _normalise_escapes(parts.query, safe="/?:@!$&'()*+,;=")
    return urlunsplit((scheme, netloc, path, query, ""))


def host_port(url: str) -> tuple[str, int]:
    """(host, port) of a URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 443)
    return (parts.hostname or "").lower(), port


def is_private_address(host: str) -> bool:
    """True for a literal loopback, private, link-local or otherwise non-public address."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.lower() in ("localhost",) or host.lower().endswith(".localhost")
    return not address.is_global


@dataclass(frozen=True)
class Scope:
    """Which URLs a crawl may visit: host patterns and path prefixes, included and excluded."""

    hosts: tuple[str, ...]
    """Host patterns (fnmatch): `www.example.com`, `*.example.com`."""
    exclude_hosts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    """Path prefixes to include; empty means every path."""
    exclude_paths: tuple[str, ...] = ()
    allow_private: tuple[str, ...] = field(default=())
    """Hosts the user put in scope although they are private addresses."""

    @classmethod
    def for_start_url(
        cls,
        start_url: str,
        *,
        hosts: list[str] | None = None,
        exclude_hosts: list[str] | None = None,
        paths: list[str] | None = None,
        exclude_paths: list[str] | None = None,
    ) -> Scope:
        """The default scope: the start URL's registrable domain and all its subdomains."""
        host = (urlsplit(start_url).hostname or "").lower()
        if not hosts:
            site = registrable_domain(host)
            hosts = [site, f"*.{site}"] if site != host or "." in host else [host]
        return cls(
            hosts=tuple(h.lower() for h in hosts),
            exclude_hosts=tuple(h.lower() for h in exclude_hosts or ()),
            paths=tuple(paths or ()),
            exclude_paths=tuple(exclude_paths or ()),
        )

    def host_in_scope(self, host: str) -> bool:
        """True when the host matches an include pattern and no exclude pattern."""
        host = host.lower().rstrip(".")
        if any(fnmatch.fnmatchcase(host, p) for p in self.exclude_hosts):
            return False
        return any(fnmatch.fnmatchcase(host, p) for p in self.hosts)

    def contains(self, url: str) -> bool:
        """True when the crawl may visit `url`."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        if not self.host_in_scope(parts.hostname or ""):
            return False
        path = unquote(parts.path or "/")
        if any(path.startswith(p) for p in self.exclude_paths):
            return False
        return not self.paths or any(path.startswith(p) for p in self.paths)
