"""What a page keeps in the browser and the channels it opens beyond plain requests: storage
keys, WebSockets and hyperlink-auditing pings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Response
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser

HOME = """<!doctype html><title>Home</title>
<iframe src="https://widget.other.test/frame"></iframe>
<a id="out" href="#top" ping="https://px.tracker.test/ping">top</a>
<script>
localStorage.setItem("_tracker_id", "visitor-123");
localStorage.setItem("cart", "[]");
sessionStorage.setItem("_session_start", String(Date.now()));
new WebSocket("wss://live.tracker.test/socket?cid=123");
document.getElementById("out").click();
</script>"""

FRAME = """<!doctype html><script>localStorage.setItem("widget_seen", "1");</script>"""


def site() -> list[Host]:
    return [
        Host("www.shop.test", routes={"/": Response(HOME)}),
        Host("widget.other.test", routes={"/frame": Response(FRAME)}),
        Host("px.tracker.test", routes={"/ping": Response(b"", status=204)}),
        Host("live.tracker.test", routes={}),
    ]


@pytest.fixture(scope="module")
def home(pki: Any, chromium: Path) -> Any:
    from scanner.demo.server import SiteServer

    with SiteServer(site(), pki) as server:
        pages, _ = crawl(server, chromium, leak_probe=False, max_pages=1)
        yield pages[""]


def test_storage_keys_are_recorded_without_values(home: Any) -> None:
    assert home.local_storage[:2] == ["_tracker_id", "cart"]
    assert "https://widget.other.test widget_seen" in home.local_storage
    assert home.session_storage == ["_session_start"]
    assert "visitor-123" not in home.model_dump_json()


def test_websocket_opens_are_requests(home: Any) -> None:
    socket = next(r for r in home.requests if r.resource_type == "websocket")
    assert socket.url == "wss://live.tracker.test/socket?cid=123"
    assert socket.initiator and socket.initiator.startswith("https://www.shop.test/")


def test_a_ping_is_marked_as_ping(home: Any) -> None:
    ping = next(r for r in home.requests if r.url == "https://px.tracker.test/ping")
    assert ping.resource_type == "ping" and ping.method == "POST"
