"""The bundled demo site: Northwind Tea Company, a fictional shop at northwind.test.

`complyscan demo` serves it on loopback and scans it. In the "violating" variant every rule of the
catalogue has one page or host that breaks it, so each finding points at one place; the "clean"
variant is the same company with every violation fixed. Everything lives in this module (no data
files), so the demo works from an installed wheel. Third-party hosts are named as the real
vendors are (the vendor data recognises them); they are served here, never contacted.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scanner.demo.pki import CertKind, TestPKI
from scanner.demo.server import Host, Incoming, Response, Route, SiteServer, TlsSettings

Variant = Literal["violating", "clean"]

DOMAIN = "northwind.test"
WWW = f"www.{DOMAIN}"
NEWS = f"news.{DOMAIN}"
MEMBERS = f"members.{DOMAIN}"
ORDERS = f"orders.{DOMAIN}"
HELP = f"help.{DOMAIN}"
GTM = "www.googletagmanager.com"
GA = "www.google-analytics.com"
FB_SCRIPT = "connect.facebook.net"
FB = "www.facebook.com"
HOTJAR_SCRIPT = "static.hotjar.com"
HOTJAR = "in.hotjar.com"
FORM_VENDOR = "forms.formfleet.test"
"""A fictional form-processing service, on a registrable domain of its own."""
TAPE_SCRIPT = "cdn.sessiontape.test"
TAPE = "in.sessiontape.test"
"""A fictional session recorder that no vendor list knows: an "unknown recipient"."""
PLAUSIBLE = "plausible.io"

HSTS = {"Strict-Transport-Security": "max-age=31536000"}
STATEMENT_PATH = "/privacy"
CONTACT_EMAIL = "privacy@northwind.test"


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

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A transparent 1x1 GIF: what every pixel answers."""


def _origin(host: str, scheme: str = "https") -> str:
    """A placeholder the server fills with the host's origin when it serves the page."""
    return f"{{{{{scheme.upper()}_ORIGIN:{host}}}}}"


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

_CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#213;background:#f7f4ee}
header{background:#2d5a3d;color:#fff;padding:.8em 1.5em}header a{color:#fff;margin-right:1em}
main{max-width:46em;margin:1.5em auto;padding:0 1.5em}
form{background:#fff;padding:1em 1.2em;border-radius:8px;box-shadow:0 1px 3px #0002}
label{display:block;margin:.6em 0 .2em}input,textarea{width:100%;padding:.4em;box-sizing:border-box}
button{margin-top:1em;background:#2d5a3d;color:#fff;border:0;padding:.5em 1.4em;border-radius:4px}
footer{text-align:center;font-size:.85em;color:#666;margin:2em 0}
"""


def _page(
    title: str,
    body: str,
    *,
    scripts: list[str] | None = None,
    statement_link: bool = True,
) -> str:
    """A whole HTML page in the site's look: header, `body`, footer (with the statement link
    unless a violation needs it gone)."""
    links = " ".join(
        f'<a href="{_origin(WWW)}{path}">{label}</a>'
        for path, label in [("/", "Home"), ("/order", "Shop"), ("/contact", "Contact")]
    )
    privacy = (
        f' · <a href="{_origin(WWW)}{STATEMENT_PATH}">Privacy statement</a>'
        if statement_link
        else ""
    )
    tags = "".join(f'<script src="{src}" async></script>' for src in scripts or [])
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{html.escape(title)} · Northwind Tea</title>'
        f"<style>{_CSS}</style>{tags}</head><body>"
        f"<header><strong>Northwind Tea Company</strong> &nbsp; {links}</header>"
        f"<main><h1>{html.escape(title)}</h1>{body}</main>"
        f"<footer>© Northwind Tea Company{privacy}</footer></body></html>"
    )


def _form(action: str, fields: list[tuple[str, str, str]], button: str) -> str:
    """A POST form; each field is (name, label, input type) — "textarea" for a text area."""
    inputs = "".join(
        f'<label for="{name}">{label}</label>'
        + (
            f'<textarea id="{name}" name="{name}" rows="4"></textarea>'
            if kind == "textarea"
            else f'<input id="{name}" name="{name}" type="{kind}" autocomplete="{name}">'
        )
        for name, label, kind in fields
    )
    return f'<form method="post" action="{action}">{inputs}<button>{button}</button></form>'


NAME = ("name", "Your name", "text")
EMAIL = ("email", "E-mail address", "email")
PHONE = ("tel", "Phone number", "tel")
ADDRESS = ("street-address", "Postal address", "text")
MESSAGE = ("message", "Message", "textarea")


def _form_page(
    title: str,
    action: str,
    fields: list[tuple[str, str, str]],
    button: str,
    intro: str = "",
    *,
    scripts: list[str] | None = None,
    statement_link: bool = True,
) -> Response:
    """A page holding one POST form, after an `intro` paragraph."""
    body = (f"<p>{intro}</p>" if intro else "") + _form(action, fields, button)
    return Response(_page(title, body, scripts=scripts, statement_link=statement_link))


def _thanks(what: str) -> Response:
    return Response(_page("Thank you", f"<p>{what}</p>"))


STATEMENT = f"""
<p>Northwind Tea Company (“Northwind”, “we”) sells loose-leaf tea through this web site and in
our shops. This statement describes the personal information this site gathers, what we do with
it and how we look after it.</p>
<h2>What we collect</h2>
<p>When you place an order, ask for our catalogue, subscribe to the newsletter, open a member
account or write to our support desk, we ask only for the details needed to do what you asked:
usually your name, e-mail address, postal address and telephone number.</p>
<h2>Protection in transit</h2>
<p>Every page where you enter personal information is protected with SSL/TLS encryption, so the
details you type are encrypted while they travel between your browser and our servers.</p>
<h2>Sharing</h2>
<p>We will never disclose or provide your personal information to third parties, except in
exceptional cases such as when we are required by law to do so.</p>
<h2>Access analysis, web beacons and cookies</h2>
<p>To learn how visitors find their way around the site, we use an access analysis service
provided by a third party. That service collects access information through web beacons embedded
in our pages and stores cookies in your browser.</p>
<p>You can turn cookies off at any time in your browser's settings, where you can also refuse or
delete them; some features of the site, such as the shopping basket, may then stop working.</p>
<h2>Access logs</h2>
<p>Our web servers keep access logs recording your IP address, the type of browser you use and
the date and time of each visit. We use these logs only to maintain the site and to produce
statistics about how it is used.</p>
<h2>Questions</h2>
<p>If you have a question about this statement or about your personal information, please write
to <a href="mailto:{CONTACT_EMAIL}">{CONTACT_EMAIL}</a>.</p>
<p><small>Last updated 1 April 2025.</small></p>
"""


# ---------------------------------------------------------------------------------------------
# Third-party scripts: small, silent on error, and quick (they fire on load, before the scanner's
# network-quiet settle ends).
# ---------------------------------------------------------------------------------------------

GTAG_JS = f"""(function () {{
  try {{
    var m = document.cookie.match(/(?:^|; )_ga=GA1\\.1\\.([^;]+)/), cid = m && m[1];
    if (!cid) {{
      cid = Math.floor(Math.random() * 1e9) + "." + Math.floor(Date.now() / 1000);
      document.cookie = "_ga=GA1.1." + cid + "; path=/; max-age=63072000; SameSite=Lax; Secure";
    }}
    var url = "{_origin(GA)}/g/collect?v=2&tid=G-NW2025&cid=" + cid + "&en=page_view&dl=" +
      encodeURIComponent(location.href) + "&dt=" + encodeURIComponent(document.title);
    new Image(1, 1).src = url + "&_p=img";
    if (navigator.sendBeacon) navigator.sendBeacon(url + "&_p=beacon");
  }} catch (e) {{}}
}})();
"""

FBEVENTS_JS = f"""(function () {{
  try {{
    new Image(1, 1).src = "{_origin(FB)}/tr?id=4455667788&ev=PageView&dl=" +
      encodeURIComponent(location.href) + "&noscript=0";
  }} catch (e) {{}}
}})();
"""

# Records what visitors type, as session-recording tools do: the typed value goes out plain in
# a POST body and base64-encoded in a query string (what a leak probe must recognise).
HOTJAR_JS = f"""(function () {{
  var base = "{_origin(HOTJAR)}/api/v2/client/sites/3141592";
  function post(path, data) {{
    try {{ navigator.sendBeacon(base + path, JSON.stringify(data)); }} catch (e) {{}}
  }}
  post("/visit-data", {{ url: location.href }});
  var timers = {{}};
  document.addEventListener("input", function (event) {{
    var field = event.target;
    if (!field || !field.name || field.type === "password") return;
    clearTimeout(timers[field.name]);
    timers[field.name] = setTimeout(function () {{
      try {{
        post("/recording", {{ field: field.name, value: field.value }});
        var encoded = btoa(unescape(encodeURIComponent(field.value)));
        new Image(1, 1).src = base + "/rec.gif?f=" + encodeURIComponent(field.name) +
          "&v=" + encodeURIComponent(encoded);
      }} catch (e) {{}}
    }}, 100);
  }}, true);
}})();
"""

# A session recorder as real ones behave: it keeps what is typed, uploads a gzip'd, base64'd
# batch every 4 s and, when the visitor leaves (pagehide, or the tab hidden), sends what is left
# with sendBeacon. Nothing goes out on load: a scanner that leaves the page early sees nothing.
TAPE_JS = f"""(function () {{
  var endpoint = "{_origin(TAPE)}/v1/tape", events = [];
  function note(event) {{
    var field = event.target;
    if (field && field.name) events.push({{ t: Date.now(), f: field.name, v: field.value }});
  }}
  document.addEventListener("input", note, true);
  document.addEventListener("change", note, true);
  function base64(bytes) {{
    var text = "";
    new Uint8Array(bytes).forEach(function (b) {{ text += String.fromCharCode(b); }});
    return btoa(text);
  }}
  setInterval(function () {{
    if (!events.length || typeof CompressionStream === "undefined") return;
    var batch = new Blob([JSON.stringify(events)]).stream();
    events = [];
    new Response(batch.pipeThrough(new CompressionStream("gzip"))).arrayBuffer()
      .then(function (gz) {{
        return fetch(endpoint, {{
          method: "POST", keepalive: true,
          body: JSON.stringify({{ page: location.href, gz: base64(gz) }})
        }});
      }}).catch(function () {{}});
  }}, 4000);
  function leave() {{
    if (!events.length) return;
    var batch = new TextEncoder().encode(JSON.stringify(events));
    events = [];
    try {{
      navigator.sendBeacon(endpoint, JSON.stringify({{ page: location.href, b64: base64(batch) }}));
    }} catch (e) {{}}
  }}
  addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () {{
    if (document.visibilityState === "hidden") leave();
  }});
}})();
"""

# A page-view tag run in a dedicated worker, off the main thread (as Partytown runs tags): the
# page hands the worker its URL and the worker sends the page view.
STATS_JS = """(function () {
  try {
    new Worker("/js/stats-worker.js").postMessage({ u: location.href, r: document.referrer });
  } catch (e) {}
})();
"""

STATS_WORKER_JS = f"""self.onmessage = function (message) {{
  fetch("{_origin(PLAUSIBLE)}/api/event", {{
    method: "POST",
    headers: {{ "Content-Type": "text/plain" }},
    body: JSON.stringify({{ n: "pageview", d: "{DOMAIN}", u: message.data.u, r: message.data.r }})
  }}).catch(function () {{}});
}};
"""

CONTACT_JS = "document.documentElement.dataset.contact = 'ready';\n"

TEAPOT_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48">'
    '<ellipse cx="30" cy="30" rx="20" ry="15" fill="#2d5a3d"/>'
    '<path d="M48 26 q12 -4 10 10" stroke="#2d5a3d" stroke-width="4" fill="none"/>'
    '<rect x="24" y="10" width="12" height="6" rx="2" fill="#2d5a3d"/></svg>'
)


def _js(source: str) -> Response:
    return Response(source, content_type="text/javascript; charset=utf-8")


def _pixel(cookie: str | None = None) -> Response:
    headers = [("Access-Control-Allow-Origin", "*")]
    if cookie:
        headers.append(("Set-Cookie", cookie))
    return Response(GIF, content_type="image/gif", headers=headers)


def _no_content(_incoming: Incoming) -> Response:
    return Response(status=204, headers=[("Access-Control-Allow-Origin", "*")])


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

    analytics = f"{_origin(GTM)}/gtag/js?id=G-NW2025"
    www: dict[str, Route] = {}

    # The home page links everything, so a crawl from it finds every planted page.
    plant("advertising-tracker", FB)
    plant("beacon-undisclosed-vendor", FB)
    plant("third-party-cookie-undisclosed", FB)  # fr on .facebook.com
    news_scheme = "http" if bad else "https"
    directory = [
        (f"{_origin(WWW)}/contact", "Contact us"),
        (f"{_origin(WWW)}/wholesale", "Wholesale enquiries"),
        (f"{_origin(WWW)}/partners", "Become a stockist"),
        (f"{_origin(WWW)}/catalogue", "Order a printed catalogue"),
        (f"{_origin(WWW)}/order", "Shop"),
        (f"{_origin(WWW)}/gift-cards", "Gift cards"),
        (f"{_origin(WWW)}/feedback", "Tell us what you think"),
        (f"{_origin(NEWS, news_scheme)}/", "Newsletter"),
        (f"{_origin(MEMBERS)}/", "Member login"),
        (f"{_origin(ORDERS)}/track", "Track an order"),
        (f"{_origin(HELP)}/", "Support"),
    ]
    items = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in directory)
    www["/"] = Response(
        _page(
            "Fine loose-leaf tea since 1921",
            f"<p>Hand-picked teas from small gardens, packed in our own shop.</p><ul>{items}</ul>",
            scripts=[
                analytics,
                f"{_origin(FB_SCRIPT)}/en_US/fbevents.js",
                f"{_origin(WWW)}/js/stats.js",
            ]
            if bad
            else [analytics],
        )
    )
    # beacon-undisclosed-vendor: a page-view tag that sends from a web worker.
    plant("beacon-undisclosed-vendor", PLAUSIBLE)
    if bad:
        www["/js/stats.js"] = _js(STATS_JS)
        www["/js/stats-worker.js"] = _js(STATS_WORKER_JS)
    www[STATEMENT_PATH] = Response(_page("Privacy statement", STATEMENT, scripts=[analytics]))

    # mixed-content-on-pi-page: an image and a script over http on the contact form's page.
    # cookie-not-secure: the same page's response sets a first-party cookie without Secure.
    plant("mixed-content-on-pi-page", WWW, "/contact")
    plant("cookie-not-secure", WWW, "/contact")
    asset_origin = _origin(WWW, "http") if bad else ""
    www["/contact"] = Response(
        _page(
            "Contact us",
            f'<img src="{asset_origin}/img/teapot.svg" alt="" width="64" height="48">'
            "<p>Questions about an order, or about tea? Write to us.</p>"
            + _form(f"{_origin(WWW)}/contact/send", [NAME, EMAIL, MESSAGE], "Send"),
            scripts=[analytics, f"{asset_origin}/js/contact.js"],
        ),
        headers=[
            (
                "Set-Cookie",
                "nw_session=7d1e4c; Path=/; HttpOnly; SameSite=Lax" + ("" if bad else "; Secure"),
            )
        ],
    )
    www["/contact/send"] = _thanks("We will reply within two working days.")
    www["/img/teapot.svg"] = Response(TEAPOT_SVG, content_type="image/svg+xml")
    www["/js/contact.js"] = _js(CONTACT_JS)

    # pi-sent-to-third-party: a session recorder sends what is typed into the form's fields.
    plant("pi-sent-to-third-party", WWW, "/wholesale")
    plant("beacon-undisclosed-vendor", HOTJAR)
    www["/wholesale"] = _form_page(
        "Wholesale enquiries",
        f"{_origin(WWW)}/wholesale/send",
        [("organization", "Business name", "text"), NAME, EMAIL, PHONE],
        "Request prices",
        "Cafés and shops: tell us about yourselves and we will send our trade prices.",
        scripts=[analytics, f"{_origin(HOTJAR_SCRIPT)}/c/hotjar-3141592.js?sv=6"]
        if bad
        else [analytics],
    )
    www["/wholesale/send"] = _thanks("Our trade team will be in touch.")

    # pi-form-posts-to-third-party: the stockist form submits to a form-processing vendor.
    plant("pi-form-posts-to-third-party", WWW, "/partners")
    partners_action = (
        f"{_origin(FORM_VENDOR)}/f/northwind-stockists" if bad else f"{_origin(WWW)}/partners/apply"
    )
    www["/partners"] = _form_page(
        "Become a stockist",
        partners_action,
        [NAME, EMAIL, PHONE],
        "Apply",
        "Sell Northwind tea in your shop.",
        scripts=[analytics],
    )
    www["/partners/apply"] = _thanks("Thank you for applying.")

    # pi-form-posts-to-http: an https page whose form submits to an http:// URL.
    plant("pi-form-posts-to-http", WWW, "/catalogue")
    catalogue_action = f"{_origin(WWW, 'http' if bad else 'https')}/catalogue/send"
    www["/catalogue"] = _form_page(
        "Order a printed catalogue",
        catalogue_action,
        [NAME, ADDRESS, EMAIL],
        "Send me a catalogue",
        "We post our seasonal catalogue free of charge.",
        scripts=[analytics],
    )
    www["/catalogue/send"] = _thanks("Your catalogue is on its way.")

    # tls-cert-invalid: the order form submits to a host whose certificate has expired.
    plant("tls-cert-invalid", ORDERS)
    www["/order"] = _form_page(
        "Shop",
        f"{_origin(ORDERS)}/checkout",
        [NAME, EMAIL, ADDRESS, PHONE],
        "Order",
        "Our spring assortment: Darjeeling first flush, Assam, Sencha.",
        scripts=[analytics],
    )

    # statement-not-linked: a PI form page whose footer lacks the statement link.
    plant("statement-not-linked", WWW, "/gift-cards")
    www["/gift-cards"] = _form_page(
        "Gift cards",
        f"{_origin(WWW)}/gift-cards/send",
        [("recipient", "Recipient's name", "text"), EMAIL],
        "Send gift card",
        "Send a gift card by e-mail.",
        scripts=[analytics],
        statement_link=not bad,
    )
    www["/gift-cards/send"] = _thanks("Your gift card has been sent.")

    # pi-sent-to-third-party, beacon-undisclosed-vendor: a session recorder on the feedback
    # form uploads what is typed on a timer and when the visitor leaves, to a host no vendor
    # list knows.
    plant("pi-sent-to-third-party", WWW, "/feedback")
    plant("beacon-undisclosed-vendor", TAPE)
    www["/feedback"] = _form_page(
        "Tell us what you think",
        f"{_origin(WWW)}/feedback/send",
        [NAME, EMAIL, MESSAGE],
        "Send feedback",
        "How was your tea? We read every message.",
        scripts=[analytics, f"{_origin(TAPE_SCRIPT)}/tape.js"] if bad else [analytics],
    )
    www["/feedback/send"] = _thanks("Thank you for your feedback.")
    www["/newsletter/subscribe"] = _thanks("You are subscribed.")

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
                "/": _form_page(
                    "The Northwind newsletter",
                    f"{_origin(WWW)}/newsletter/subscribe",
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
                "/": _form_page(
                    "Member login",
                    f"{_origin(MEMBERS)}/login",
                    [EMAIL, ("current-password", "Password", "password")],
                    "Log in",
                ),
                "/login": _thanks("Welcome back."),
            },
        ),
        # tls-cert-invalid: an expired certificate on the host receiving the order form.
        Host(
            ORDERS,
            tls=tls("expired"),
            headers=HSTS,
            routes={
                "/track": _form_page(
                    "Track an order",
                    f"{_origin(ORDERS)}/track",
                    [("order", "Order number", "text"), EMAIL],
                    "Track",
                ),
                "/checkout": _thanks("Your order is confirmed."),
            },
        ),
        # tls-cert-expiring: the support desk's certificate ends in 10 days.
        Host(
            HELP,
            tls=tls("expiring"),
            headers=HSTS,
            routes={
                "/": _form_page(
                    "Support", f"{_origin(HELP)}/ticket", [NAME, EMAIL, MESSAGE], "Open a ticket"
                ),
                "/ticket": _thanks("We have opened a ticket for you."),
            },
        ),
        # The disclosed access analysis (Google Analytics): a script, a pixel and a beacon.
        Host(GTM, headers=HSTS, routes={"/gtag/js": _js(GTAG_JS)}),
        Host(GA, headers=HSTS, routes={"/g/collect": _pixel()}),
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
            Host(FB_SCRIPT, headers=HSTS, routes={"/en_US/fbevents.js": _js(FBEVENTS_JS)}),
            Host(
                FB,
                headers=HSTS,
                routes={
                    "/tr": _pixel(
                        "fr=0xNw7Dm0.1714000000; Domain=.facebook.com; Path=/; "
                        "Max-Age=7776000; Secure; SameSite=None"
                    ),
                },
            ),
            Host(HOTJAR_SCRIPT, headers=HSTS, routes={"/c/hotjar-3141592.js": _js(HOTJAR_JS)}),
            Host(
                HOTJAR,
                headers=HSTS,
                routes={
                    "/api/v2/client/sites/3141592/visit-data": _no_content,
                    "/api/v2/client/sites/3141592/recording": _no_content,
                    "/api/v2/client/sites/3141592/rec.gif": _pixel(),
                },
            ),
            Host(
                FORM_VENDOR,
                headers=HSTS,
                routes={"/f/northwind-stockists": _thanks("Submitted via FormFleet.")},
            ),
            Host(TAPE_SCRIPT, headers=HSTS, routes={"/tape.js": _js(TAPE_JS)}),
            Host(TAPE, headers=HSTS, routes={"/v1/tape": _no_content}),
            Host(PLAUSIBLE, headers=HSTS, routes={"/api/event": _no_content}),
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
