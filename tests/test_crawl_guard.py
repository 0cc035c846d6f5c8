"""What a hostile page cannot make the crawl do: reach an address the user did not put in scope,
from the page, from a cross-site frame or through a window it opens; and what a cross-site
frame does is recorded like the page's own requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Incoming, Response, SiteServer
from scanner.net import Resolver
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser


def home(internal: str) -> str:
    return f"""<!doctype html><title>Home</title>
<img src="{internal}/probe-img" alt="">
<iframe src="https://widget.other.test/frame"></iframe>
<a id="out" href="{internal}/probe-link" target="_blank">out</a>
<script>
window.open("{internal}/probe-open");
document.getElementById("out").click();
try {{ new WebSocket("{internal.replace("http", "ws")}/probe-ws"); }} catch (e) {{}}
</script>"""


def frame(internal: str) -> str:
    return f"""<!doctype html><script>
fetch("https://px.tracker.test/in-frame.gif", {{mode: "no-cors"}});
fetch("{internal}/probe-frame", {{mode: "no-cors"}}).catch(() => {{}});
</script>"""


@pytest.fixture(scope="module")
def scanned(pki: Any, chromium: Path) -> Any:
    server: SiteServer

    def internal() -> str:
        # A service on the runner's network: a literal address nobody put in scope.
        return server.origin("http", server.address_of("internal.test"))

    hosts = [
        Host("www.shop.test", routes={"/": lambda _: Response(home(internal()))}),
        Host("widget.other.test", routes={"/frame": lambda _: Response(frame(internal()))}),
        Host("px.tracker.test", routes={"/in-frame.gif": Response(b"", status=204)}),
        Host("internal.test", https=False, http="serve", routes={}),
    ]
    with SiteServer(hosts, pki) as server:
        rules = [r for r in server.resolve_rules() if not r.startswith("internal.test:")]
        resolver = Resolver.from_strings(rules, only_resolved=True)
        pages, crawler = crawl(
            server, chromium, resolver=resolver, workers=1, max_pages=1, leak_probe=False
        )
        yield pages[""], crawler, server.requests_to("internal.test"), internal()


def test_a_cross_site_frame_s_requests_are_recorded(scanned: Any) -> None:
    page, _, _, _ = scanned
    beacon = next(r for r in page.requests if r.url == "https://px.tracker.test/in-frame.gif")
    assert beacon.third_party and beacon.status == 204


def test_no_request_reaches_an_address_out_of_scope(scanned: Any) -> None:
    _, _, reached, _ = scanned
    received: list[Incoming] = reached
    assert [r.path for r in received] == []


def test_blocked_requests_are_listed(scanned: Any) -> None:
    page, crawler, _, internal = scanned
    websocket = internal.replace("http", "ws", 1)
    assert {f"{internal}/probe-img", f"{internal}/probe-frame", f"{websocket}/probe-ws"} <= set(
        crawler.stats.skipped_private
    )
    img = next(r for r in page.requests if r.url == f"{internal}/probe-img")
    assert img.failure and img.status is None


def test_windows_a_page_opens_are_recorded_not_opened(scanned: Any) -> None:
    page, _, _, internal = scanned
    assert page.popups == [f"{internal}/probe-open", f"{internal}/probe-link"]
