"""Pages that try to break the crawl: huge, malformed, looping, slow, hung or crashing. Each is
recorded for what it is, and the same worker goes on to the next page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext
from playwright.async_api import Page as PwPage

from scanner.browser.crawler import Crawler
from scanner.browser.tab import Tab
from scanner.demo.server import Host, Response, SiteServer
from scanner.model import Page
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser

HOSTILE = ["huge", "malformed", "loop", "slow", "busy", "crash"]

MALFORMED = (
    b"<!doctype html><title>Caf\xe9 \xff\xfe broken</title><body><div><p><table><td>"
    b'<form action="/join"><label>E-mail <input type=email name=email></label>'
    b'<a href="/after">after</a><p>\xc3\x28 <b><i>unclosed'
)

BUSY = "<!doctype html><title>Busy</title><script>while (true) {}</script>"


class CrashingCrawler(Crawler):
    """Kills the renderer of any page at /crash once it has loaded, as an out-of-memory renderer
    dies (a script allocating until then would take the test machine's memory with it)."""

    async def _new_tab(self, context: BrowserContext | None = None) -> Tab:
        tab = await super()._new_tab(context)

        def crash_it(page: PwPage) -> None:
            if page.url.endswith("/crash"):
                tab.spawn(tab.cdp.send("Page.crash"))  # type: ignore[arg-type]

        tab.page.on("domcontentloaded", crash_it)
        return tab


def hostile_site() -> list[Host]:
    links = "".join(f'<a href="/{p}">{p}</a> ' for p in HOSTILE)
    return [
        Host(
            "www.shop.test",
            routes={
                "/": Response(f"<!doctype html><title>Home</title>{links}<a href='/after'>a</a>"),
                "/huge": Response("<!doctype html><title>Huge</title><p>" + "x" * 30_000_000),
                "/malformed": Response(MALFORMED, content_type="text/html; charset=utf-8"),
                "/loop": Response(b"", status=302, headers=[("Location", "/loop2")]),
                "/loop2": Response(b"", status=302, headers=[("Location", "/loop")]),
                "/slow": Response("<title>Slow</title>", delay=6),
                "/busy": Response(BUSY),
                "/crash": Response("<!doctype html><title>Crash</title>"),
                "/after": Response("<!doctype html><title>After</title><p>still here</p>"),
            },
        )
    ]


@pytest.fixture(scope="module")
def hostile(pki: Any, chromium: Path) -> Any:
    with SiteServer(hostile_site(), pki) as server:
        pages, crawler = crawl(
            server,
            chromium,
            CrashingCrawler,
            workers=1,
            nav_timeout_s=3,
            settle_cap_s=1,
            leak_probe=False,
        )
        yield pages, crawler


def page(hostile: Any, name: str) -> Page:
    pages: dict[str, Page] = hostile[0]
    return pages[name]


def test_every_hostile_page_is_recorded_and_the_worker_goes_on(hostile: Any) -> None:
    pages, crawler = hostile
    assert set(pages) == {"", *HOSTILE, "after"}
    assert page(hostile, "after").title == "After" and page(hostile, "after").error is None
    assert crawler.stats.pages == len(pages)


def test_a_huge_page_is_read(hostile: Any) -> None:
    huge = page(hostile, "huge")
    assert huge.status == 200 and any(r.url.endswith("/huge") for r in huge.requests)
    # Parsing 30 MB may outlast a 3 s navigation timeout, or reading it the 5 s bound on calls
    # into the page: then the page says so.
    assert huge.title == "Huge" or (
        huge.error and ("Timeout" in huge.error or "could not be read" in huge.error)
    )


def test_malformed_html_and_invalid_utf8_still_give_title_form_and_links(hostile: Any) -> None:
    bad = page(hostile, "malformed")
    assert bad.error is None and bad.title == "Caf\ufffd \ufffd\ufffd broken"
    assert bad.forms and bad.forms[0].pi_kinds == ["email"]
    assert any(link.endswith("/after") for link in bad.links)


def test_a_redirect_loop_is_a_failed_page(hostile: Any) -> None:
    loop = page(hostile, "loop")
    assert loop.error and "ERR_TOO_MANY_REDIRECTS" in loop.error


def test_a_server_slower_than_the_navigation_timeout_is_a_timeout(hostile: Any) -> None:
    slow = page(hostile, "slow")
    assert slow.error and "Timeout" in slow.error and slow.title == ""


def test_a_hung_script_is_cut_at_the_timeout(hostile: Any) -> None:
    busy = page(hostile, "busy")
    assert busy.error and "Timeout" in busy.error and busy.load_ms < 8000


def test_a_renderer_that_dies_is_recorded_as_crashed(hostile: Any) -> None:
    crashed = page(hostile, "crash")
    assert crashed.error == "the page crashed (its renderer died)"
    assert any(r.url.endswith("/crash") for r in crashed.requests)
