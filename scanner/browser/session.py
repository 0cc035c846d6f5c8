"""The browser a crawl drives: Chromium launched through Playwright, tabs opened and wired to CDP
(network log, workers, the guard that keeps pages off private addresses), a lenient browser for
pages whose certificate is bad, and the calls into a page that must not hang the crawl."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    Playwright,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PwPage

from scanner.browser import visitor
from scanner.browser.discovery import chromium_version
from scanner.browser.environment import QUIET_FLAGS, BrowserEnvironment
from scanner.browser.network import INLINE_POST_DATA, NetworkLog
from scanner.browser.settings import CrawlError, CrawlSettings, CrawlStats
from scanner.browser.shared_workers import SharedWorkerWatch
from scanner.browser.tab import Tab
from scanner.browser.workers import WorkerWatch, websocket_guard
from scanner.netpolicy import NetPolicy
from scanner.scope import is_private_address

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
_GUARD_JS = (_HERE / "guard.js").read_text(encoding="utf-8")
_CLOSE_TIMEOUT_S = 30.0
"""How long closing a browser, or stopping Playwright's driver, may take."""

# Requests that may go to a literal address are paused by CDP Fetch and looked at, so that a
# page cannot turn the scanner into a probe of the network it runs in (a CI runner's metadata
# service, say). Chromium canonicalises hosts (`0x7f.1` -> `127.0.0.1`), so a literal IPv4 host
# starts with a digit; every other request goes on unpaused (Playwright's route would pause all
# of them and turn off the cache).
ADDRESS_PATTERNS = [
    {"urlPattern": f"{scheme}://{start}*"}
    for scheme in ("http", "https")
    for start in [*"0123456789", "[", "localhost", "*.localhost", "*@"]
]


