"""The crawl: Chromium via Playwright, breadth-first over the scope, a page per worker.

Each worker keeps one page and navigates it (measured here: ~14 pages/s reusing a page against
~3 pages/s with a fresh page per URL, on 2 cores). A page settles on network quiet with a cap,
never a fixed sleep. Nothing is ever submitted: guard.js cancels submits in the page.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Dialog,
    Frame,
    Playwright,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PwPage

from scanner.browser import visitor
from scanner.browser.discovery import chromium_version
from scanner.browser.lifecycle import DWELL_S, PageLife, add_late_traffic
from scanner.browser.network import INLINE_POST_DATA, NetworkLog
from scanner.browser.reader import FrameProbe, PageJudges, read_probes
from scanner.browser.robots import MAX_SITEMAP_URLS, MAX_SITEMAPS, Robots, parse_sitemap
from scanner.browser.workers import WorkerWatch, websocket_guard
from scanner.domains import FirstParty
from scanner.fetch import FetchResult, fetch
from scanner.model import Page, PIKind
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy
from scanner.sanitize import no_surrogates
from scanner.scope import Scope, TrapDetector, is_private_address, normalise_url

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
_GUARD_JS = (_HERE / "guard.js").read_text(encoding="utf-8")
_PROBE_JS = (_HERE / "page_probe.js").read_text(encoding="utf-8")
# An element's box in document coordinates, at most 4000 px on a side.
_BOX_JS = """e => { const r = e.getBoundingClientRect();
  return {x: r.left + scrollX, y: r.top + scrollY,
          width: Math.min(r.width, 4000), height: Math.min(r.height, 4000)}; }"""

QUIET_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--no-default-browser-check",
    # One renderer per tab: a cross-site frame's requests then reach the tab's own CDP session
    # (its network log and its address guard) instead of an out-of-process frame's target.
    # A crawl never goes back, so the back-forward cache would only keep old pages in memory.
    "--disable-site-isolation-trials",
    "--disable-features=Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,"
    "IsolateOrigins,site-per-process,BackForwardCache",
]

# Requests that may go to a literal address are paused by CDP Fetch and looked at, so that a
# page cannot turn the scanner into a probe of the network it runs in (a CI runner's metadata
# service, say). Chromium canonicalises hosts (`0x7f.1` -> `127.0.0.1`), so a literal IPv4 host
# starts with a digit; every other request goes on unpaused (Playwright's route would pause all
# of them and turn off the cache).
_ADDRESS_PATTERNS = [
    {"urlPattern": f"{scheme}://{start}*"}
    for scheme in ("http", "https")
    for start in [*"0123456789", "[", "localhost", "*.localhost", "*@"]
]


class CrawlError(RuntimeError):
    """The crawl could not start (browser missing or refusing to launch)."""


@dataclass
class CrawlSettings:
    """Everything the crawl needs to know."""

    start_urls: list[str]
    scope: Scope
    first_party: FirstParty
    resolver: Resolver
    trust: Trust
    chromium: Path
    max_pages: int = 50
    max_depth: int = 20
    workers: int = field(default_factory=lambda: os.cpu_count() or 2)
    nav_timeout_s: float = 20.0
    quiet_s: float = 0.5
    settle_cap_s: float = 5.0
    time_budget_s: float | None = None
    screenshots_dir: Path | None = None
    headless: bool = True
    leak_probe: bool = True
    """Type canary values into personal-information fields (never submitted) and watch where
    they go."""
    keep_documents: int = 20
    """How many statement-like pages keep their rendered HTML for the statement reader."""
    sitemaps: bool = True
    """Read each host's sitemap.xml (and those robots.txt names) and queue their pages."""
    respect_robots: bool = False
    """Leave out pages that robots.txt disallows for complyscan (or for every robot)."""
    trap_threshold: int = 20
    """URLs of one pattern (numbers and dates templated) queued at most; more is a crawl trap."""
    per_host: int = 2
    """Pages loaded at once from one host at most."""
    host_delay_s: float = 0.0
    """Seconds between the starts of two page loads on one host."""
    dwell_s: float = DWELL_S
    """Page time each page gets (its timers run on virtual time) before it is left."""
    user_agent: str | None = None
    """The user agent to send; None: the desktop Chrome that this Chromium is."""
    policy: NetPolicy | None = None
    """The scan's network policy, for robots.txt and sitemaps (None: scope and --resolve)."""
    judges: PageJudges = field(kw_only=True)
    """Which fields collect personal information, which links look like the statement, the
    canaries to type: the other stages' judgements, passed in (the browser imports no stage)."""


