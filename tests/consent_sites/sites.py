"""Local sites with REAL consent managers from the npm registry (klaro, vanilla-cookieconsent
v3, the IAB's TCF stub, an encoder from @iabtcf/core and the IAB's GPP library
@iabgpp/cmpapi), installed at test time with `npm ci`
in this directory (package.json and package-lock.json committed; node_modules never).

Trackers are served on loopback under their real host names (www.google-analytics.com,
bat.bing.com) with the test CA. Each site's HTML is small and says what it does.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from scanner.demo.server import Host, Incoming, Response

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"

STATEMENT = """<html><body><h1>Privacy policy</h1>
<p>We use cookies. We only use analytics cookies with your consent, and you can withdraw your
consent at any time from the cookie settings.</p>
<p>We use Google Analytics to understand how the site is used.</p>
<p>We honour Global Privacy Control signals from your browser.</p>
</body></html>"""

# What a vendor's script does: a first-party cookie and a beacon to its own host.
ANALYTICS_JS = """document.cookie = '_ga=GA1.1.1234.5678; path=/; max-age=63072000';
navigator.sendBeacon('https://www.google-analytics.com/g/collect?v=2&tid=G-TEST&cid=1234.5678'
  + '&dl=' + encodeURIComponent(location.href));"""
ADS_JS = """new Image().src = 'https://bat.bing.com/action/0?ti=999&evt=pageLoad&p='
  + encodeURIComponent(location.href);"""
PIXEL = Response(
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    content_type="image/gif",
    headers=[
        (
            "Set-Cookie",
            "MUID=abc123; Domain=.bing.com; Path=/; Secure; SameSite=None; Max-Age=31536000",
        )
    ],
)


def ensure_installed() -> None:
    """`npm ci` here when the consent managers are not installed yet (the Makefile does it)."""
    if all((MODULES / p).is_file() for p in ("klaro/dist/klaro.js", "@iabgpp/cmpapi/package.json")):
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=HERE,
        check=True,
        capture_output=True,
    )


def _asset(relative: str) -> str:
    return (MODULES / relative).read_text(encoding="utf-8")


def tracker_hosts() -> list[Host]:
    """Google Analytics and Bing Ads, on loopback under their own names."""
    return [
        Host(
            "www.google-analytics.com",
            routes={
                "/analytics.js": Response(ANALYTICS_JS, content_type="text/javascript"),
                "/g/collect": Response("", 204, "text/plain"),
            },
        ),
        Host(
            "bat.bing.com",
            routes={
                "/bat.js": Response(ADS_JS, content_type="text/javascript"),
                "/action/0": PIXEL,
            },
        ),
    ]


def _page(head: str, body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
{head}</head><body><h1>Welcome to the shop</h1>
<p><a href="/about">About us</a> <a href="/privacy">Privacy policy</a></p>
{body}</body></html>"""


def _pages(page: str) -> dict[str, Response]:
    """A start page, a second page of the same kind, and the statement."""
    about = page.replace("Welcome to the shop", "About us")
    return {"/": Response(page), "/about": Response(about), "/privacy": Response(STATEMENT)}


TRACKERS = """<script src="https://www.google-analytics.com/analytics.js"></script>
<script src="https://bat.bing.com/bat.js"></script>"""

KLARO_CONFIG = """<script>var klaroConfig = {
  elementID: 'klaro', storageMethod: 'cookie', cookieName: 'klaro', mustConsent: false,
  acceptAll: true, hideDeclineAll: false, default: false,
  services: [
    {name: 'google-analytics', title: 'Google Analytics', purposes: ['analytics']},
    {name: 'bing', title: 'Bing Ads', purposes: ['marketing']}
  ]};</script>
<script defer src="/klaro.js"></script>"""

# Scripts klaro runs only for the services the visitor accepted.
KLARO_MANAGED = """<script type="text/plain" data-type="text/javascript"
  data-name="google-analytics" data-src="https://www.google-analytics.com/analytics.js"></script>
<script type="text/plain" data-type="text/javascript"
  data-name="bing" data-src="https://bat.bing.com/bat.js"></script>"""


def klaro_site(name: str, *, managed: bool) -> Host:
    """klaro's banner. `managed`: the trackers wait for consent (klaro runs them); otherwise
    they load on every visit, before any choice and after "Decline" too."""
    body = KLARO_MANAGED if managed else TRACKERS
    page = _page(KLARO_CONFIG, body)
    return Host(
        name,
        routes={
            **_pages(page),
            "/klaro.js": Response(_asset("klaro/dist/klaro.js"), content_type="text/javascript"),
        },
    )


