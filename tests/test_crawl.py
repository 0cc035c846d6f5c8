"""The crawler against real loopback sites in the real Chromium: what a page records, and what
a hostile page cannot make it do."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.crawler import Crawler, CrawlSettings
from scanner.browser.tab import Tab
from scanner.demo.server import Host, Response
from scanner.engine import page_judges
from scanner.model import Page
from scanner.net import Resolver, Trust
from scanner.parties.domains import FirstParty
from scanner.scope import Scope
from tests.conftest import run

pytestmark = pytest.mark.browser

FOOTER = '<footer><a href="/privacy">Privacy policy</a></footer>'

HOME = f"""<!doctype html><title>Home</title>
<a href="/contact">Contact</a> <a href="/popup">Popup</a> <a href="/late">Late</a>
<a href="/dialogs">Dialogs</a> <a href="/framed">Framed</a> <a href="/autosubmit">Join</a>
<img src="http://169.254.169.254/latest/meta-data/" alt="">
<a href="https://www.example.org/">elsewhere</a>
<script src="https://cdn.tracker.test/t.js"></script>
{FOOTER}"""

TRACKER_JS = """
document.cookie = "_t=abc; path=/";
fetch("https://px.tracker.test/p.gif?cid=123&dl=" + encodeURIComponent(location.href),
      {mode: "no-cors", credentials: "include"});
"""

CONTACT = f"""<!doctype html><title>Contact us</title>
<p style="height: 1200px">A long introduction pushes the form below the fold.</p>
<form id="contact" action="/send" method="post" style="width: 420px; height: 260px">
<label>Your name <input name="fullname"></label>
<label for="em">E-mail</label><input id="em" type="email" name="email">
<input type="hidden" name="csrf" value="x">
<button formaction="http://www.shop.test/send-plain">Send unencrypted</button>
</form>
<div id="loose"><input type="tel" name="phone" placeholder="Phone"></div>
{FOOTER}"""

LATE = """<!doctype html><title>Late</title><script>
addEventListener('load', () => setTimeout(() =>
  navigator.sendBeacon('https://px.tracker.test/late', 'visit=1'), 400));
</script>"""

AUTOSUBMIT = """<!doctype html><title>Join</title>
<form id="join" action="/join" method="post"><input type="email" name="email" value="a@b.test">
</form><script>
document.getElementById('join').submit();
document.getElementById('join').requestSubmit();
document.querySelector('#join').dispatchEvent(new Event('submit', {cancelable: true}));
</script>"""

DIALOGS = """<!doctype html><title>Dialogs</title><script>
alert('hello'); confirm('sure?'); prompt('name?');
addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = 'stay'; });
</script>"""

POPUP = """<!doctype html><title>Popup</title><script>
window.open('/contact', '_blank');
</script>"""

FRAMED = """<!doctype html><title>Framed</title>
<iframe src="/frame-form"></iframe>"""

FRAME_FORM = """<!doctype html><form action="/news"><input name="e-mail" type="email"></form>"""

PIXEL = Response(
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    content_type="image/gif",
    headers=[("Set-Cookie", "uid=42; Domain=tracker.test; Path=/; Secure; SameSite=None")],
)


def hosts() -> list[Host]:
    return [
        Host(
            "www.shop.test",
            routes={
                "/": Response(HOME, headers=[("Set-Cookie", "sid=1; Path=/")]),
                "/contact": Response(CONTACT),
                "/late": Response(LATE),
                "/autosubmit": Response(AUTOSUBMIT),
                "/dialogs": Response(DIALOGS),
                "/popup": Response(POPUP),
                "/framed": Response(FRAMED),
                "/frame-form": Response(FRAME_FORM),
                "/privacy": Response(f"<title>Privacy</title><p>We use cookies.</p>{FOOTER}"),
            },
        ),
        Host(
            "cdn.tracker.test",
            routes={"/t.js": Response(TRACKER_JS, content_type="text/javascript")},
        ),
        Host("px.tracker.test", routes={"/p.gif": PIXEL, "/late": Response(b"", status=204)}),
    ]


def crawl(
    server: Any, chromium: Path, crawler_class: type[Crawler] = Crawler, **overrides: Any
) -> tuple[dict[str, Page], Crawler]:
    start = server.url("www.shop.test", "/")
    defaults: dict[str, Any] = {
        "start_urls": [start],
        "scope": Scope.for_start_url(start),
        "first_party": FirstParty(start),
        "resolver": Resolver.from_strings(server.resolve_rules(), only_resolved=True),
        "trust": Trust(Path(server.ca_pem)),
        "chromium": chromium,
        "workers": 2,
        "judges": page_judges(),
    }
    settings = CrawlSettings(**{**defaults, **overrides})
    pages: list[Page] = []

    async def sink(page: Page) -> None:
        pages.append(page)

    crawler = crawler_class(settings, sink)
    run(crawler.run())
    return {p.url.split("/", 3)[-1]: p for p in pages}, crawler


@pytest.fixture(scope="module")
def crawled(pki: Any, chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from scanner.demo.server import SiteServer

    shots = tmp_path_factory.mktemp("screenshots")
    with SiteServer(hosts(), pki) as server:
        pages, crawler = crawl(server, chromium, leak_probe=False, screenshots_dir=shots)
        yield pages, crawler, server


def test_crawl_visits_every_in_scope_page_once(crawled: Any) -> None:
    pages, _, _ = crawled
    assert sorted(pages) == sorted(
        ["", "contact", "popup", "late", "dialogs", "framed", "autosubmit", "privacy", "frame-form"]
    )


def test_forms_fields_and_targets_are_recorded(crawled: Any) -> None:
    contact = crawled[0]["contact"]
    form, loose = contact.forms
    assert form.action.endswith("/send") and form.method == "post"
    assert form.other_actions == ["http://www.shop.test/send-plain"]
    assert form.collects_pi and form.pi_kinds == ["email", "name"]
    assert [f.label for f in form.fields] == ["Your name", "E-mail"]  # hidden csrf skipped
    assert loose.method == "script" and loose.pi_kinds == ["phone"]
    assert contact.has_statement_link


def _png(path: Path) -> tuple[int, int, bytes]:
    """Width, height and decompressed pixel rows of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            chunks.append(data[at + 8 : at + 8 + length])
        at += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_a_pi_form_is_photographed_as_evidence(crawled: Any) -> None:
    form = crawled[0]["contact"].forms[0]
    assert form.screenshot
    width, height, pixels = _png(Path(form.screenshot))
    # The form's own box (below the fold, so not the viewport), not the page.
    assert (width, height) == (420, 260)
    assert len(set(pixels)) > 2  # labels and fields, not a blank rectangle


