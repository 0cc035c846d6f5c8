"""robots.txt and sitemaps: where a site says its pages are, and where it asks crawlers not to go.

Sitemaps add pages that no link reaches (a sign-up page linked only from an e-mail). robots.txt
is honoured only when the user asks (`respect_robots`): a compliance scan of one's own site
usually wants to see everything a visitor can reach, robots or not.

robots.txt is read by Protego (Scrapy's RFC 9309 parser): the group whose user-agent names
`complyscan`, else the `*` group; within it the longest matching Allow/Disallow path wins, Allow
on a tie; `*` and a final `$` are wildcards. As RFC 9309 2.3.1 says, a robots.txt answered with
a 4xx status allows everything and one answered with a 5xx disallows everything (a network
error that leaves no status allows everything: the pages themselves will fail). Sitemaps are
read with a hardened XML parser (defusedxml): CDATA, namespaces, sitemap indexes, gzip, and
text sitemaps (one URL a line).
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from protego import Protego

USER_AGENT = "complyscan"
MAX_SITEMAPS = 10
"""Sitemap files read per host (index files included): enough for a site, bounded for a trap."""
MAX_SITEMAP_URLS = 5000
"""Page URLs taken from one host's sitemaps at most."""
MAX_UNZIPPED = 20 * 1024 * 1024
_MAX_LINES = 10_000


@dataclass
class Robots:
    """One host's robots.txt, as it applies to complyscan."""

    parser: Protego | None = None
    """The parsed file; None allows everything (no robots.txt, or a 4xx)."""
    sitemaps: list[str] = field(default_factory=list)
    """Sitemap URLs the file names (any group: they are not per user-agent)."""
    disallow_all: bool = False
    """True when robots.txt answered 5xx: RFC 9309 says to assume a complete disallow."""

    @classmethod
    def parse(cls, text: str, base_url: str) -> Robots:
        """Parse robots.txt; `base_url` resolves relative Sitemap lines."""
        text = "\n".join(text.splitlines()[:_MAX_LINES])
        parser = Protego.parse(text)
        return cls(parser, [urljoin(base_url, s) for s in parser.sitemaps])

    @classmethod
    def from_response(cls, status: int | None, body: bytes | None, base_url: str) -> Robots:
        """robots.txt as fetched: 2xx parsed, 4xx (or no answer) allow all, 5xx disallow all."""
        if status is not None and 500 <= status < 600:
            return cls(disallow_all=True)
        if status is None or not 200 <= status < 300 or not body:
            return cls()
        return cls.parse(body.decode("utf-8", "replace"), base_url)

    def allowed(self, url: str) -> bool:
        """True when the applicable group lets complyscan fetch `url`."""
        if self.disallow_all:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, USER_AGENT))


def parse_sitemap(body: bytes) -> tuple[list[str], bool]:
    """The `<loc>` URLs of a sitemap (gzip or not, XML or text), and True for a sitemap index."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_UNZIPPED)
        except (OSError, EOFError, zlib.error):
            return [], False
    if not body.lstrip().startswith(b"<"):
        lines = body.decode("utf-8", errors="replace").splitlines()[:MAX_SITEMAP_URLS]
        return _web_urls(lines), False
    try:
        root: Element = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError):
        return [], False
    is_index = _local_name(root.tag) == "sitemapindex"
    locs = [e.text or "" for e in root.iter() if _local_name(e.tag) == "loc"]
    return _web_urls(locs), is_index


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2].lower()


def _web_urls(candidates: list[str]) -> list[str]:
    urls = (c.strip() for c in candidates)
    return [u for u in urls if u.startswith(("http://", "https://"))]
