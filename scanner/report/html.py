"""report.html: one self-contained page a web team reads, from reports/ templates.

The page makes no request of its own: CSS and the filter script are inline, allowed by a strict
Content-Security-Policy (hashes computed here, at render time); images are data: URIs. Everything
the site controls is escaped by Jinja's autoescape; only our own assets are marked safe.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, ClassVar

import jinja2
from markupsafe import Markup

from scanner import __version__
from scanner.catalogue import load_catalogue
from scanner.model import ScanResult, Severity
from scanner.report.common import (
    SEVERITIES,
    as_gated,
    finding_status,
    gate_view,
    readable,
    severity_counts,
    statement_unread,
)
from scanner.report.consent import consent_view
from scanner.report.declaration import declaration_rows
from scanner.report.html_views import SCREENSHOT_LIMIT as SCREENSHOT_LIMIT
from scanner.report.html_views import (
    changes_view,
    claim_views,
    duration_s,
    finding_views,
    gap_states,
    host_views,
    vendor_views,
)
from scanner.report.interface import ReportWriter
from scanner.resources import reports_dir
from scanner.sanitize import for_html

TEMPLATE = "report.html.j2"


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
        findings = finding_views(result, rules)
        gaps = [v for v in findings if v.gap]
        gap_states(result, gaps)
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
            claims=claim_views(result, findings, rules),
            gaps=gaps,
            statement_unread=statement_unread(result),
            rule_ids=sorted({f.rule_id for f in result.findings}),
            locations=sorted({v.where for v in findings}),
            vendors=vendor_views(result),
            declaration=declaration_rows(result),
            consent=consent_view(result),
            hosts=host_views(result),
            changes=changes_view(result),
            duration=duration_s(result),
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
