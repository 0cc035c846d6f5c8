"""The demo site's pages and third-party scripts (scanner/demo/site.py puts them on hosts)."""

from __future__ import annotations

import html

from scanner.demo.server import Incoming, Response

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


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A transparent 1x1 GIF: what every pixel answers."""


def origin(host: str, scheme: str = "https") -> str:
    """A placeholder the server fills with the host's origin when it serves the page."""
    return f"{{{{{scheme.upper()}_ORIGIN:{host}}}}}"


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#213;background:#f7f4ee}
header{background:#2d5a3d;color:#fff;padding:.8em 1.5em}header a{color:#fff;margin-right:1em}
main{max-width:46em;margin:1.5em auto;padding:0 1.5em}
form{background:#fff;padding:1em 1.2em;border-radius:8px;box-shadow:0 1px 3px #0002}
label{display:block;margin:.6em 0 .2em}input,textarea{width:100%;padding:.4em;box-sizing:border-box}
button{margin-top:1em;background:#2d5a3d;color:#fff;border:0;padding:.5em 1.4em;border-radius:4px}
footer{text-align:center;font-size:.85em;color:#666;margin:2em 0}
"""


def page(
    title: str,
    body: str,
    *,
    scripts: list[str] | None = None,
    statement_link: bool = True,
) -> str:
    """A whole HTML page in the site's look: header, `body`, footer (with the statement link
    unless a violation needs it gone)."""
    links = " ".join(
        f'<a href="{origin(WWW)}{path}">{label}</a>'
        for path, label in [("/", "Home"), ("/order", "Shop"), ("/contact", "Contact")]
    )
    privacy = (
        f' · <a href="{origin(WWW)}{STATEMENT_PATH}">Privacy statement</a>'
        if statement_link
        else ""
    )
    tags = "".join(f'<script src="{src}" async></script>' for src in scripts or [])
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{html.escape(title)} · Northwind Tea</title>'
        f"<style>{CSS}</style>{tags}</head><body>"
        f"<header><strong>Northwind Tea Company</strong> &nbsp; {links}</header>"
        f"<main><h1>{html.escape(title)}</h1>{body}</main>"
        f"<footer>© Northwind Tea Company{privacy}</footer></body></html>"
    )


def form(action: str, fields: list[tuple[str, str, str]], button: str) -> str:
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


def form_page(
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
    body = (f"<p>{intro}</p>" if intro else "") + form(action, fields, button)
    return Response(page(title, body, scripts=scripts, statement_link=statement_link))


def thanks(what: str) -> Response:
    return Response(page("Thank you", f"<p>{what}</p>"))


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
<p>We only use the analytics cookies with your consent, which you give or refuse in the cookie
banner; you can withdraw your consent at any time by deleting the cc_cookie cookie.</p>
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
    var url = "{origin(GA)}/g/collect?v=2&tid=G-NW2025&cid=" + cid + "&en=page_view&dl=" +
      encodeURIComponent(location.href) + "&dt=" + encodeURIComponent(document.title);
    new Image(1, 1).src = url + "&_p=img";
    if (navigator.sendBeacon) navigator.sendBeacon(url + "&_p=beacon");
  }} catch (e) {{}}
}})();
"""

FBEVENTS_JS = f"""(function () {{
  try {{
    new Image(1, 1).src = "{origin(FB)}/tr?id=4455667788&ev=PageView&dl=" +
      encodeURIComponent(location.href) + "&noscript=0";
  }} catch (e) {{}}
}})();
"""

# Records what visitors type, as session-recording tools do: the typed value goes out plain in
# a POST body and base64-encoded in a query string (what a leak probe must recognise).
HOTJAR_JS = f"""(function () {{
  var base = "{origin(HOTJAR)}/api/v2/client/sites/3141592";
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
  var endpoint = "{origin(TAPE)}/v1/tape", events = [];
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
  fetch("{origin(PLAUSIBLE)}/api/event", {{
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


# The demo's consent banner: our own small script (the demo runs without npm), written with the
# markup of vanilla-cookieconsent v3 (#cc-main, .cm-wrapper, .cm__btn[data-role], cc_cookie), so
# that autoconsent's "cookieconsent3" rule recognises and answers it, as it would the library.
# The clean variant loads the analytics only after "Accept all"; the violating one loads them on
# every visit, before any choice and after "Reject all" too.
CONSENT_JS = """(function () {
  var LOAD_ALWAYS = %(violating)s;
  var ANALYTICS = '%(analytics)s';
  function chosen() {
    var m = document.cookie.match(/(?:^|; )cc_cookie=([^;]*)/);
    try { return m ? JSON.parse(decodeURIComponent(m[1])) : null; } catch (e) { return null; }
  }
  function load() {
    if (window.nwAnalytics) return;
    window.nwAnalytics = true;
    var s = document.createElement('script'); s.async = true; s.src = ANALYTICS;
    document.head.appendChild(s);
  }
  function save(categories) {
    document.cookie = 'cc_cookie=' + encodeURIComponent(JSON.stringify({categories: categories}))
      + '; path=/; max-age=15552000; SameSite=Lax; Secure';
  }
  function banner() {
    var root = document.createElement('div');
    root.id = 'cc-main';
    root.innerHTML = '<div class="cm-wrapper" style="position:fixed;bottom:1em;right:1em;'
      + 'background:#fff;padding:1em;border-radius:8px;box-shadow:0 2px 8px #0004;max-width:22em">'
      + '<div class="cm"><p>We use analytics cookies, with your consent.</p>'
      + '<button type="button" class="cm__btn" data-role="all">Accept all</button> '
      + '<button type="button" class="cm__btn" data-role="necessary">Reject all</button>'
      + '</div></div>';
    root.addEventListener('click', function (event) {
      var role = event.target.getAttribute && event.target.getAttribute('data-role');
      if (!role) return;
      save(role === 'all' ? ['necessary', 'analytics'] : ['necessary']);
      root.remove();
      if (role === 'all') load();
    });
    document.body.appendChild(root);
  }
  var choice = chosen();
  if (LOAD_ALWAYS || (choice && (choice.categories || []).indexOf('analytics') >= 0)) load();
  if (!choice) {
    if (document.body) banner(); else document.addEventListener('DOMContentLoaded', banner);
  }
})();
"""


def js(source: str) -> Response:
    return Response(source, content_type="text/javascript; charset=utf-8")


def pixel(cookie: str | None = None) -> Response:
    headers = [("Access-Control-Allow-Origin", "*")]
    if cookie:
        headers.append(("Set-Cookie", cookie))
    return Response(GIF, content_type="image/gif", headers=headers)


def no_content(_incoming: Incoming) -> Response:
    return Response(status=204, headers=[("Access-Control-Allow-Origin", "*")])
