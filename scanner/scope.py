"""What a scan may visit: the crawl scope (URLs are canonicalised by scanner.urls).

Scope decides what is crawled; first party (scanner.parties.domains.FirstParty) decides how a
request is classified. The two are configured separately: a site's CDN can be first party
without being crawled.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from scanner.domains import registrable_domain
from scanner.urls import SESSION_PARAMS as SESSION_PARAMS
from scanner.urls import canonical_url
from scanner.urls import host_port as host_port
from scanner.urls import idna_host as idna_host


def normalise_url(url: str) -> str:
    """The canonical form of an http(s) URL, so that one page is visited once (crawl mode)."""
    return canonical_url(url, "crawl")


def is_private_address(host: str) -> bool:
    """True for a literal loopback, private, link-local or otherwise non-public address."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")
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
        host = idna_host(urlsplit(start_url).hostname or "")
        if not hosts:
            site = registrable_domain(host)
            hosts = [site, f"*.{site}"] if site != host or "." in host else [host]
        return cls(
            hosts=tuple(idna_host(h) for h in hosts),
            exclude_hosts=tuple(idna_host(h) for h in exclude_hosts or ()),
            paths=tuple(paths or ()),
            exclude_paths=tuple(exclude_paths or ()),
        )

    def host_in_scope(self, host: str) -> bool:
        """True when the host matches an include pattern and no exclude pattern."""
        host = idna_host(host)
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


# -- crawl traps ------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")
_TOKEN = re.compile(r"(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,}")
MAX_SEGMENT_REPEATS = 3
"""A path whose one segment repeats more often than this (`/a/a/a/a/`) is a trap."""
MAX_PATH_SEGMENTS = 30


def url_pattern(url: str) -> str:
    """The template of a URL: numbers (so dates too) become N, long tokens T, and the query's
    parameters are sorted. `/cal?date=2024-01-05` and `/cal?date=2031-12-30` share one."""

    def template(text: str) -> str:
        return _NUMBER.sub("N", _TOKEN.sub("T", text))

    parts = urlsplit(url)
    query = "&".join(sorted(template(pair) for pair in parts.query.split("&") if pair))
    return f"{parts.scheme}://{parts.netloc}{template(parts.path)}" + (f"?{query}" if query else "")


def is_growing_path(url: str) -> bool:
    """True for a path that keeps growing: a segment repeated (`/a/b/a/b/a/b/a/b`) or too deep."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) > MAX_PATH_SEGMENTS:
        return True
    counts: dict[str, int] = {}
    for segment in segments:
        counts[segment] = counts.get(segment, 0) + 1
        if counts[segment] > MAX_SEGMENT_REPEATS:
            return True
    return False


@dataclass
class TrapDetector:
    """Cuts off crawl traps: URL patterns seen more than `threshold` times (calendars,
    `?page=N` chains, ids in paths) and ever-growing paths. Each trap is noted once."""

    threshold: int = 20
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """One line per trap cut off, for the report's notes."""
    _tripped: set[str] = field(default_factory=set)

    def admit(self, url: str) -> bool:
        """True when `url` (new to the crawl) may be queued; False when it belongs to a trap."""
        if is_growing_path(url):
            self._trip(url_pattern(url), f"a path that keeps growing, like {url}")
            return False
        pattern = url_pattern(url)
        count = self.counts.get(pattern, 0) + 1
        if count > self.threshold:
            self._trip(pattern, f"more than {self.threshold} URLs like {pattern} (e.g. {url})")
            return False
        self.counts[pattern] = count
        return True

    def _trip(self, key: str, what: str) -> None:
        if key not in self._tripped:
            self._tripped.add(key)
            self.notes.append(f"Crawl trap cut off: {what}; no more of them were queued.")
