"""robots.txt and sitemaps of each origin a crawl meets: read once, through the network policy,
while the crawl goes on; robots.txt decides (with --respect-robots) and sitemaps add pages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from scanner.browser.robots import MAX_SITEMAP_URLS, MAX_SITEMAPS, Robots, parse_sitemap
from scanner.browser.settings import CrawlSettings, CrawlStats
from scanner.fetch import FetchResult, fetch
from scanner.netpolicy import NetPolicy
from scanner.scope import normalise_url

log = logging.getLogger(__name__)


class SiteFiles:
    """Each origin's robots.txt and sitemaps, for one crawl."""

    def __init__(
        self,
        settings: CrawlSettings,
        policy: NetPolicy,
        stats: CrawlStats,
        enqueue: Callable[[str, int], bool],
    ) -> None:
        self.settings = settings
        self._policy = policy
        self.stats = stats
        self.enqueue = enqueue
        """Queues a page a sitemap names (the crawler's frontier decides)."""
        self._site_files: dict[str, asyncio.Task[Robots]] = {}

    def reading(self) -> list[asyncio.Task[Robots]]:
        """The reads still going on (they may queue more pages)."""
        return [t for t in self._site_files.values() if not t.done()]

    async def robots_allow(self, url: str) -> bool:
        """Read the URL's host's robots.txt and sitemaps (once per origin); True when the page
        may be visited."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        task = self._site_files.get(origin)
        if task is None:
            task = asyncio.ensure_future(self.read_site_files(origin))
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

    async def read_site_files(self, origin: str) -> Robots:
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