class BrowserSession:
    """Chromium and its tabs, for a crawl (Crawler builds on it)."""

    def __init__(self, settings: CrawlSettings) -> None:
        self.settings = settings
        self.stats = CrawlStats()
        self._env = BrowserEnvironment(settings.trust)
        self._playwright: Playwright | None = None
        self._context: BrowserContext | None = None
        self._lenient: BrowserContext | None = None
        self._lenient_browser: Browser | None = None
        self._lenient_lock = asyncio.Lock()
        self._user_agent: str | None = None
        self._front = asyncio.Lock()
        """Held while a tab is made the window's front tab and given input."""
        self._tab_user_agent: str | None = None
        self._tabs: list[Tab] = []
        """The open tabs of the crawl's browser (shared workers are attributed to them)."""
        self._shared_workers: SharedWorkerWatch | None = None
        self._policy = settings.policy or NetPolicy.for_scan(
            settings.resolver, settings.scope, *settings.start_urls
        )

    def _address_allowed(self, host: str) -> bool:
        resolver = self.settings.resolver
        return (
            resolver.covers(host)
            or any(r.address == host.strip("[]") for r in resolver.rules)
            or self.settings.scope.host_in_scope(host)
        )

    def _args(self) -> list[str]:
        args = ["--no-sandbox", *QUIET_FLAGS, *self._env.extra_args]
        args += visitor.launch_args(self._user_agent)
        rules = self._policy.chromium_rules()
        if rules:
            args.append(f"--host-resolver-rules={rules}")
        return args

    async def _launch(self) -> None:
        # While Playwright starts: the binary's version (for the user agent), the CA bundle in
        # the profile's NSS database, and the TLS context sitemaps and robots.txt are read with.
        version = asyncio.create_task(asyncio.to_thread(chromium_version, self.settings.chromium))
        others = [self._env.prepare, lambda: self.settings.trust.ssl_context]
        ready = asyncio.gather(*(asyncio.to_thread(call) for call in others))
        self._playwright = await async_playwright().start()
        await ready
        self._user_agent = self.settings.user_agent or visitor.chrome_user_agent(await version)
        try:
            self._context = await self._playwright.chromium.launch_persistent_context(
                str(self._env.profile),
                executable_path=str(self.settings.chromium),
                headless=self.settings.headless,
                args=self._args(),
                env=self._env.env(),
                accept_downloads=False,
                viewport=visitor.VIEWPORT,  # type: ignore[arg-type]
                screen=visitor.SCREEN,  # type: ignore[arg-type]
                ignore_default_args=visitor.IGNORED_DEFAULT_ARGS,
            )
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise CrawlError(f"the browser could not start: {first}") from None
        await self._prepare_context(self._context)
        await self._watch_shared_workers(self._context)
        self.stats.chromium_version = (
            self._context.browser.version if self._context.browser else None
        )
        if self._user_agent is None:  # the binary would not say: the tabs are told instead
            self._tab_user_agent = visitor.chrome_user_agent(self.stats.chromium_version)

    def _allowed_addresses(self) -> list[str]:
        resolver, scope = self.settings.resolver, self.settings.scope
        return sorted(
            {r.address.strip("[]").lower() for r in resolver.rules}
            | {r.pattern.lower() for r in resolver.rules}
            | {h.lower() for h in (*scope.hosts, *scope.allow_private)}
        )

    async def _prepare_context(self, context: BrowserContext) -> None:
        await context.add_init_script(_GUARD_JS + "\n" + websocket_guard(self._allowed_addresses()))

    async def _watch_shared_workers(self, context: BrowserContext) -> None:
        """Record and guard shared workers, which no page's session sees (shared_workers.py)."""
        if context.browser is None:
            log.warning("shared workers are not watched: the context has no browser")
            return
        try:
            cdp = await context.browser.new_browser_cdp_session()
            watch = SharedWorkerWatch(
                cdp,
                lambda: self._tabs,
                fetch_patterns=ADDRESS_PATTERNS,
                allowed_addresses=self._allowed_addresses(),
                refuses=self._refused,
                blocked=self.stats.skipped_private,
            )
            await watch.start()
        except PlaywrightError as exc:
            log.warning("shared workers are not watched: %s", str(exc).strip()[:300])
            return
        self._shared_workers = watch

    def _refused(self, url: str) -> bool:
        """True when a browser request to `url` goes to a private address out of scope."""
        host = urlsplit(url).hostname or ""
        return is_private_address(host) and not self._address_allowed(host)

    async def _guard_address(self, tab: Tab, event: dict[str, Any]) -> None:
        """A request paused by `ADDRESS_PATTERNS`: fail it when it goes to a private address
        the user did not put in scope, let it go on otherwise."""
        url = str(event["request"]["url"])
        with contextlib.suppress(PlaywrightError):  # the tab closed meanwhile
            if self._refused(url):
                log.info("blocked a request to a private address: %s", url)
                self.stats.skipped_private.append(url)
                await tab.cdp.send(
                    "Fetch.failRequest",
                    {"requestId": event["requestId"], "errorReason": "AddressUnreachable"},
                )
            else:
                await tab.cdp.send("Fetch.continueRequest", {"requestId": event["requestId"]})

    @staticmethod
    async def _close_popup(tab: Tab, popup: PwPage) -> None:
        """A window a page's script opened is recorded, then closed: it is not ours to keep."""
        tab.popups.append(popup.url)
        with contextlib.suppress(PlaywrightError):
            await popup.close()

    async def _new_tab(self, context: BrowserContext | None = None) -> Tab:
        context = context or self._context
        assert context is not None
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        net = NetworkLog()
        tab = Tab(page, cdp, net)
        if context is self._context:
            self._tabs.append(tab)
        page.on("dialog", tab.dismiss)
        page.on("crash", lambda _: setattr(tab, "crashed", True))
        page.on("popup", lambda popup: tab.spawn(self._close_popup(tab, popup)))
        cdp.on("Network.requestWillBeSent", net.on_request_will_be_sent)
        cdp.on("Network.requestWillBeSentExtraInfo", net.on_request_extra_info)
        cdp.on("Network.responseReceived", net.on_response_received)
        cdp.on("Network.responseReceivedExtraInfo", net.on_response_extra_info)
        cdp.on("Network.loadingFinished", net.on_loading_done)
        cdp.on("Network.loadingFailed", net.on_loading_done)
        cdp.on("Network.webSocketCreated", net.on_websocket_created)
        cdp.on("Network.webSocketHandshakeResponseReceived", net.on_websocket_handshake)
        cdp.on("Network.webSocketFrameSent", net.on_websocket_frame_sent)
        cdp.on("Fetch.requestPaused", net.on_request_paused)
        cdp.on("Fetch.requestPaused", lambda event: tab.spawn(self._guard_address(tab, event)))
        if self._tab_user_agent:
            await visitor.override_tab(cdp, self._tab_user_agent)
        await cdp.send("Fetch.enable", {"patterns": ADDRESS_PATTERNS})
        net.read_body = lambda request_id: cdp.send(
            "Network.getRequestPostData", {"requestId": request_id}
        )
        await cdp.send("Network.enable", {"maxPostDataSize": INLINE_POST_DATA})
        await WorkerWatch(
            cdp,
            net,
            fetch_patterns=ADDRESS_PATTERNS,
            allowed_addresses=self._allowed_addresses(),
            refuses=self._refused,
            blocked=self.stats.skipped_private,
            spawn=tab.spawn,
            page=page,
        ).start()
        return tab

    async def _lenient_tab(self) -> Tab:
        """A tab that ignores certificate errors: for pages whose host's certificate is bad."""
        async with self._lenient_lock:
            if self._lenient is None:
                assert self._playwright is not None
                self._lenient_browser = await self._playwright.chromium.launch(
                    executable_path=str(self.settings.chromium),
                    headless=self.settings.headless,
                    args=self._args(),
                    env=self._env.env(),
                    ignore_default_args=visitor.IGNORED_DEFAULT_ARGS,
                )
                self._lenient = await self._lenient_browser.new_context(
                    ignore_https_errors=True,
                    accept_downloads=False,
                    viewport=visitor.VIEWPORT,  # type: ignore[arg-type]
                    screen=visitor.SCREEN,  # type: ignore[arg-type]
                )
                await self._prepare_context(self._lenient)
        return await self._new_tab(self._lenient)

    async def _close(self) -> None:
        # Bounded: a browser that never answers its close must not hold the scan's end (the
        # Playwright driver's stop ends the browsers it launched).
        for closer in (self._lenient, self._lenient_browser, self._context):
            if closer is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(closer.close(), _CLOSE_TIMEOUT_S)
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), _CLOSE_TIMEOUT_S)
        self._env.cleanup()

    async def _replace_tab(self, tab: Tab) -> Tab:
        """Close a crashed, hung or closed tab (without its unload handlers) and open a new one."""
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(tab.page.close(run_before_unload=False), timeout=10)
        self._tabs = [t for t in self._tabs if t is not tab]
        return await self._new_tab()

    async def _bounded(self, tab: Tab, call: Awaitable[Any]) -> Any:
        """Await a call into the page, giving up (and marking the tab hung) when a script that
        never yields keeps the page from answering. Raises PlaywrightError on either."""
        try:
            return await asyncio.wait_for(call, timeout=min(5.0, self.settings.nav_timeout_s))
        except TimeoutError:
            tab.hung = tab.unresponsive = True
            raise PlaywrightError("the page did not answer (a script that never yields?)") from None
