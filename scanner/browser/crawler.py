"""The crawl: Chromium via Playwright, breadth-first over the scope, a page per worker.

Each worker keeps one page and navigates it (measured here: ~14 pages/s reusing a page against
~3 pages/s with a fresh page per URL, on 2 cores). A page settles on network quiet with a cap,
never a fixed sleep. Nothing is ever submitted: guard.js cancels submits in the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame

from scanner.browser.environment import QUIET_FLAGS as QUIET_FLAGS
from scanner.browser.evidence import PageEvidence
from scanner.browser.lifecycle import PageLife, add_late_traffic
from scanner.browser.reader import FrameProbe, read_probes
from scanner.browser.session import ADDRESS_PATTERNS
from scanner.browser.settings import CrawlError as CrawlError
from scanner.browser.settings import CrawlSettings as CrawlSettings
from scanner.browser.settings import CrawlStats as CrawlStats
from scanner.browser.settings import PageSink
from scanner.browser.sitefiles import SiteFiles
from scanner.browser.tab import Tab
from scanner.model import Page
from scanner.sanitize import no_surrogates
from scanner.scope import TrapDetector, is_private_address, normalise_url

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
_CANCEL_GRACE_S = 5.0
"""How long a visit given up at its deadline may take to end once cancelled."""
_PROBE_JS = (_HERE / "page_probe.js").read_text(encoding="utf-8")


class Crawler(PageEvidence):
    """Crawls breadth-first from the start URLs and hands each finished Page to `sink`."""

    def __init__(self, settings: CrawlSettings, sink: PageSink) -> None:
        super().__init__(settings)
        self.sink = sink
        self._queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self._seen: set[str] = set()
        self._visited: set[str] = set()
        """Pages a killed scan already finished (--resume): never visited again, start URL too."""
        self._claimed = 0
        self._started = 0.0
        self._traps = TrapDetector(settings.trap_threshold)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_turns: dict[str, asyncio.Lock] = {}
        self._host_next: dict[str, float] = {}
        self.stats.traps = self._traps.notes
        self.site_files = SiteFiles(settings, self._policy, self.stats, self.enqueue)
        """robots.txt and sitemaps, read once per origin while the crawl goes on."""
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
                    reading = self.site_files.reading()
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

    # -- workers -----------------------------------------------------------------------------

    def _out_of_budget(self) -> str | None:
        if self._claimed >= self.settings.max_pages:
            return f"max-pages ({self.settings.max_pages}) reached"
        budget = self.settings.time_budget_s
        if budget is not None and time.monotonic() - self._started > budget:
            return f"time budget ({budget:g} s) used up"
        return None

    async def _worker(self, tab: Tab | None) -> None:
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
                if not await self.site_files.robots_allow(url):
                    self.stats.skipped_robots.append(url)
                    continue
                self._claimed += 1
                async with self._politely(url):
                    tab, page = await self._visit(tab, url, depth)
                self.stats.pages += 1
                if page.error:
                    self.stats.failed += 1
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

    async def _visit(self, tab: Tab, url: str, depth: int) -> tuple[Tab, Page]:
        """Load one URL and read what it did. Returns the tab to use next (fresh after a crash
        or a visit that outlasted its deadline).

        Every step of a visit has its own timeout; the deadline is the guard behind them: a
        visit still running after `visit_deadline_s` (a call the browser never answers, say) is
        given up, its page recorded with what it gathered and its tab replaced, so one page can
        never hold the crawl."""
        record = Page(url=url, depth=depth)
        tab.reset()
        deadline = self.settings.visit_deadline()
        visit = asyncio.ensure_future(self._visit_page(tab, record))
        done, _ = await asyncio.wait({visit}, timeout=deadline)
        if visit in done:
            return visit.result()
        visit.cancel()
        visit.add_done_callback(_retrieve)
        await asyncio.wait({visit}, timeout=_CANCEL_GRACE_S)  # it may never end: go on anyway
        log.warning("page %s: its visit did not end within %g s", url, deadline)
        record.error = f"the visit did not end within {deadline:g} s (given up)"
        if not tab.read:
            record.unread = record.unread or record.error
        if not record.requests:
            record.requests = tab.net.finished_requests()
        tab.hung = tab.unresponsive = True
        record.load_ms = int(deadline * 1000)
        return await self._replace_tab(tab), record

    async def _visit_page(self, tab: Tab, record: Page) -> tuple[Tab, Page]:
        started = time.monotonic()
        url = record.url
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
        if error is None and self.settings.arrival is not None:
            await self.settings.arrival()
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

    async def _live(self, tab: Tab) -> PageLife:
        """The page's life before it is read: the interactions, then its page time."""
        life = await PageLife.begin(tab.page.context, tab.page, tab.net, self._front)
        await life.run(self.settings.dwell_s, self.settings.settle_cap_s)
        if life.page_time_s == 0 and not life.starved:  # no virtual time: settle in real time
            await tab.net.wait_for_quiet(self.settings.quiet_s, self.settings.settle_cap_s)
        return life

    async def _leave(self, tab: Tab, record: Page, cookies_read: int) -> None:
        """Leave the page as a visitor does, still recording, then keep what it sent."""
        assert tab.life is not None
        life, tab.life = tab.life, None
        if tab.crashed or tab.unresponsive or tab.page.is_closed():
            await life.end()
            return
        everything = [{"urlPattern": "*"}]

        def intercept(on: bool) -> Awaitable[Any]:
            patterns = everything if on else ADDRESS_PATTERNS
            return tab.cdp.send("Fetch.enable", {"patterns": patterns})

        await life.leave(self.settings.quiet_s, self.settings.settle_cap_s, intercept)
        add_late_traffic(record, tab.net, self.settings.first_party, cookies_read)

    async def _read_after_cert_error(
        self, tab: Tab, record: Page, error: str, started: float
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

    async def _read_page(
        self, tab: Tab, record: Page, status: int | None, readable: bool = True
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
        # Its links are queued at once, before its leak probe and its leaving: other workers
        # start on them meanwhile (on a small site, they waited idle for the start page).
        for link in record.links:
            self.enqueue(link, record.depth + 1)
        tab.read = True
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

    async def _keep_document(self, tab: Tab, record: Page) -> None:
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


def _retrieve(task: asyncio.Future[Any]) -> None:
    """A given-up visit's outcome, read so that asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first.removeprefix("Page.goto: ")[:300]
