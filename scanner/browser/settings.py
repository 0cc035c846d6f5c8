"""What a crawl is told (CrawlSettings) and what it reports back (CrawlStats, CrawlError)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from scanner.browser.lifecycle import DWELL_S
from scanner.browser.reader import PageJudges
from scanner.domains import FirstParty
from scanner.model import Page
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy
from scanner.scope import Scope


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
    visit_deadline_s: float | None = None
    """Real time a page's visit may take at most, every step included (None: from the
    navigation timeout, `visit_deadline()`); past it, the visit is given up."""
    user_agent: str | None = None
    """The user agent to send; None: the desktop Chrome that this Chromium is."""
    policy: NetPolicy | None = None
    """The scan's network policy, for robots.txt and sitemaps (None: scope and --resolve)."""
    arrival: Callable[[], Awaitable[None]] | None = None
    """Awaited after each page loads, in real time, before its page time starts: what must
    happen on the real clock first (the consent visits let autoconsent find and answer the
    banner there: its own 1 s timeouts would expire at once on page time)."""
    judges: PageJudges = field(kw_only=True)
    """Which fields collect personal information, which links look like the statement, the
    canaries to type: the other stages' judgements, passed in (the browser imports no stage)."""

    def visit_deadline(self) -> float:
        """`visit_deadline_s`, else room for every step at its own timeout: two navigations
        (a certificate error renders the page again), the settle caps of page time, leaving
        and the leak probe, and a minute for reading, evidence and the consent banner."""
        if self.visit_deadline_s is not None:
            return self.visit_deadline_s
        return 3 * self.nav_timeout_s + 12 * self.settle_cap_s + 60.0


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
