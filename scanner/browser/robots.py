"""robots.txt and sitemaps: where a site says its pages are, and where it asks crawlers not to go.

Sitemaps add pages that no link reaches (a sign-up page linked only from an e-mail). robots.txt
is honoured only when the user asks (`respect_robots`): a compliance scan of one's own site
usually wants to see everything a visitor can reach, robots or not.

The rules follow RFC 9309: the group whose user-agent names `complyscan`, else the `*` group;
within it the longest matching Allow/Disallow path wins, Allow on a tie; `*` and a final `$` are
wildcards.
"""

from __future__ import annotations

import gzip
import html
import io
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

USER_AGENT = "complyscan"
MAX_SITEMAPS = 10
"""Sitemap files read per host (index files included): enough for a site, bounded for a trap."""
MAX_SITEMAP_URLS = 5000
"""Page URLs taken from one host's sitemaps at most."""
MAX_UNZIPPED = 20 * 1024 * 1024

_LOC = re.compile(r"<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>", re.IGNORECASE | re.DOTALL)
_INDEX = re.compile(r"<(?:\w+:)?sitemapindex[\s>]", re.IGNORECASE)


@dataclass(frozen=True)
class _Rule:
    allow: bool
    pattern: str

    def matches(self, path: str) -> bool:
        anchored = self.pattern.endswith("$")
        body = self.pattern[:-1] if anchored else self.pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        return re.match(regex + ("$" if anchored else ""), path) is not None


@dataclass
class Robots:
    """One host's robots.txt, reduced to the group that applies to complyscan."""

    rules: list[_Rule] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    """Sitemap URLs the file names (any group: they are not per user-agent)."""

    @classmethod
    def parse(cls, text: str, base_url: str) -> Robots:
        """Parse robots.txt; `base_url` resolves relative Sitemap lines."""
        groups: list[tuple[list[str], list[_Rule]]] = []
        sitemaps: list[str] = []
        agents: list[str] = []
        rules: list[_Rule] = []
        in_rules = False
        for raw in text.splitlines()[:10_000]:
            line = raw.split("#", 1)[0].strip()
            key, sep, value = line.partition(":")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip()
            if key == "sitemap":
                if value:
                    sitemaps.append(urljoin(base_url, value))
            elif key == "user-agent":
                if in_rules:  # a new group begins
                    groups.append((agents, rules))
                    agents, rules, in_rules = [], [], False
                agents.append(value.lower())
            elif key in ("allow", "disallow"):
                in_rules = True
                if value:  # an empty Disallow allows everything: no rule
                    rules.append(_Rule(key == "allow", _normalise_path(value)))
        groups.append((agents, rules))
        mine = [r for a, r in groups if any(USER_AGENT in agent for agent in a if agent != "*")]
        chosen = mine or [r for a, r in groups if "*" in a]
        return cls(rules=[rule for group in chosen for rule in group], sitemaps=sitemaps)

    def allowed(self, url: str) -> bool:
        """True when the applicable group lets complyscan fetch `url`."""
        parts = urlsplit(url)
        path = _normalise_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        best: _Rule | None = None
        for rule in self.rules:
            if not rule.matches(path):
                continue
            if (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow


def _normalise_path(path: str) -> str:
    """Percent-escapes decoded, so that `/a%20b` and `/a b` compare equal."""
    return unquote(path)


def parse_sitemap(body: bytes) -> tuple[list[str], bool]:
    """The `<loc>` URLs of a sitemap (gzip or not), and True when it is a sitemap index."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_UNZIPPED)
        except (OSError, EOFError, zlib.error):
            return [], False
    text = body.decode("utf-8", errors="replace")
    urls = [html.unescape(m.group(1)) for m in _LOC.finditer(text)]
    return [u for u in urls if u.startswith(("http://", "https://"))], bool(_INDEX.search(text))
