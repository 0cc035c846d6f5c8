"""A synthetic site of N pages for the benchmark, served by `SiteServer` on loopback.

Every page looks like a page of a small shop: its own stylesheet, script and logo; the demo's
consent banner (scanner.demo.pages.CONSENT_JS, which autoconsent's cookieconsent3 rule
recognises and answers), which loads the analytics only after "Accept all"; three to six
third-party requests once analytics are accepted, two to four before (a web font, a CDN script,
on some pages an advertising pixel and a second advertising beacon, and after the choice an
analytics beacon and on some pages an analytics event); a first-party cookie, and third-party
cookies from the pixels; links to about five other pages, so that a breadth-first crawl
from the home page finds every page; and on every tenth page a form that asks for a name and an
e-mail address. Pages are spread over three first-party hosts (www., shop., help.) and the last
page is the privacy statement, linked from every footer.

Pages are rendered on request by one route callable, so a 1000-page site costs nothing until it is
crawled.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.demo.pages import CONSENT_JS
from scanner.demo.server import Host, Incoming, Response, Route

DOMAIN = "benchshop.test"
FIRST_PARTY_HOSTS = (f"www.{DOMAIN}", f"shop.{DOMAIN}", f"help.{DOMAIN}")
ANALYTICS = "www.google-analytics.com"
ADVERTISING = "www.facebook.com"
AD_EVENTS = "stats.g.doubleclick.net"
FONTS = "fonts.gstatic.com"
CDN = "cdn.jsdelivr.net"
THIRD_PARTY_HOSTS = (ANALYTICS, ADVERTISING, AD_EVENTS, FONTS, CDN)

STATEMENT_PATH = "/privacy"
FORM_EVERY = 10
"""Every tenth page holds a personal-information form."""

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A transparent 1x1 GIF: what every pixel answers."""

STATEMENT = """
<p>Bench Shop sells things through this web site. This statement describes the personal
information the site gathers and how we look after it.</p>
<p>Every page where you enter personal information is protected with TLS encryption.</p>
<p>We use Google Analytics to learn how visitors use the site; it collects access information
through web beacons and stores cookies in your browser. We also use Facebook and DoubleClick
advertising pixels to measure our advertising.</p>
<p>You can refuse or delete cookies in your browser's settings.</p>
"""


def _origin(host: str) -> str:
    return "{{HTTPS_ORIGIN:" + host + "}}"


CONSENT_SCRIPT = "/static/consent.js"
"""Every first-party host serves the consent banner here; every page loads it."""
ANALYTICS_SCRIPT = "/analytics.js"
"""The analytics host's script, which the banner loads only after "Accept all"."""
# The analytics, as a tag manager sends them: a page view, then each event the page pushed
# onto its dataLayer.
ANALYTICS_JS = (
    "(function () {\n"
    f'  var collect = "{_origin(ANALYTICS)}/g/collect?v=2&tid=G-BENCH";\n'
    '  new Image(1, 1).src = collect + "&en=page_view&dl=" + encodeURIComponent(location.href);\n'
    "  function events() {\n"
    "    (window.dataLayer || []).forEach(function (e) {\n"
    '      navigator.sendBeacon(collect + "&en=" + e.event + "&p=" + e.page);\n'
    "    });\n"
    "  }\n"
    '  if (document.readyState !== "loading") events();\n'
    '  else document.addEventListener("DOMContentLoaded", events);\n'
    "})();\n"
)
BANNER_JS = CONSENT_JS % {"violating": "false", "analytics": _origin(ANALYTICS) + ANALYTICS_SCRIPT}
"""The demo's clean consent banner: analytics only after "Accept all"."""


@dataclass(frozen=True)
class BenchSite:
    """The hosts of an N-page site and where its pages are."""

    pages: int
    """How many pages a full crawl visits (the statement included)."""
    hosts: list[Host]

    @property
    def start(self) -> tuple[str, str]:
        """(host, path) of the home page, where a crawl starts."""
        return page_location(0, self.pages)

    def locations(self) -> list[tuple[str, str]]:
        """(host, path) of every page, the home page first."""
        return [page_location(i, self.pages) for i in range(self.pages)]


