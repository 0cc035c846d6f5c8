"""The statement stage of one scan: where the statement may be (configured, linked, common
paths), and the first candidate that reads as one, with its cookie policy."""

from __future__ import annotations

from urllib.parse import urljoin

from scanner.browser.crawler import Crawler
from scanner.config import ScanConfig
from scanner.fetch import fetch
from scanner.model import Page, ScanResult, Statement
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy
from scanner.parties.vendors import VendorDB
from scanner.scope import normalise_url
from scanner.statement.documents import with_cookie_policy
from scanner.statement.find import COMMON_PATHS
from scanner.statement.reader import read_statement
from scanner.statement.source import REJECTED_NOTE, fetch_rejection, truncation_note


class StatementSearch:
    """Finds and reads the site's statement once the crawl is over."""

    def __init__(
        self,
        config: ScanConfig,
        result: ScanResult,
        pages: list[Page],
        crawler: Crawler | None,
        resolver: Resolver,
        trust: Trust,
        policy: NetPolicy,
        vendors: VendorDB,
    ) -> None:
        self.config = config
        self.result = result
        """The scan's result: notes on candidates not accepted go to `result.notes`."""
        self.pages = pages
        self._crawler = crawler
        self.resolver = resolver
        self.trust = trust
        self.policy = policy
        self.vendors = vendors

    def _statement_urls(self) -> list[str]:
        """Where the statement may be, best first: configured, linked (most often), common paths."""
        urls: list[str] = []
        if self.config.statement_url:
            urls.append(self.config.statement_url)
        counts: dict[str, int] = {}
        scores = self._crawler.statement_candidates if self._crawler else {}
        for page in self.pages:
            for link in page.statement_links:
                key = normalise_url(link)
                counts[key] = counts.get(key, 0) + 1
        urls += sorted(counts, key=lambda u: (-scores.get(u, 0), -counts[u], u))
        base = self.pages[0].final_url or self.pages[0].url if self.pages else self.config.url
        urls += [urljoin(base, p) for p in COMMON_PATHS]
        return list(dict.fromkeys(urls))

    async def find(self) -> Statement | None:
        documents = self._crawler.documents if self._crawler else {}
        linked = {normalise_url(u) for p in self.pages for u in p.statement_links}
        for url in self._statement_urls():
            key = normalise_url(url)
            html = documents.get(key)
            final = url
            if html is None:
                fetched = await fetch(
                    url, self.resolver, self.trust, policy=self.policy, purpose="statement"
                )
                reason = fetch_rejection(fetched)
                if reason is not None:
                    if key in linked or url == self.config.statement_url:
                        self.result.notes.append(f"{REJECTED_NOTE}: {url}: {reason}")
                    continue
                if fetched.truncated:
                    self.result.notes.append(truncation_note(fetched.final_url))
                html = fetched.text()
                final = fetched.final_url
            statement = read_statement(final, html, vendors=self.vendors)
            if statement.claims or key in linked or url == self.config.statement_url:
                links = [u for p in self.pages for u in p.statement_links]
                return await with_cookie_policy(
                    statement, html, links, self._document, vendors=self.vendors
                )
        return None

    async def _document(self, url: str) -> str | None:
        """A statement document's HTML: as the crawl rendered it, else fetched."""
        kept = self._crawler.documents.get(normalise_url(url)) if self._crawler else None
        if kept is not None:
            return kept
        fetched = await fetch(url, self.resolver, self.trust)
        ok = not fetched.error and fetched.status == 200 and "html" in (fetched.content_type or "")
        return fetched.text() if ok else None