@dataclass
class CrawlStats:
    """How the crawl went, for the summary and the notes."""

    pages: int = 0
    failed: int = 0
    skipped_private: list[str] = field(default_factory=list)
    skipped_robots: list[str] = field(default_factory=list)
    """Pages not visited because robots.txt disallows them (only with respect_robots)."""
    from_sitemaps: int = 0
    """Pages queued because a sitemap named them (and no link had yet)."""
    traps: list[str] = field(default_factory=list)
    """Crawl traps cut off, one line each."""
    limit_reached: str | None = None
    chromium_version: str | None = None


PageSink = Callable[[Page], Awaitable[None]]


def _spki_b64(pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(pem)
    der = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return base64.b64encode(digest.finalize()).decode()


class BrowserEnvironment:
    """A private HOME and profile for Chromium: trusted CAs and cookie settings of our own.

    Third-party cookies are allowed (`cookie_controls_mode: 0`), as in an ordinary user's
    browser, so the scan sees what such a visitor gets. A --ca-bundle is trusted through an NSS
    database in the private HOME (certutil), which still reports expired or wrong-host
    certificates; without certutil, errors are ignored for chains that contain the bundle's keys.
    """

    def __init__(self, trust: Trust) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="complyscan-browser-"))
        self.home = self.root / "home"
        self.profile = self.root / "profile"
        (self.profile / "Default").mkdir(parents=True)
        (self.profile / "Default" / "Preferences").write_text(
            json.dumps({"profile": {"cookie_controls_mode": 0}}), encoding="utf-8"
        )
        self.home.mkdir()
        self.extra_args: list[str] = []
        self._trust = trust

    def prepare(self) -> None:
        """Trust the CA bundle (certutil runs take a while: done beside Playwright's start)."""
        pems = self._trust.bundle_pems()
        if pems and not self._trust_with_nss(pems):
            spkis = ",".join(_spki_b64(p) for p in pems)
            self.extra_args.append(f"--ignore-certificate-errors-spki-list={spkis}")

    def _trust_with_nss(self, pems: list[bytes]) -> bool:
        certutil = shutil.which("certutil")
        if certutil is None:
            return False
        nssdb = self.home / ".pki" / "nssdb"
        nssdb.mkdir(parents=True)
        db = f"sql:{nssdb}"
        try:
            subprocess.run(
                [certutil, "-d", db, "-N", "--empty-password"], check=True, capture_output=True
            )
            for index, pem in enumerate(pems):
                path = self.root / f"ca-{index}.pem"
                path.write_bytes(pem)
                subprocess.run(
                    [certutil, "-d", db, "-A", "-t", "C,,", "-n", f"ca-{index}", "-i", str(path)],
                    check=True,
                    capture_output=True,
                )
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("could not trust the CA bundle through NSS: %s", exc)
            return False
        return True

    def env(self) -> dict[str, str | float | bool]:
        """The environment Chromium runs with."""
        return {**os.environ, **visitor.environment(), "HOME": str(self.home)}

    def cleanup(self) -> None:
        """Remove the private HOME and profile, in a thread of its own: the scan need not wait
        (half a second for a profile), the process does before it exits."""
        threading.Thread(target=shutil.rmtree, args=(self.root, True), name="cleanup").start()


