"""The consent states' visits: the crawl's own browser, one fresh profile per state.

`visit_state` is the one narrow way the consent stage drives Chromium. It launches the browser
exactly as the crawl does (the crawl's `Crawler` with the crawl's settings: same flags, network
policy, trusted CAs, guard scripts, network log and page reading), in a fresh profile of its
own, adds what the state needs (autoconsent, or the GPC signal) and visits the chosen pages.
Nothing here is a copy of the crawler: when the crawler changes (a more visitor-like browser,
page time), the consent visits change with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Error as PlaywrightError

from scanner.browser.crawler import Crawler, CrawlError, CrawlSettings
from scanner.consent.autoconsent import Action, AutoconsentBundle, AutoconsentSession
from scanner.consent.model import ConsentStateName
from scanner.model import Page

ANSWER_WAIT_S = 10.0
"""How long the rule may take to find and answer the banner on the start page."""
DETECT_WAIT_S = 5.0
"""How long detection alone may take on the start page (no-choice and GPC states)."""

GPC_JS = """Object.defineProperty(Navigator.prototype, 'globalPrivacyControl',
  {get: () => true, configurable: true, enumerable: true});"""

# The IAB APIs, asked from the page: TCF getTCData and GPP ping, each bounded.
READ_CONSENT_JS = """() => new Promise((resolve) => {
  const out = {}; let pending = 0; let over = false;
  const finish = () => { if (!over) { over = true; resolve(JSON.parse(JSON.stringify(out))); } };
  const done = () => { if (--pending <= 0) finish(); };
  setTimeout(finish, 1500);
  const pick = (d, keys) => {
    const o = {}; for (const k of keys) { if (d && k in d) o[k] = d[k]; } return o; };
  if (typeof window.__tcfapi === 'function') {
    pending++;
    try { window.__tcfapi('getTCData', 2, (d, ok) => {
      if (ok && d) out.tcf = pick(d, ['tcString', 'gdprApplies', 'cmpId']); done(); });
    } catch (e) { done(); }
  }
  if (typeof window.__gpp === 'function') {
    pending++;
    try {
      const keys = ['gppString', 'applicableSections', 'supportedAPIs', 'cmpStatus'];
      const r = window.__gpp('ping', (d) => { if (d) out.gpp = pick(d, keys); done(); });
      if (r && typeof r === 'object' && !out.gpp) { out.gpp = pick(r, keys); done(); }
    } catch (e) { done(); }
  }
  if (pending === 0) finish();
})"""

# The same questions asked from inside each page while it lives, sent to Python by a binding:
# the crawl leaves every page (pagehide, about:blank) before Python could ask it afterwards.
# Asked after load and whenever the CMP's TCF API reports a change (tcloaded, a choice made).
WATCH_CONSENT_JS = (
    """(() => {
  if (window.top !== window) return;
  const read = """
    + READ_CONSENT_JS
    + """;
  const send = () => read().then((o) => {
    if (o && (o.tcf || o.gpp) && window.__complyscanConsentStrings) {
      window.__complyscanConsentStrings(o);
    }
  }).catch(() => {});
  addEventListener('load', () => {
    setTimeout(send, 200);
    if (typeof window.__tcfapi === 'function') {
      try { window.__tcfapi('addEventListener', 2, (d, ok) => { if (ok) send(); }); } catch (e) {}
    }
  });
})();"""
)

ACTIONS: dict[ConsentStateName, Action | None] = {
    "no-choice": None,
    "reject-all": "optOut",
    "accept-all": "optIn",
    "gpc": None,
}


@dataclass
class StateVisit:
    """What one state's browser did: its pages, and what autoconsent found and did."""

    state: ConsentStateName
    pages: list[Page] = field(default_factory=list)
    session: AutoconsentSession | None = None
    tcf: Any = None
    gpp: Any = None
    error: str | None = None
    seconds: float = 0.0
    skipped: str | None = None
    """Why the pages were not visited after all (no consent manager to answer)."""


async def _ignore(page: Page) -> None:
    """The consent visits hand no page to the crawl's sink."""


def state_settings(settings: CrawlSettings) -> CrawlSettings:
    """The crawl's settings for a state's visits: no leak probes, screenshots or sitemaps."""
    return dataclasses.replace(
        settings,
        start_urls=settings.start_urls[:1],
        leak_probe=False,
        screenshots_dir=None,
        keep_documents=0,
        sitemaps=False,
        time_budget_s=None,
    )


