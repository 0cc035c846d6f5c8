"""Rules over hand-made observations: each fires where it should, cites the claim, and not
elsewhere."""

from datetime import UTC, datetime

from scanner.catalogue import load_catalogue
from scanner.checks import CHECKS, CheckContext, Declaration, run_checks
from scanner.model import (
    Beacon,
    Certificate,
    Claim,
    Cookie,
    Form,
    FormField,
    HostSecurity,
    HttpCheck,
    Page,
    ScanResult,
    Severity,
    Statement,
    TlsResult,
)
from scanner.parties.domains import FirstParty
from scanner.parties.vendors import load_vendors

SSL_SENTENCE = "Personal data you send us is protected with TLS encryption."


def _form(action: str) -> Form:
    return Form(
        action=action,
        method="post",
        selector="form#contact",
        fields=[FormField(tag="input", type="email", name="email", pi_kind="email")],
        collects_pi=True,
        pi_kinds=["email"],
    )


def _statement(*claims: Claim) -> Statement:
    return Statement(
        url="https://www.shop.test/privacy", sha256="x", text="...", claims=list(claims)
    )


def _ctx(result: ScanResult, declarations: list[Declaration] | None = None) -> CheckContext:
    return CheckContext(
        result=result,
        first_party=FirstParty("https://www.shop.test/"),
        vendors=load_vendors(),
        declarations=declarations or [],
    )


def _result(**kwargs: object) -> ScanResult:
    return ScanResult(target="https://www.shop.test/", started_at=datetime.now(UTC), **kwargs)  # type: ignore[arg-type]


def test_every_catalogue_rule_has_a_check_and_every_check_a_rule() -> None:
    assert set(CHECKS) == set(load_catalogue())


def test_pi_form_over_http_is_a_contradiction_when_the_statement_promises_encryption() -> None:
    page = Page(url="http://old.shop.test/signup", forms=[_form("http://old.shop.test/s")])
    claim = Claim(kind="transport-encryption", quote=SSL_SENTENCE, start=0, end=10)
    with_claim = list(
        CHECKS["pi-form-over-http"](_ctx(_result(pages=[page], statement=_statement(claim))))
    )
    without = list(CHECKS["pi-form-over-http"](_ctx(_result(pages=[page]))))
    assert len(with_claim) == len(without) == 1
    assert with_claim[0].claim is not None and with_claim[0].claim.quote == SSL_SENTENCE
    assert with_claim[0].severity == Severity.CRITICAL  # high, raised one step
    assert without[0].claim is None and without[0].severity == Severity.HIGH
    assert with_claim[0].fingerprint == without[0].fingerprint  # stable across statements


def test_https_page_with_https_form_is_not_flagged() -> None:
    page = Page(url="https://www.shop.test/contact", forms=[_form("https://www.shop.test/send")])
    result = _result(pages=[page])
    for rule in ("pi-form-over-http", "pi-form-posts-to-http", "pi-form-posts-to-third-party"):
        assert list(CHECKS[rule](_ctx(result))) == []


def test_form_posting_to_http_and_to_a_third_party() -> None:
    page = Page(
        url="https://www.shop.test/contact",
        forms=[_form("http://www.shop.test/send"), _form("https://forms.vendor.example/s")],
    )
    result = _result(pages=[page])
    http = list(CHECKS["pi-form-posts-to-http"](_ctx(result)))
    third = list(CHECKS["pi-form-posts-to-third-party"](_ctx(result)))
    assert [f.evidence["target"] for f in http] == ["http://www.shop.test/send"]
    assert [f.host for f in third] == ["forms.vendor.example"]


def _host(roles: list[str], **tls: object) -> HostSecurity:
    return HostSecurity(host="member.shop.test", port=443, roles=roles, tls=TlsResult(**tls))  # type: ignore[arg-type]


def test_legacy_protocol_only_on_hosts_that_handle_pi() -> None:
    protocols = {"TLS 1.0": True, "TLS 1.2": True, "TLS 1.3": False}
    pi = _result(hosts=[_host(["serves-pi-form"], protocols=protocols)])
    start_only = _result(hosts=[_host(["start"], protocols=protocols)])
    found = list(CHECKS["tls-legacy-protocol"](_ctx(pi)))
    assert len(found) == 1 and "TLS 1.0" in found[0].message
    assert list(CHECKS["tls-legacy-protocol"](_ctx(start_only))) == []


def test_certificate_rules() -> None:
    bad = Certificate(subject="CN=x", validation_errors=["expired"], days_left=-3)
    soon = Certificate(subject="CN=y", days_left=10)
    result = _result(
        hosts=[_host(["receives-pi-form"], certificate=bad), _host(["start"], certificate=soon)]
    )
    invalid = list(CHECKS["tls-cert-invalid"](_ctx(result)))
    expiring = list(CHECKS["tls-cert-expiring"](_ctx(result)))
    assert [f.evidence["validation_errors"] for f in invalid] == [["expired"]]
    assert [f.evidence["days_left"] for f in expiring] == [10]


