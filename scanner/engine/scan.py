"""One scan, stage by stage: crawl and transport overlapping, then parties, statement, checks.

Each stage reads the model and adds to it (design.md). Pages are streamed to `pages.jsonl` in the
output directory as they finish, so a scan that is killed keeps what it gathered and `--resume`
continues where it stopped. TLS scans start as soon as a host is first seen and run in a thread
pool beside the crawl; HTTP checks run as asyncio tasks beside it too.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from scanner import __version__
from scanner.browser.crawler import Crawler, CrawlSettings
from scanner.browser.discovery import find_chromium
from scanner.browser.reader import PageJudges
from scanner.budget import BudgetExceeded, Deadline
from scanner.checks import CheckContext, Declaration, run_checks
from scanner.config import ScanConfig
from scanner.consent.stage import ConsentOutcome, consent_union
from scanner.coverage import start_url_problem, unread_notes, unread_reason
from scanner.engine.consent import ConsentStage
from scanner.engine.hosts import HostChecks
from scanner.engine.statement import StatementSearch
from scanner.model import (
    Beacon,
    Cookie,
    Page,
    ScanResult,
    Severity,
    Summary,
    TlsResult,
    ToolInfo,
)
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy
from scanner.outdir import PAGES_FILE, append_stream, start_pages_file
from scanner.parties.beacons import detect_beacons
from scanner.parties.cookies import attribute_cookies
from scanner.parties.domains import FirstParty
from scanner.parties.leaks import find_leaks, make_canaries
from scanner.parties.pi import classify_form, classify_form_field
from scanner.parties.vendors import Vendor, VendorDB, load_vendors
from scanner.sanitize import scrub_surrogates
from scanner.scope import Scope, normalise_url
from scanner.statement.find import is_statement_link
from scanner.statement.notes import statement_unread_notes

log = logging.getLogger(__name__)

CRAWL_SHARE = 0.7
"""Of --time-budget, the crawl takes at most this share; statement, TLS and reports the rest."""


@dataclass
class Progress:
    """What the command line shows while a scan runs (a bar on a terminal, log lines in CI)."""

    on_page: Callable[[Page, int, int], None] = lambda page, done, queued: None
    on_host: Callable[[str, int, TlsResult], None] = lambda host, port, tls: None
    """A host's TLS scan finished (called as soon as it does, while the crawl goes on)."""
    on_hosts: Callable[[int, int], None] = lambda done, started: None
    """How many TLS scans have finished and how many have started."""
    on_stage: Callable[[str], None] = lambda stage: None


