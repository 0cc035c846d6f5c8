"""What one page's visit did on the network, recorded from Chrome DevTools Protocol events.

CDP is used rather than Playwright's request events because it carries what a privacy scan
needs and Playwright does not expose: the initiating script, Set-Cookie headers with the
browser's reasons for blocking them, and sendBeacon/ping requests typed as such.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from scanner.model import Cookie, Request

BODY_BUDGET = 8 * 1024 * 1024
"""Request bodies are kept whole, up to this many bytes a page in all (8 MiB): a session
recorder's upload is typically 50-500 KB with the typed values at its end. A body past the
budget is cut there and marked `post_data_truncated`."""
INLINE_POST_DATA = 65_536
"""Bodies up to this size arrive in the CDP event itself (`Network.enable maxPostDataSize`);
larger ones are read with `Network.getRequestPostData`."""

BodyReader = Callable[[str], Awaitable[dict[str, Any]]]
"""Reads a request's whole body: `Network.getRequestPostData` on the tab's CDP session."""

MAX_WS_SENT = 1_048_576
"""Characters of a WebSocket's sent frames kept per socket (the leak search reads them)."""

_RECORDED_SCHEMES = ("http:", "https:", "ws:", "wss:")


def _initiator_url(initiator: dict[str, Any]) -> str | None:
    """The script that caused a request: the top frame of the initiator's stack, else its URL."""
    stack = initiator.get("stack") or {}
    while stack:
        for frame in stack.get("callFrames") or ():
            url = frame.get("url")
            if url:
                return str(url)
        stack = stack.get("parent") or {}
    url = initiator.get("url")
    return str(url) if url else None


def _decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return None


def _event_body(request: dict[str, Any]) -> bytes | None:
    """The body carried by a requestWillBeSent event, as bytes; None when it left it out.

    `postDataEntries` hold the exact bytes (base64); `postData` is their text, lossy for binary
    bodies, so the entries win when both are there."""
    entries = request.get("postDataEntries")
    if entries:
        parts = [_decode_base64(str(e.get("bytes", ""))) for e in entries]
        if all(p is not None for p in parts):
            return b"".join(p for p in parts if p is not None)
    data = request.get("postData")
    return str(data).encode() if data is not None else None


def parse_set_cookie(line: str) -> dict[str, Any]:
    """The attributes of one Set-Cookie line (or a document.cookie assignment)."""
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    out: dict[str, Any] = {
        "name": name.strip(),
        "value": value.strip(),
        "domain": "",
        "path": "/",
        "secure": False,
        "http_only": False,
        "same_site": None,
        "expires": None,
    }
    for attr in parts[1:]:
        key, _, val = attr.partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "domain":
            out["domain"] = val.lower()
        elif key == "path":
            out["path"] = val or "/"
        elif key == "secure":
            out["secure"] = True
        elif key == "httponly":
            out["http_only"] = True
        elif key == "samesite":
            out["same_site"] = val.capitalize() or None
        elif key == "max-age":
            with contextlib.suppress(ValueError):
                out["expires"] = time.time() + int(val)
        elif key == "expires" and out["expires"] is None:
            with contextlib.suppress(TypeError, ValueError):
                out["expires"] = parsedate_to_datetime(val).timestamp()
    return out