def test_hsts_and_redirect_rules_read_the_http_checks() -> None:
    host = _host(["serves-pi-form"])
    host.http = [
        HttpCheck(
            url="https://member.shop.test/login",
            http_url="http://member.shop.test/login",
            redirects_to_https=False,
            http_status=200,
            hsts="max-age=300",
            hsts_max_age=300,
        )
    ]
    result = _result(hosts=[host])
    assert "max-age=300" in next(iter(CHECKS["hsts-missing"](_ctx(result)))).message
    assert len(list(CHECKS["http-not-redirected"](_ctx(result)))) == 1
    host.http[0].hsts_max_age = 31_536_000
    host.http[0].redirects_to_https = True
    assert list(CHECKS["hsts-missing"](_ctx(result))) == []
    assert list(CHECKS["http-not-redirected"](_ctx(result))) == []


def test_beacons_disclosed_by_declaration_or_by_name_are_not_findings() -> None:
    beacons = [
        Beacon(
            url="https://www.google-analytics.com/g/collect?v=2",
            page_url="https://www.shop.test/",
            vendor="Google Analytics",
            category="analytics",
            kind="pixel",
        ),
        Beacon(
            url="https://www.facebook.com/tr?id=1",
            page_url="https://www.shop.test/",
            vendor="Facebook",
            category="advertising",
            kind="pixel",
        ),
    ]
    analytics = Claim(
        kind="third-party-analytics", quote="We use an access analysis service.", start=0, end=5
    )
    result = _result(beacons=beacons, statement=_statement(analytics))
    declared = [Declaration("Google Analytics", ("google-analytics.com",))]
    undisclosed = list(CHECKS["beacon-undisclosed-vendor"](_ctx(result, declared)))
    assert [f.evidence["examples"][0] for f in undisclosed] == ["https://www.facebook.com/tr?id=1"]
    ads = list(CHECKS["advertising-tracker"](_ctx(result, declared)))
    assert len(ads) == 1 and ads[0].claim is not None  # contradicts "analytics only"
    # No statement sentence about beacons at all: a disclosure gap.
    gap = list(CHECKS["beacons-not-disclosed"](_ctx(result, declared)))
    assert len(gap) == 1 and gap[0].claim is None


def test_cookie_rules() -> None:
    page = Page(
        url="https://www.shop.test/contact",
        forms=[_form("https://www.shop.test/send")],
        cookies=[
            Cookie(
                name="sid",
                domain="www.shop.test",
                secure=False,
                page_url="https://www.shop.test/contact",
            ),
            Cookie(name="ok", domain="www.shop.test", secure=True),
        ],
    )
    tracker = Cookie(
        name="fr",
        domain=".facebook.com",
        third_party=True,
        vendor="Facebook",
        stored=False,
        blocked_reasons=["ThirdPartyPhaseout"],
    )
    denial = Claim(
        kind="cookies", polarity="denies", quote="We do not use cookies.", start=0, end=5
    )
    result = _result(pages=[page], cookies=[*page.cookies, tracker], statement=_statement(denial))
    insecure = list(CHECKS["cookie-not-secure"](_ctx(result)))
    assert [f.evidence["name"] for f in insecure] == ["sid"]
    undisclosed = list(CHECKS["third-party-cookie-undisclosed"](_ctx(result)))
    assert len(undisclosed) == 1 and "blocked" in undisclosed[0].message
    assert undisclosed[0].claim is not None  # "we do not use cookies" is contradicted
    not_disclosed = list(CHECKS["cookies-not-disclosed"](_ctx(result)))
    assert len(not_disclosed) == 1 and not_disclosed[0].claim is not None


def test_statement_rules() -> None:
    pi_page = Page(url="https://www.shop.test/contact", forms=[_form("https://www.shop.test/s")])
    none_found = _result(pages=[pi_page])
    assert len(list(CHECKS["statement-not-found"](_ctx(none_found)))) == 1
    found = _result(pages=[pi_page], statement=_statement())
    assert len(list(CHECKS["statement-not-linked"](_ctx(found)))) == 1
    pi_page.statement_links = ["https://www.shop.test/privacy#top"]
    assert list(CHECKS["statement-not-linked"](_ctx(found))) == []
    plain = _result(statement=Statement(url="http://www.shop.test/privacy", sha256="x", text="t"))
    assert len(list(CHECKS["statement-over-http"](_ctx(plain)))) == 1


def test_statement_changed_carries_the_diff() -> None:
    before = Statement(url="https://www.shop.test/privacy", sha256="a", text="We use cookies.")
    now = Statement(
        url="https://www.shop.test/privacy", sha256="b", text="We use cookies and pixels."
    )
    ctx = _ctx(_result(statement=now))
    ctx.previous_statement = before
    (finding,) = CHECKS["statement-changed"](ctx)
    assert "+We use cookies and pixels." in finding.evidence["diff"]


def test_run_checks_orders_most_severe_first() -> None:
    page = Page(url="http://old.shop.test/signup", forms=[_form("http://old.shop.test/s")])
    findings = run_checks(_ctx(_result(pages=[page], statement=_statement())))
    ranks = [Severity(f.severity).rank for f in findings]
    assert ranks == sorted(ranks, reverse=True) and findings
