"""The consent states side by side, for report.html: per vendor and per cookie, what each state
saw (before any choice, after "Reject all", after "Accept all", with GPC).

`StatesSeen` is the one place a vendor or a cookie is matched to the states: the consent
section and the "Third parties" and "Cookies" tables all ask it, so they never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scanner.consent.gpp import US_OPT_OUTS
from scanner.consent.model import (
    CONSENT_STATES,
    Consent,
    ConsentObservation,
    GppConsent,
    GppSection,
    TcfConsent,
)
from scanner.model import ScanResult

STATE_TITLES = {
    "no-choice": "before a choice",
    "reject-all": "after reject",
    "accept-all": "after accept",
    "gpc": "GPC",
}


def cookie_key(name: str, domain: str) -> tuple[str, str]:
    """A cookie as the consent states record it: its name and its domain without a leading dot
    (scanner/consent/observe.py keeps the first 200 characters of each)."""
    return name[:200], domain.lstrip(".")[:200]


def _cell(visited: bool, seen: bool) -> str:
    if not visited:
        return "not visited"
    return "seen" if seen else "—"


@dataclass(frozen=True)
class StatesSeen:
    """Per consent state (CONSENT_STATES order), the vendors and cookies it saw, indexed."""

    visited: tuple[bool, ...]
    """A state with pages was visited; one without (or never run) was not."""
    vendors: tuple[frozenset[str], ...]
    """Per state, the names of the vendors (or hosts' sites) it called."""
    cookies: tuple[frozenset[tuple[str, str]], ...]
    """Per state, its cookies by `cookie_key`."""
    tracking_vendors: frozenset[str]
    """Vendor names some state judged non-essential."""
    tracking_cookies: frozenset[tuple[str, str]]
    """Cookies some state judged non-essential."""

    @classmethod
    def of(cls, consent: Consent) -> StatesSeen:
        """The index of a scan's consent visits."""
        states = [consent.state(name) for name in CONSENT_STATES]
        observed = [s for s in states if s is not None]
        return cls(
            visited=tuple(s is not None and bool(s.pages) for s in states),
            vendors=tuple(
                frozenset(v.name for v in s.vendors) if s else frozenset() for s in states
            ),
            cookies=tuple(
                frozenset(cookie_key(c.name, c.domain) for c in s.cookies) if s else frozenset()
                for s in states
            ),
            tracking_vendors=frozenset(
                v.name for s in observed for v in s.vendors if not v.essential
            ),
            tracking_cookies=frozenset(
                cookie_key(c.name, c.domain) for s in observed for c in s.cookies if not c.essential
            ),
        )

    def vendor_cells(self, names: Iterable[str]) -> tuple[str, ...]:
        """Per state: "seen" when it called a vendor of one of these names, "—" when it did
        not, "not visited"."""
        wanted = set(names)
        return tuple(
            _cell(visited, bool(wanted & seen))
            for visited, seen in zip(self.visited, self.vendors, strict=True)
        )

    def cookie_cells(self, name: str, domain: str) -> tuple[str, ...]:
        """Per state: "seen" when it set (or tried to set) this cookie, "—", "not visited"."""
        key = cookie_key(name, domain)
        return tuple(
            _cell(visited, key in seen)
            for visited, seen in zip(self.visited, self.cookies, strict=True)
        )

    def cookie_tracking(self, name: str, domain: str) -> bool:
        """Some state judged this cookie non-essential."""
        return cookie_key(name, domain) in self.tracking_cookies


def states_seen(result: ScanResult) -> StatesSeen | None:
    """The index of the scan's consent visits; None when it made none (no per-state columns)."""
    consent = result.consent
    return StatesSeen.of(consent) if consent is not None and consent.states else None


@dataclass(frozen=True)
class ConsentRow:
    """One vendor or cookie: its label, whether it is tracking, and a cell per state."""

    label: str
    detail: str
    tracking: bool
    cells: tuple[str, ...]
    """Per state, in CONSENT_STATES order: "seen", "—" (not seen) or "not visited"."""


OPT_OUT_WORDS = {0: "not applicable", 1: "opted out", 2: "did not opt out"}
"""The US sections' opt-out values in words."""


def _tcf_line(label: str, tcf: TcfConsent) -> str:
    if tcf.error:
        return f"{label}: {tcf.error}"
    purposes = ", ".join(map(str, tcf.purposes_consent)) or "none"
    vendors = ", ".join(map(str, tcf.vendors_consent)) or "none"
    return f"{label}: purposes {purposes}; vendors {vendors}"


def _gpp_section_line(section: GppSection) -> str:
    label = f"GPP {section.id} {section.name}"
    if section.tcf is not None:
        return _tcf_line(label, section.tcf)
    if section.error:
        return f"{label}: {section.error}"
    if section.us_privacy is not None:
        usp = section.us_privacy
        return f"{label} {usp.usp_string}: notice {usp.notice}, sale opted out {usp.opt_out_sale}"
    if section.us is not None:
        values = section.us.model_dump()
        said = [
            f"{word} {OPT_OUT_WORDS.get(values[key], str(values[key]))}"
            for key, word in US_OPT_OUTS.items()
            if values[key] is not None
        ]
        if section.us.gpc is not None:
            said.append(f"GPC {'on' if section.us.gpc else 'off'}")
        return f"{label} v{section.us.version}: " + ", ".join(said)
    return f"{label}: not decoded"


def _gpp_lines(gpp: GppConsent) -> list[str]:
    if not gpp.gpp_string:
        return []
    if gpp.error and not gpp.sections:
        return [f"GPP {gpp.gpp_string[:80]}: {gpp.error}"]
    lines = [_gpp_section_line(section) for section in gpp.sections]
    return lines + ([f"GPP: {gpp.error}"] if gpp.error else [])


def consent_strings(state: ConsentObservation) -> tuple[str, ...]:
    """The state's consent strings in words: the TCF string's purposes and vendors, and each
    section of the GPP string, decoded (or why not)."""
    lines = [_tcf_line("TCF", state.tcf)] if state.tcf else []
    lines += _gpp_lines(state.gpp) if state.gpp else []
    return tuple(lines)


@dataclass(frozen=True)
class StateRow:
    """One visited state in the section's first table."""

    title: str
    state: ConsentObservation
    strings: tuple[str, ...]
    """Its consent strings in words (consent_strings)."""


@dataclass(frozen=True)
class ConsentView:
    """The consent section of report.html, and the per-state columns of its other tables."""

    consent: Consent
    states: tuple[ConsentObservation | None, ...]
    titles: tuple[str, ...]
    vendors: tuple[ConsentRow, ...]
    cookies: tuple[ConsentRow, ...]
    rows: tuple[StateRow, ...]
    """The states visited, each with its title and consent strings."""
    seen: StatesSeen | None
    """The states' index; None when no state was visited (the other tables get no columns)."""


def consent_view(result: ScanResult) -> ConsentView | None:
    """The section's rows; None when the consent visits did not run."""
    consent = result.consent
    if consent is None:
        return None
    states = tuple(consent.state(name) for name in CONSENT_STATES)
    seen = StatesSeen.of(consent)
    vendors: dict[str, ConsentRow] = {}
    cookies: dict[tuple[str, str], ConsentRow] = {}
    for state in (s for s in states if s is not None):
        for vendor in state.vendors:
            if vendor.name not in vendors:
                vendors[vendor.name] = ConsentRow(
                    vendor.name,
                    vendor.category or "unknown",
                    vendor.name in seen.tracking_vendors,
                    seen.vendor_cells([vendor.name]),
                )
        for cookie in state.cookies:
            key = cookie_key(cookie.name, cookie.domain)
            if key not in cookies:
                cookies[key] = ConsentRow(
                    cookie.name,
                    cookie.domain,
                    seen.cookie_tracking(cookie.name, cookie.domain),
                    seen.cookie_cells(cookie.name, cookie.domain),
                )

    def order(row: ConsentRow) -> tuple[bool, str]:
        return (not row.tracking, row.label.lower())

    return ConsentView(
        consent=consent,
        states=states,
        titles=tuple(STATE_TITLES[name] for name in CONSENT_STATES),
        vendors=tuple(sorted(vendors.values(), key=order)),
        cookies=tuple(sorted(cookies.values(), key=order)),
        rows=tuple(
            StateRow(STATE_TITLES[state.state], state, consent_strings(state))
            for state in states
            if state is not None
        ),
        seen=states_seen(result),
    )
