"""Consent rules: what the site did before a choice, after "Reject all", without a banner and
under Global Privacy Control (the observations of scanner/consent/, in ScanResult.consent).

One finding per non-essential vendor (or per cookie with no vendor request), so a waiver or a
baseline names the vendor. Essential vendors and cookies (by category, or `[consent]
essential`) never fire.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.checks.base import CheckContext
from scanner.consent.gpp import not_opted_out
from scanner.consent.model import Consent, ConsentObservation
from scanner.model import Claim, Finding, Severity

JURISDICTION_SEVERITY: dict[str, Severity | None] = {
    "none": None,
    "eu": Severity.HIGH,
    "uk": Severity.HIGH,
    "jp": Severity.MEDIUM,
    "us-ca": None,
}
"""consent-banner-missing by `[consent] jurisdiction`: None where no banner is required."""
GPC_JURISDICTIONS = frozenset({"us-ca"})
"""Where the law requires a GPC signal to be honoured (California's CCPA regulations)."""


def _tracking(observation: ConsentObservation) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each non-essential vendor (and cookie of none) the state saw: (location, evidence)."""
    vendors = {v.name for v in observation.vendors}
    for vendor in observation.vendors:
        if vendor.essential:
            continue
        cookies = [c.name for c in observation.cookies if c.vendor == vendor.name]
        yield (
            vendor.name,
            {
                "state": observation.state,
                "vendor": vendor.name,
                "category": vendor.category,
                "requests": vendor.requests,
                "example": vendor.example,
                "cookies": cookies,
            },
        )
    for cookie in observation.cookies:
        if cookie.essential or (cookie.vendor and cookie.vendor in vendors):
            continue
        yield (
            f"cookie {cookie.name} {cookie.domain}",
            {
                "state": observation.state,
                "cookie": cookie.name,
                "domain": cookie.domain,
                "vendor": cookie.vendor,
                "category": cookie.category,
            },
        )


def _observed(ctx: CheckContext) -> Consent | None:
    consent = ctx.result.consent
    return consent if consent is not None and consent.states else None


def _what(evidence: dict[str, Any]) -> str:
    if "vendor" in evidence and "cookie" not in evidence:
        return f"{evidence['vendor']} ({evidence.get('category') or 'unknown category'})"
    return f"the cookie {evidence['cookie']} on {evidence['domain']}"


def _claim(ctx: CheckContext, rule_id: str) -> Claim | None:
    """The first claim the statement makes of the kinds the rule tests, in catalogue order."""
    kinds = ctx.catalogue[rule_id].claims
    return next((c for kind in kinds if (c := ctx.claim([kind])) is not None), None)


def _state_findings(
    ctx: CheckContext,
    rule_id: str,
    state: ConsentObservation,
    doing: str,
    only: set[str] | None = None,
    **context: Any,
) -> Iterator[Finding]:
    """One finding of `rule_id` per non-essential vendor (or cookie) the state saw (of those
    in `only`, when given)."""
    claim = _claim(ctx, rule_id)
    for location, evidence in _tracking(state):
        if only is not None and location not in only:
            continue
        yield ctx.finding(
            rule_id,
            doing.format(what=_what(evidence)),
            location=location,
            page_url=ctx.result.target,
            evidence={**evidence, **context, "pages": state.pages[:5]},
            claim=claim,
        )


def check_tracking_before_consent(ctx: CheckContext) -> Iterator[Finding]:
    """A non-essential vendor's request or cookie before any choice, on a site with a banner."""
    consent = _observed(ctx)
    state = consent.state("no-choice") if consent else None
    if consent is None or state is None or not (consent.banner_shown or consent.cmp):
        return
    banner = consent.cmp or "consent"
    doing = f"Before any choice in the {banner} banner, {{what}} already tracks the visitor."
    yield from _state_findings(ctx, "tracking-before-consent", state, doing, cmp=consent.cmp)


def check_tracking_after_reject(ctx: CheckContext) -> Iterator[Finding]:
    """Non-essential tracking on the pages that follow a successful "Reject all"."""
    consent = _observed(ctx)
    state = consent.state("reject-all") if consent else None
    if consent is None or state is None or not state.answered:
        return
    doing = f"After {state.action}, {{what}} still tracks the visitor."
    yield from _state_findings(ctx, "tracking-after-reject", state, doing, action=state.action)


def check_consent_banner_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Non-essential tracking, no consent manager and no banner-like text, where required."""
    consent = _observed(ctx)
    if consent is None or not consent.evaluated or consent.cmp or consent.banner_shown:
        return
    if consent.unrecognised:
        return  # a banner no rule knows: "consent manager not recognised", never guessed
    severity = JURISDICTION_SEVERITY.get(consent.jurisdiction or "none")
    state = consent.state("no-choice")
    if severity is None or state is None:
        return
    tracking = list(_tracking(state))
    if not tracking:
        return
    names = ", ".join(_what(e) for _, e in tracking[:5])
    finding = ctx.finding(
        "consent-banner-missing",
        f"No consent manager, yet {names} track the visitor (jurisdiction {consent.jurisdiction}).",
        location=ctx.result.target,
        page_url=ctx.result.target,
        evidence={
            "jurisdiction": consent.jurisdiction,
            "tracking": [e for _, e in tracking[:20]],
            "pages": state.pages[:5],
        },
        claim=ctx.claim(["consent-required"]),
    )
    finding.severity = severity.raised() if finding.claim is not None else severity
    yield finding


def check_gpc_ignored(ctx: CheckContext) -> Iterator[Finding]:
    """The same non-essential vendors under GPC as without it, where that breaks a promise
    or the jurisdiction's law."""
    consent = _observed(ctx)
    if consent is None:
        return
    before, gpc = consent.state("no-choice"), consent.state("gpc")
    if before is None or gpc is None or not gpc.pages:
        return
    claim = _claim(ctx, "gpc-ignored")
    if claim is None and consent.jurisdiction not in GPC_JURISDICTIONS:
        return
    unchanged = {location for location, _ in _tracking(before)}
    doing = "With Global Privacy Control sent, {what} still tracks the visitor, as without it."
    context: dict[str, Any] = {"jurisdiction": consent.jurisdiction}
    gpp = not_opted_out(gpc.gpp)  # the consent manager's own record, under GPC
    if gpp:
        said = "; ".join(f"{name}: {', '.join(words)}" for name, words in gpp.items())
        doing += f" Its GPP string still says the visitor did not opt out ({said})."
        context["gpp_not_opted_out"] = gpp
    yield from _state_findings(ctx, "gpc-ignored", gpc, doing, unchanged, **context)
