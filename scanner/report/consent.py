"""The consent states side by side, for report.html: per vendor and per cookie, what each state
saw (before any choice, after "Reject all", after "Accept all", with GPC)."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.consent.model import CONSENT_STATES, Consent, ConsentObservation
from scanner.model import ScanResult

STATE_TITLES = {
    "no-choice": "before a choice",
    "reject-all": "after reject",
    "accept-all": "after accept",
    "gpc": "GPC",
}


@dataclass(frozen=True)
class ConsentRow:
    """One vendor or cookie: its label, whether it is tracking, and a cell per state."""

    label: str
    detail: str
    tracking: bool
    cells: tuple[str, ...]
    """Per state, in CONSENT_STATES order: "seen", "—" (not seen) or "not visited"."""


@dataclass(frozen=True)
class ConsentView:
    """The consent section of report.html."""

    consent: Consent
    states: tuple[ConsentObservation | None, ...]
    titles: tuple[str, ...]
    vendors: tuple[ConsentRow, ...]
    cookies: tuple[ConsentRow, ...]


def _cell(state: ConsentObservation | None, seen: bool) -> str:
    if state is None or not state.pages:
        return "not visited"
    return "seen" if seen else "—"


def consent_view(result: ScanResult) -> ConsentView | None:
    """The section's rows; None when the consent visits did not run."""
    consent = result.consent
    if consent is None:
        return None
    states = tuple(consent.state(name) for name in CONSENT_STATES)
    vendors: dict[str, ConsentRow] = {}
    cookies: dict[tuple[str, str], ConsentRow] = {}
    for state in states:
        for vendor in state.vendors if state else []:
            vendors.setdefault(
                vendor.name,
                ConsentRow(
                    vendor.name,
                    vendor.category or "unknown",
                    not vendor.essential,
                    tuple(
                        _cell(s, any(v.name == vendor.name for v in (s.vendors if s else [])))
                        for s in states
                    ),
                ),
            )
        for cookie in state.cookies if state else []:
            key = (cookie.name, cookie.domain)
            cookies.setdefault(
                key,
                ConsentRow(
                    cookie.name,
                    cookie.domain,
                    not cookie.essential,
                    tuple(
                        _cell(s, any((c.name, c.domain) == key for c in (s.cookies if s else [])))
                        for s in states
                    ),
                ),
            )

    def order(row: ConsentRow) -> tuple[bool, str]:
        return (not row.tracking, row.label.lower())

    return ConsentView(
        consent=consent,
        states=states,
        titles=tuple(STATE_TITLES[name] for name in CONSENT_STATES),
        vendors=tuple(sorted(vendors.values(), key=order)),
        cookies=tuple(sorted(cookies.values(), key=order)),
    )
