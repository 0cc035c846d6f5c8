"""The bundled demo site: Northwind Tea Company, a fictional shop at northwind.test.

`complyscan demo` serves it on loopback and scans it. In the "violating" variant every rule of the
catalogue has one page or host that breaks it, so each finding points at one place; the "clean"
variant is the same company with every violation fixed. Everything lives in this module (no data
files), so the demo works from an installed wheel. Third-party hosts are named as the real
vendors are (the vendor data recognises them); they are served here, never contacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scanner.demo.pages import (
    ADDRESS,
    CONSENT_JS,
    CONTACT_JS,
    DOMAIN,
    EMAIL,
    FB,
    FB_SCRIPT,
    FBEVENTS_JS,
    FORM_VENDOR,
    GA,
    GTAG_JS,
    GTM,
    HELP,
    HOTJAR,
    HOTJAR_JS,
    HOTJAR_SCRIPT,
    HSTS,
    MEMBERS,
    MESSAGE,
    NAME,
    NEWS,
    ORDERS,
    PHONE,
    PLAUSIBLE,
    STATEMENT,
    STATEMENT_PATH,
    STATS_JS,
    STATS_WORKER_JS,
    TAPE,
    TAPE_JS,
    TAPE_SCRIPT,
    TEAPOT_SVG,
    WWW,
    form,
    form_page,
    js,
    no_content,
    origin,
    page,
    pixel,
    thanks,
)
from scanner.demo.pki import CertKind, TestPKI
from scanner.demo.server import Host, Response, Route, SiteServer, TlsSettings

Variant = Literal["violating", "clean"]


@dataclass(frozen=True)
class DisclosedVendor:
    """A vendor the statement covers in general words: the `[[disclosed]]` entry of
    complyscan.toml that a scan of the demo runs with (same fields as config's Disclosed)."""

    vendor: str
    domains: list[str]
    purpose: str
    cookies: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Violation:
    """One planted violation: the rule it is there to trigger and where."""

    rule_id: str
    host: str
    path: str | None = None
    """The page, or None when the finding is about the host (TLS, HSTS) or a vendor."""


@dataclass(frozen=True)
class DemoInfo:
    """What a scan of the demo needs to know, and what it should find."""

    variant: Variant
    start_host: str
    start_path: str
    statement_path: str
    resolve_hosts: list[str]
    """Every host name the demo serves (vendors included): each needs a --resolve rule."""
    disclosed: list[DisclosedVendor]
    violations: list[Violation]
    """The planted violations (empty for the clean variant)."""

    def start_url(self, server: SiteServer) -> str:
        """The URL a scan of the running demo starts at."""
        return server.url(self.start_host, self.start_path)


DISCLOSED_ANALYTICS = DisclosedVendor(
    vendor="Google Analytics",
    domains=["google-analytics.com", "googletagmanager.com"],
    purpose="access analysis",
    cookies=["_ga"],
)

# ---------------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------------


def build_demo_site(pki: TestPKI, variant: Variant = "violating") -> tuple[list[Host], DemoInfo]:
    """The demo's hosts (for `SiteServer`) and what a scan of them needs and should find.

    `pki` issues every host's certificate up front, so a bad host name fails here rather than
    when the server starts."""
    if variant not in ("violating", "clean"):
        raise ValueError(f"unknown demo variant {variant!r}")
    bad = variant == "violating"
    violations: list[Violation] = []

    def plant(rule_id: str, host: str, path: str | None = None) -> None:
        if bad:
            violations.append(Violation(rule_id, host, path))

    def tls(cert: CertKind) -> TlsSettings:
        return TlsSettings(cert=cert if bad else "good")

    # Every page's analytics come through the consent banner's script (CONSENT_JS).
    plant("tracking-before-consent", GA)
    plant("tracking-after-reject", GA)
    gtag = f"{origin(GTM)}/gtag/js?id=G-NW2025"
    analytics = f"{origin(WWW)}/consent.js"
    www: dict[str, Route] = {
        "/consent.js": js(CONSENT_JS % {"violating": str(bad).lower(), "analytics": gtag})
    }

    # The home page links everything, so a crawl from it finds every planted page.
    plant("advertising-tracker", FB)
    plant("beacon-undisclosed-vendor", FB)
    plant("third-party-cookie-undisclosed", FB)  # fr on .facebook.com
    news_scheme = "http" if bad else "https"
    directory = [
        (f"{origin(WWW)}/contact", "Contact us"),
        (f"{origin(WWW)}/wholesale", "Wholesale enquiries"),
        (f"{origin(WWW)}/partners", "Become a stockist"),
        (f"{origin(WWW)}/catalogue", "Order a printed catalogue"),
        (f"{origin(WWW)}/order", "Shop"),
        (f"{origin(WWW)}/gift-cards", "Gift cards"),
        (f"{origin(WWW)}/feedback", "Tell us what you think"),
        (f"{origin(NEWS, news_scheme)}/", "Newsletter"),
        (f"{origin(MEMBERS)}/", "Member login"),
        (f"{origin(ORDERS)}/track", "Track an order"),
        (f"{origin(HELP)}/", "Support"),
    ]
    items = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in directory)
    www["/"] = Response(
        page(
            "Fine loose-leaf tea since 1921",
            f"<p>Hand-picked teas from small gardens, packed in our own shop.</p><ul>{items}</ul>",
            scripts=[
                analytics,
                f"{origin(FB_SCRIPT)}/en_US/fbevents.js",
                f"{origin(WWW)}/js/stats.js",
            ]
            if bad
            else [analytics],
        )
    )
    # beacon-undisclosed-vendor: a page-view tag that sends from a web worker.
    plant("beacon-undisclosed-vendor", PLAUSIBLE)
    if bad:
        www["/js/stats.js"] = js(STATS_JS)
        www["/js/stats-worker.js"] = js(STATS_WORKER_JS)
    www[STATEMENT_PATH] = Response(page("Privacy statement", STATEMENT, scripts=[analytics]))

    # mixed-content-on-pi-page: an image and a script over http on the contact form's page.
    # cookie-not-secure: the same page's response sets a first-party cookie without Secure.
    plant("mixed-content-on-pi-page", WWW, "/contact")
    plant("cookie-not-secure", WWW, "/contact")
    asset_origin = origin(WWW, "http") if bad else ""
    www["/contact"] = Response(
        page(
            "Contact us",
            f'<img src="{asset_origin}/img/teapot.svg" alt="" width="64" height="48">'
            "<p>Questions about an order, or about tea? Write to us.</p>"
            + form(f"{origin(WWW)}/contact/send", [NAME, EMAIL, MESSAGE], "Send"),
            scripts=[analytics, f"{asset_origin}/js/contact.js"],
        ),
        headers=[
            (
                "Set-Cookie",
                "nw_session=7d1e4c; Path=/; HttpOnly; SameSite=Lax" + ("" if bad else "; Secure"),
            )
        ],
    )
    www["/contact/send"] = thanks("We will reply within two working days.")
    www["/img/teapot.svg"] = Response(TEAPOT_SVG, content_type="image/svg+xml")
    www["/js/contact.js"] = js(CONTACT_JS)

    # pi-sent-to-third-party: a session recorder sends what is typed into the form's fields.
    plant("pi-sent-to-third-party", WWW, "/wholesale")
    plant("beacon-undisclosed-vendor", HOTJAR)
    www["/wholesale"] = form_page(
        "Wholesale enquiries",
        f"{origin(WWW)}/wholesale/send",
        [("organization", "Business name", "text"), NAME, EMAIL, PHONE],
        "Request prices",
        "Cafés and shops: tell us about yourselves and we will send our trade prices.",
        scripts=[analytics, f"{origin(HOTJAR_SCRIPT)}/c/hotjar-3141592.js?sv=6"]
        if bad
        else [analytics],
    )
    www["/wholesale/send"] = thanks("Our trade team will be in touch.")

    # pi-form-posts-to-third-party: the stockist form submits to a form-processing vendor.
    plant("pi-form-posts-to-third-party", WWW, "/partners")
    partners_action = (
        f"{origin(FORM_VENDOR)}/f/northwind-stockists" if bad else f"{origin(WWW)}/partners/apply"
    )
    www["/partners"] = form_page(
        "Become a stockist",
        partners_action,
        [NAME, EMAIL, PHONE],
        "Apply",
        "Sell Northwind tea in your shop.",
        scripts=[analytics],
    )
    www["/partners/apply"] = thanks("Thank you for applying.")

    # pi-form-posts-to-http: an https page whose form submits to an http:// URL.
    plant("pi-form-posts-to-http", WWW, "/catalogue")
    catalogue_action = f"{origin(WWW, 'http' if bad else 'https')}/catalogue/send"
    www["/catalogue"] = form_page(
        "Order a printed catalogue",
        catalogue_action,
        [NAME, ADDRESS, EMAIL],
        "Send me a catalogue",
        "We post our seasonal catalogue free of charge.",
        scripts=[analytics],
    )
    www["/catalogue/send"] = thanks("Your catalogue is on its way.")

    # tls-cert-invalid: the order form submits to a host whose certificate has expired.
    plant("tls-cert-invalid", ORDERS)
    www["/order"] = form_page(
        "Shop",
        f"{origin(ORDERS)}/checkout",
        [NAME, EMAIL, ADDRESS, PHONE],
        "Order",
        "Our spring assortment: Darjeeling first flush, Assam, Sencha.",
        scripts=[analytics],
    )

    # statement-not-linked: a PI form page whose footer lacks the statement link.
    plant("statement-not-linked", WWW, "/gift-cards")
    www["/gift-cards"] = form_page(
        "Gift cards",
        f"{origin(WWW)}/gift-cards/send",
        [("recipient", "Recipient's name", "text"), EMAIL],
        "Send gift card",
        "Send a gift card by e-mail.",
        scripts=[analytics],
        statement_link=not bad,
    )
    www["/gift-cards/send"] = thanks("Your gift card has been sent.")

    # pi-sent-to-third-party, beacon-undisclosed-vendor: a session recorder on the feedback
    # form uploads what is typed on a timer and when the visitor leaves, to a host no vendor
    # list knows.
    plant("pi-sent-to-third-party", WWW, "/feedback")
    plant("beacon-undisclosed-vendor", TAPE)
    www["/feedback"] = form_page(
        "Tell us what you think",
        f"{origin(WWW)}/feedback/send",
        [NAME, EMAIL, MESSAGE],
        "Send feedback",
        "How was your tea? We read every message.",
        scripts=[analytics, f"{origin(TAPE_SCRIPT)}/tape.js"] if bad else [analytics],
    )
    www["/feedback/send"] = thanks("Thank you for your feedback.")
    www["/newsletter/subscribe"] = thanks("You are subscribed.")

    hosts = [
        Host(WWW, headers=HSTS, routes=www, aliases=[DOMAIN]),
        # pi-form-over-http: the newsletter sign-up is served over plain HTTP only (its form
        # posts to https, so that pi-form-posts-to-http stays attributable to /catalogue).
        Host(
            NEWS,
            https=not bad,
            http="serve" if bad else "redirect",
            headers=HSTS,
            routes={
                "/": form_page(
                    "The Northwind newsletter",
                    f"{origin(WWW)}/newsletter/subscribe",
                    [EMAIL],
                    "Subscribe",
                    "New harvests and brewing tips, once a month.",
                )
            },
        ),
        # tls-legacy-protocol, tls-weak-cipher, tls-profile-noncompliant: TLS 1.0 and
        # static-RSA (no forward secrecy) AES-CBC suites; hsts-missing: no HSTS header;
        # http-not-redirected: plain HTTP serves the login page instead of redirecting.
        Host(
            MEMBERS,
            tls=TlsSettings(min_version="TLSv1", key="rsa") if bad else TlsSettings(),
            http="serve" if bad else "redirect",
            headers={} if bad else HSTS,
            routes={
                "/": form_page(
                    "Member login",
                    f"{origin(MEMBERS)}/login",
                    [EMAIL, ("current-password", "Password", "password")],
                    "Log in",
                ),
                "/login": thanks("Welcome back."),
            },
        ),
        # tls-cert-invalid: an expired certificate on the host receiving the order form.
        Host(
            ORDERS,
            tls=tls("expired"),
            headers=HSTS,
            routes={
                "/track": form_page(
                    "Track an order",
                    f"{origin(ORDERS)}/track",
                    [("order", "Order number", "text"), EMAIL],
                    "Track",
                ),
                "/checkout": thanks("Your order is confirmed."),
            },
        ),
        # tls-cert-expiring: the support desk's certificate ends in 10 days.
        Host(
            HELP,
            tls=tls("expiring"),
            headers=HSTS,
            routes={
                "/": form_page(
                    "Support", f"{origin(HELP)}/ticket", [NAME, EMAIL, MESSAGE], "Open a ticket"
                ),
                "/ticket": thanks("We have opened a ticket for you."),
            },
        ),
        # The disclosed access analysis (Google Analytics): a script, a pixel and a beacon.
        Host(GTM, headers=HSTS, routes={"/gtag/js": js(GTAG_JS)}),
        Host(GA, headers=HSTS, routes={"/g/collect": pixel()}),
    ]
    plant("tls-legacy-protocol", MEMBERS)
    plant("tls-weak-cipher", MEMBERS)
    plant("tls-profile-noncompliant", MEMBERS)
    plant("hsts-missing", MEMBERS)
    plant("http-not-redirected", MEMBERS, "/")
    plant("tls-cert-expiring", HELP)
    plant("pi-form-over-http", NEWS, "/")
    if bad:
        hosts += [
            # Undisclosed advertising: the pixel sets a cookie for facebook.com.
            Host(FB_SCRIPT, headers=HSTS, routes={"/en_US/fbevents.js": js(FBEVENTS_JS)}),
            Host(
                FB,
                headers=HSTS,
                routes={
                    "/tr": pixel(
                        "fr=0xNw7Dm0.1714000000; Domain=.facebook.com; Path=/; "
                        "Max-Age=7776000; Secure; SameSite=None"
                    ),
                },
            ),
            Host(HOTJAR_SCRIPT, headers=HSTS, routes={"/c/hotjar-3141592.js": js(HOTJAR_JS)}),
            Host(
                HOTJAR,
                headers=HSTS,
                routes={
                    "/api/v2/client/sites/3141592/visit-data": no_content,
                    "/api/v2/client/sites/3141592/recording": no_content,
                    "/api/v2/client/sites/3141592/rec.gif": pixel(),
                },
            ),
            Host(
                FORM_VENDOR,
                headers=HSTS,
                routes={"/f/northwind-stockists": thanks("Submitted via FormFleet.")},
            ),
            Host(TAPE_SCRIPT, headers=HSTS, routes={"/tape.js": js(TAPE_JS)}),
            Host(TAPE, headers=HSTS, routes={"/v1/tape": no_content}),
            Host(PLAUSIBLE, headers=HSTS, routes={"/api/event": no_content}),
        ]
    for host in hosts:
        if host.https:
            pki.issue(host.names, host.tls.cert, key=host.tls.key)
    info = DemoInfo(
        variant=variant,
        start_host=WWW,
        start_path="/",
        statement_path=STATEMENT_PATH,
        resolve_hosts=[name for host in hosts for name in host.names],
        disclosed=[DISCLOSED_ANALYTICS],
        violations=violations,
    )
    return hosts, info


def start_demo(
    directory: Path, variant: Variant = "violating", *, prefer_standard_ports: bool = True
) -> tuple[SiteServer, DemoInfo]:
    """Create (or reopen) the test CA in `directory`, build the demo and start serving it.

    The caller stops the server (`server.stop()`, or `with server:`)."""
    pki = TestPKI.create(Path(directory))
    hosts, info = build_demo_site(pki, variant)
    server = SiteServer(hosts, pki, prefer_standard_ports=prefer_standard_ports)
    return server.start(), info