def page_location(index: int, pages: int) -> tuple[str, str]:
    """(host, path) of page `index` of a `pages`-page site; the last page is the statement."""
    if index == pages - 1:
        return FIRST_PARTY_HOSTS[0], STATEMENT_PATH
    if index == 0:
        return FIRST_PARTY_HOSTS[0], "/"
    return FIRST_PARTY_HOSTS[index % len(FIRST_PARTY_HOSTS)], f"/products/{slug(index)}"


def slug(index: int) -> str:
    """A word-like path segment for page `index` ("tea-b", "tea-ba"...), with no digits: the
    crawler templates numbers in paths when it looks for crawl traps (scanner.scope), and a
    real shop's product pages have names, not a thousand numbers."""
    letters = ""
    while True:
        index, rest = divmod(index, 26)
        letters = chr(ord("a") + rest) + letters
        if index == 0:
            return f"tea-{letters}"


def links_of(index: int, pages: int) -> list[int]:
    """The pages that page `index` links to (besides the statement, which every footer links).

    2i+1 and 2i+2 make a binary tree over the numbered pages, so breadth-first discovery reaches
    every page within log2(N) levels; the others are cross links, as real navigation has."""
    numbered = pages - 1
    wanted = [2 * index + 1, 2 * index + 2, index + 1, (index * 7 + 3) % numbered]
    wanted.append((index + numbered // 2) % numbered)
    return [j for j in dict.fromkeys(wanted) if j != index and 0 <= j < numbered]


def third_party_requests(index: int) -> int:
    """How many third-party requests page `index` makes once analytics are accepted: 3 to 6
    (one fewer before a choice, two fewer on pages with an analytics event)."""
    return 3 + index % 4


def has_form(index: int) -> bool:
    """True when page `index` holds the personal-information form."""
    return index % FORM_EVERY == 0


def page_html(index: int, pages: int) -> str:
    """The HTML of numbered page `index`, with origin placeholders the server fills in."""
    host, _ = page_location(index, pages)
    links = "".join(
        f'<li><a href="{_origin(page_location(j, pages)[0])}{page_location(j, pages)[1]}">'
        f"Page {j}</a></li>"
        for j in links_of(index, pages)
    )
    extra = [
        f'<img alt="" width="1" height="1" src="{_origin(ADVERTISING)}/tr?id=42&ev=PageView">',
        f'<img alt="" width="1" height="1" src="{_origin(AD_EVENTS)}/r/collect?t=dc&p={index}">',
        # An analytics event: sent by the analytics script, so only after "Accept all".
        "<script>(window.dataLayer = window.dataLayer || [])"
        f'.push({{event: "scroll", page: {index}}});</script>',
    ][: third_party_requests(index) - 3]
    form = (
        f'<form method="post" action="{_origin(host)}/subscribe">'
        '<label for="name">Your name</label>'
        '<input id="name" name="name" type="text" autocomplete="name">'
        '<label for="email">E-mail address</label>'
        '<input id="email" name="email" type="email" autocomplete="email">'
        "<button>Subscribe</button></form>"
        if has_form(index)
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Bench Shop: {slug(index)}</title>"
        '<link rel="stylesheet" href="/static/site.css">'
        '<script src="/static/app.js"></script>'
        f'<script src="{CONSENT_SCRIPT}"></script>'
        f'<script src="{_origin(CDN)}/npm/widget@1/widget.min.js"></script>'
        "</head><body>"
        f'<header><img src="/static/logo.svg" alt="Bench Shop" width="64" height="48"></header>'
        f"<main><h1>Page {index}</h1><p>Things we sell, part {index}.</p><ul>{links}</ul>"
        f"{form}</main>"
        f'<footer><a href="{_origin(FIRST_PARTY_HOSTS[0])}{STATEMENT_PATH}">Privacy statement</a>'
        "</footer>"
        f"{''.join(extra)}</body></html>"
    )


def _page_route(pages: int) -> Route:
    indices = {page_location(i, pages)[1]: i for i in range(1, pages - 1)}

    def answer(incoming: Incoming) -> Response:
        path = incoming.path.split("?", 1)[0]
        index = 0 if path == "/" else indices[path]
        cookie = f"sid=s{index}; Path=/; Secure; HttpOnly; SameSite=Lax"
        return Response(page_html(index, pages), headers=[("Set-Cookie", cookie)])

    return answer


def _statement_page() -> Response:
    return Response(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Privacy statement</title>"
        f'<script src="{CONSENT_SCRIPT}"></script></head><body><h1>Privacy statement</h1>'
        f"<main>{STATEMENT}</main></body></html>"
    )


def _pixel(cookie: str | None = None) -> Response:
    headers = [("Access-Control-Allow-Origin", "*")]
    if cookie:
        headers.append(("Set-Cookie", cookie))
    return Response(GIF, content_type="image/gif", headers=headers)


def _asset(body: str, content_type: str) -> Response:
    return Response(body, content_type=content_type, headers=[("Cache-Control", "no-store")])


CSS = (
    "@font-face { font-family: BenchSans; src: url("
    + _origin(FONTS)
    + "/s/benchsans/v1/benchsans.woff2) format('woff2'); }\n"
    "body { font-family: BenchSans, sans-serif; margin: 2em; }\n"
)
APP_JS = "document.documentElement.dataset.app = 'ready';\n"
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
    '<rect width="64" height="48" fill="#2d5a3d"/></svg>'
)


def build_bench_site(pages: int) -> BenchSite:
    """The hosts of a `pages`-page site (at least 2: the home page and the statement)."""
    if pages < 2:
        raise ValueError("a bench site needs at least 2 pages (the home page and the statement)")
    route = _page_route(pages)
    first_party: dict[str, dict[str, Route]] = {
        host: {
            # Assets are not cached (no-store), so every page costs its requests, as a first
            # visit to each page of a real site roughly does.
            "/static/site.css": _asset(CSS, "text/css; charset=utf-8"),
            "/static/app.js": _asset(APP_JS, "text/javascript; charset=utf-8"),
            "/static/logo.svg": _asset(LOGO_SVG, "image/svg+xml"),
            CONSENT_SCRIPT: _asset(BANNER_JS, "text/javascript; charset=utf-8"),
            "/favicon.ico": _pixel(),
            "/subscribe": Response("<p>Thank you.</p>"),
        }
        for host in FIRST_PARTY_HOSTS
    }
    for index in range(pages - 1):
        host, path = page_location(index, pages)
        first_party[host][path] = route
    first_party[FIRST_PARTY_HOSTS[0]][STATEMENT_PATH] = _statement_page()
    cross = [("Access-Control-Allow-Origin", "*"), ("Cache-Control", "no-store")]
    third_party: dict[str, dict[str, Route]] = {
        ANALYTICS: {
            ANALYTICS_SCRIPT: _asset(ANALYTICS_JS, "text/javascript; charset=utf-8"),
            "/g/collect": _pixel(
                "_ga=GA1.1.1234.5678; Domain=.google-analytics.com; Path=/; Max-Age=63072000; "
                "Secure; SameSite=None"
            ),
        },
        ADVERTISING: {
            "/tr": _pixel("fr=0xBENCH; Domain=.facebook.com; Path=/; Secure; SameSite=None")
        },
        AD_EVENTS: {"/r/collect": _pixel("IDE=bench; Path=/; Secure; SameSite=None")},
        FONTS: {
            "/s/benchsans/v1/benchsans.woff2": Response(
                b"wOF2bench", content_type="font/woff2", headers=cross
            )
        },
        CDN: {
            "/npm/widget@1/widget.min.js": Response(
                "window.benchWidget = 1;\n",
                content_type="text/javascript; charset=utf-8",
                headers=cross,
            )
        },
    }
    hosts = [Host(name, routes=routes) for name, routes in first_party.items()]
    hosts += [Host(name, routes=routes) for name, routes in third_party.items()]
    return BenchSite(pages=pages, hosts=hosts)
