"""What report.html shows, prepared: the findings with their claims and evidence, the vendors,
the hosts and what changed, as views the template renders (scanner/report/html.py)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.catalogue import Rule
from scanner.domains import registrable_domain
from scanner.model import Changes, Claim, Finding, HostSecurity, ScanResult
from scanner.report.common import (
    evidence_text,
    finding_status,
    finding_where,
    redact,
    sorted_findings,
    statement_unread,
    status_text,
)
from scanner.report.consent import states_seen

SCREENSHOT_LIMIT = 500 * 1024
"""Screenshots larger than this are left out rather than bloat the report."""


PROTOCOLS = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")


LEGACY_PROTOCOLS = frozenset(PROTOCOLS[:4])


_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _protocol_key(name: str) -> str:
    """ "TLS 1.2", "TLSv1_2", "tls1.2" -> "tls12", "SSLv2" -> "ssl20": spellings differ."""
    family = "ssl" if "ssl" in name.lower() else "tls"
    digits = re.findall(r"\d", name)
    return family + "".join(digits + ["0"] * (2 - len(digits)))


def _data_uri(path_text: Any) -> str | None:
    """A small PNG/JPEG screenshot as a data: URI; None when absent, too large or not an image."""
    if not isinstance(path_text, str) or not path_text:
        return None
    path = Path(path_text)
    try:
        if not path.is_file() or path.stat().st_size >= SCREENSHOT_LIMIT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    mime = next((m for magic, m in _IMAGE_TYPES.items() if data.startswith(magic)), None)
    if mime is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


EvidenceValue = str | list[str] | list[tuple[str, str]]


def _evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, EvidenceValue, str]]:
    """(key, value, shape): scalars as text, lists as a list, mappings as key/value pairs;
    never JSON or Python reprs (a web team reads this)."""
    rows: list[tuple[str, EvidenceValue, str]] = []
    for key, value in redact(evidence).items():
        if key == "screenshot":
            continue
        if isinstance(value, list) and value:
            rows.append((str(key), [evidence_text(v) for v in value], "list"))
        elif isinstance(value, dict) and value:
            rows.append((str(key), [(str(k), evidence_text(v)) for k, v in value.items()], "kv"))
        else:
            rows.append((str(key), evidence_text(value), "text"))
    return rows


@dataclass
class FindingView:
    """A finding with what the template shows beside it."""

    finding: Finding
    anchor: str
    where: str
    rule: Rule | None
    evidence: list[tuple[str, EvidenceValue, str]]
    screenshot: str | None
    status: str = "new"
    """new, baselined or waived, as the gate recorded it."""
    status_text: str = ""
    """Why it does or does not count, in the same words as every other output."""
    raised_from: str | None = None
    """The rule's own severity, when contradicting the statement raised it."""
    lacks: list[str] = field(default_factory=list)
    """For a disclosure gap: the claim kinds the statement does not make at all."""
    gap: bool = False
    """A disclosure gap: its rule tests claims, it quotes none, and the statement was read."""
    unread: bool = False
    """Its rule tests claims the statement may make, but the statement could not be read."""
    states: tuple[str, ...] = ()
    """For a gap about a third party: per consent state, "seen", "—" or "not visited"."""
    tracking: bool = False
    """For a gap about a third party: a consent state judged it non-essential."""


@dataclass
class ClaimView:
    """A sentence of the statement, the claims it makes, and what the scan found about them."""

    claim: Claim
    contradictions: list[FindingView]
    tested_by: list[Rule]
    kinds: list[str] = field(default_factory=list)
    """Every claim kind this sentence makes (one card per sentence)."""
    related_gaps: list[FindingView] = field(default_factory=list)
    """Disclosure gaps of rules that test these kinds: the sentence does not cover them."""


@dataclass
class VendorView:
    """One third party: what it received and set."""

    name: str
    category: str
    pages: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    beacons: int = 0
    cookies: set[str] = field(default_factory=set)
    consent_names: set[str] = field(default_factory=set)
    """What the consent states may call it: its name, and its hosts' sites (their name for a
    host no vendor data knows)."""
    states: tuple[str, ...] = ()
    """Per consent state: "seen", "—" or "not visited"; empty when no state was visited."""
    tracking: bool = False
    """A consent state judged it non-essential."""


@dataclass
class HostView:
    """One host:port's transport security, flattened for the template."""

    host: HostSecurity
    protocols: list[tuple[str, bool | None, bool]]
    hsts: str | None
    redirects_to_https: bool | None


