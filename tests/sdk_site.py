"""A small shop built from real vendor SDKs (tests/sdk, installed from npm by `make sdk`), with
each vendor's endpoints served on loopback under the vendor's real host names.

Every SDK runs with its default settings: only the key, DSN or host it needs, the sample rate
Sentry's own setup snippet writes, and the flags answer PostHog's servers give a project with
compression on. The browser builds are loaded the way shops load them: PostHog's snippet file
from its assets host, rrweb from jsDelivr, Segment's standalone build from its CDN, Sentry
bundled into the site's own assets (it ships no browser build on npm), Partytown from the
site's own `/~partytown/` folder.

The vendors' servers record every request (`SiteServer.requests_to(host)`): a test compares
what a vendor really received with what complyscan reports.

Pages:
- `/` PostHog (batched analytics; silent for browsers that say they are automated) and
  Segment (customer data; `ajs_*` cookies);
- `/contact` an rrweb recorder with default options (inputs recorded as typed) whose site code
  uploads gzip'd, base64'd batches every 5 s and on pagehide to a host no vendor list knows;
- `/checkout` Sentry with session replay (inputs masked by default: not a leak);
- `/stats` a privacy-friendly analytics tag run by Partytown in a web worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.demo.server import Host, Incoming, Response

SDK_DIR = Path(__file__).parent / "sdk"
MODULES = SDK_DIR / "node_modules"

SHOP = "www.shopfront.com"
POSTHOG_API = "us.i.posthog.com"
POSTHOG_ASSETS = "us-assets.i.posthog.com"
SEGMENT_CDN = "cdn.segment.com"
SEGMENT_API = "api.segment.io"
SENTRY_INGEST = "o0.ingest.sentry.io"
JSDELIVR = "cdn.jsdelivr.net"
RECORDER_SINK = "in.sessionsink.net"
"""Where the shop's own rrweb code uploads: a host that no vendor list knows."""
PLAUSIBLE = "plausible.io"

POSTHOG_KEY = "phc_complyscanTestKey0000000000000000000000"
SEGMENT_KEY = "cstestwritekey0000"
SENTRY_DSN = f"https://0123456789abcdef0123456789abcdef@{SENTRY_INGEST}/0"

JS = "text/javascript; charset=utf-8"

Route = Callable[[Incoming], Response]