@dataclass
class _Tab:
    """One worker's page and its network recorder."""

    page: PwPage
    cdp: CDPSession
    net: NetworkLog
    popups: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    crashed: bool = False
    """The renderer died (out of memory, say): the page is gone and the tab must be replaced."""
    hung: bool = False
    """A navigation timed out or the page stopped answering: replace the tab before the next
    page, or the old load (or a script that never yields) would spill into it."""
    unresponsive: bool = False
    """A call into the page timed out: make no more calls into it."""
    life: PageLife | None = None
    """The current page's page time and leaving (scanner.browser.lifecycle)."""

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run a handler's work in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def dismiss(self, dialog: Dialog) -> None:
        """Alerts, confirms and prompts are dismissed, and a page that asks to stay is left:
        nothing waits for a person."""
        self.dialogs.append(no_surrogates(f"{dialog.type}: {dialog.message[:200]}"))
        self.spawn(dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())

    def reset(self) -> None:
        """A new page begins."""
        self.net.reset()
        self.popups.clear()
        self.dialogs.clear()


class Crawler:
    """Crawls breadth-first from the start URLs and hands each finished Page to `sink`."""

    def __init__(self, settings: CrawlSettings, sink: PageSink) -> None:
        self.settings = settings
        self.sink = sink
        self.stats = CrawlStats()
        self._queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self._seen: set[str] = set()
        self._visited: set[str] = set()
        """Pages a killed scan already finished (--resume): never visited again, start URL too."""
        self._claimed = 0
        self._started = 0.0
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
        self._site_files: dict[str, asyncio.Task[Robots]] = {}
        self._traps = TrapDetector(settings.trap_threshold)
        self._policy = settings.policy or NetPolicy.for_scan(
            settings.resolver, settings.scope, *settings.start_urls
        )
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_turns: dict[str, asyncio.Lock] = {}
        self._host_next: dict[str, float] = {}
        self.stats.traps = self._traps.notes
        self.statement_candidates: dict[str, int] = {}
        """Normalised URLs of links that look like the statement's, with their best score."""
        self.documents: dict[str, str] = {}
        """Rendered HTML of statement-like pages, by normalised URL."""

    # -- public ------------------------------------------------------------------------------

    @property
    def queued(self) -> int:
        """URLs waiting to be visited (for the progress display)."""
        return self._queue.qsize()

    def mark_seen(self, url: str) -> None:
        """A URL already visited (a resumed scan): never visit it again."""
        self._seen.add(normalise_url(url))
        self._visited.add(normalise_url(url))

    def count_done(self, pages: int) -> None:
        """Pages a killed scan already finished (--resume) count towards max_pages."""
        self._claimed += pages

    def enqueue(self, url: str, depth: int) -> bool:
        """Queue a URL unless seen, out of scope, or past the limits. True when queued."""
        url = normalise_url(url)
        if url in self._seen or depth > self.settings.max_depth:
            return False
        if not self.settings.scope.contains(url):
            return False
        host = urlsplit(url).hostname or ""
        if is_private_address(host) and not self._address_allowed(host):
            self.stats.skipped_private.append(url)
            self._seen.add(url)
            return False
        self._seen.add(url)
        if not self._traps.admit(url):
            return False
        self._queue.put_nowait((url, depth))
        return True

    async def run(self) -> CrawlStats:
        """Crawl until the queue is empty or a limit is reached."""
        self._started = time.monotonic()
        for url in self.settings.start_urls:
            if normalise_url(url) not in self._visited:
                self._seen.discard(normalise_url(url))
                self.enqueue(url, 0)
        try:
            await self._launch()
            # The first tab opens here (a browser that cannot open one ends the crawl); the
            # others open in their workers, while the first page loads.
            first = await self._new_tab()
            more = range(max(1, self.settings.workers) - 1)
            workers = [asyncio.create_task(self._worker(first))]
            workers += [asyncio.create_task(self._worker(None)) for _ in more]
            try:
                while True:
                    await self._queue.join()
                    # Sitemaps still being read may queue more pages.
                    reading = [t for t in self._site_files.values() if not t.done()]
                    if not reading:
                        break
                    await asyncio.gather(*reading, return_exceptions=True)
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        finally:
            await self._close()
        return self.stats

    # -- browser -----------------------------------------------------------------------------

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

    def _refused(self, url: str) -> bool:
        """True when a browser request to `url` goes to a private address out of scope."""
        host = urlsplit(url).hostname or ""
        return is_private_address(host) and not self._address_allowed(host)

    async def _guard_address(self, tab: _Tab, event: dict[str, Any]) -> None:
        """A request paused by `_ADDRESS_PATTERNS`: fail it when it goes to a private address
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
    async def _close_popup(tab: _Tab, popup: PwPage) -> None:
        """A window a page's script opened is recorded, then closed: it is not ours to keep."""
        tab.popups.append(popup.url)
        with contextlib.suppress(PlaywrightError):
            await popup.close()

    async def _new_tab(self, context: BrowserContext | None = None) -> _Tab:
        context = context or self._context
        assert context is not None
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        net = NetworkLog()
        tab = _Tab(page, cdp, net)
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
        await cdp.send("Fetch.enable", {"patterns": _ADDRESS_PATTERNS})
        net.read_body = lambda request_id: cdp.send(
            "Network.getRequestPostData", {"requestId": request_id}
        )
        await cdp.send("Network.enable", {"maxPostDataSize": INLINE_POST_DATA})
        await WorkerWatch(
            cdp,
            net,
            fetch_patterns=_ADDRESS_PATTERNS,
            allowed_addresses=self._allowed_addresses(),
            refuses=self._refused,
            blocked=self.stats.skipped_private,
            spawn=tab.spawn,
        ).start()
        return tab

    async def _lenient_tab(self) -> _Tab:
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
        for closer in (self._lenient, self._lenient_browser, self._context):
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer.close()
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await self._playwright.stop()
        self._env.cleanup()

    # -- workers -----------------------------------------------------------------------------

    def _out_of_budget(self) -> str | None:
        if self._claimed >= self.settings.max_pages:
            return f"max-pages ({self.settings.max_pages}) reached"
        budget = self.settings.time_budget_s
        if budget is not None and time.monotonic() - self._started > budget:
            return f"time budget ({budget:g} s) used up"
        return None

    async def _worker(self, tab: _Tab | None) -> None:
        if tab is None:
            try:
                tab = await self._new_tab()
            except PlaywrightError as exc:
                log.warning("a worker's tab could not open: %s", _first_line(exc))
                return
        while True:
            url, depth = await self._queue.get()
            try:
                limit = self._out_of_budget()
                if limit:
                    self.stats.limit_reached = limit
                    continue
                if not await self._robots_allow(url):
                    self.stats.skipped_robots.append(url)
                    continue
                self._claimed += 1
                async with self._politely(url):
                    tab, page = await self._visit(tab, url, depth)
                self.stats.pages += 1
                if page.error:
                    self.stats.failed += 1
                for link in page.links:
                    self.enqueue(link, depth + 1)
                await self.sink(page)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a hostile page must never end the crawl
                log.warning("page %s failed: %s", url, exc)
            finally:
                self._queue.task_done()

    @contextlib.asynccontextmanager
    async def _politely(self, url: str) -> AsyncIterator[None]:
        """Hold one of the host's per_host slots, and wait for its turn when host_delay_s is set:
        a production site's servers should not feel the scan."""
        host = urlsplit(url).hostname or ""
        slots = self._host_slots.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with slots:
            delay = self.settings.host_delay_s
            if delay > 0:
                async with self._host_turns.setdefault(host, asyncio.Lock()):
                    wait = self._host_next.get(host, 0.0) - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._host_next[host] = time.monotonic() + delay
            yield

    # -- robots.txt and sitemaps -------------------------------------------------------------

    async def _robots_allow(self, url: str) -> bool:
        """Read the URL's host's robots.txt and sitemaps (once per origin); True when the page
        may be visited."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        task = self._site_files.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._read_site_files(origin))
            self._site_files[origin] = task
        if not self.settings.respect_robots:
            return True  # the sitemaps it names are read meanwhile; the page need not wait
        robots = await asyncio.shield(task)
        return robots.allowed(url)

    async def _fetch_site_file(self, url: str, purpose: str) -> FetchResult:
        """robots.txt or a sitemap, through the network policy, within the navigation cap."""
        settings = self.settings
        cap = min(10.0, settings.nav_timeout_s)
        return await fetch(
            url,
            settings.resolver,
            settings.trust,
            timeout=cap,
            deadline=cap,
            policy=self._policy,
            purpose=purpose,
        )

    async def _fetch_body(self, url: str, purpose: str) -> bytes | None:
        result = await self._fetch_site_file(url, purpose)
        if result.error or result.status != 200:
            return None
        return result.body

    async def _read_site_files(self, origin: str) -> Robots:
        try:
            fetched = await self._fetch_site_file(origin + "/robots.txt", "robots")
            robots = Robots.from_response(fetched.status, fetched.body, origin + "/")
            if self.settings.sitemaps:
                await self._read_sitemaps([*robots.sitemaps, origin + "/sitemap.xml"])
        except Exception as exc:  # a hostile robots.txt or sitemap must never end the crawl
            log.warning("robots.txt or sitemap of %s: %s", origin, exc)
            return Robots()
        return robots

    async def _read_sitemaps(self, pending: list[str]) -> None:
        """Queue the in-scope pages the sitemaps name (index files followed, both capped)."""
        read: set[str] = set()
        taken = 0
        while pending and len(read) < MAX_SITEMAPS:
            url = normalise_url(pending.pop(0))
            if url in read or not self.settings.scope.contains(url):
                continue
            read.add(url)
            body = await self._fetch_body(url, "sitemap")
            if not body:
                continue
            locs, is_index = parse_sitemap(body)
            if is_index:
                pending.extend(locs)
                continue
            for loc in locs:
                if taken >= MAX_SITEMAP_URLS:
                    return
                taken += 1
                if self.enqueue(loc, 1):
                    self.stats.from_sitemaps += 1

    async def _visit(self, tab: _Tab, url: str, depth: int) -> tuple[_Tab, Page]:
        """Load one URL and read what it did. Returns the tab to use next (fresh after a crash)."""
        started = time.monotonic()
        record = Page(url=url, depth=depth)
        tab.reset()
        error: str | None = None
        response = None
        try:
            response = await tab.page.goto(
                url, wait_until="load", timeout=self.settings.nav_timeout_s * 1000
            )
        except PlaywrightError as exc:
            error = _first_line(exc)
        if error and "ERR_CERT" in error:
            # The certificate error is evidence about the host (the TLS scan reports it); the
            # page is rendered once more with the error ignored so its forms are still seen.
            lenient = await self._lenient_tab()
            try:
                return tab, await self._read_after_cert_error(lenient, record, error, started)
            finally:
                with contextlib.suppress(PlaywrightError):
                    await lenient.page.close()
        if tab.crashed or "crash" in (error or "").lower():
            record.error = record.unread = "the page crashed (its renderer died)"
            record.requests = tab.net.finished_requests()
            record.load_ms = int((time.monotonic() - started) * 1000)
            return await self._replace_tab(tab), record
        tab.hung = error is not None and "Timeout" in error
        tab.life = await self._live(tab) if error is None else None
        if tab.life is None:
            await tab.net.wait_for_quiet(self.settings.quiet_s, self.settings.settle_cap_s)
        record.error = error
        # A network error leaves Chromium's own error page: nothing of the site's to read.
        readable = error is None or not error.startswith("net::")
        status = response.status if response else tab.net.document_status()
        if tab.hung and status is None:
            timeout = self.settings.nav_timeout_s
            record.unread = f"no answer within the navigation timeout ({timeout:g} s)"
        cookies_read = len(tab.net.cookies)
        await self._read_page(tab, record, status, readable)
        if tab.life is not None:
            await self._leave(tab, record, cookies_read)
        if tab.crashed:
            record.error = record.unread = "the page crashed (its renderer died)"
        record.load_ms = int((time.monotonic() - started) * 1000)
        if tab.crashed or tab.hung or tab.page.is_closed():
            tab = await self._replace_tab(tab)
        return tab, record

    async def _live(self, tab: _Tab) -> PageLife:
        """The page's life before it is read: the interactions, then its page time."""
        life = await PageLife.begin(tab.page.context, tab.page, tab.net, self._front)
        await life.run(self.settings.dwell_s, self.settings.settle_cap_s)
        if life.page_time_s == 0 and not life.starved:  # no virtual time: settle in real time
            await tab.net.wait_for_quiet(self.settings.quiet_s, self.settings.settle_cap_s)
        return life

    async def _leave(self, tab: _Tab, record: Page, cookies_read: int) -> None:
        """Leave the page as a visitor does, still recording, then keep what it sent."""
        assert tab.life is not None
        life, tab.life = tab.life, None
        if tab.crashed or tab.unresponsive or tab.page.is_closed():
            await life.end()
            return
        everything = [{"urlPattern": "*"}]

        def intercept(on: bool) -> Awaitable[Any]:
            patterns = everything if on else _ADDRESS_PATTERNS
            return tab.cdp.send("Fetch.enable", {"patterns": patterns})

        await life.leave(self.settings.quiet_s, self.settings.settle_cap_s, intercept)
        add_late_traffic(record, tab.net, self.settings.first_party, cookies_read)

    async def _read_after_cert_error(
        self, tab: _Tab, record: Page, error: str, started: float
    ) -> Page:
        response = None
        try:
            response = await tab.page.goto(
                record.url, wait_until="load", timeout=self.settings.nav_timeout_s * 1000
            )
        except PlaywrightError as exc:
            record.error = f"{error}; rendering again without the certificate check failed too"
            log.info("lenient render of %s failed: %s", record.url, _first_line(exc))
            return record
        await tab.net.wait_for_quiet(self.settings.quiet_s, self.settings.settle_cap_s)
        record.error = f"{error} (rendered again with the certificate error ignored)"
        await self._read_page(tab, record, response.status if response else None)
        record.load_ms = int((time.monotonic() - started) * 1000)
        return record

    async def _replace_tab(self, tab: _Tab) -> _Tab:
        """Close a crashed, hung or closed tab (without its unload handlers) and open a new one."""
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(tab.page.close(run_before_unload=False), timeout=10)
        return await self._new_tab()

    async def _bounded(self, tab: _Tab, call: Awaitable[Any]) -> Any:
        """Await a call into the page, giving up (and marking the tab hung) when a script that
        never yields keeps the page from answering. Raises PlaywrightError on either."""
        try:
            return await asyncio.wait_for(call, timeout=min(5.0, self.settings.nav_timeout_s))
        except TimeoutError:
            tab.hung = tab.unresponsive = True
            raise PlaywrightError("the page did not answer (a script that never yields?)") from None

    async def _read_page(
        self, tab: _Tab, record: Page, status: int | None, readable: bool = True
    ) -> None:
        page = tab.page
        record.status = status
        record.final_url = page.url if page.url.startswith(("http:", "https:")) else None
        final = record.final_url or record.url
        record.https = final.startswith("https:")
        if record.final_url:
            self._seen.add(normalise_url(record.final_url))
        fp = self.settings.first_party
        requests = tab.net.finished_requests()
        for request in requests:
            request.third_party = not fp.is_first_party(request.url)
        record.requests = requests
        if page.is_closed() or tab.crashed:
            record.error = record.error or "the page closed itself"
            record.unread = record.unread or "the page closed itself before it was read"
            return
        if not readable or record.unread:
            return
        probes: list[tuple[Frame, dict[str, Any]]] = []
        for frame in page.frames:
            if tab.unresponsive:
                break
            try:
                probe = await self._bounded(tab, frame.evaluate(_PROBE_JS))
                probes.append((frame, no_surrogates(probe)))  # the page's strings, made encodable
            except PlaywrightError as exc:
                if frame == page.main_frame:
                    # Loaded but unreadable (a huge or busy page): say so, never a silent blank.
                    record.error = record.error or f"the page could not be read: {_first_line(exc)}"
        if not any(frame == page.main_frame for frame, _ in probes):
            # Its forms and links are unknown: the scan must not count it as read (issue 13).
            record.unread = f"the page could not be read in time: {record.error}"
        if tab.unresponsive and not probes:
            return
        reading = read_probes(
            record,
            [FrameProbe(frame == page.main_frame, probe) for frame, probe in probes],
            list(tab.net.cookies),
            scope=self.settings.scope,
            first_party=fp,
            judges=self.settings.judges,
        )
        for key, score in reading.statement_scores.items():
            self.statement_candidates[key] = max(score, self.statement_candidates.get(key, 0))
        tab.popups.extend(reading.popups)
        self.stats.skipped_private.extend(reading.blocked)
        fills = [(probes[index][0], mark, kind) for index, mark, kind in reading.fills]
        record.popups = list(dict.fromkeys(tab.popups))
        record.dialogs = list(tab.dialogs)
        if tab.unresponsive:
            return  # a page that does not answer gets no more calls into it
        await self._keep_document(tab, record)
        if self.settings.screenshots_dir is not None:
            await self._screenshot_forms(tab, record)
        if fills and self.settings.leak_probe:
            await self._probe_leaks(tab, record, fills)

    async def _keep_document(self, tab: _Tab, record: Page) -> None:
        """Keep the rendered HTML of a page the statement reader may want."""
        key = normalise_url(record.final_url or record.url)
        wanted = key in self.statement_candidates or normalise_url(record.url) in (
            self.statement_candidates
        )
        if not wanted or len(self.documents) >= self.settings.keep_documents:
            return
        if record.error or not (record.status and 200 <= record.status < 300):
            return  # a 404 or error page is not the statement (the engine fetches it to say why)
        with contextlib.suppress(PlaywrightError):
            self.documents[key] = no_surrogates(await self._bounded(tab, tab.page.content()))

    async def _probe_leaks(
        self, tab: _Tab, record: Page, fills: list[tuple[Frame, str, PIKind]]
    ) -> None:
        """Type a unique canary into each personal-information field, never submit, and keep
        every request that follows: the parties stage searches them for the canaries."""
        canaries = self.settings.judges.make_canaries(
            sorted({kind for _, _, kind in fills}), record.url
        )
        for frame, mark, kind in fills[:40]:
            field_ = frame.locator(f'[data-complyscan-field="{mark}"]').first
            with contextlib.suppress(PlaywrightError):
                await field_.fill(canaries[kind], timeout=1000)
                await field_.dispatch_event("change", timeout=1000)
                await field_.blur(timeout=1000)
        record.probe_values = {str(k): v for k, v in canaries.items()}
        # Scripts react to typing after debounce timers, and recorders flush on timers: the
        # page's time runs again (the page is left afterwards, so unload flushes count too).
        if tab.life is None or not await tab.life.run(
            self.settings.dwell_s, self.settings.settle_cap_s
        ):
            tab.net.mark_activity()
            await tab.net.wait_for_quiet(self.settings.quiet_s, self.settings.settle_cap_s)
        requests = tab.net.finished_requests()
        for request in requests:
            request.third_party = not self.settings.first_party.is_first_party(request.url)
        record.requests = requests

    async def _screenshot_forms(self, tab: _Tab, record: Page) -> None:
        """A PNG of each personal-information form, kept as evidence. The form's box is read in
        the page and captured with CDP directly: Playwright's element screenshot waits for
        fonts, stable frames and scrolling, about 0.8 s a form."""
        directory = self.settings.screenshots_dir
        assert directory is not None
        for index, form in enumerate(record.forms):
            if not form.collects_pi or form.frame_url or form.method == "script":
                continue
            name = _screenshot_name(record.url)
            path = directory / f"{name}-form{index}.png"
            try:
                box = await self._bounded(
                    tab, tab.page.locator(form.selector).first.evaluate(_BOX_JS, timeout=1000)
                )
                if not box or box["width"] < 1 or box["height"] < 1:
                    continue
                # A tab in the background has no frame to give: Chromium makes one after a
                # wait (about 2 s here). Brought to the front, the capture takes ~30 ms.
                async with self._front:
                    await self._bounded(tab, tab.cdp.send("Page.bringToFront"))
                    shot = await self._bounded(
                        tab,
                        tab.cdp.send(
                            "Page.captureScreenshot",
                            {
                                "format": "png",
                                "clip": {**box, "scale": 1},
                                "captureBeyondViewport": True,
                            },
                        ),
                    )
            except PlaywrightError:
                continue
            directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(shot["data"]))
            form.screenshot = str(path)


def _screenshot_name(url: str) -> str:
    """A file name for a page's screenshots: readable, and unique to the exact URL (a short
    hash), so that `/contact.html` and `/contact-html` never share a PNG."""
    readable = re.sub(r"[^a-zA-Z0-9]+", "-", url.split("://", 1)[-1])[:80]
    return f"{readable}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:10]}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first.removeprefix("Page.goto: ")[:300]
