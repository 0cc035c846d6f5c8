"""Workers (dedicated, shared and service) seen from the page that started them.

A worker is a target of its own: CDP events of the page's session do not include what it
sends. `WorkerWatch` attaches to every worker target of a tab (`Target.setAutoAttach`,
waiting for the debugger on start), and on each worker session:

- records its requests into the tab's network log, attributed to the page (Partytown and
  other worker-hosted tags send from there);
- pauses its requests to literal addresses with the same CDP Fetch patterns as the page, and
  fails those the network policy refuses (listed like the page's own);
- evaluates the WebSocket refusal script (websocket_guard.js), then lets the worker run.

Dedicated workers and the page's service workers are attached from the page's session (a
service worker's install and activate requests included, measured with service workers
allowed). A shared worker is not the page's child target (measured with Chromium 156: the
page session's auto-attach never reports it; a browser session's does): SharedWorkerWatch
(shared_workers.py) attaches to shared workers from the browser with this class's code,
records their requests in the log of the tab on a page of their origin, and guards them with
the browser session's Fetch patterns (a worker session's own come too late for a shared
worker, measured there).

Playwright's CDPSession cannot address a flattened child session, so the worker sessions are
driven through `Target.sendMessageToTarget` (the non-flattened protocol). Playwright itself
also attaches to dedicated workers, enables Network there and resumes them at once, a round
trip before this session's Network.enable arrives: what a dedicated worker sends in its first
moments (a tag's fetch on start or on the message the page posted as it created it) is not
in the worker session's events. Playwright reports those requests as the page's own
(`page.on("request")`, measured with Chromium 156): once each has ended, WorkerWatch records
the ones the log's CDP records do not hold (same method and URL, counted), with their method,
headers, body and status (not their initiator, nor the Set-Cookie of their responses). So a
dedicated worker's requests are recorded from its first one. The fill-in does not cover
service workers (Playwright reports their requests on the context, not the page).

The refusal script may also come in after a dedicated worker has started; the guarantee does
not rest on it: the page session's Fetch patterns pause a dedicated worker's requests too
(measured), and Chromium's resolver rules (NetPolicy.chromium_rules) refuse every non-public
address in every context, worker WebSockets included.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import weakref
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from playwright.async_api import CDPSession, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from scanner.browser.network import NetworkLog

log = logging.getLogger(__name__)

_WEBSOCKET_GUARD_JS = (Path(__file__).resolve().parent / "websocket_guard.js").read_text(
    encoding="utf-8"
)


def websocket_guard(allowed_addresses: list[str]) -> str:
    """The WebSocket refusal script (pages and workers alike) for these allowed addresses."""
    return _WEBSOCKET_GUARD_JS.replace(
        "__COMPLYSCAN_ALLOWED_ADDRESSES__", json.dumps(allowed_addresses)
    )


WORKER_TYPES = frozenset({"worker", "shared_worker", "service_worker"})
"""Target types attached to: dedicated, shared and service workers."""

_NETWORK_EVENTS = {
    "Network.requestWillBeSent": "on_request_will_be_sent",
    "Network.requestWillBeSentExtraInfo": "on_request_extra_info",
    "Network.responseReceived": "on_response_received",
    "Network.responseReceivedExtraInfo": "on_response_extra_info",
    "Network.loadingFinished": "on_loading_done",
    "Network.loadingFailed": "on_loading_done",
    "Network.webSocketCreated": "on_websocket_created",
    "Network.webSocketHandshakeResponseReceived": "on_websocket_handshake",
}

Refuses = Callable[[str], bool]
"""True when a URL's host is an address the policy refuses (the crawler's address guard)."""


class WorkerWatch:
    """Attaches to a tab's workers and applies the page's guard and network log to them."""

    def __init__(
        self,
        cdp: CDPSession,
        net: NetworkLog,
        *,
        fetch_patterns: list[dict[str, str]],
        allowed_addresses: list[str],
        refuses: Refuses,
        blocked: list[str],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        page: Page | None = None,
    ) -> None:
        self.cdp = cdp
        self.page = page
        """The tab: Playwright's own request events fill in what the worker sessions missed."""
        self.net = net
        self.fetch_patterns = fetch_patterns
        self.guard = websocket_guard(allowed_addresses)
        self.refuses = refuses
        self.blocked = blocked
        """Where refused URLs are listed (the crawl's skipped_private)."""
        self.spawn = spawn
        self.workers: dict[str, str] = {}
        """Attached worker sessions: session id -> the worker's type and URL."""
        self._ids = itertools.count(1)
        self._started: weakref.WeakKeyDictionary[Request, str | None] = weakref.WeakKeyDictionary()
        """Playwright's requests in flight -> the page they began on (see _page_key)."""

    async def start(self) -> None:
        """Attach to every worker the page starts from now on."""
        self.cdp.on("Target.attachedToTarget", self._on_attached)
        self.cdp.on("Target.detachedFromTarget", self._on_detached)
        self.cdp.on("Target.receivedMessageFromTarget", self._on_message)
        if self.page is not None:
            self.page.on("request", self._on_request)
            self.page.on("response", self._on_response)
            self.page.on("requestfailed", self._on_request_failed)
        await self.cdp.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )

    # -- events of the page's session ---------------------------------------------------------

    def _on_attached(self, event: dict[str, Any]) -> None:
        info = event.get("targetInfo") or {}
        session = str(event.get("sessionId"))
        if info.get("type") not in WORKER_TYPES:
            # Not ours to watch (an iframe target, say): let it run as it would.
            self.spawn(self._send(session, "Runtime.runIfWaitingForDebugger"))
            return
        self.workers[session] = f"{info.get('type')} {info.get('url', '')}"
        self.net.workers += 1
        self.net.mark_activity()  # a worker starting up will send: the page is not quiet yet
        self.spawn(self._prepare(session))

    def _on_detached(self, event: dict[str, Any]) -> None:
        self.workers.pop(str(event.get("sessionId")), None)

    def _on_message(self, event: dict[str, Any]) -> None:
        session = str(event.get("sessionId"))
        if session not in self.workers:
            return
        try:
            message = json.loads(str(event.get("message", "")))
        except ValueError:
            return
        method = message.get("method")
        params = message.get("params") or {}
        if method in _NETWORK_EVENTS:
            params = dict(params)
            if "requestId" in params:  # a worker's request ids are its own: keep them apart
                params["requestId"] = f"{session}:{params['requestId']}"
            net = self._log_for(session, method, params)
            if net is not None:
                getattr(net, _NETWORK_EVENTS[method])(params)
        elif method == "Fetch.requestPaused":
            self.spawn(self._guard(session, params))

    def _log_for(self, session: str, method: str, params: dict[str, Any]) -> NetworkLog | None:
        """The network log a worker's event goes to (None: dropped): the tab's."""
        return self.net

    # -- Playwright's view of the tab's requests --------------------------------------------

    def _page_key(self) -> str | None:
        """Which page the log is recording: the key of its first request (the document's),
        which the crawler's reset for a new page clears."""
        return self.net.order[0] if self.net.order else None

    def _on_request(self, request: Request) -> None:
        self._started[request] = self._page_key()

    def _on_response(self, response: Response) -> None:
        self._fill_in(response.request, response.status, None)

    def _on_request_failed(self, request: Request) -> None:
        self._fill_in(request, None, request.failure or "failed")

    def _fill_in(self, request: Request, status: int | None, failure: str | None) -> None:
        """Record a request Playwright reported once it has ended, unless the log has it.

        Playwright enables Network on a dedicated worker before it lets the worker run, so it
        reports the requests of the worker's first moments that the worker session, set up
        a round trip later, misses. By the time a request has ended, the log's own CDP events
        for it (sent when it began) have arrived: a request is missing when the log holds no
        more records of its method and URL from CDP than it holds filled in from here.
        """
        if request not in self._started:  # already checked (a worker's request may be
            return  # reported as failed after its response)
        if self._started.pop(request) != self._page_key():
            return  # it began on the page before: its records went with that page's log
        method, url = request.method, request.url.partition("#")[0]  # CDP leaves it out
        ours = theirs = 0
        for key, record in self.net.requests.items():
            if record.url == url and record.method == method:
                if key.startswith("pw:"):
                    ours += 1
                else:
                    theirs += 1
        if theirs > ours:
            return
        request_id = f"pw:{next(self._ids)}"
        body = request.post_data_buffer
        sent: dict[str, Any] = {"url": url, "method": method, "headers": request.headers}
        if body is not None:
            sent["postDataEntries"] = [{"bytes": base64.b64encode(body).decode("ascii")}]
        self.net.on_request_will_be_sent(
            {"requestId": request_id, "request": sent, "type": request.resource_type}
        )
        if request.redirected_from is not None and request_id in self.net.requests:
            self.net.requests[request_id].redirected_from = request.redirected_from.url
        if status is not None:
            self.net.on_response_received({"requestId": request_id, "response": {"status": status}})
        done: dict[str, Any] = {"requestId": request_id}
        if failure is not None:
            done["errorText"] = failure
        self.net.on_loading_done(done)

    # -- one worker ---------------------------------------------------------------------------

    async def _prepare(self, session: str) -> None:
        """Record, guard, then run the worker (each step may fail: it may be gone).

        The messages are sent at once, in order, without waiting for each answer: Playwright
        may let a dedicated worker run as soon as it attaches, and every round trip saved is a
        request of the worker's first moments recorded. No Fetch patterns: the worker's
        requests are paused elsewhere (shared workers, from the browser's session).
        """
        patterns = [{"patterns": self.fetch_patterns}] if self.fetch_patterns else []
        await asyncio.gather(
            self._send(session, "Network.enable", {"maxPostDataSize": 65536}),
            *(self._send(session, "Fetch.enable", p) for p in patterns),
            self._send(session, "Runtime.evaluate", {"expression": self.guard}),
            self._send(session, "Runtime.runIfWaitingForDebugger"),
        )

    async def _guard(self, session: str, event: dict[str, Any]) -> None:
        url = str((event.get("request") or {}).get("url", ""))
        request_id = event.get("requestId")
        if self.refuses(url):
            log.info("blocked a worker's request to a private address: %s", url)
            self.blocked.append(url[:2000])
            await self._send(
                session,
                "Fetch.failRequest",
                {"requestId": request_id, "errorReason": "AddressUnreachable"},
            )
        else:
            await self._send(session, "Fetch.continueRequest", {"requestId": request_id})

    async def _send(self, session: str, method: str, params: dict[str, Any] | None = None) -> None:
        message = {"id": next(self._ids), "method": method, "params": params or {}}
        with contextlib.suppress(PlaywrightError):  # the worker or the tab is gone
            await self.cdp.send(
                "Target.sendMessageToTarget",
                {"sessionId": session, "message": json.dumps(message)},
            )
