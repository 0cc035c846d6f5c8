"""report.html: one self-contained page a web team reads, from reports/ templates.

The page makes no request of its own: CSS and the filter script are inline, allowed by a strict
Content-Security-Policy (hashes computed here, at render time); images are data: URIs. Everything
the site controls is escaped by Jinja's autoescape; only our own assets are marked safe.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from scanner import __version__
from scanner.catalogue import Rule, load_catalogue
from scanner.model import Changes, Claim, Finding, HostSecurity, ScanResult, Severity
from scanner.report.common import (
    SEVERITIES,
    as_gated,
    evidence_text,
    finding_status,
    finding_where,
    gate_view,
    readable,
    redact,
    severity_counts,
    sorted_findings,
    status_text,
)
from scanner.report.declaration import declaration_rows
from scanner.report.interface import ReportWriter
from scanner.resources import reports_dir
from scanner.sanitize import for_html

TEMPLATE = "report.html.j2"
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


@dataclass
class HostView:
    """One host:port's transport security, flattened for the template."""

    host: HostSecurity
    protocols: list[tuple[str, bool | None, bool]]
    hsts: str | None
    redirects_to_https: bool | None


def _finding_views(result: ScanResult, rules: dict[str, Rule]) -> list[FindingView]:
    stated = {c.kind for c in result.statement.claims} if result.statement else set()
    views = []
    for n, f in enumerate(sorted_findings(result.findings), start=1):
        rule = rules.get(f.rule_id)
        raised = rule is not None and f.claim is not None and f.severity.rank > rule.severity.rank
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


def _claim_views(
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


def _vendor_views(result: ScanResult) -> list[VendorView]:
    vendors: dict[str, VendorView] = {}

    def vendor(name: str | None, url: str | None, category: str | None) -> VendorView:
        host = urlsplit(url or "").hostname or ""
        key = name or host or "unknown"
        view = vendors.setdefault(key, VendorView(name=key, category=category or ""))
        view.category = view.category or category or ""
        if host:
            view.hosts.add(host)
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
    return sorted(vendors.values(), key=lambda v: (-v.beacons, v.name.lower()))


def _host_views(result: ScanResult) -> list[HostView]:
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


def _changes(result: ScanResult) -> dict[str, Any] | None:
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


def _duration(result: ScanResult) -> float:
    if result.summary.duration_seconds:
        return result.summary.duration_seconds
    if result.finished_at is not None:
        return (result.finished_at - result.started_at).total_seconds()
    return 0.0


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _asset(name: str) -> str:
    text = (reports_dir() / name).read_text(encoding="utf-8")
    if "</" in text:  # would end the inline <style>/<script> early
        raise ValueError(f"reports/{name} must not contain '</'")
    return text


class HtmlWriter(ReportWriter):
    """The report a web team reads: verdict, statement vs. site, findings and all evidence."""

    format: ClassVar[str] = "html"
    filename: ClassVar[str] = "report.html"

    def __init__(self) -> None:
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(reports_dir()),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_printable,
        )
        self.environment.filters["datetime"] = _format_datetime
        self.environment.filters["pretty"] = _pretty
        self.environment.filters["readable"] = readable

    def render(self, result: ScanResult) -> str:
        """The whole page."""
        result = as_gated(result)
        rules = load_catalogue()
        css, script = _asset("report.css"), _asset("report.js")
        csp = (
            f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        )
        findings = _finding_views(result, rules)
        gaps = [v for v in findings if v.finding.claim is None and v.rule and v.rule.claims]
        gate = gate_view(result)
        template = self.environment.get_template(TEMPLATE)
        return template.render(
            result=result,
            rules=rules,
            verdict=gate.verdict,
            gate=gate,
            status_counts=_status_counts(result),
            severities=SEVERITIES,
            counts=severity_counts(result.findings),
            findings=findings,
            claims=_claim_views(result, findings, rules),
            gaps=gaps,
            rule_ids=sorted({f.rule_id for f in result.findings}),
            locations=sorted({v.where for v in findings}),
            vendors=_vendor_views(result),
            declaration=declaration_rows(result),
            hosts=_host_views(result),
            changes=_changes(result),
            duration=_duration(result),
            third_party_pages=_pages_with_third_parties(result),
            pi_forms=sum(1 for p in result.pages for form in p.forms if form.collects_pi),
            generated_by=f"complyscan {result.tool.version or __version__}",
            csp=csp,
            css=Markup(css),  # our own asset, hashed into the CSP; never site data
            script=Markup(script),
        )


def _status_counts(result: ScanResult) -> dict[str, dict[Severity, int]]:
    """new / baselined / waived -> severity -> number of findings."""
    counts = {status: dict.fromkeys(SEVERITIES, 0) for status in ("new", "baselined", "waived")}
    for finding in result.findings:
        counts[finding_status(finding)][finding.severity] += 1
    return counts


def _pages_with_third_parties(result: ScanResult) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for beacon in result.beacons:
        counts[beacon.page_url] += 1
    return dict(counts)


def _printable(value: Any) -> Any:
    """Control characters out of site text (they are not allowed in HTML); our Markup untouched."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return for_html(value)
    return value


def _format_datetime(value: datetime | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    if value.tzinfo is None:
        return value.isoformat(" ", "minutes")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
