"""`complyscan init URL`: draft a complyscan.toml from a first scan and the statement.

The draft is a starting point a person confirms: scope and statement URL as observed, and one
`[[disclosed]]` entry per third-party vendor the visit fed. A vendor the statement names is
declared; one it does not name is written commented out, with what was observed, so that the
owner decides whether the statement's general words ("a third-party access analysis service")
cover it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scanner.model import ScanResult
from scanner.parties.domains import registrable_domain


@dataclass
class _Observed:
    category: str | None = None
    domains: set[str] = field(default_factory=set)
    cookies: set[str] = field(default_factory=set)
    beacons: int = 0
    pages: set[str] = field(default_factory=set)


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these characters)."""
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _comment(text: str) -> str:
    """Site text put in a comment: one line, no control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:160]


def _connection_lines(result: ScanResult) -> list[str]:
    """How the first scan reached the site (--resolve, --only-resolved, --ca-bundle): the draft
    must be able to scan the site that `init` just scanned."""
    config = result.config
    lines = []
    if config.get("resolve"):
        lines.append(f"resolve = {_toml_list([str(r) for r in config['resolve']])}")
    if config.get("only_resolved"):
        lines.append("only_resolved = true")
    if config.get("ca_bundle"):
        lines.append(f"ca_bundle = {_toml_str(str(Path(config['ca_bundle']).resolve()))}")
    return lines


def observed_vendors(result: ScanResult) -> dict[str, _Observed]:
    """Third parties the visit fed, by vendor name (or registrable domain when unknown)."""
    vendors: dict[str, _Observed] = {}
    for beacon in result.beacons:
        host = urlsplit(beacon.url).hostname or ""
        seen = vendors.setdefault(beacon.vendor or registrable_domain(host), _Observed())
        seen.category = seen.category or beacon.category
        seen.domains.add(registrable_domain(host))
        seen.beacons += 1
        seen.pages.add(beacon.page_url)
    for cookie in result.cookies:
        if not cookie.third_party:
            continue
        domain = cookie.domain.lstrip(".")
        seen = vendors.setdefault(cookie.vendor or registrable_domain(domain), _Observed())
        seen.domains.add(registrable_domain(domain))
        seen.cookies.add(cookie.name)
    return vendors


def draft_config(result: ScanResult) -> str:
    """The text of a complyscan.toml for the scanned site."""
    target = result.target
    start_host = urlsplit(target).hostname or ""
    site = registrable_domain(start_host)
    hosts = sorted(
        {
            urlsplit(p.final_url or p.url).hostname or ""
            for p in result.pages
            if registrable_domain(urlsplit(p.final_url or p.url).hostname or "") == site
        }
        - {""}
    )
    lines = [
        f"# complyscan.toml drafted by `complyscan init` from a scan of {target}",
        f"# on {result.started_at:%Y-%m-%d}: {len(result.pages)} page(s) crawled. Review every",
        "# entry: this file states what the privacy statement covers.",
        "",
        "[scan]",
        f"url = {_toml_str(target)}",
        "max_pages = 200",
        *_connection_lines(result),
        "",
        "[scope]",
        "# Crawled: the start URL's registrable domain. Hosts seen on this scan:",
        *(f"#   {h}" for h in hosts),
        f"hosts = {_toml_list([site, '*.' + site])}",
        "# Your other domains (a CDN, a second brand): first party without being crawled.",
        "first_party = []",
        "",
        "[statement]",
    ]
    statement = result.statement
    if statement is not None:
        lines.append(f"url = {_toml_str(statement.url)}")
    else:
        lines += [
            "# No privacy statement was found: set its URL here.",
            f'# url = "{target.rstrip("/")}/privacy"',
        ]
    lines += ["", "[gate]", 'fail_on = "high"', ""]
    named = {
        (c.vendor or "").lower(): c.quote
        for c in (statement.claims if statement else [])
        if c.kind == "named-third-parties" and c.polarity == "affirms"
    }
    general = [
        c.quote
        for c in (statement.claims if statement else [])
        if c.kind == "third-party-analytics" and c.polarity == "affirms"
    ]
    vendors = observed_vendors(result)
    if vendors:
        lines.append("# Third parties this visit fed. Declare each one the statement covers.")
        if general:
            lines.append(f"# The statement's general words: {_comment(general[0])!r}")
    for name, seen in sorted(vendors.items()):
        quote = named.get(name.lower())
        what = [f"{seen.category or 'unknown category'}"]
        if seen.beacons:
            what.append(f"{seen.beacons} beacon(s) on {len(seen.pages)} page(s)")
        if seen.cookies:
            what.append(f"cookies {', '.join(sorted(seen.cookies))}")
        lines.append("")
        lines.append(f"# {_comment(name)}: {_comment('; '.join(what))}")
        if quote:
            lines.append(f"# Named in the statement: {_comment(quote)!r}")
            prefix = ""
        else:
            lines.append("# Not named in the statement: uncomment only if its words cover it.")
            prefix = "# "
        entry = [
            "[[disclosed]]",
            f"vendor = {_toml_str(name)}",
            f"domains = {_toml_list(sorted(seen.domains))}",
            f"purpose = {_toml_str(seen.category or '')}",
            f"cookies = {_toml_list(sorted(seen.cookies))}",
        ]
        lines += [prefix + line for line in entry]
    return "\n".join(lines) + "\n"
