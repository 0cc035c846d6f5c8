"""Record what page_probe.js returns on a real page, for the page reader's tests.

Serves a small shop on loopback (a footer link to the privacy statement, a personal-information
form, a newsletter form in a first-party iframe, a script writing a cookie and web storage, a
passive http:// image, a link out of scope, a pop-up), crawls it with the real Chromium, and
writes the reader's inputs for each page (every frame's probe and the cookies the network log
saw) to tests/fixtures/probes/<page>.json. tests/test_browser_reader.py reads them without a
browser.

    .venv/bin/python scripts/record_probes.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.browser import crawler as crawler_module  # noqa: E402
from scanner.browser.crawler import Crawler, CrawlSettings  # noqa: E402
from scanner.browser.discovery import find_chromium  # noqa: E402
from scanner.browser.reader import FrameProbe, PageReading  # noqa: E402
from scanner.demo.pki import TestPKI  # noqa: E402
from scanner.demo.server import Host, Response, SiteServer  # noqa: E402
from scanner.domains import FirstParty  # noqa: E402
from scanner.engine import page_judges  # noqa: E402
from scanner.model import Cookie, Page  # noqa: E402
from scanner.net import Resolver, Trust  # noqa: E402
from scanner.scope import Scope  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "probes"

HOME = """<!doctype html><html><head><title>Tea &amp; Co</title></head><body>
<h1>Tea &amp; Co</h1>
<a href="/join">Join the club</a> <a href="https://www.elsewhere.test/">A friend's shop</a>
<img src="http://www.tea-shop.test:{{HTTP_PORT}}/logo.gif" alt="">
<footer><a href="/privacy">Privacy policy</a> <a href="/terms">Terms</a></footer>
<script>window.open("/promo")</script>
</body></html>"""

JOIN = """<!doctype html><html><head><title>Join</title></head><body>
<form id="join" action="/welcome" method="post">
  <label for="n">Full name</label><input id="n" name="fullname" autocomplete="name">
  <label for="e">E-mail</label><input id="e" name="email" type="email">
  <input type="hidden" name="csrf" value="x">
  <button formaction="https://pay.tea-shop.test/start">Pay now</button>
</form>
<iframe src="https://news.tea-shop.test/box"></iframe>
<script>
  document.cookie = "visit=1; path=/; max-age=3600";
  localStorage.setItem("cart", "[]");
  sessionStorage.setItem("tab", "join");
</script>
<footer><a href="/privacy">Your privacy</a></footer>
</body></html>"""

BOX = """<!doctype html><html><body><form action="/subscribe">
<input name="newsletter_email" type="email" placeholder="Your e-mail"><button>Subscribe</button>
</form><script>localStorage.setItem("seen", "1")</script></body></html>"""


def hosts() -> list[Host]:
    page = {"/": Response(HOME), "/join": Response(JOIN), "/privacy": Response("<p>Privacy</p>")}
    return [
        Host("www.tea-shop.test", routes=page),
        Host("news.tea-shop.test", routes={"/box": Response(BOX)}),
    ]


async def crawl(server: SiteServer) -> dict[str, Any]:
    start = server.url("www.tea-shop.test", "/")
    recorded: dict[str, Any] = {}
    real = crawler_module.read_probes

    def recording(
        record: Page, probes: list[FrameProbe], cookies: list[Cookie], **kwargs: Any
    ) -> PageReading:
        recorded[record.url] = {
            "url": record.url,
            "final_url": record.final_url,
            "frames": [{"main": p.main, "probe": p.data} for p in probes],
            "cookies": [c.model_dump(mode="json") for c in cookies],
        }
        return real(record, probes, cookies, **kwargs)

    crawler_module.read_probes = recording  # type: ignore[assignment]
    settings = CrawlSettings(
        start_urls=[start, server.url("www.tea-shop.test", "/join")],
        scope=Scope.for_start_url(start),
        first_party=FirstParty(start),
        resolver=Resolver.from_strings(server.resolve_rules(), only_resolved=True),
        trust=Trust(Path(server.ca_pem)),
        chromium=find_chromium(None),
        workers=1,
        max_pages=2,
        leak_probe=False,
        sitemaps=False,
        judges=page_judges(),
    )

    async def sink(page: Page) -> None:
        return None

    await Crawler(settings, sink).run()
    return recorded


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pki = TestPKI.create(Path(tmp))
        with SiteServer(hosts(), pki) as server:
            recorded = asyncio.run(crawl(server))
    OUT.mkdir(parents=True, exist_ok=True)
    for url, data in recorded.items():
        name = urlsplit(url).path.strip("/") or "home"
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(data['frames'])} frame(s)")


if __name__ == "__main__":
    main()
