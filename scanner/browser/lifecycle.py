"""A page's whole life, without waiting for it in wall-clock time.

Real vendor SDKs batch and flush on timers (2-10 s is common), after the interactions they wait
for (scroll, pointer move, focus), and when the visitor leaves (`visibilitychange` to hidden,
`pagehide`, `unload`, with `sendBeacon` or `fetch(keepalive)`). Each page therefore gets:

1. the interactions: the pointer moves over the page, the page scrolls, Tab moves the focus;
2. a page-time window (`dwell`, 30 s by default) run on CDP virtual time
   (`Emulation.setVirtualTimePolicy`, policy `pauseIfNetworkFetchesPending`, with a budget): the
   page's timers, intervals and `Date` run as if the time had passed, but virtual time stands
   still while a request is in flight, so a timer that fetches and then schedules the next one
   sees its answer first; when the page is idle, 30 s of page time cost a few milliseconds;
3. leaving it as a visitor does: the tab goes to about:blank, which fires `visibilitychange`
   (hidden), `pagehide` and `unload` in the page, while its network log still records; what the
   page sends then is its own.

Virtual time runs on a CDP session of its own, opened for each window and detached when the
window ends: detaching (after setting the policy back to one that does not pause) is what gives
the page, and the tab's next page, real time again (a virtual-time policy cannot be turned off;
a page whose virtual time stays paused freezes its own timers while its workers, on the real
clock, wait for it, and a tab left paused never finishes loading its next page). Measured
figures and what each mechanism catches: docs/performance.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, CDPSession
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PwPage

from scanner.browser.network import NetworkLog
from scanner.domains import FirstParty
from scanner.model import Cookie, Page

Intercept = Callable[[bool], Awaitable[Any]]
"""Turns CDP Fetch interception of every request of the tab on (True) or back (False)."""

DWELL_S = 30.0
"""Page time each page gets by default (`--dwell`)."""
AFTER_QUIET_S = 0.05
"""Real time without a request in flight after the page time ran out, and after leaving.
Short on purpose: virtual time already waited for every request made within the window, so
this only lets the last ones (and unload's keepalive requests) finish."""
_CALL_TIMEOUT_S = 5.0
PATIENCE_S = 1.5
"""Real time page time may stand still for a request in flight before it runs on regardless."""


class PageLife:
    """The page time and the leaving of the page a tab is on."""

    def __init__(self, page: PwPage, net: NetworkLog, session: CDPSession | None) -> None:
        self.page = page
        self._context = page.context
        self.net = net
        self._expired = asyncio.Event()
        self.page_time_s = 0.0
        """Page time granted so far."""
        self.real_s = 0.0
        """Wall-clock time the page time took."""
        self._budgets = 0
        self.starved = False
        """Page time stood still until the real-time cap: a request never ended."""
        self._attach(session)

    def _attach(self, session: CDPSession | None) -> None:
        self._session = session
        if session is not None:
            session.on("Emulation.virtualTimeBudgetExpired", lambda _: self._expired.set())

    @classmethod
    async def begin(
        cls, context: BrowserContext, page: PwPage, net: NetworkLog, front: asyncio.Lock
    ) -> PageLife:
        """Open the page's virtual-time session (none when CDP refuses: real time then) while
        the visitor arrives (`interact`)."""
        opening = asyncio.wait_for(context.new_cdp_session(page), _CALL_TIMEOUT_S)
        arriving = interact(page, front)
        session, _ = await asyncio.gather(opening, arriving, return_exceptions=True)
        return cls(page, net, session if isinstance(session, CDPSession) else None)

    async def run(self, seconds: float, cap_s: float) -> bool:
        """Let `seconds` of page time pass (at most `cap_s` of real time: a request that never
        ends holds virtual time still). True when the whole window ran."""
        if seconds <= 0:
            return False
        if self._session is None:  # a second window (the leak probe's): a session again
            with contextlib.suppress(PlaywrightError, TimeoutError):
                self._attach(
                    await asyncio.wait_for(
                        self._context.new_cdp_session(self.page), _CALL_TIMEOUT_S
                    )
                )
        if self._session is None:
            return False
        started = time.monotonic()
        # A request still in flight when virtual time starts may never see its answer while
        # virtual time waits for it (measured, Chromium 156: a beacon sent at load, answered
        # 0.3 s later, stayed unanswered until the page was left, about one page in six, and
        # page time stood still until the cap): such requests end in real time first.
        await self.net.wait_for_quiet(AFTER_QUIET_S, PATIENCE_S / 3)
        self._expired.clear()
        self._budgets += 1
        try:
            await self._budget("pauseIfNetworkFetchesPending", seconds)
            try:
                await asyncio.wait_for(self._expired.wait(), min(PATIENCE_S, cap_s))
            except TimeoutError:
                # A request that never ends (a long poll, an event stream, a slow server)
                # holds page time still: the window then runs (again, whole) without waiting
                # for requests, so the page's timers still fire.
                self.starved = True
                await self._budget("advance", seconds)
                await asyncio.wait_for(self._expired.wait(), max(cap_s - PATIENCE_S, 0.01))
        except (PlaywrightError, TimeoutError):
            self.starved = True
            return False
        finally:
            self.real_s += time.monotonic() - started
        self.page_time_s += seconds
        # Real time again until the next window: the page's own timers must not stay frozen
        # while its workers (on the real clock) talk to it, as Partytown's do.
        after_cap = PATIENCE_S / 3 if self.starved else cap_s  # it waited for that request
        await asyncio.gather(self.net.wait_for_quiet(AFTER_QUIET_S, after_cap), self.end())
        return True

    async def _budget(self, policy: str, seconds: float) -> None:
        assert self._session is not None
        await asyncio.wait_for(
            self._session.send(
                "Emulation.setVirtualTimePolicy", {"policy": policy, "budget": seconds * 1000}
            ),
            _CALL_TIMEOUT_S,
        )

    async def leave(self, quiet_s: float, cap_s: float, intercept: Intercept) -> None:
        """Leave the page as a visitor does (hidden, pagehide, unload) and record what it sends
        meanwhile; then give the tab real time again.

        First the page's network is quiet for `quiet_s` of real time (the time since its last
        request counts, so page time and reading usually cover it): workers run on the real
        clock, and what they send after starting must not be cut off by the leaving.
        `intercept(True)` makes CDP Fetch pause every request of the tab (and `False` undoes
        it): what an unloading document sends reaches no Network event, only Fetch."""
        # A page's workers run on the real clock, between steps that send nothing (Partytown's
        # start-up: a service worker, a worker, then the tag): they get twice the quiet.
        if self.net.workers:
            quiet_s *= 2
        # After page time starved on a request that never ends, the cap was already waited.
        await self.net.wait_for_quiet(quiet_s, 2 * quiet_s if self.starved else cap_s)
        self.net.leaving = True
        try:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(intercept(True), _CALL_TIMEOUT_S)
                await asyncio.wait_for(self.page.goto("about:blank"), cap_s)
            # The old document's requests ended with it (unload's own go through Fetch): one
            # whose end was never reported (a service worker's, say) must not hold us here.
            self.net.inflight.clear()
            self.net.mark_activity()
            await asyncio.gather(self.net.wait_for_quiet(AFTER_QUIET_S, cap_s), self.end())
        finally:
            self.net.leaving = False
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(intercept(False), _CALL_TIMEOUT_S)

    async def end(self) -> None:
        """Detach the virtual-time session: the tab's next page runs in real time."""
        if self._session is not None and self._budgets:
            self._budgets = 0
            # Detached while paused, virtual time kept the tab from running the next page's
            # cross-site scripts; set back to this policy first, the tab gets real time again.
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(
                    self._session.send(
                        "Emulation.setVirtualTimePolicy", {"policy": "pauseIfNetworkFetchesPending"}
                    ),
                    _CALL_TIMEOUT_S,
                )
        if self._session is not None:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(self._session.detach(), _CALL_TIMEOUT_S)
            self._session = None


async def interact(page: PwPage, front: asyncio.Lock) -> None:
    """What a visitor does first: the pointer moves over the page, the page scrolls, and the
    focus moves to the first focusable element (trusted input events; nothing is clicked).

    A tab that is not its window's front tab acknowledges each input event only after about a
    second, so the tab is brought to the front, holding `front` (one lock for the browser's
    tabs) until its input is done."""
    with contextlib.suppress(PlaywrightError, TimeoutError):
        async with front:
            await asyncio.wait_for(_interact(page), _CALL_TIMEOUT_S)


async def _interact(page: PwPage) -> None:
    await page.bring_to_front()
    await page.mouse.move(640, 420)
    await page.mouse.wheel(0, 800)
    await page.keyboard.press("Tab")


def add_late_traffic(
    record: Page, net: NetworkLog, first_party: FirstParty, cookies_seen: int
) -> None:
    """Requests and cookies of the page recorded after it was read (its page time, the leak
    probe's page time, leaving it) go into its record too."""
    requests = net.finished_requests()
    for request in requests:
        request.third_party = not first_party.is_first_party(request.url)
    record.requests = requests
    final = record.final_url or record.url
    late: list[Cookie] = net.cookies[cookies_seen:]
    for cookie in late:
        cookie.page_url = final
        domain = cookie.domain.lstrip(".") or (urlsplit(cookie.set_by or final).hostname or "")
        cookie.domain = cookie.domain or domain
        cookie.third_party = not first_party.is_first_party(domain)
    record.cookies.extend(late)
