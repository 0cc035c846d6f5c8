"""A finding's fingerprint: its stable id across reruns, for baselines, diffs and SARIF.

The fingerprint is 16 hex characters of sha256 over the rule id and the finding's location in
the canonical spelling of `scanner.urls.canonical_location` (fingerprint mode), so that the
cosmetic differences of a URL (case of scheme and host, default port, fragment, order of query
keys, percent-encoding, session ids) do not make a finding new.

Version 2 (schema_version 2) keys the hash with "v2" and the shared canonicaliser. Reports of
schema_version 1 carry version-1 fingerprints; every finding also records its version-1 key
(`Finding.fingerprint_v1`), so a v1 report still works as a --baseline or an old side of a diff:
`finding_keys` gives both keys, and two findings are the same when their keys meet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scanner.model import Finding
from scanner.urls import DEFAULT_PORTS, canonical_location

FINGERPRINT_VERSION = 2


def fingerprint(rule_id: str, location: str) -> str:
    """The stable id of a finding (version 2): 16 hex chars of sha256."""
    return _digest(f"v2\n{rule_id}\n{canonical_location(location)}")


def fingerprint_v1(rule_id: str, location: str) -> str:
    """The id schema_version 1 gave the same finding, for baselines written before version 2."""
    return _digest(f"{rule_id}\n{_location_v1(location)}")


def finding_location(finding: Finding) -> str:
    """Where a finding is: its page URL, else its host (empty when it has neither)."""
    return finding.page_url or finding.host or ""


def finding_fingerprint(finding: Finding) -> str:
    """The finding's fingerprint as recorded, or computed from its rule and location."""
    return finding.fingerprint or fingerprint(finding.rule_id, finding_location(finding))


def finding_keys(finding: Finding) -> set[str]:
    """Every key the finding is known by: its recorded fingerprint (v1 or v2) and its v1 key.

    A finding with no recorded fingerprint (an older report) is known by both keys of its page
    URL or host.
    """
    keys = {finding_fingerprint(finding)}
    if finding.fingerprint_v1:
        keys.add(finding.fingerprint_v1)
    elif not finding.fingerprint:
        keys.add(fingerprint_v1(finding.rule_id, finding_location(finding)))
    return keys


def known_keys(findings: Iterable[Finding]) -> set[str]:
    """The keys of a set of findings (a baseline's), to test others against with `finding_keys`."""
    return {key for finding in findings for key in finding_keys(finding)}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _location_v1(location: str) -> str:
    """Version 1's canonical location, kept as it was so that v1 fingerprints still match."""
    location = location.strip()
    if "://" not in location:
        return location.lower().removesuffix(":443").rstrip(".")
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        host = f"{host}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode(sorted(pairs, key=lambda pair: pair[0]))
    return urlunsplit((scheme, host, parts.path or "/", query, ""))
