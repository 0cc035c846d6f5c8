"""What the consent stage records (report.json's `consent` object, schema_version 3).

Kept apart from scanner/model.py (which re-exports `Consent`) so the consent work stays in its
own module; the models follow the same rules: unknown fields refused, every field described.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ConsentStateName = Literal["no-choice", "reject-all", "accept-all", "gpc"]
"""The states a consent scan visits, in the order the report shows them."""

CONSENT_STATES: tuple[ConsentStateName, ...] = ("no-choice", "reject-all", "accept-all", "gpc")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_attribute_docstrings=True)


class TcfConsent(_Model):
    """An IAB TCF v2 consent string (`__tcfapi('getTCData')`), decoded."""

    tc_string: str
    """The string as the CMP gave it (first 4,000 characters)."""
    gdpr_applies: bool | None = None
    """What the CMP said of gdprApplies."""
    cmp_id: int | None = None
    """The CMP's id in the IAB's list."""
    cmp_version: int | None = None
    """The CMP's own version number."""
    vendor_list_version: int | None = None
    """The Global Vendor List version the string refers to."""
    policy_version: int | None = None
    """The TCF policy version (4 for TCF v2.2)."""
    publisher_cc: str | None = None
    """The publisher's country code (two letters)."""
    purposes_consent: list[int] = Field(default_factory=list)
    """Purposes (1-24) the visitor consented to."""
    purposes_legitimate_interest: list[int] = Field(default_factory=list)
    """Purposes claimed under legitimate interest (shown to the visitor)."""
    vendors_consent: list[int] = Field(default_factory=list)
    """IAB vendor ids with consent (at most 2,000 listed)."""
    vendors_legitimate_interest: list[int] = Field(default_factory=list)
    """IAB vendor ids claiming legitimate interest (at most 2,000 listed)."""
    error: str | None = None
    """Why the string could not be decoded, if it could not."""


class GppConsent(_Model):
    """What the IAB GPP API (`__gpp('ping')`) said."""

    gpp_string: str | None = None
    """The GPP string (first 4,000 characters)."""
    applicable_sections: list[int] = Field(default_factory=list)
    """GPP section ids that apply (7: US national, 8: California, ...)."""
    supported_apis: list[str] = Field(default_factory=list)
    """The APIs the CMP says it supports."""
    cmp_status: str | None = None
    """The CMP's status (stub, loading, loaded, error)."""


class ConsentVendor(_Model):
    """A third-party vendor (or host without a vendor) seen in one state."""

    name: str
    """The vendor's name, or the host's registrable domain when no vendor data names it."""
    category: str | None = None
    """The vendor data's category (analytics, advertising, ...)."""
    essential: bool = False
    """True when its category or the `[consent] essential` list makes it essential."""
    requests: int = 0
    """Requests to it in this state."""
    example: str | None = None
    """One request URL (first 300 characters), as evidence."""


class ConsentCookie(_Model):
    """A cookie set (or attempted) in one state."""

    name: str
    """The cookie's name."""
    domain: str
    """The domain it was set for (no leading dot)."""
    third_party: bool = False
    """True when the domain belongs to another site than the scanned one."""
    vendor: str | None = None
    """The vendor its domain (or the script that set it) belongs to, when known."""
    category: str | None = None
    """The vendor's category, or the declared category from the cookie declaration."""
    essential: bool = False
    """False when its category makes it tracking (analytics, advertising, social, recording)."""


class ConsentObservation(_Model):
    """What the pages of one consent state did, each state in a fresh browser profile."""

    state: ConsentStateName
    """no-choice, reject-all, accept-all or gpc."""
    pages: list[str] = Field(default_factory=list)
    """Pages visited in this state (after the choice for reject-all and accept-all)."""
    answered: bool | None = None
    """reject-all / accept-all: the rule's opt-out or opt-in succeeded; null: not tried."""
    action: str | None = None
    """How the consent manager was answered, in words ("opt-out by rule 'Klaro'")."""
    cmp: str | None = None
    """The rule that recognised the consent manager in this state."""
    banner_shown: bool = False
    """The consent manager's banner (popup) was open on arrival."""
    vendors: list[ConsentVendor] = Field(default_factory=list)
    """Third-party vendors (or hosts) the state's pages called, tracking ones first."""
    cookies: list[ConsentCookie] = Field(default_factory=list)
    """Cookies the state's pages set or tried to set, tracking ones first."""
    requests: int = 0
    """Requests recorded in this state's visits."""
    tcf: TcfConsent | None = None
    """The IAB TCF consent string on the start page, decoded; null without a TCF API."""
    gpp: GppConsent | None = None
    """What the IAB GPP API said on the start page; null without one."""
    gpc_header_sent: bool = False
    """gpc: every request carried `Sec-GPC: 1` and the page saw navigator.globalPrivacyControl."""
    error: str | None = None
    """Why this state could not be observed, when it could not."""
    seconds: float = 0.0
    """Time this state's browser took, its launch included."""


class Consent(_Model):
    """The consent manager and what the site did in each consent state."""

    evaluated: bool = True
    """False when the consent manager could not be looked for (see `not_evaluated`)."""
    not_evaluated: str | None = None
    """Why not ("consent manager not evaluated: autoconsent not installed")."""
    autoconsent_version: str | None = None
    """The version of @duckduckgo/autoconsent whose rules found and answered the banner."""
    cmp: str | None = None
    """The consent manager found (the autoconsent rule's name); null when none was recognised."""
    banner_shown: bool = False
    """A consent banner was open when the start page loaded."""
    unrecognised: bool = False
    """The page's text reads like a cookie banner but no rule recognises the consent manager:
    "consent manager not recognised" (never guessed, never clicked)."""
    unrecognised_snippets: list[str] = Field(default_factory=list)
    """The banner-like text that was found (first 200 characters each, at most 3)."""
    jurisdiction: str | None = None
    """The `[consent] jurisdiction` the scan was judged by (eu, uk, jp, us-ca; none: off)."""
    page_choice: str = ""
    """How the pages were chosen (start page, personal-information forms, one per template)."""
    pages: list[str] = Field(default_factory=list)
    """The pages every state visited."""
    states: list[ConsentObservation] = Field(default_factory=list)
    """One per state visited: no-choice, reject-all, accept-all, gpc."""
    seconds: float = 0.0
    """Time the consent visits took."""

    def state(self, name: ConsentStateName) -> ConsentObservation | None:
        """The observation of one state, if it was visited."""
        return next((s for s in self.states if s.state == name), None)
