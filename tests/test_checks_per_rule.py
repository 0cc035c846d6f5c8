"""One hand-made scan per rule of rules/catalogue.yaml that must yield that rule.

Each case goes through `run_checks`, so a rule dropped from the checks table (or a check that
stops firing) fails its own case here, without a browser or a network.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from scanner.catalogue import load_catalogue
from scanner.checks import CheckContext, run_checks
from scanner.consent.model import Consent, ConsentObservation, ConsentVendor
from scanner.model import (
    Beacon,
    Certificate,
    Claim,
    Cookie,
    DeclaredCookie,
    Form,
    FormField,
    HostSecurity,
    HttpCheck,
    Leak,
    Page,
    ScanResult,
    Statement,
    TlsResult,
)
from scanner.parties.domains import FirstParty
from scanner.parties.vendors import load_vendors

SHOP = "https://www.shop.test"


def _pi_form(action: str = f"{SHOP}/send") -> Form:
    return Form(
        action=action,
        method="post",
        selector="form#contact",
        fields=[FormField(tag="input", type="email", name="email", pi_kind="email")],
        collects_pi=True,
        pi_kinds=["email"],
    )


def _pi_page(url: str = f"{SHOP}/contact", **kwargs: object) -> Page:
    return Page(url=url, forms=kwargs.pop("forms", [_pi_form()]), **kwargs)  # type: ignore[arg-type]


def _statement(*claims: Claim, url: str = f"{SHOP}/privacy", text: str = "...") -> Statement:
    return Statement(url=url, sha256=str(hash(text)), text=text, claims=list(claims))


def _claim(kind: str, quote: str = "A sentence.") -> Claim:
    return Claim(kind=kind, quote=quote, start=0, end=len(quote))  # type: ignore[arg-type]


def _host(roles: list[str] | None = None, **tls: object) -> HostSecurity:
    return HostSecurity(
        host="member.shop.test",
        port=443,
        roles=roles or ["serves-pi-form"],
        tls=TlsResult(**tls),  # type: ignore[arg-type]
    )


def _ad_beacon() -> Beacon:
    return Beacon(
        url="https://www.facebook.com/tr?id=1",
        page_url=f"{SHOP}/",
        vendor="Facebook",
        category="advertising",
        kind="pixel",
    )


def _tracker_cookie() -> Cookie:
    return Cookie(name="fr", domain=".facebook.com", third_party=True, vendor="Facebook")


def _ctx(**result: object) -> CheckContext:
    previous = result.pop("previous_statement", None)
    scan = ScanResult(target=f"{SHOP}/", started_at=datetime.now(UTC), **result)  # type: ignore[arg-type]
    ctx = CheckContext(result=scan, first_party=FirstParty(f"{SHOP}/"), vendors=load_vendors())
    ctx.previous_statement = previous  # type: ignore[assignment]
    return ctx


def _declared(name: str, **fields: object) -> Statement:
    """A statement whose cookie policy declares one cookie."""
    entry = DeclaredCookie(
        name=name,
        document_url=f"{SHOP}/cookie-policy",
        **fields,  # type: ignore[arg-type]
    )
    return _statement().model_copy(update={"cookies_declared": [entry]})


def _unread_statement() -> Statement:
    """A statement in German: found, but complyscan has no claim patterns for it."""
    return _statement(text="Wir geben Ihre Daten nicht an Dritte weiter.").model_copy(
        update={
            "language": "de",
            "supported": False,
            "unread": "statement language not supported (de)",
        }
    )


def _first_party_cookie(name: str, expires: float | None = None) -> Cookie:
    return Cookie(name=name, domain=".shop.test", expires=expires)


def _redirect_check(**kwargs: object) -> HttpCheck:
    fields: dict[str, object] = {
        "url": "https://member.shop.test/login",
        "http_url": "http://member.shop.test/login",
        "redirects_to_https": True,
        "http_status": 301,
        "hsts": "max-age=31536000",
        "hsts_max_age": 31_536_000,
    }
    return HttpCheck(**(fields | kwargs))  # type: ignore[arg-type]


def _host_with_http(check: HttpCheck) -> HostSecurity:
    host = _host()
    host.http = [check]
    return host


def _consent(**states: list[str]) -> Consent:
    """A consent record: the consent manager "Klaro", and per state its non-essential vendors."""
    return Consent(
        cmp="Klaro",
        banner_shown=True,
        states=[
            ConsentObservation(
                state=name.replace("_", "-"),  # type: ignore[arg-type]
                pages=[f"{SHOP}/"],
                answered=True,
                vendors=[ConsentVendor(name=v, category="analytics") for v in vendors],
            )
            for name, vendors in states.items()
        ],
    )


CASES: dict[str, Callable[[], CheckContext]] = {
    "pi-form-over-http": lambda: _ctx(pages=[_pi_page("http://old.shop.test/signup")]),
    "pi-form-posts-to-http": lambda: _ctx(
        pages=[_pi_page(forms=[_pi_form("http://x.shop.test/s")])]
    ),
    "mixed-content-on-pi-page": lambda: _ctx(
        pages=[_pi_page(mixed_content=["image http://www.shop.test/logo.png"])]
    ),
    "tls-legacy-protocol": lambda: _ctx(hosts=[_host(protocols={"TLS 1.0": True})]),
    "tls-weak-cipher": lambda: _ctx(
        hosts=[_host(weak_cipher_suites=["TLS_RSA_WITH_3DES_EDE_CBC_SHA"])]
    ),
    "tls-profile-noncompliant": lambda: _ctx(
        hosts=[_host(profile_compliant=False, profile_issues=["TLS 1.0 is enabled"])]
    ),
    "tls-cert-invalid": lambda: _ctx(
        hosts=[_host(certificate=Certificate(subject="CN=x", validation_errors=["expired"]))]
    ),
    "tls-cert-expiring": lambda: _ctx(
        hosts=[_host(certificate=Certificate(subject="CN=x", days_left=5))]
    ),
    "tls-scan-failed": lambda: _ctx(hosts=[_host(reachable=False, error="connection refused")]),
    "hsts-missing": lambda: _ctx(
        hosts=[_host_with_http(_redirect_check(hsts=None, hsts_max_age=None))]
    ),
    "http-not-redirected": lambda: _ctx(
        hosts=[_host_with_http(_redirect_check(redirects_to_https=False, http_status=200))]
    ),
    "cookie-not-secure": lambda: _ctx(
        pages=[_pi_page(cookies=[Cookie(name="sid", domain="www.shop.test", secure=False)])]
    ),
    "pi-form-posts-to-third-party": lambda: _ctx(
        pages=[_pi_page(forms=[_pi_form("https://forms.vendor.example/s")])]
    ),
    "pi-sent-to-third-party": lambda: _ctx(
        pages=[
            _pi_page(
                leaks=[
                    Leak(
                        kind="email",
                        encoding="sha256",
                        where="url",
                        request_url="https://www.facebook.com/tr?ud=abc",
                        third_party=True,
                    )
                ]
            )
        ]
    ),
    "beacon-undisclosed-vendor": lambda: _ctx(beacons=[_ad_beacon()]),
    "beacons-not-disclosed": lambda: _ctx(beacons=[_ad_beacon()], statement=_statement()),
    "advertising-tracker": lambda: _ctx(
        beacons=[_ad_beacon()], statement=_statement(_claim("third-party-analytics"))
    ),
    "third-party-cookie-undisclosed": lambda: _ctx(cookies=[_tracker_cookie()]),
    "cookies-not-disclosed": lambda: _ctx(cookies=[_tracker_cookie()], statement=_statement()),
    "statement-not-found": lambda: _ctx(pages=[_pi_page()]),
    "statement-not-linked": lambda: _ctx(pages=[_pi_page()], statement=_statement()),
    "statement-over-http": lambda: _ctx(statement=_statement(url="http://www.shop.test/privacy")),
    "statement-not-read": lambda: _ctx(statement=_unread_statement()),
    "cookie-undeclared": lambda: _ctx(
        cookies=[_first_party_cookie("unlisted")], statement=_declared("session")
    ),
    "cookie-lifetime-exceeds-declared": lambda: _ctx(
        cookies=[_first_party_cookie("visit", expires=datetime.now(UTC).timestamp() + 400 * 86400)],
        statement=_declared("visit", duration="1 day", max_age_seconds=86400),
    ),
    "cookie-category-mismatch": lambda: _ctx(
        cookies=[_first_party_cookie("_ga")], statement=_declared("_ga", category="necessary")
    ),
    "statement-changed": lambda: _ctx(
        statement=_statement(text="We use cookies and pixels."),
        previous_statement=_statement(text="We use cookies."),
    ),
    "tracking-before-consent": lambda: _ctx(consent=_consent(no_choice=["Google Analytics"])),
    "tracking-after-reject": lambda: _ctx(consent=_consent(reject_all=["Google Analytics"])),
    "consent-banner-missing": lambda: _ctx(
        consent=_consent(no_choice=["Google Analytics"]).model_copy(
            update={"cmp": None, "banner_shown": False, "jurisdiction": "eu"}
        )
    ),
    "gpc-ignored": lambda: _ctx(
        consent=_consent(no_choice=["Google Analytics"], gpc=["Google Analytics"]),
        statement=_statement(_claim("honours-gpc", "We honour Global Privacy Control.")),
    ),
}


def test_every_catalogue_rule_has_a_case() -> None:
    assert sorted(CASES) == sorted(load_catalogue())


@pytest.mark.parametrize("rule_id", sorted(load_catalogue()))
def test_the_rule_fires_on_its_case(rule_id: str) -> None:
    assert rule_id in CASES, f"no hand-made case for {rule_id}"

    findings = run_checks(CASES[rule_id]())

    assert rule_id in {f.rule_id for f in findings}


PATH_VALIDATION = "certificate_path_validation: Certificate path validation failed for CN=x."


def test_an_expired_certificate_is_one_finding_not_two() -> None:
    expired = Certificate(subject="CN=x", validation_errors=["expired"])
    host = _host(certificate=expired, profile_compliant=False, profile_issues=[PATH_VALIDATION])

    findings = run_checks(_ctx(hosts=[host]))

    assert [f.rule_id for f in findings if f.rule_id.startswith("tls-")] == ["tls-cert-invalid"]


def test_the_profile_still_reports_its_other_issues_beside_an_invalid_certificate() -> None:
    expired = Certificate(subject="CN=x", validation_errors=["expired"])
    issues = [PATH_VALIDATION, "tls_versions: must be {'TLSv1.2', 'TLSv1.3'}"]
    host = _host(certificate=expired, profile_compliant=False, profile_issues=issues)

    profile = [f for f in run_checks(_ctx(hosts=[host])) if f.rule_id == "tls-profile-noncompliant"]

    assert len(profile) == 1
    assert profile[0].evidence["issues"] == [issues[1]]


def test_a_pi_page_served_over_plain_http_is_not_redirected() -> None:
    page = _pi_page("http://old.shop.test/signup", status=200)

    findings = [f for f in run_checks(_ctx(pages=[page])) if f.rule_id == "http-not-redirected"]

    assert [(f.page_url, f.evidence["status"]) for f in findings] == [
        ("http://old.shop.test/signup", 200)
    ]


def test_an_unread_statement_makes_no_disclosure_gap() -> None:
    """Given beacons and third-party cookies that a silent statement would leave undisclosed,
    when the statement could not be read, no finding says the statement lacks them."""
    ctx = _ctx(beacons=[_ad_beacon()], cookies=[_tracker_cookie()], statement=_unread_statement())

    findings = run_checks(ctx)

    fired = {f.rule_id for f in findings}
    assert "statement-not-read" in fired
    assert not fired & {
        "beacon-undisclosed-vendor",
        "beacons-not-disclosed",
        "advertising-tracker",
        "third-party-cookie-undisclosed",
        "cookies-not-disclosed",
    }
    (note,) = [f for f in findings if f.rule_id == "statement-not-read"]
    assert note.message.startswith("statement language not supported (de)")
    assert note.evidence["third_parties_seen"] == ["Facebook"]