def sdk_file(relative: str) -> bytes:
    """A file of an installed SDK; a clear error when `make sdk` has not run."""
    path = SDK_DIR / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make sdk` (npm ci in tests/sdk)")
    return path.read_bytes()


class AnyPath(dict[str, Any]):
    """Routes that answer every path with one route (a vendor's API takes many)."""

    def __init__(self, route: Callable[[Incoming], Response], **fixed: Any) -> None:
        super().__init__(fixed)
        self._route = route

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key) or self._route


def cors(body: bytes | str = b"{}", content_type: str = "application/json") -> Route:
    """An API answer any origin may read, credentials included, preflights passed."""

    def answer(request: Incoming) -> Response:
        origin = request.headers.get("origin", "*")
        headers = [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS"),
            (
                "Access-Control-Allow-Headers",
                request.headers.get("access-control-request-headers", "*"),
            ),
        ]
        if request.method == "OPTIONS":
            return Response(b"", 204, "text/plain", headers)
        return Response(body, 200, content_type, headers)

    return answer


STATEMENT = """<!doctype html><title>Privacy</title><main><h1>Privacy statement</h1>
<p>We use cookies to keep your basket.</p>
<p>We never share your personal information with third parties.</p></main>"""

FOOTER = '<footer><a href="/privacy">Privacy</a></footer>'
NAV = """<nav><a href="/">Shop</a> <a href="/contact">Contact</a>
<a href="/checkout">Checkout</a> <a href="/stats">About</a></nav>"""

HOME = f"""<!doctype html><html lang="en"><title>Shopfront</title>
{NAV}<h1>Teas and kettles</h1><p>Fresh from the garden.</p>
<script>
  !function(t,e){{var s=e.createElement("script");s.async=!0;
  s.src="https://{POSTHOG_ASSETS}/static/array.full.js";e.head.appendChild(s);
  t.posthog=t.posthog||[]; }}(window,document);
  window.addEventListener("load", function () {{
    posthog.init("{POSTHOG_KEY}", {{ api_host: "https://{POSTHOG_API}" }});
  }});
</script>
<script>
  // Segment's snippet: a queue until the library (its URL names the write key) arrives.
  !function () {{
    var a = (window.analytics = window.analytics || []);
    ["track", "page", "identify", "reset", "group", "alias", "ready", "on", "once", "off"]
      .forEach(function (m) {{
        a[m] = function () {{
          var x = [].slice.call(arguments); x.unshift(m); a.push(x); return a;
        }};
      }});
    a._writeKey = "{SEGMENT_KEY}";
    a.SNIPPET_VERSION = "5.2.0";
    var s = document.createElement("script");
    s.async = true;
    s.src = "https://{SEGMENT_CDN}/analytics.js/v1/{SEGMENT_KEY}/analytics.min.js";
    document.head.appendChild(s);
    a.page();
  }}();
</script>
{FOOTER}</html>"""

# The shop's own recorder code around rrweb: batches of events, gzip'd by the browser's
# CompressionStream and base64'd, uploaded every 5 s and when the visitor leaves.
CONTACT = f"""<!doctype html><html lang="en"><title>Contact us</title>
{NAV}<h1>Contact us</h1>
<form action="/contact/send" method="post">
  <label>Name <input name="name" autocomplete="name"></label>
  <label>E-mail <input type="email" name="email" autocomplete="email"></label>
  <label>Phone <input type="tel" name="phone" autocomplete="tel"></label>
  <label>Message <textarea name="message"></textarea></label>
  <button>Send</button>
</form>
<script src="https://{JSDELIVR}/npm/rrweb@2.2.2/dist/rrweb.umd.min.cjs"></script>
<script>
  (function () {{
    let events = [];
    rrweb.record({{ emit(event) {{ events.push(event); }} }});
    async function pack(batch) {{
      const json = new Blob([JSON.stringify(batch)]).stream();
      const gz = await new Response(json.pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
      let bin = ""; new Uint8Array(gz).forEach((b) => (bin += String.fromCharCode(b)));
      return JSON.stringify({{ site: "shopfront", page: location.href, data: btoa(bin) }});
    }}
    async function flush(leaving) {{
      if (!events.length) return;
      const batch = events; events = [];
      const body = await pack(batch);
      const url = "https://{RECORDER_SINK}/v1/replay";
      if (leaving) navigator.sendBeacon(url, body);
      else fetch(url, {{ method: "POST", body, keepalive: true }});
    }}
    setInterval(() => flush(false), 5000);
    addEventListener("pagehide", () => flush(true));
    addEventListener("visibilitychange", () => {{
      if (document.visibilityState === "hidden") flush(true);
    }});
    window.__flushRecorder = flush;
  }})();
</script>
{FOOTER}</html>"""

CHECKOUT = f"""<!doctype html><html lang="en"><title>Checkout</title>
{NAV}<h1>Checkout</h1>
<form action="/checkout/pay" method="post">
  <label>Name on card <input name="cardname" autocomplete="cc-name"></label>
  <label>E-mail <input type="email" name="email" autocomplete="email"></label>
  <label>Address <input name="address" autocomplete="street-address"></label>
  <button>Pay</button>
</form>
<script src="/assets/sentry-replay.js"></script>
<script>
  Sentry.init({{
    dsn: "{SENTRY_DSN}",
    integrations: [Sentry.replayIntegration()],
    replaysSessionSampleRate: 1.0,
    replaysOnErrorSampleRate: 1.0,
  }});
</script>
{FOOTER}</html>"""

STATS = f"""<!doctype html><html lang="en"><title>About us</title>
<script src="/~partytown/partytown.js"></script>
{NAV}<h1>About us</h1><p>A family business since 1921.</p>
<script type="text/partytown">
  fetch("https://{PLAUSIBLE}/api/event", {{
    method: "POST",
    headers: {{ "Content-Type": "text/plain" }},
    body: JSON.stringify({{ n: "pageview", u: location.href, d: "{SHOP}", r: document.referrer }}),
  }});
</script>
{FOOTER}</html>"""

POSTHOG_FLAGS = json.dumps(
    {
        "featureFlags": {},
        "featureFlagPayloads": {},
        "errorsWhileComputingFlags": False,
        "supportedCompression": ["gzip", "gzip-js"],
        "sessionRecording": False,
        "autocapture_opt_out": False,
        "capturePerformance": False,
    }
)

SEGMENT_SETTINGS = json.dumps(
    {
        "integrations": {"Segment.io": {"apiKey": SEGMENT_KEY, "apiHost": f"{SEGMENT_API}/v1"}},
        "plan": {"track": {"__default": {"enabled": True}}},
        "edgeFunction": {},
        "analyticsNextEnabled": True,
    }
)


def _segment_bundles() -> dict[str, Response]:
    folder = MODULES / "@segment/analytics-next/dist/umd"
    routes = {
        f"/analytics-next/bundles/{path.name}": Response(path.read_bytes(), content_type=JS)
        for path in sorted(folder.glob("*.js"))
    }
    routes[f"/analytics.js/v1/{SEGMENT_KEY}/analytics.min.js"] = Response(
        sdk_file("node_modules/@segment/analytics-next/dist/umd/standalone.js"), content_type=JS
    )
    return routes


def _partytown() -> dict[str, Response]:
    sdk_file("node_modules/@builder.io/partytown/lib/partytown.js")  # installed, or say so
    folder = MODULES / "@builder.io/partytown/lib"
    routes = {}
    for path in sorted(folder.glob("*.js")):
        headers = [("Service-Worker-Allowed", "/")] if path.name.endswith("-sw.js") else []
        routes[f"/~partytown/{path.name}"] = Response(
            path.read_bytes(), content_type=JS, headers=headers
        )
    return routes


def shop_hosts() -> list[Host]:
    """The shop and its vendors."""
    ok = cors()
    return [
        Host(
            SHOP,
            routes={
                "/": Response(HOME),
                "/contact": Response(CONTACT),
                "/checkout": Response(CHECKOUT),
                "/stats": Response(STATS),
                "/privacy": Response(STATEMENT),
                "/assets/sentry-replay.js": Response(
                    sdk_file("build/sentry-replay.js"), content_type=JS
                ),
                **_partytown(),
            },
        ),
        Host(
            POSTHOG_ASSETS,
            routes=AnyPath(
                cors("{}"),
                **{
                    "/static/array.full.js": Response(
                        sdk_file("node_modules/posthog-js/dist/array.full.js"), content_type=JS
                    )
                },
            ),
        ),
        Host(POSTHOG_API, routes=AnyPath(cors(POSTHOG_FLAGS))),
        Host(SEGMENT_CDN, routes=AnyPath(cors(SEGMENT_SETTINGS), **_segment_bundles())),
        Host(SEGMENT_API, routes=AnyPath(ok)),
        Host(SENTRY_INGEST, routes=AnyPath(ok)),
        Host(
            JSDELIVR,
            routes={
                "/npm/rrweb@2.2.2/dist/rrweb.umd.min.cjs": Response(
                    sdk_file("node_modules/rrweb/dist/rrweb.umd.min.cjs"), content_type=JS
                )
            },
        ),
        Host(RECORDER_SINK, routes=AnyPath(ok)),
        Host(PLAUSIBLE, routes=AnyPath(cors("ok", "text/plain"))),
    ]
