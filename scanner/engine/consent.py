"""The consent stage of one scan: the consent states (no choice, reject all, accept all, GPC)
visited on a chosen set of pages, each in a fresh profile, within a share of the time budget."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from scanner.browser.crawler import Crawler
from scanner.budget import Deadline
from scanner.config import ScanConfig
from scanner.consent.stage import ConsentOutcome, run_consent
from scanner.domains import FirstParty
from scanner.model import Page, ScanResult
from scanner.parties.vendors import VendorDB

if TYPE_CHECKING:
    from scanner.engine.scan import Progress

CONSENT_SHARE = 0.5
"""Of the budget left after the crawl and the statement, the consent visits take at most this."""


class ConsentStage:
    """Runs the consent visits once the crawl and the statement are done."""

    def __init__(
        self,
        config: ScanConfig,
        result: ScanResult,
        progress: Progress,
        crawler: Crawler | None,
        pages: list[Page],
        vendors: VendorDB,
    ) -> None:
        self.config = config
        self.result = result
        """The scan's result: the consent section and notes go there."""
        self.progress = progress
        self._crawler = crawler
        self.pages = pages
        self.vendors = vendors
        self.outcome: ConsentOutcome | None = None
        """What the visits saw (None when they did not run or did not finish)."""

    async def run(self, first_party: FirstParty, deadline: Deadline) -> None:
        """The consent states on a chosen set of pages, each in a fresh profile (issue 18).
        They take at most CONSENT_SHARE of the time budget left: the transport checks after
        them keep their time, and consent visits cut off are a note, not an incomplete scan."""
        config, crawler = self.config, self._crawler
        if not config.consent or crawler is None or self.result.incomplete_reason is not None:
            return
        self.progress.on_stage("consent")
        declared = self.result.statement.cookies_declared if self.result.statement else []
        categories: dict[str, str] = {d.name: d.category for d in declared if d.category}
        for disclosed in config.disclosed:  # [[disclosed]] cookies take their vendor's category
            vendor = self.vendors.by_name(disclosed.vendor)
            categories |= {c: vendor.category for c in disclosed.cookies if vendor is not None}
        consent = run_consent(
            crawler.settings,
            self.pages,
            vendors=self.vendors,
            first_party=first_party,
            essential=config.consent_essential,
            max_pages=config.consent_max_pages,
            autoconsent_dir=config.autoconsent_dir,
            declared=categories,
        )
        left = deadline.remaining()
        try:
            outcome = await asyncio.wait_for(
                consent, None if left is None else left * CONSENT_SHARE
            )
        except TimeoutError:
            self.result.notes.append(
                "Consent visits not finished: they may take half the time budget left after "
                "the crawl and the statement."
            )
            return
        outcome.consent.jurisdiction = config.consent_jurisdiction
        self.result.consent = outcome.consent
        self.outcome = outcome
        if outcome.consent.not_evaluated:
            self.result.notes.append(outcome.consent.not_evaluated)
