"""The consent stage: choose the pages, visit each state in a fresh profile, record it all."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from scanner.browser.crawler import CrawlSettings
from scanner.consent.autoconsent import NOT_INSTALLED, find_autoconsent
from scanner.consent.model import CONSENT_STATES, Consent, ConsentStateName
from scanner.consent.observe import Essentials, observe
from scanner.consent.pages import PAGE_CHOICE, choose_pages
from scanner.consent.visits import visit_state
from scanner.model import Beacon, Cookie, Page
from scanner.parties.beacons import detect_beacons
from scanner.parties.cookies import attribute_cookies
from scanner.parties.domains import FirstParty, host_of
from scanner.parties.vendors import VendorDB

log = logging.getLogger(__name__)


@dataclass
class ConsentOutcome:
    """The consent record for report.json, and each state's pages (for the union of beacons
    and cookies that the disclosure rules read)."""

    consent: Consent
    pages: dict[ConsentStateName, list[Page]] = field(default_factory=dict)


async def run_consent(
    settings: CrawlSettings,
    crawled: list[Page],
    *,
    vendors: VendorDB,
    first_party: FirstParty,
    essential: list[str],
    max_pages: int,
    autoconsent_dir: Path | None = None,
    declared: dict[str, str] | None = None,
) -> ConsentOutcome:
    """Visit the chosen pages in every consent state. Raises CrawlError when the browser
    cannot start."""
    started = time.monotonic()
    bundle = find_autoconsent(autoconsent_dir)
    urls = choose_pages(settings.start_urls[0], crawled, max_pages)
    consent = Consent(
        evaluated=bundle is not None,
        not_evaluated=None if bundle else NOT_INSTALLED,
        autoconsent_version=bundle.version if bundle else None,
        page_choice=PAGE_CHOICE.format(cap=max_pages),
        pages=urls,
    )
    if bundle is None:
        log.warning(NOT_INSTALLED)
    essentials = Essentials(essential, declared)
    outcome = ConsentOutcome(consent)
    # The states are independent browsers, each in a fresh profile: they run at once. A state
    # that answers the banner finds (or not) the consent manager itself and stops there.
    visits = await asyncio.gather(
        *(visit_state(settings, state, urls, bundle) for state in CONSENT_STATES)
    )
    for state, visit in zip(CONSENT_STATES, visits, strict=True):
        observation = observe(visit, first_party, vendors, essentials)
        consent.states.append(observation)
        outcome.pages[state] = visit.pages
        session = visit.session
        if state == "no-choice" and session is not None:
            consent.cmp = session.cmp
            consent.banner_shown = session.popup is not None
            if session.cmp is None and session.heuristic:
                consent.unrecognised = True
                consent.unrecognised_snippets = session.heuristic[:3]
    consent.seconds = round(time.monotonic() - started, 2)
    return outcome


def consent_union(
    outcome: ConsentOutcome,
    beacons: list[Beacon],
    cookies: dict[tuple[str, str, str], Cookie],
    first_party: FirstParty,
    vendors: VendorDB,
) -> list[Beacon]:
    """What the consent states saw that the main crawl did not, for the disclosure rules (the
    union of every state): beacons of vendors (or hosts) the crawl never saw, returned; new
    cookies, added to `cookies`. Each carries the state it was first seen in."""
    seen = {b.vendor or host_of(b.url) for b in beacons}
    extra: list[Beacon] = []
    for state, pages in outcome.pages.items():
        for page in pages:
            page_beacons = detect_beacons(page, first_party, vendors)
            attribute_cookies(page, first_party, vendors, page_beacons)  # as the crawl's are
            for beacon in page_beacons:
                key = beacon.vendor or host_of(beacon.url)
                if key not in seen:
                    seen.add(key)
                    extra.append(beacon.model_copy(update={"consent_state": state}))
            for cookie in page.cookies:
                key3 = (cookie.name, cookie.domain, cookie.path)
                if key3 not in cookies:
                    cookie.consent_state = state
                    cookies[key3] = cookie
    return extra