class Scan:
    """A scan of one site with one configuration."""

    def __init__(
        self,
        config: ScanConfig,
        progress: Progress | None = None,
        *,
        previous: ScanResult | None = None,
    ) -> None:
        self.config = config
        self.previous = previous
        """The previous scan of the same site (from the history store), for what changed."""
        self.progress = progress or Progress()
        self.resolver = Resolver.from_strings(config.resolve, config.only_resolved)
        self.trust = Trust(config.ca_bundle)
        self.first_party = FirstParty(config.url, config.first_party)
        self.scope = Scope.for_start_url(
            config.url,
            hosts=config.hosts or None,
            exclude_hosts=config.exclude_hosts,
            paths=config.paths,
            exclude_paths=config.exclude_paths,
        )
        self.policy = NetPolicy.for_scan(
            self.resolver, self.scope, config.url, config.statement_url, hosts=config.hosts
        )
        """The one network policy every fetch, TLS scan and the browser's guard follow."""
        self.vendors = self._vendors()
        self.result = ScanResult(
            target=config.url, started_at=datetime.now(UTC), config=config.public_dict()
        )
        if config.credentials_dropped:
            note = "Credentials in the URL were removed: complyscan neither sends nor records them."
            self.result.notes.append(note)
            log.warning(note)
        self.pages: list[Page] = []
        self.hosts = HostChecks(
            config, self.result, self.progress, self.resolver, self.trust, self.policy
        )
        """The transport stage: TLS scans and HTTP checks of the hosts the crawl meets."""
        self._stream: IO[str] | None = None
        self._crawler: Crawler | None = None
        self._stream_error: str | None = None
        self._budget_reason: str | None = None
        """Set when the crawl stopped early for the time budget: the scan is incomplete."""
        self._consent: ConsentOutcome | None = None

    def _vendors(self) -> VendorDB:
        db = load_vendors()
        extra = [
            Vendor(name=v.name, company=v.company, category=v.category, domains=tuple(v.domains))
            for v in self.config.vendors
        ]
        extra += [
            Vendor(name=d.vendor, company=None, category="analytics", domains=tuple(d.domains))
            for d in self.config.disclosed
            if d.domains and db.by_name(d.vendor) is None
        ]
        return db.with_overrides(extra) if extra else db

    # -- the run -----------------------------------------------------------------------------

    async def run(self) -> ScanResult:
        """Run every stage. Raises CrawlError / BrowserNotFound when the browser cannot start;
        on cancellation the result gathered so far is left in `self.result`, incomplete."""
        started = time.monotonic()
        out = self.config.out
        out.mkdir(parents=True, exist_ok=True)
        chromium = find_chromium(self.config.chromium)
        self.hosts.start()
        self.result.tool = ToolInfo(
            version=__version__,
            sslyze=_package_version("sslyze"),
            profile=self.config.tls_profile,
            vendor_data_version=self.vendors.version,
        )
        deadline = Deadline(self.config.time_budget)
        try:
            try:
                await self._gather(chromium, out, deadline)
            except BudgetExceeded as exc:
                # What was gathered is kept and checked; the scan says it could not finish.
                self.result.incomplete_reason = f"{exc}: the report holds what was gathered"
            self.result.notes.extend(self.policy.notes())
            self.progress.on_stage("checks")
            self._parties()
            if start_url_problem(self.config.url, self.pages) is None:
                self._check()
            self._judge_coverage()
            self.result.complete = self.result.incomplete_reason is None
        finally:
            self.hosts.shutdown(wait=not deadline.expired())
            if self._stream is not None:
                self._stream.close()
            self.result.finished_at = datetime.now(UTC)
            self.result.summary = self._summary(time.monotonic() - started)
        return self.result

    async def _gather(self, chromium: Path, out: Path, deadline: Deadline) -> None:
        """Crawl, statement and transport, each within what is left of the time budget."""
        try:
            await deadline.run("the crawl", self._crawl(chromium, out))
        finally:
            self.result.incomplete_reason = start_url_problem(self.config.url, self.pages)
        self.progress.on_stage("statement")
        search = StatementSearch(
            self.config,
            self.result,
            self.pages,
            self._crawler,
            self.resolver,
            self.trust,
            self.policy,
            self.vendors,
        )
        statement = await deadline.run("the statement", search.find())
        self.result.statement = statement
        if statement is not None:
            self.hosts.want_tls(statement.url, "statement")
            self.result.notes.extend(statement_unread_notes(statement))
        consent = ConsentStage(
            self.config, self.result, self.progress, self._crawler, self.pages, self.vendors
        )
        await consent.run(self.first_party, deadline)
        self._consent = consent.outcome
        self.progress.on_stage("transport")
        await self.hosts.finish(deadline)

    def _judge_coverage(self) -> None:
        """Pages that could not be read are named; unless allowed they make the scan incomplete
        (checked after the checks: what was read still yields its findings)."""
        self.result.notes.extend(unread_notes(self.pages))
        reason = self.result.incomplete_reason or self._budget_reason or self._stream_error
        self.result.incomplete_reason = reason
        if self.result.incomplete_reason is None:
            self.result.incomplete_reason = unread_reason(
                self.pages, self.config.allow_unread_pages
            )

    async def _crawl(self, chromium: Path, out: Path) -> None:
        config = self.config
        settings = CrawlSettings(
            start_urls=[config.url],
            scope=self.scope,
            first_party=self.first_party,
            resolver=self.resolver,
            trust=self.trust,
            chromium=chromium,
            max_pages=config.max_pages,
            max_depth=config.max_depth,
            workers=config.workers,
            nav_timeout_s=config.nav_timeout_s,
            quiet_s=config.quiet_s,
            settle_cap_s=config.settle_cap_s,
            time_budget_s=config.time_budget * CRAWL_SHARE if config.time_budget else None,
            screenshots_dir=out / "screenshots" if config.screenshots else None,
            respect_robots=config.respect_robots,
            trap_threshold=config.trap_threshold,
            per_host=config.per_host,
            host_delay_s=config.host_delay,
            dwell_s=config.dwell,
            user_agent=config.user_agent,
            policy=self.policy,
            judges=page_judges(),
        )
        crawler = Crawler(settings, self._page_done)
        self._crawler = crawler
        stream_path = out / PAGES_FILE
        if config.resume and stream_path.exists():
            self._resume(crawler, stream_path)
        else:
            start_pages_file(config)
        self._stream = append_stream(stream_path)
        if config.statement_url:
            crawler.statement_candidates[normalise_url(config.statement_url)] = 10
        self.hosts.want_tls(config.url, "start")
        stats = await crawler.run()
        self.result.tool.chromium = stats.chromium_version
        if stats.limit_reached:
            self.result.notes.append(f"Crawl stopped: {stats.limit_reached}.")
        self.result.notes.extend(stats.traps)
        if stats.from_sitemaps:
            self.result.notes.append(f"Sitemaps named {stats.from_sitemaps} page(s) no link had.")
        if stats.skipped_robots:
            self.result.notes.append(
                f"Not visited (robots.txt disallows): {len(stats.skipped_robots)} page(s), "
                f"e.g. {stats.skipped_robots[0]}"
            )
        for url in stats.skipped_private[:20]:
            self.result.notes.append(f"Not visited (private address not in scope): {url}")
        if stats.limit_reached and stats.limit_reached.startswith("time budget"):
            # The crawl stopped early to leave time for the other stages: pages went unvisited.
            self._budget_reason = (
                f"time budget ({config.time_budget:g} s) used up during the crawl: "
                "pages in scope were left unvisited"
            )

    def _resume(self, crawler: Crawler, path: Path) -> None:
        """Reload the pages a killed scan already finished; never visit them again. The file is
        only read here (and appended to afterwards): a kill at any moment loses no page."""
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    page = Page.model_validate_json(line)
                except ValueError:
                    continue  # the line being written when the scan was killed
                self.pages.append(page)
                crawler.mark_seen(page.url)
                if page.final_url:
                    crawler.mark_seen(page.final_url)
        crawler.count_done(len(self.pages))
        for page in self.pages:
            for link in page.links:
                crawler.enqueue(link, page.depth + 1)
            self._note_page(page)
        self.result.notes.append(f"Resumed: {len(self.pages)} page(s) kept from the killed scan.")

    async def _page_done(self, page: Page) -> None:
        """A page finished: stream it to disk, start its hosts' transport checks."""
        scrub_surrogates(page)
        self.pages.append(page)
        if self._stream is not None:
            try:
                self._stream.write(page.model_dump_json() + "\n")
                self._stream.flush()
            except OSError as exc:  # disk full: the scan goes on, but cannot be resumed
                self._stream_error = f"pages could not be saved to {PAGES_FILE}: {exc.strerror}"
        self._note_page(page)
        crawler = self._crawler
        queued = crawler.queued if crawler is not None else 0
        self.progress.on_page(page, len(self.pages), queued)

    def _note_page(self, page: Page) -> None:
        url = page.final_url or page.url
        if page.error and "ERR_CERT" in page.error:
            self.hosts.want_tls(url, "cert-error")
        if self.config.tls_all and self.scope.contains(url):
            self.hosts.want_tls(url, "all")
        pi_forms = [f for f in page.forms if f.collects_pi]
        if not pi_forms:
            return
        if url.startswith("https:"):
            self.hosts.want_tls(url, "serves-pi-form")
            self.hosts.want_http(url)
        for form in pi_forms:
            for target in [form.action, *form.other_actions]:
                if target.startswith("https:"):
                    self.hosts.want_tls(target, "receives-pi-form")

    # -- parties and checks -----------------------------------------------------------------

    def _parties(self) -> None:
        beacons: list[Beacon] = []
        cookies: dict[tuple[str, str, str], Cookie] = {}
        for page in self.pages:
            if page.probe_values:
                page.leaks = find_leaks(page.requests, page.probe_values)
            page_beacons = detect_beacons(page, self.first_party, self.vendors)
            beacons.extend(page_beacons)
            attribute_cookies(page, self.first_party, self.vendors, page_beacons)
            for cookie in page.cookies:
                cookies.setdefault((cookie.name, cookie.domain, cookie.path), cookie)
        if self._consent is not None:
            beacons += consent_union(
                self._consent, beacons, cookies, self.first_party, self.vendors
            )
        self.result.beacons = beacons
        self.result.cookies = list(cookies.values())
        self.result.pages = self.pages

    def _check(self) -> None:
        ctx = CheckContext(
            result=self.result,
            first_party=self.first_party,
            vendors=self.vendors,
            declarations=[
                Declaration(d.vendor, tuple(d.domains), tuple(d.cookies))
                for d in self.config.disclosed
            ],
            cert_expiry_days=self.config.cert_expiry_days,
            previous_statement=self.previous.statement if self.previous else None,
        )
        self.result.findings = run_checks(ctx)

    def _summary(self, seconds: float) -> Summary:
        counts = {s.value: 0 for s in Severity}
        for finding in self.result.findings:
            counts[Severity(finding.severity).value] += 1
        return Summary(
            pages=len(self.pages),
            pages_failed=sum(1 for p in self.pages if p.error),
            forms_collecting_pi=sum(1 for p in self.pages for f in p.forms if f.collects_pi),
            requests=sum(len(p.requests) for p in self.pages),
            third_party_requests=sum(1 for p in self.pages for r in p.requests if r.third_party),
            beacons=len(self.result.beacons),
            cookies=len(self.result.cookies),
            hosts=len(self.result.hosts),
            findings=counts,
            fail_on=self.config.fail_on,
            duration_seconds=round(seconds, 2),
        )


def page_judges() -> PageJudges:
    """The parties' and the statement's judgements that the crawl needs while a page is open
    (passed in: the browser imports no stage)."""
    return PageJudges(
        classify_field=classify_form_field,
        classify_form=classify_form,
        statement_link=lambda href, text, footer: int(
            is_statement_link(href, text, in_footer=footer)
        ),
        make_canaries=make_canaries,
    )


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def load_result(path: Path) -> ScanResult:
    """A saved report.json."""
    return ScanResult.model_validate_json(path.read_text(encoding="utf-8"))