def tc_strings() -> dict[str, str]:
    """Two TC strings made by the IAB's own encoder (@iabtcf/core, in node): everything
    accepted (purposes 1-10; vendors Google 755 and Microsoft 1126) and everything refused."""
    script = """
const {TCModel, TCString, GVL} = require('@iabtcf/core');
const p = (id) => ({id, name: 'p' + id, description: '', illustrations: []});
const v = (id, name) => ({id, name, purposes: [1, 3, 4], legIntPurposes: [], flexiblePurposes: [],
  specialPurposes: [], features: [], specialFeatures: [], policyUrl: '', urls: []});
const purposes = {}; for (let i = 1; i <= 10; i++) purposes[i] = p(i);
const gvl = new GVL({gvlSpecificationVersion: 3, vendorListVersion: 150, tcfPolicyVersion: 4,
  lastUpdated: '2026-01-01T00:00:00Z', purposes, specialPurposes: {}, features: {},
  specialFeatures: {}, stacks: {}, dataCategories: {},
  vendors: {755: v(755, 'Google Advertising Products'), 1126: v(1126, 'Microsoft Advertising')}});
const make = (all) => { const m = new TCModel(gvl); m.cmpId = 300; m.cmpVersion = 3;
  m.isServiceSpecific = true; if (all) { m.purposeConsents.set([1,2,3,4,5,6,7,8,9,10]);
  m.vendorConsents.set([755, 1126]); } return TCString.encode(m); };
console.log(JSON.stringify({accept: make(true), reject: make(false)}));
"""
    out = subprocess.run(
        ["node", "-e", script],
        cwd=HERE,
        check=True,
        capture_output=True,
        text=True,
        env={"NODE_PATH": str(MODULES), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    strings: dict[str, str] = json.loads(out.stdout)
    return strings


COOKIECONSENT_HEAD = """<link rel="stylesheet" href="/cookieconsent.css">
<script src="/stub.js"></script>
<script src="/cookieconsent.umd.js"></script>"""

# The site's TCF CMP: the IAB stub queues calls until the choice is known, then getTCData
# answers with the string for that choice (made by @iabtcf/core).
COOKIECONSENT_INIT = """<script>
const TC = {TC_STRINGS};
function tcfAnswer() {
  const queued = window.__tcfapi() || [];
  window.__tcfapi = (command, version, callback) => {
    const accepted = CookieConsent.acceptedCategory('analytics');
    const chosen = CookieConsent.validConsent();
    const tcString = chosen ? (accepted ? TC.accept : TC.reject) : '';
    const eventStatus = chosen ? 'useractioncomplete' : 'cmpuishown';
    if (command === 'getTCData') {
      callback({tcString, gdprApplies: true, cmpStatus: 'loaded', eventStatus}, true);
    } else if (command === 'ping') {
      callback({gdprApplies: true, cmpLoaded: true, cmpStatus: 'loaded'}, true);
    }
  };
  for (const call of queued) window.__tcfapi(...call);
}
function loadTrackers() {
  const sources = ['https://www.google-analytics.com/analytics.js', 'https://bat.bing.com/bat.js'];
  for (const src of sources) {
    const s = document.createElement('script'); s.src = src; document.head.appendChild(s);
  }
}
CookieConsent.run({
  hideFromBots: false,  // the crawl's browser says navigator.webdriver today (wip/15 changes it)
  categories: {necessary: {enabled: true, readOnly: true}, analytics: {}},
  onConsent: () => { {ON_CONSENT} },
  guiOptions: {consentModal: {layout: 'box'}},
  language: {default: 'en', translations: {en: {
    consentModal: {title: 'Cookies', description: 'We use cookies for analytics.',
      acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', showPreferencesBtn: 'Manage'},
    preferencesModal: {title: 'Preferences', acceptAllBtn: 'Accept all',
      acceptNecessaryBtn: 'Reject all', savePreferencesBtn: 'Save', sections: []}}}}
}).then(tcfAnswer);
</script>"""


def cookieconsent_site(name: str, *, honours_reject: bool, tc: dict[str, str]) -> Host:
    """vanilla-cookieconsent v3 with an IAB TCF API. `honours_reject`: the trackers load only
    when analytics was accepted; otherwise on any choice, "Reject all" included."""
    on_consent = (
        "if (CookieConsent.acceptedCategory('analytics')) loadTrackers();"
        if honours_reject
        else "loadTrackers();"
    )
    init = COOKIECONSENT_INIT.replace("{TC_STRINGS}", json.dumps(tc)).replace(
        "{ON_CONSENT}", on_consent
    )
    page = _page(COOKIECONSENT_HEAD, init)
    js = "text/javascript"
    return Host(
        name,
        routes={
            **_pages(page),
            "/stub.js": Response(_asset("@iabtcf/stub/lib/stub.js"), content_type=js),
            "/cookieconsent.umd.js": Response(
                _asset("vanilla-cookieconsent/dist/cookieconsent.umd.js"), content_type=js
            ),
            "/cookieconsent.css": Response(
                _asset("vanilla-cookieconsent/dist/cookieconsent.css"), content_type="text/css"
            ),
        },
    )


def gpc_site(name: str, *, honours_gpc: bool) -> Host:
    """No banner (an opt-out site, as in California): the trackers load by default. Honouring
    GPC means the page leaves them out when the browser sends the signal."""

    def page(incoming: Incoming) -> Response:
        gpc = incoming.headers.get("sec-gpc") == "1"
        script = (
            "<script>if (!navigator.globalPrivacyControl) {"
            "for (const src of ['https://www.google-analytics.com/analytics.js',"
            " 'https://bat.bing.com/bat.js']) { const s = document.createElement('script');"
            " s.src = src; document.head.appendChild(s); } }</script>"
            if honours_gpc
            else TRACKERS
        )
        note = "<!-- server saw Sec-GPC -->" if gpc else ""
        return Response(_page("", script + note))

    return Host(name, routes={"/": page, "/about": page, "/privacy": Response(STATEMENT)})
