"""The consent rules over hand-made observations: when each fires, when it must not, and what
it quotes. (The browser tests in test_consent_browser.py drive real consent managers.)"""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.checks import CheckContext, run_checks
from scanner.consent.gpp import gpp_from_api
from scanner.consent.model import Consent, ConsentCookie, ConsentObservation, ConsentVendor
from scanner.model import Claim, Finding, ScanResult, Statement
from scanner.parties.domains import FirstParty
from scanner.parties.vendors import load_vendors
from tests.test_consent_gpp import LIBRARY_US

SITE = "https://www.teashop.test/"
ANALYTICS = ConsentVendor(name="Google Analytics", category="analytics", requests=3)
CDN = ConsentVendor(name="jsDelivr", category="cdn", essential=True, requests=2)


def _state(name: str, *vendors: ConsentVendor, **fields: object) -> ConsentObservation:
    return ConsentObservation(
        state=name,  # type: ignore[arg-type]
        pages=[SITE],
        vendors=list(vendors),
        **fields,  # type: ignore[arg-type]
    )


def _findings(consent: Consent, *claims: tuple[str, str, str]) -> list[Finding]:
    statement = Statement(
        url=f"{SITE}privacy",
        sha256="x",
        text="...",
        claims=[
            Claim(kind=k, polarity=p, quote=q, start=0, end=len(q))  # type: ignore[arg-type]
            for k, p, q in claims
        ],
    )
    result = ScanResult(
        target=SITE, started_at=datetime.now(UTC), consent=consent, statement=statement
    )
    ctx = CheckContext(result=result, first_party=FirstParty(SITE), vendors=load_vendors())
    return [
        f
        for f in run_checks(ctx)
        if f.rule_id in ctx.catalogue and "consent" in (ctx.catalogue[f.rule_id].area)
    ]


def _ids(findings: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in findings)


def test_an_essential_vendor_before_the_choice_is_no_finding() -> None:
    consent = Consent(cmp="Klaro", banner_shown=True, states=[_state("no-choice", CDN)])

    assert _findings(consent) == []


def test_analytics_before_the_choice_contradicts_a_consent_promise() -> None:
    consent = Consent(cmp="Klaro", banner_shown=True, states=[_state("no-choice", ANALYTICS)])
    promise = ("consent-required", "affirms", "Analytics run only once you agree to them.")

    (finding,) = _findings(consent, promise)

    assert finding.rule_id == "tracking-before-consent"
    assert finding.claim is not None and finding.claim.quote == promise[2]
    assert finding.severity == "critical"  # high, raised by the contradiction
    assert finding.evidence["vendor"] == "Google Analytics"


def test_without_a_banner_tracking_before_the_choice_is_not_that_rule() -> None:
    consent = Consent(states=[_state("no-choice", ANALYTICS)])

    assert _findings(consent) == []  # jurisdiction none: consent-banner-missing is off


def test_a_missing_banner_is_judged_by_the_jurisdiction() -> None:
    def judged(jurisdiction: str) -> list[Finding]:
        consent = Consent(jurisdiction=jurisdiction, states=[_state("no-choice", ANALYTICS)])
        return _findings(consent)

    assert [f.severity for f in judged("eu")] == ["high"]
    assert [f.severity for f in judged("jp")] == ["medium"]
    assert judged("us-ca") == []


def test_a_banner_no_rule_knows_is_never_called_missing() -> None:
    consent = Consent(
        jurisdiction="eu",
        unrecognised=True,
        unrecognised_snippets=["We value your privacy. Accept cookies?"],
        states=[_state("no-choice", ANALYTICS)],
    )

    assert _findings(consent) == []


def test_a_reject_that_was_not_answered_says_nothing_about_the_site() -> None:
    failed = Consent(cmp="Klaro", states=[_state("reject-all", ANALYTICS, answered=False)])
    honoured = Consent(cmp="Klaro", states=[_state("reject-all", CDN, answered=True)])
    ignored = Consent(cmp="Klaro", states=[_state("reject-all", ANALYTICS, answered=True)])

    assert _findings(failed) == []
    assert _findings(honoured) == []
    assert _ids(_findings(ignored)) == ["tracking-after-reject"]


def test_a_cookie_of_a_tracking_vendor_after_reject_fires_on_its_own() -> None:
    cookie = ConsentCookie(name="_ga", domain="teashop.test", category="analytics")
    consent = Consent(states=[_state("reject-all", answered=True, cookies=[cookie])])

    (finding,) = _findings(consent)

    assert finding.evidence["cookie"] == "_ga"


def test_gpc_is_judged_only_where_promised_or_required() -> None:
    states = [_state("no-choice", ANALYTICS), _state("gpc", ANALYTICS)]
    denial = ("do-not-track", "denies", "We do not respond to Do Not Track signals.")
    no_sale = ("no-sale", "affirms", "We never sell your personal information.")

    assert _findings(Consent(states=states)) == []
    assert _findings(Consent(states=states), denial) == []
    (finding,) = _findings(Consent(states=states), no_sale)
    assert finding.rule_id == "gpc-ignored" and finding.claim is not None
    assert finding.claim.kind == "no-sale"
    assert _ids(_findings(Consent(jurisdiction="us-ca", states=states))) == ["gpc-ignored"]


def test_a_vendor_that_gpc_removes_is_no_finding() -> None:
    states = [_state("no-choice", ANALYTICS), _state("gpc", CDN)]
    promise = ("honours-gpc", "affirms", "We honour GPC.")

    assert _findings(Consent(states=states), promise) == []


def test_a_gpp_string_that_says_no_opt_out_under_gpc_is_quoted_as_evidence() -> None:
    # Given the GPC state's consent manager recording, in its GPP string (US national, made
    # by the IAB's library: tests/test_consent_gpp.py), that the visitor did not opt out of
    # sale and sharing although GPC was sent, and US Privacy's "1YNN" (sale not opted out)
    gpp = gpp_from_api({"gppString": LIBRARY_US})
    states = [_state("no-choice", ANALYTICS), _state("gpc", ANALYTICS, gpp=gpp)]

    (finding,) = _findings(Consent(jurisdiction="us-ca", states=states))

    assert finding.evidence["gpp_not_opted_out"] == {
        "US Privacy": ["sale"],
        "US national": ["sale", "sharing"],
    }
    assert "GPP string still says the visitor did not opt out" in finding.message
    # Without the string the finding stands on the trackers alone and says nothing of GPP
    (plain,) = _findings(
        Consent(jurisdiction="us-ca", states=[states[0], _state("gpc", ANALYTICS)])
    )
    assert "gpp_not_opted_out" not in plain.evidence and "GPP" not in plain.message