def finding_views(result: ScanResult, rules: dict[str, Rule]) -> list[FindingView]:
    stated = {c.kind for c in result.statement.claims} if result.statement else set()
    unread = statement_unread(result) is not None
    views = []
    for n, f in enumerate(sorted_findings(result.findings), start=1):
        rule = rules.get(f.rule_id)
        raised = rule is not None and f.claim is not None and f.severity.rank > rule.severity.rank
        claimless = f.claim is None and rule is not None and bool(rule.claims)
        views.append(
            FindingView(
                finding=f,
                anchor=f"finding-{n}",
                where=finding_where(f, result),
                rule=rule,
                evidence=_evidence_rows(f.evidence),
                screenshot=_data_uri(_screenshot_path(f, result)),
                status=finding_status(f),
                status_text=status_text(f, result),
                raised_from=rule.severity.value if raised and rule else None,
                lacks=[k for k in rule.claims if k not in stated] if rule else [],
                gap=claimless and not unread,
                unread=claimless and unread,
            )
        )
    return views


def _selectors(value: Any) -> list[str]:
    """The form selectors an evidence dict names (under "form" or "selector" keys, any depth)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("form", "selector") and isinstance(item, str):
                found.append(item)
            else:
                found += _selectors(item)
    elif isinstance(value, list):
        for item in value:
            found += _selectors(item)
    return found


def _screenshot_path(finding: Finding, result: ScanResult) -> Any:
    """evidence.screenshot, else the screenshot of the form the evidence names on its page."""
    if finding.evidence.get("screenshot"):
        return finding.evidence["screenshot"]
    selectors = _selectors(finding.evidence)
    if not selectors or not finding.page_url:
        return None
    for page in result.pages:
        if finding.page_url in (page.url, page.final_url):
            for form in page.forms:
                if form.screenshot and form.selector in selectors:
                    return form.screenshot
    return None


def claim_views(
    result: ScanResult, findings: list[FindingView], rules: dict[str, Rule]
) -> list[ClaimView]:
    """One view per sentence: claims sharing a quote are one card with several kinds."""
    if result.statement is None:
        return []
    claims = result.statement.claims
    order = {id(view): index for index, view in enumerate(findings)}
    quotes: dict[str, set[str]] = {}
    for c in claims:
        quotes.setdefault(c.kind, set()).add(c.quote)
    # Each finding is about the claim it quotes; one whose quote is no claim of its kind (a
    # general sentence) is about every claim of the kind. Grouped once: linear in the claims.
    by_quote: dict[tuple[str, str], list[FindingView]] = {}
    unquoted: dict[str, list[FindingView]] = {}
    gaps_by_rule: dict[str, list[FindingView]] = {}
    for view in findings:
        ref = view.finding.claim
        if ref is None:
            if view.rule is not None:
                gaps_by_rule.setdefault(view.rule.id, []).append(view)
        elif ref.kind in quotes:
            if ref.quote in quotes[ref.kind]:
                by_quote.setdefault((ref.kind, ref.quote), []).append(view)
            else:
                unquoted.setdefault(ref.kind, []).append(view)
    views: dict[str, ClaimView] = {}
    for claim in claims:
        card = views.setdefault(claim.quote, ClaimView(claim, [], []))
        if claim.kind in card.kinds:
            continue
        card.kinds.append(claim.kind)
        card.contradictions += by_quote.get((claim.kind, claim.quote), [])
        card.contradictions += unquoted.get(claim.kind, [])
    for card in views.values():
        card.contradictions = _in_order(card.contradictions, order)
        testing = [r for r in rules.values() if set(card.kinds) & set(r.claims)]
        card.related_gaps = _in_order(
            [f for r in testing for f in gaps_by_rule.get(r.id, [])], order
        )
        fired = {f.finding.rule_id for f in card.contradictions + card.related_gaps}
        card.tested_by = [r for r in testing if r.id not in fired]
    return list(views.values())


def _in_order(views: list[FindingView], order: dict[int, int]) -> list[FindingView]:
    """Each finding once, in the report's order of findings."""
    unique = {id(v): v for v in views}
    return sorted(unique.values(), key=lambda v: order[id(v)])


