"""Shared workers, watched from the browser and recorded as the requests of a tab's page.

A shared worker is no page's child target: the page session's auto-attach (workers.py) never
sees it. `SharedWorkerWatch` auto-attaches to shared workers at the browser level and applies
the page's guard to each one, as WorkerWatch does for a dedicated worker. Measured with
Chromium 156 (Playwright 1.65, the crawler's persistent context, whose `browser` is set):

- A browser session's `Target.setAutoAttach` is refused unless flattened ("Only flatten
  protocol is supported with browser level auto-attach"), and Playwright's CDPSession cannot
  address a flattened child session (`Target.sendMessageToTarget` answers "When using flat
  protocol, messages are routed to the target via the sessionId attribute").
- With `filter: [{"type": "shared_worker"}]` and `waitForDebuggerOnStart`, the flattened
  auto-attach reports each shared worker as it is created (`waitingForDebugger: true`) and
  holds it there while it is the only session (Playwright's own browser session attaches and
  detaches); pages and other targets are left alone. Once a second session is attached, one
  probe in five saw the worker start before that session's runIfWaitingForDebugger (its
  requests were still in the session's events: Network.enable had been answered).
- A second, non-flattened session to the same target (`Target.attachToTarget`, flatten false;
  it is reported by `Target.attachedToTarget` too) takes messages through
  `Target.sendMessageToTarget`. Its `Network.enable` then `Runtime.runIfWaitingForDebugger`
  let the worker run with its first request (a fetch on start) in the session's events.
  The held session is then detached.
- That session's CDP Fetch patterns (Fetch.enable, as WorkerWatch sends to a dedicated
  worker) pause the worker's requests only when they reach Chromium before the worker's
  script is fetched, which Chromium starts as it creates the worker, before the target is
  reported: a race, lost in the crawl's test every time, and enabling Fetch again once the
  script has loaded does not help. `Fetch.enable` on the browser's session, made before any
  worker exists, paused every shared worker's requests (2 of 2 probes and every run of the
  crawl's test since), with the worker's target id as their `frameId`; it pauses the pages'
  requests too, which it lets go at once (their tab's session pauses and guards them next).

So the guard is the browser session's Fetch patterns (the same ADDRESS_PATTERNS as a page's):
a request paused there whose frameId is a shared worker's target id is failed when the
policy refuses it and listed in skipped_private, as WorkerWatch does for a dedicated worker.
The `Target.attachedToTarget` of a worker comes before any request of it on the one
connection, so its requests are known as its own. Chromium's resolver rules
(NetPolicy.chromium_rules) refuse such a connection as well.

Attribution: a worker is attributed to the tab on a page of its origin when its target
appears (a frame of that origin counts; the main frame first, then the tab whose log was
active last, which is the one that has just loaded the page that started it). Each request
of the worker goes to that tab's log while the tab is on a page of that origin, so a worker
that outlives its page and keeps sending while its tab shows the next page of the site is
recorded as that page's. Once its tab has left the origin, its requests go to another tab
on a page of that origin, the same way; when there is none, they are dropped with a debug
log (the guard still applies to them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import CDPSession
from playwright.async_api import Error as PlaywrightError

from scanner.browser.network import NetworkLog
from scanner.browser.tab import Tab
from scanner.browser.workers import Refuses, WorkerWatch

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_BROWSER = ""
"""The session id `_send` takes for the browser's own session."""


def origin_of(url: str) -> str:
    """A URL's origin as `scheme://host:port` (a blob: URL's inner one); "" when opaque."""
    parts = urlsplit(url.removeprefix("blob:"))
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.hostname}:{port}"