def test_forms_inside_frames_are_found(crawled: Any) -> None:
    framed = crawled[0]["framed"]
    assert any(f.frame_url and f.pi_kinds == ["email"] for f in framed.forms)


def test_never_submits_even_when_the_page_tries(crawled: Any) -> None:
    _, _, server = crawled
    assert server.requests_to("www.shop.test", "POST") == []
    assert not [r for r in server.received if r.path.startswith("/join")]


def test_requests_cookies_and_their_authors(crawled: Any) -> None:
    home = crawled[0][""]
    pixel = next(r for r in home.requests if "p.gif" in r.url)
    assert pixel.third_party and pixel.resource_type == "fetch"
    assert pixel.initiator and pixel.initiator.endswith("/t.js")
    cookies = {c.name: c for c in home.cookies}
    assert cookies["sid"].set_by and not cookies["sid"].third_party
    assert cookies["uid"].third_party and cookies["uid"].stored  # allowed, as for a real visitor
    assert cookies["_t"].set_by and cookies["_t"].set_by.endswith("/t.js")  # document.cookie


def test_late_beacons_are_caught(crawled: Any) -> None:
    late = crawled[0]["late"]
    beacon = next(r for r in late.requests if r.url == "https://px.tracker.test/late")
    assert beacon.resource_type == "ping" and beacon.post_data == "visit=1"


def test_dialogs_are_dismissed_and_popups_closed(crawled: Any) -> None:
    pages = crawled[0]
    assert [d.split(":")[0] for d in pages["dialogs"].dialogs] == ["alert", "confirm", "prompt"]
    assert pages["popup"].popups and pages["popup"].popups[0].endswith("/contact")


def test_private_addresses_are_never_reached(crawled: Any) -> None:
    pages, crawler, _ = crawled
    assert any("169.254.169.254" in u for u in crawler.stats.skipped_private)
    metadata = next(r for r in pages[""].requests if "169.254.169.254" in r.url)
    assert metadata.failure and metadata.status is None


def test_statement_page_html_is_kept_for_the_reader(crawled: Any) -> None:
    _, crawler, _ = crawled
    assert any(
        u.endswith("/privacy") and "We use cookies" in html for u, html in crawler.documents.items()
    )


def test_max_pages_is_a_hard_limit(site: Any, chromium: Path) -> None:
    server = site(hosts())
    pages, crawler = crawl(server, chromium, max_pages=3, leak_probe=False)
    assert len(pages) == 3
    assert crawler.stats.limit_reached and "max-pages" in crawler.stats.limit_reached


def test_a_settled_page_costs_the_quiet_window_not_a_fixed_sleep(site: Any, chromium: Path) -> None:
    server = site(hosts())
    started = time.monotonic()
    pages, _ = crawl(server, chromium, max_pages=1, leak_probe=False)
    assert pages[""].load_ms < 3000
    assert time.monotonic() - started < 20


class HeldOnDialogs(Crawler):
    """A visit that never ends once the page is read (as when the browser never answers a
    call): the deadline must give it up and the crawl go on."""

    async def _keep_document(self, tab: Tab, record: Page) -> None:
        if record.url.endswith("/dialogs"):
            await asyncio.Event().wait()
        await super()._keep_document(tab, record)


def test_a_visit_that_never_ends_is_given_up_at_its_deadline(site: Any, chromium: Path) -> None:
    server = site(hosts())
    started = time.monotonic()
    pages, crawler = crawl(
        server, chromium, HeldOnDialogs, leak_probe=False, visit_deadline_s=4.0, workers=1
    )

    held = pages["dialogs"]
    assert held.error and "did not end within 4 s" in held.error
    assert held.unread is None  # it was read before it was held: its forms and links count
    assert held.title == "Dialogs"
    assert {"", "contact", "privacy", "late"} <= set(pages)  # the crawl went on
    assert crawler.stats.failed >= 1
    assert time.monotonic() - started < 60