def vendor_views(result: ScanResult) -> list[VendorView]:
    vendors: dict[str, VendorView] = {}

    def vendor(name: str | None, url: str | None, category: str | None) -> VendorView:
        host = urlsplit(url or "").hostname or ""
        key = name or host or "unknown"
        view = vendors.setdefault(key, VendorView(name=key, category=category or ""))
        view.category = view.category or category or ""
        view.consent_names.add(key)
        if host:
            view.hosts.add(host)
            view.consent_names.add(registrable_domain(host))  # a host no vendor data names
        return view

    for beacon in result.beacons:
        view = vendor(beacon.vendor, beacon.url, beacon.category)
        view.beacons += 1
        view.pages.add(beacon.page_url)
    for cookie in result.cookies:
        if not cookie.third_party and not cookie.vendor:
            continue
        view = vendor(cookie.vendor, cookie.set_by, None)
        view.cookies.add(cookie.name)
        if cookie.page_url:
            view.pages.add(cookie.page_url)
    seen = states_seen(result)
    if seen is not None:
        for view in vendors.values():
            view.states = seen.vendor_cells(view.consent_names)
            view.tracking = bool(view.consent_names & seen.tracking_vendors)
    return sorted(vendors.values(), key=lambda v: (-v.beacons, v.name.lower()))


PARTY_GAP_RULES = frozenset({"beacon-undisclosed-vendor", "third-party-cookie-undisclosed"})
"""Disclosure gaps about one third party (its name is the evidence's `party`)."""


def gap_states(result: ScanResult, gaps: list[FindingView]) -> None:
    """Give each gap about a third party its consent states, matched as the Third parties
    table matches vendors (its name, or its host's site): which states the statement must
    cover it in."""
    seen = states_seen(result)
    if seen is None:
        return
    for view in gaps:
        finding = view.finding
        party = finding.evidence.get("party")
        if finding.rule_id not in PARTY_GAP_RULES or not isinstance(party, str):
            continue
        names = {party}
        if finding.host:
            names.add(registrable_domain(finding.host))
        view.states = seen.vendor_cells(names)
        view.tracking = bool(names & seen.tracking_vendors)


def host_views(result: ScanResult) -> list[HostView]:
    views = []
    for host in result.hosts:
        accepted = {
            _protocol_key(k): v for k, v in (host.tls.protocols if host.tls else {}).items()
        }
        protocols = [(p, accepted.get(_protocol_key(p)), p in LEGACY_PROTOCOLS) for p in PROTOCOLS]
        hsts = next((c.hsts for c in host.http if c.hsts), None)
        redirects = next(
            (c.redirects_to_https for c in host.http if c.redirects_to_https is not None), None
        )
        views.append(HostView(host, protocols, hsts, redirects))
    return views


def changes_view(result: ScanResult) -> dict[str, Any] | None:
    """The hook for "what changed since the previous scan": shown only when the result has it.

    Expects `result.changes` (a mapping or object, as scanner.diff makes it) with `new` and
    `resolved` (or `fixed`) lists of findings (Finding or dicts with rule_id, title,
    page_url/host) and optionally `statement_changed`, `statement_diff`, `vendors` and
    `cookies` (`added`/`removed` names) and `tls` (per-host changes).
    """
    changes = getattr(result, "changes", None)
    if not changes:
        return None
    if isinstance(changes, Changes):
        changes = changes.model_dump(mode="json")

    def get(name: str) -> Any:
        return changes.get(name) if isinstance(changes, dict) else getattr(changes, name, None)

    def listed(name: str) -> list[dict[str, Any]]:
        items = get(name) or []
        blank = {"rule_id": "", "title": "", "page_url": None, "host": None}
        return [blank | (i.model_dump() if isinstance(i, Finding) else dict(i)) for i in items]

    return {
        "new": listed("new"),
        "fixed": listed("resolved") or listed("fixed"),
        "statement_changed": bool(get("statement_changed")),
        "statement_diff": list(get("statement_diff") or []),
        "added_removed": [
            (label, get(key) or {})
            for label, key in (("Third parties", "vendors"), ("Cookies", "cookies"))
            if (get(key) or {}).get("added") or (get(key) or {}).get("removed")
        ],
        "tls": list(get("tls") or []),
        "previous": get("previous_started_at") or get("previous"),
    }


def duration_s(result: ScanResult) -> float:
    if result.summary.duration_seconds:
        return result.summary.duration_seconds
    if result.finished_at is not None:
        return (result.finished_at - result.started_at).total_seconds()
    return 0.0