async def visit_state(
    settings: CrawlSettings,
    state: ConsentStateName,
    urls: list[str],
    bundle: AutoconsentBundle | None,
) -> StateVisit:
    """Visit `urls` (the start page first) in a fresh profile, in one consent state.

    reject-all and accept-all answer the banner on the start page first, by autoconsent's rule,
    then visit every page with that choice made; with no consent manager recognised there is
    nothing to answer and the state is skipped. no-choice and gpc leave the banner alone.
    Raises CrawlError when the browser cannot start.
    """
    started = time.monotonic()
    visit = StateVisit(state)
    action = ACTIONS[state]
    if action is not None and bundle is None:
        visit.skipped = "autoconsent not installed"
        return visit
    # The crawl's own browser, launched its own way, in a fresh profile (private API of the
    # crawler, used here only: see the module docstring).
    crawler = Crawler(state_settings(settings), _ignore)
    try:
        await crawler._launch()
        context = crawler._context
        assert context is not None
        if state == "gpc":
            await context.set_extra_http_headers({"Sec-GPC": "1"})
            await context.add_init_script(GPC_JS)
        await context.expose_binding(
            "__complyscanConsentStrings", lambda _source, found: _keep_consent_strings(visit, found)
        )
        await context.add_init_script(WATCH_CONSENT_JS)
        if bundle is not None and state != "gpc":  # GPC leaves the banner alone, unlooked-for
            visit.session = AutoconsentSession(bundle, action)
            await visit.session.attach(context)
        tab = await crawler._new_tab()
        session = visit.session
        if session is not None:
            crawler.settings.arrival = _arrival(session, ANSWER_WAIT_S if action else DETECT_WAIT_S)
        if action is not None:
            assert session is not None
            tab, _ = await crawler._visit(tab, urls[0], 0)
            if not session.result:
                visit.skipped = session.describe() or "no consent manager recognised"
                return visit
        tab, start = await crawler._visit(tab, urls[0], 0)
        visit.pages.append(start)
        await _read_consent_apis(tab.page, visit)
        if session is not None:
            session.active = False  # found and answered: the other pages need no rules
        visit.pages.extend(await _visit_all(crawler, tab, urls[1:], settings.workers))
    except CrawlError:
        raise
    except PlaywrightError as exc:
        visit.error = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else repr(exc)
    finally:
        await crawler._close()
        visit.seconds = round(time.monotonic() - started, 2)
    return visit


def _arrival(session: AutoconsentSession, wait_s: float) -> Callable[[], Awaitable[None]]:
    """What each page of the state waits for on arrival, on the real clock: autoconsent finds
    and answers the banner of the start page (its evaluations time out after 1 s of page time,
    which page time would spend at once); later pages get no rules and do not wait."""

    async def arrive() -> None:
        if session.active:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.settled.wait(), wait_s)

    return arrive


async def _visit_all(crawler: Crawler, tab: Any, urls: list[str], workers: int) -> list[Page]:
    """Visit `urls` with as many tabs as the crawl has workers; the pages in `urls` order."""
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)
    found: dict[int, Page] = {}

    async def work(tab: Any) -> None:
        while not queue.empty():
            index, url = queue.get_nowait()
            tab, found[index] = await crawler._visit(tab, url, 0)

    tabs = [tab] + [await crawler._new_tab() for _ in range(min(workers, len(urls)) - 1)]
    await asyncio.gather(*(work(t) for t in tabs))
    return [found[i] for i in sorted(found)]


async def _read_consent_apis(page: Any, visit: StateVisit) -> None:
    """Ask the page's IAB TCF and GPP APIs, if it has them, for the consent string."""
    with contextlib.suppress(PlaywrightError, TimeoutError):
        _keep_consent_strings(visit, await asyncio.wait_for(page.evaluate(READ_CONSENT_JS), 5))


def _keep_consent_strings(visit: StateVisit, found: Any) -> None:
    """The latest consent strings a page reported (none: what was seen before stays)."""
    if not isinstance(found, dict):
        return
    visit.tcf = found.get("tcf") or visit.tcf
    visit.gpp = found.get("gpp") or visit.gpp