@dataclass
class NetworkLog:
    """Requests and attempted cookies of the page a worker is on; reset for each navigation."""

    requests: dict[str, Request] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    inflight: set[str] = field(default_factory=set)
    last_activity: float = field(default_factory=time.monotonic)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    read_body: BodyReader | None = None
    """Set by the crawler: bodies the event left out are read through it."""
    body_bytes: int = 0
    """Bytes of request bodies kept for the current page (against BODY_BUDGET)."""
    leaving: bool = False
    """The page is being left: requests CDP Fetch pauses are recorded (see on_request_paused)."""
    workers: int = 0
    """Workers the page started (WorkerWatch counts them): they run on the real clock."""
    _redirects: dict[str, int] = field(default_factory=dict)
    _reading: set[asyncio.Task[None]] = field(default_factory=set)

    def reset(self) -> None:
        """Forget everything: a new page begins."""
        self.requests.clear()
        self.order.clear()
        self.cookies.clear()
        self.inflight.clear()
        self._redirects.clear()
        self.body_bytes = 0
        self.leaving = False
        self.workers = 0
        self._touch()

    def mark_activity(self) -> None:
        """Something happened that may cause requests (typing, say): restart the quiet window."""
        self._touch()

    def _touch(self) -> None:
        self.last_activity = time.monotonic()
        self.changed.set()

    def _key(self, request_id: str) -> str:
        hops = self._redirects.get(request_id, 0)
        return f"{request_id}#{hops}" if hops else request_id

    # -- CDP event handlers ------------------------------------------------------------------

    def on_request_will_be_sent(self, event: dict[str, Any]) -> None:
        """Network.requestWillBeSent: a request starts (or a redirect hop continues one)."""
        req = event.get("request") or {}
        url = str(req.get("url", ""))
        if not url.startswith(_RECORDED_SCHEMES):
            return
        request_id = str(event.get("requestId"))
        redirected_from = None
        if event.get("redirectResponse") is not None and request_id in self.inflight:
            previous = self.requests.get(self._key(request_id))
            if previous is not None:
                previous.status = int(event["redirectResponse"].get("status") or 0) or None
                redirected_from = previous.url
            self._redirects[request_id] = self._redirects.get(request_id, 0) + 1
        headers = {str(k): str(v) for k, v in (req.get("headers") or {}).items()}
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        key = self._key(request_id)
        record = self.requests[key] = Request(
            url=url,
            method=str(req.get("method", "GET")),
            resource_type=str(event.get("type") or "other").lower(),
            initiator=_initiator_url(event.get("initiator") or {}),
            redirected_from=redirected_from,
            content_type=content_type,
            headers=headers,
        )
        body = _event_body(req)
        if body is not None:
            self._keep_body(record, body)
        elif req.get("hasPostData") and self.read_body is not None:
            # Too large for the event (or a blob, a stream): read whole, outside the handler.
            task = asyncio.ensure_future(self._read_whole_body(request_id, record))
            self._reading.add(task)
            task.add_done_callback(self._reading.discard)
        self.order.append(key)
        self.inflight.add(request_id)
        self._touch()

    async def _read_whole_body(self, request_id: str, record: Request) -> None:
        assert self.read_body is not None
        marker = f"body:{request_id}"
        self.inflight.add(marker)
        try:
            answer = await self.read_body(request_id)
            data = str(answer.get("postData", ""))
            body = _decode_base64(data) if answer.get("base64Encoded") else data.encode()
            if body is not None:
                self._keep_body(record, body)
        except Exception:  # the request is gone from the browser's buffer: keep what we have
            pass
        finally:
            self.inflight.discard(marker)
            self._touch()

    def _keep_body(self, record: Request, body: bytes) -> None:
        """Keep a body whole within the page's budget: text as text, other bytes as base64."""
        record.post_data_size = len(body)
        room = max(0, BODY_BUDGET - self.body_bytes)
        kept = body[:room]
        self.body_bytes += len(kept)
        record.post_data_truncated = len(kept) < len(body)
        if not kept:
            return
        try:
            record.post_data = kept.decode("utf-8")
        except UnicodeDecodeError as exc:
            if record.post_data_truncated and exc.start >= len(kept) - 3:
                record.post_data = kept[: exc.start].decode("utf-8")  # a character cut in two
            else:
                record.post_data = base64.b64encode(kept).decode("ascii")
                record.post_data_base64 = True

    def on_request_paused(self, event: dict[str, Any]) -> None:
        """Fetch.requestPaused while the page is left: the keepalive requests and beacons an
        unloading document sends never reach the Network domain (Chromium hands them to the
        browser process), but Fetch interception still sees them, body included."""
        network_id = str(event.get("networkId") or "")
        if not self.leaving or (network_id and network_id in self.requests):
            return
        req = event.get("request") or {}
        url = str(req.get("url", ""))
        if not url.startswith(_RECORDED_SCHEMES):
            return
        headers = {str(k): str(v) for k, v in (req.get("headers") or {}).items()}
        key = f"unload:{event.get('requestId')}"
        record = self.requests[key] = Request(
            url=url,
            method=str(req.get("method", "GET")),
            resource_type=str(event.get("resourceType") or "other").lower(),
            content_type=next((v for k, v in headers.items() if k.lower() == "content-type"), None),
            headers=headers,
        )
        body = _event_body(req)
        if body is not None:
            self._keep_body(record, body)
        self.order.append(key)
        self._touch()

    def on_request_extra_info(self, event: dict[str, Any]) -> None:
        """Network.requestWillBeSentExtraInfo: the headers really sent (Cookie, Referer)."""
        record = self.requests.get(self._key(str(event.get("requestId"))))
        if record is not None:
            for k, v in (event.get("headers") or {}).items():
                record.headers.setdefault(str(k), str(v))

    def on_response_received(self, event: dict[str, Any]) -> None:
        """Network.responseReceived: the status of the final hop.

        An answered request no longer holds the page's quiet: a response whose body the page
        never reads (a beacon's `fetch`, Sentry's envelope, a worker's POST) is reported
        finished only when the page goes, and each wait for quiet ran into its cap (measured:
        10 s more on every page with such a beacon)."""
        request_id = str(event.get("requestId"))
        record = self.requests.get(self._key(request_id))
        if record is not None:
            record.status = int((event.get("response") or {}).get("status") or 0) or None
        self.inflight.discard(request_id)
        self._touch()

    def on_response_extra_info(self, event: dict[str, Any]) -> None:
        """Network.responseReceivedExtraInfo: every Set-Cookie, with why the browser blocked it."""
        headers = event.get("headers") or {}
        lines: list[str] = []
        for k, v in headers.items():
            if str(k).lower() == "set-cookie":
                lines.extend(line for line in str(v).split("\n") if line.strip())
        if not lines:
            return
        blocked: dict[str, list[str]] = {}
        for item in event.get("blockedCookies") or ():
            reasons = [str(r) for r in item.get("blockedReasons") or ()]
            blocked[str(item.get("cookieLine", ""))] = reasons
        record = self.requests.get(self._key(str(event.get("requestId"))))
        source = record.url if record is not None else None
        for line in lines:
            attrs = parse_set_cookie(line)
            if not attrs["name"]:
                continue
            reasons = blocked.get(line, [])
            self.cookies.append(
                Cookie(**attrs, set_by=source, stored=not reasons, blocked_reasons=reasons)
            )

    def on_websocket_created(self, event: dict[str, Any]) -> None:
        """Network.webSocketCreated: a WebSocket opens. Recorded as a request of resource type
        "websocket"; never in flight, or a page with a live socket would never be quiet."""
        url = str(event.get("url", ""))
        if not url.startswith(_RECORDED_SCHEMES):
            return
        key = f"ws:{event.get('requestId')}"
        self.requests[key] = Request(
            url=url,
            resource_type="websocket",
            initiator=_initiator_url(event.get("initiator") or {}),
        )
        self.order.append(key)
        self._touch()

    def on_websocket_handshake(self, event: dict[str, Any]) -> None:
        """Network.webSocketHandshakeResponseReceived: the socket's status (101 when open)."""
        record = self.requests.get(f"ws:{event.get('requestId')}")
        if record is not None:
            record.status = int((event.get("response") or {}).get("status") or 0) or None

    def on_websocket_frame_sent(self, event: dict[str, Any]) -> None:
        """Network.webSocketFrameSent: what the page sent over the socket, kept as its body
        (text frames as sent, binary ones as base64; one frame a line, up to MAX_WS_SENT)."""
        record = self.requests.get(f"ws:{event.get('requestId')}")
        payload = str((event.get("response") or {}).get("payloadData") or "")
        if record is None or not payload:
            return
        record.post_data_size += len(payload)
        kept = record.post_data or ""
        if len(kept) < MAX_WS_SENT:
            record.post_data = (kept + "\n" if kept else "") + payload[: MAX_WS_SENT - len(kept)]

    def on_loading_done(self, event: dict[str, Any]) -> None:
        """Network.loadingFinished / loadingFailed: the request is no longer in flight."""
        request_id = str(event.get("requestId"))
        if "errorText" in event:
            record = self.requests.get(self._key(request_id))
            if record is not None:
                reason = event.get("blockedReason") or event.get("errorText")
                record.failure = str(reason)
        self.inflight.discard(request_id)
        self._touch()

    # -- settling ---------------------------------------------------------------------------

    async def wait_for_quiet(self, quiet_s: float, cap_s: float) -> bool:
        """Return once no request has been in flight for `quiet_s`, or after `cap_s` at most.

        True when quiet was reached. Late beacons are caught because any request restarts the
        quiet window; a quiet page costs only the window itself.
        """
        deadline = time.monotonic() + cap_s
        while True:
            now = time.monotonic()
            if now >= deadline:
                return False
            idle_for = now - self.last_activity
            if not self.inflight and idle_for >= quiet_s:
                return True
            wait = (quiet_s - idle_for) if not self.inflight else (deadline - now)
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.changed.wait(), timeout=max(min(wait, deadline - now), 0.01)
                )

    def document_status(self) -> int | None:
        """The status of the page's document (redirects passed), when the navigation itself
        gave none (it timed out while the body was still arriving, say)."""
        for request in self.finished_requests():
            status = request.status
            if request.resource_type == "document" and status and not 300 <= status < 400:
                return status
        return None

    async def bodies_read(self) -> None:
        """Wait until every body being read has been read (or given up)."""
        if self._reading:
            await asyncio.gather(*list(self._reading), return_exceptions=True)

    def finished_requests(self) -> list[Request]:
        """The requests in the order they were made."""
        return [self.requests[k] for k in self.order if k in self.requests]