class SharedWorkerWatch(WorkerWatch):
    """Attaches to the browser's shared workers; records each one's requests in the network
    log of the tab whose page is of its origin (see the module's docstring)."""

    def __init__(
        self,
        cdp: CDPSession,
        tabs: Callable[[], list[Tab]],
        *,
        fetch_patterns: list[dict[str, str]],
        allowed_addresses: list[str],
        refuses: Refuses,
        blocked: list[str],
    ) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        super().__init__(
            cdp,
            NetworkLog(),  # unused: each event goes to a tab's log (_log_for)
            fetch_patterns=fetch_patterns,
            allowed_addresses=allowed_addresses,
            refuses=refuses,
            blocked=blocked,
            spawn=self._spawn,
        )
        self.browser_patterns = fetch_patterns
        """Paused on the browser's session (the worker sessions' own patterns come too late)."""
        self.fetch_patterns = []
        self.tabs = tabs
        """The crawl's open tabs (of the browser this session belongs to)."""
        self.origins: dict[str, str] = {}
        """Worker session -> the worker's origin."""
        self.owners: dict[str, Tab] = {}
        """Worker session -> the tab its requests go to while that tab stays on its origin."""
        self.routes: dict[str, NetworkLog] = {}
        """A worker request's id -> the log that holds it (its later events follow it)."""
        self._targets: set[str] = set()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        """Attach to every shared worker started from now on, holding it until it is ready."""
        self.cdp.on("Target.attachedToTarget", self._on_attached)
        self.cdp.on("Target.detachedFromTarget", self._on_detached)
        self.cdp.on("Target.receivedMessageFromTarget", self._on_message)
        self.cdp.on("Fetch.requestPaused", self._on_paused)
        await self.cdp.send("Fetch.enable", {"patterns": self.browser_patterns})
        await self.cdp.send(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,
                "flatten": True,
                "filter": [{"type": "shared_worker"}],
            },
        )

    def _on_attached(self, event: dict[str, Any]) -> None:
        info = event.get("targetInfo") or {}
        target = str(info.get("targetId"))
        if info.get("type") != "shared_worker" or target in self._targets:
            return  # our own non-flattened session to it (_adopt) is reported too
        self._targets.add(target)
        self.spawn(self._adopt(target, str(event.get("sessionId")), str(info.get("url", ""))))

    def _on_paused(self, event: dict[str, Any]) -> None:
        """A request to a literal address, paused on the browser's session: a shared worker's
        is guarded; any other context's goes on (its own session guards it)."""
        if str(event.get("frameId")) in self._targets:
            self.spawn(self._guard(_BROWSER, event))
        else:
            request = {"requestId": event.get("requestId")}
            self.spawn(self._send(_BROWSER, "Fetch.continueRequest", request))

    async def _send(self, session: str, method: str, params: dict[str, Any] | None = None) -> None:
        if session != _BROWSER:
            await super()._send(session, method, params)
            return
        with contextlib.suppress(PlaywrightError):  # the request or the browser is gone
            await self.cdp.send(method, params or {})

    def _on_detached(self, event: dict[str, Any]) -> None:
        session = str(event.get("sessionId"))
        if self.workers.pop(session, None) is not None:
            self.origins.pop(session, None)
            self.owners.pop(session, None)
            self._targets.discard(str(event.get("targetId")))

    async def _adopt(self, target: str, held: str, url: str) -> None:
        """Attach to a worker held at its start through a session of our own, guard and
        record it there, let it run, then let go of the held (flattened) session."""
        origin = origin_of(url)
        try:
            answer = await self.cdp.send(
                "Target.attachToTarget", {"targetId": target, "flatten": False}
            )
            session = str(answer["sessionId"])
            self.workers[session] = f"shared_worker {url}"
            self.origins[session] = origin
            tab = self._tab_for(session)
            if tab is None:
                log.debug("a shared worker no tab's page started: %s", url[:300])
            else:
                tab.net.mark_activity()  # a worker starting up will send: not quiet yet
            await self._prepare(session)
        except PlaywrightError as exc:  # the worker or the browser is gone
            log.debug("could not attach to a shared worker %s: %s", url[:300], exc)
        finally:
            with contextlib.suppress(PlaywrightError):
                await self.cdp.send("Target.detachFromTarget", {"sessionId": held})

    def _tab_for(self, session: str) -> Tab | None:
        """The worker's tab: its owner while on its origin, else the tab on a page of that
        origin (main frame first, then the most recently active); None when there is none."""
        origin = self.origins.get(session, "")
        tabs = [t for t in self.tabs() if not t.page.is_closed()]
        owner = self.owners.get(session)
        if owner is not None and any(t is owner for t in tabs) and _shows(owner, origin):
            return owner
        candidates = [t for t in tabs if _shows(t, origin)]
        tab = max(
            candidates,
            key=lambda t: (origin_of(t.page.url) == origin, t.net.last_activity),
            default=None,
        )
        if tab is not None:
            self.owners[session] = tab
        return tab

    def _log_for(self, session: str, method: str, params: dict[str, Any]) -> NetworkLog | None:
        request_id = params.get("requestId")
        if request_id is None:
            return None
        key = str(request_id)
        net = self.routes.get(key)
        if net is None:
            tab = self._tab_for(session)
            if tab is None:
                if method == "Network.requestWillBeSent":
                    url = str((params.get("request") or {}).get("url", ""))[:300]
                    log.debug("dropped a shared worker's request (no tab on its origin): %s", url)
                return None
            net = self.routes[key] = tab.net
        if method in ("Network.loadingFinished", "Network.loadingFailed"):
            self.routes.pop(key, None)
        return net


def _shows(tab: Tab, origin: str) -> bool:
    """True when a frame of the tab's page is of this origin."""
    if not origin:
        return False
    with contextlib.suppress(PlaywrightError):
        return any(origin_of(frame.url) == origin for frame in tab.page.frames)
    return False
