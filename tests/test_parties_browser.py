"""Third parties seen by a real visit: real vendor hostnames on loopback over HTTPS, a hashed
e-mail leak caught, and the requests that must NOT count as beacons or leaks."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.demo.server import Host, Response, SiteServer
from scanner.model import ScanResult
from tests.conftest import scan_loopback

pytestmark = [pytest.mark.browser]

STATEMENT = """<!doctype html><title>Privacy</title><main><p>We use cookies.</p>
<p>We never share your personal information with third parties.</p></main>"""

FOOTER = '<footer><a href="/privacy">Privacy</a></footer>'

SIGNUP = f"""<!doctype html><title>Sign up</title>
<form action="/join" method="post"><label>E-mail <input type="email" name="email"></label></form>
<script src="https://connect.facebook.net/en_US/fbevents.js"></script>{FOOTER}"""

# "Advanced matching": the pixel sends the SHA-256 of the normalised e-mail, never the e-mail.
FBEVENTS = """
document.addEventListener("input", async (event) => {
  const value = event.target.value.trim().toLowerCase();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  const bytes = Array.from(new Uint8Array(digest));
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  new Image().src = "https://www.facebook.com/tr?id=42&ev=Lead&ud[em]=" + hex;
}, true);
"""

SEARCH = f"""<!doctype html><title>Search</title>
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">
<script src="https://cdnjs.cloudflare.com/ajax/libs/lodash/4.17.21/lodash.min.js"></script>
<script src="https://static.shop.test/app.js"></script>
<p style="font-family:Inter">Our teas</p>
<form action="/search"><input type="search" name="q" placeholder="Search teas"></form>
<script>fetch("/collect?page=" + encodeURIComponent(location.pathname) + "&uid=7");</script>
{FOOTER}"""

CSS = "@font-face{font-family:Inter;src:url(https://fonts.gstatic.com/s/inter/v1/a.woff2)}"


def hosts() -> list[Host]:
    js = "text/javascript"
    return [
        Host(
            "www.shop.test",
            routes={
                "/": Response(f'<a href="/signup">Join</a> <a href="/search">Search</a>{FOOTER}'),
                "/signup": Response(SIGNUP),
                "/search": Response(SEARCH),
                "/privacy": Response(STATEMENT),
                "/collect": Response(b"", status=204),
            },
        ),
        Host("static.shop.test", routes={"/app.js": Response("window.app = 1;", content_type=js)}),
        Host(
            "connect.facebook.net",
            routes={"/en_US/fbevents.js": Response(FBEVENTS, content_type=js)},
        ),
        Host("www.facebook.com", routes={"/tr": Response(b"GIF89a", content_type="image/gif")}),
        Host("fonts.googleapis.com", routes={"/css2": Response(CSS, content_type="text/css")}),
        Host(
            "fonts.gstatic.com",
            routes={"/s/inter/v1/a.woff2": Response(b"wOF2", content_type="font/woff2")},
        ),
        Host(
            "cdnjs.cloudflare.com",
            routes={
                "/ajax/libs/lodash/4.17.21/lodash.min.js": Response("var _ = {};", content_type=js)
            },
        ),
    ]


@pytest.fixture(scope="module")
def scanned(pki: Any, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    with SiteServer(hosts(), pki) as server:
        return scan_loopback(server, "www.shop.test", tmp_path_factory.mktemp("parties"))


def test_hashed_email_reaching_a_pixel_is_a_leak_that_contradicts_the_statement(
    scanned: ScanResult,
) -> None:
    (finding,) = [f for f in scanned.findings if f.rule_id == "pi-sent-to-third-party"]
    assert finding.host == "facebook.com"
    assert [leak["encoding"] for leak in finding.evidence["leaks"]] == ["sha256"]
    assert finding.claim is not None and finding.claim.kind == "no-third-party-sharing"


def test_only_the_pixel_is_a_beacon(scanned: ScanResult) -> None:
    assert {b.vendor for b in scanned.beacons} == {"Facebook"}
    hosts_seen = {r.url.split("/")[2] for p in scanned.pages for r in p.requests}
    # Fonts, a CDN script, a same-site subdomain and first-party analytics were all loaded,
    # and none of them is a beacon or a third party.
    assert {"fonts.gstatic.com", "cdnjs.cloudflare.com", "static.shop.test"} <= hosts_seen
    search = next(p for p in scanned.pages if p.url.endswith("/search"))
    first_party = [r for r in search.requests if "/collect" in r.url or "static.shop" in r.url]
    assert first_party and not any(r.third_party for r in first_party)


def test_a_search_form_is_not_personal_information(scanned: ScanResult) -> None:
    search = next(p for p in scanned.pages if p.url.endswith("/search"))
    assert search.forms and not any(f.collects_pi for f in search.forms)
    assert not search.probe_values  # nothing typed where nothing personal is asked
