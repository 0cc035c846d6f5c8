"""The one URL canonicaliser: every place that compares URLs or hosts spells them here.

Modes (`canonical_url(url, mode)`):

- ``crawl``: one page is visited once. Scheme and host lower-case, trailing dot and credentials
  dropped, default port dropped, fragment dropped, empty path made "/", percent-encoding
  normalised (RFC 3986 6.2.2), session ids removed (`;jsessionid=...` path parameters and the
  query parameters in SESSION_PARAMS). Query order is kept: a site may mean something by it.
- ``fingerprint``: a finding's location, so that baselines and waivers survive reruns. The crawl
  form, with query keys sorted (the values of a repeated key keep their order).

Locations that are not URLs (a host, `host:port`, a cookie's `domain/name`, a vendor) are
canonicalised by `canonical_location`: lower-case, trailing dot and port 443 dropped. A
location of two places joined by " -> " (a page and where its form posts) has each side
canonicalised.

`origin` (a site's `scheme://host[:port]`, the history store's key) and `host_port` (the
host:port a TLS scan targets) read URLs the same way.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

Mode = Literal["crawl", "fingerprint"]
"""How a URL is canonicalised: see the module's docstring."""

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

SESSION_PARAMS = frozenset(
    {"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid", "aspsessionid", "cfid"}
)
"""Query parameters (any case) that carry a session id: dropped, because a site that puts its
session in the URL makes every link new for every visit (an endless crawl)."""

_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.IGNORECASE)
_JOIN = " -> "


def canonical_url(url: str, mode: Mode = "crawl") -> str:
    """The canonical form of an http(s) URL in `mode` (see the module's docstring)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = netloc_of(parts.hostname or "", port, scheme)
    raw_path, raw_query = _without_session_ids(parts.path, parts.query)
    path = _normalise_escapes(raw_path or "/", safe="/:@!$&'()*+,;=")
    query = _normalise_escapes(raw_query, safe="/?:@!$&'()*+,;=")
    if mode == "fingerprint" and query:
        query = "&".join(sorted(query.split("&"), key=lambda pair: unquote(pair.split("=")[0])))
    return urlunsplit((scheme, netloc, path, query, ""))


def canonical_location(location: str) -> str:
    """A finding's location (URL, host[:port], or two joined by " -> ") in fingerprint form."""
    return _JOIN.join(_canonical_place(place) for place in location.strip().split(_JOIN))


def _canonical_place(place: str) -> str:
    place = place.strip()
    if "://" in place:
        return canonical_url(place, "fingerprint")
    return place.lower().removesuffix(":443").rstrip(".")


def idna_host(host: str) -> str:
    """A host as the network sees it: lower-case, IDNA (punycode), no trailing dot.

    `www.bücher.test` -> `www.xn--bcher-kva.test`, so scope, Chromium, sslyze and httpx agree.
    A host IDNA cannot encode is only lower-cased (it then matches nothing it should not).
    """
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return ".".join(
            label.encode("idna").decode("ascii") if not label.isascii() else label
            for label in host.split(".")
        )
    except UnicodeError:
        return host


_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._:[]%")


def host_is_valid(host: str) -> bool:
    """True when `host` (IDNA, lower-case) has only characters a host name or literal may have."""
    return bool(host) and all(c in _HOST_CHARS for c in host.lower())


def netloc_of(host: str, port: int | None, scheme: str = "https") -> str:
    """`host[:port]` as a URL spells it: lower-case, IPv6 in brackets, default port left out."""
    host = idna_host(host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return host
    return f"{host}:{port}"


def origin(url: str) -> str:
    """The origin of `url`: `scheme://host`, with the port only when it is not the default."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return f"{scheme}://{netloc_of(parts.hostname or '', parts.port, scheme)}"


def host_port(url: str) -> tuple[str, int]:
    """(host, port) of a URL, with the scheme's default port filled in (443 when unknown)."""
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 443)
    return idna_host(parts.hostname or ""), port


def _normalise_escapes(part: str, safe: str) -> str:
    """Upper-case percent escapes and decode those of unreserved characters (RFC 3986 6.2.2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if char.isascii() and (char.isalnum() or char in "-._~"):
            return char
        return "%" + match.group(1).upper()

    return quote(_UNRESERVED.sub(fix, part), safe=safe + "%")


def _without_session_ids(path: str, query: str) -> tuple[str, str]:
    path = _PATH_SESSION.sub("", path)
    if not query:
        return path, query
    kept = [
        pair
        for pair in query.split("&")
        if unquote(pair.partition("=")[0]).lower() not in SESSION_PARAMS
    ]
    return path, "&".join(kept)
