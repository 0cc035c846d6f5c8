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


class UsPrivacy(_Model):
    """A US Privacy string ("1YNN"), as GPP section 6 (uspv1) carries it."""

    usp_string: str
    """The string: version, then Y (yes), N (no) or - (not applicable) for each field."""
    version: int
    """The US Privacy string's version (1)."""
    notice: str
    """Notice given and opportunity to opt out of the sale provided: Y, N or -."""
    opt_out_sale: str
    """The visitor opted out of the sale of their personal information: Y, N or -."""
    lspa_covered: str
    """The publisher is a signatory to the IAB's Limited Service Provider Agreement: Y, N or -."""


class GppUsSection(_Model):
    """The core segment (and GPC subsection) of a GPP US section: 7 (US national, usnat) or 8
    (California, usca). Values are the IAB's numbers: for the notices 0 not applicable, 1 notice
    given, 2 not given; for the opt-outs 0 not applicable, 1 opted out, 2 did not opt out. A
    field the section does not have is null."""

    version: int
    """The section's own version (usnat 1 or 2, usca 1)."""
    sharing_notice: int | None = None
    """SharingNotice (usnat): notice of sharing personal data with third parties."""
    sale_opt_out_notice: int | None = None
    """SaleOptOutNotice: notice of the opportunity to opt out of the sale."""
    sharing_opt_out_notice: int | None = None
    """SharingOptOutNotice: notice of the opportunity to opt out of sharing."""
    targeted_advertising_opt_out_notice: int | None = None
    """TargetedAdvertisingOptOutNotice (usnat): notice of the opportunity to opt out of
    targeted advertising."""
    sensitive_data_processing_opt_out_notice: int | None = None
    """SensitiveDataProcessingOptOutNotice (usnat): notice of the opportunity to opt out of
    processing sensitive data."""
    sensitive_data_limit_use_notice: int | None = None
    """SensitiveDataLimitUseNotice: notice of the opportunity to limit the use of sensitive data."""
    sale_opt_out: int | None = None
    """SaleOptOut: 0 not applicable, 1 opted out of the sale, 2 did not opt out."""
    sharing_opt_out: int | None = None
    """SharingOptOut: 0 not applicable, 1 opted out of sharing, 2 did not opt out."""
    targeted_advertising_opt_out: int | None = None
    """TargetedAdvertisingOptOut (usnat): 0 not applicable, 1 opted out, 2 did not opt out."""
    sensitive_data_processing: list[int] = Field(default_factory=list)
    """SensitiveDataProcessing, one number per category of sensitive data (usnat: 12 in version
    1, 16 in version 2; usca: 9); usnat 1 no consent, 2 consent; usca 1 did not opt out,
    2 opted out; 0 not applicable."""
    known_child_sensitive_data_consents: list[int] = Field(default_factory=list)
    """KnownChildSensitiveDataConsents, one number per activity (usnat: 2 in version 1, 3 in
    version 2; usca: 2); 0 not applicable; usnat 1 no consent, 2 consent; usca 1 consent,
    2 no consent."""
    personal_data_consents: int | None = None
    """PersonalDataConsents: consent to uses unrelated to the purpose of collection."""
    mspa_covered_transaction: int | None = None
    """MspaCoveredTransaction: 1 the transaction is covered by the IAB's MSPA, 2 it is not."""
    mspa_opt_out_option_mode: int | None = None
    """MspaOptOutOptionMode: 0 not applicable, 1 yes, 2 no."""
    mspa_service_provider_mode: int | None = None
    """MspaServiceProviderMode: 0 not applicable, 1 yes, 2 no."""
    gpc: bool | None = None
    """The GPC subsection's flag (the CMP saw Global Privacy Control); null without one."""


class GppSection(_Model):
    """One section of a GPP string, decoded when this decoder reads its kind."""

    id: int
    """The GPP section id (2 EU TCF v2, 6 US Privacy, 7 US national, 8 California, ...)."""
    name: str
    """What the section is ("US national"), or "section N" for an id this decoder does not
    know."""
    decoded: bool = False
    """False: listed by its id only, never guessed at (a kind this decoder does not read)."""
    tcf: TcfConsent | None = None
    """Section 2: the TC string it carries, decoded."""
    us_privacy: UsPrivacy | None = None
    """Section 6: the US Privacy string."""
    us: GppUsSection | None = None
    """Sections 7 and 8: the core segment and the GPC subsection."""
    error: str | None = None
    """Why the section could not be decoded, when its kind is known but its text is not."""


class GppConsent(_Model):
    """What the IAB GPP API (`__gpp('ping')`) said, and its GPP string decoded."""

    gpp_string: str | None = None
    """The GPP string (first 4,000 characters)."""
    applicable_sections: list[int] = Field(default_factory=list)
    """GPP section ids that apply (7: US national, 8: California, ...)."""
    supported_apis: list[str] = Field(default_factory=list)
    """The APIs the CMP says it supports."""
    cmp_status: str | None = None
    """The CMP's status (stub, loading, loaded, error)."""
    version: int | None = None
    """The GPP string's header: the GPP version (1)."""
    section_ids: list[int] = Field(default_factory=list)
    """The header's section ids, in the order of the string's sections."""
    sections: list[GppSection] = Field(default_factory=list)
    """Each section of the string, in order (at most 50)."""
    error: str | None = None
    """Why the GPP string could not be decoded, when it could not."""


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
