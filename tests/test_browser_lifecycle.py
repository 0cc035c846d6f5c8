"""A page's whole life in the real Chromium on loopback: its timers run on page time (30 s
of it, without waiting 30 s), and leaving it fires visibilitychange, pagehide and unload while
the network is still recorded; the leak probe types, lets page time run, then leaves."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Response
from scanner.model import Page
from scanner.parties.leaks import find_leaks
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser

BEACON = "https://px.tracker.test/b?e="


def _page(script: str) -> Response:
    return Response(f"<!doctype html><title>page</title><script>{script}</script>")


PAGES = {
    # A batch flushed by a 10 s timer.
    "/timer": _page(f"setTimeout(() => navigator.sendBeacon('{BEACON}timer', 'batch'), 10000);"),
    # A 5 s interval that sends a batch on its second run (10 s in).
    "/interval": _page(
        "let runs = 0; const h = setInterval(() => { if (++runs < 2) return; clearInterval(h);"
        f" fetch('{BEACON}interval', {{method: 'POST', body: 'n=' + runs, keepalive: true,"
        " mode: 'no-cors'}); }, 5000);"
    ),
    "/hidden": _page(
        "document.addEventListener('visibilitychange', () => {"
        f" if (document.visibilityState === 'hidden') navigator.sendBeacon('{BEACON}hidden'); }});"
    ),
    "/pagehide": _page(
        f"addEventListener('pagehide', () => navigator.sendBeacon('{BEACON}pagehide', 'bye'));"
    ),
    # A long poll that never answers within the window, and a batch on a 10 s timer: page
    # time, which waits for requests in flight, must still run its whole window.
    "/held": _page(
        "fetch('/poll').catch(() => {});"
        f"setTimeout(() => navigator.sendBeacon('{BEACON}held', 'batch'), 10000);"
    ),
    # Beacons sent at load that are still in flight when page time starts (their answers are
    # slow): recorded with their answers, and the page's timers still run.
    "/answered": _page(
        "fetch('https://px.tracker.test/slow?e=load', {mode: 'no-cors'});"
        "new Image().src = 'https://px.tracker.test/slow?e=img';"
        f"setTimeout(() => navigator.sendBeacon('{BEACON}answered'), 10000);"
    ),
    # A beacon whose answer the page never reads: Chromium reports it finished only when the
    # page goes, so it must not hold the page's quiet until the cap.
    "/unread": _page(f"fetch('{BEACON}unread', {{method: 'POST', body: 'x', mode: 'no-cors'}});"),
    "/scrolled": _page(
        f"addEventListener('scroll', () => navigator.sendBeacon('{BEACON}scroll'), {{once: true}});"
        "document.write('<div style=\"height: 4000px\">long</div>');"
    ),
}

HOME = "<!doctype html><title>Home</title>" + "".join(
    f'<a href="{path}">{path}</a> ' for path in [*PAGES, "/contact"]
)

# A session recorder: every 5 s it uploads ~300 KB of events with what was typed at the end.
RECORDER = """<!doctype html><title>Contact</title>
<form action="/send" method="post"><label>E-mail <input type="email" name="email" id="email">
</label></form><script>
setInterval(() => {
  const typed = document.getElementById("email").value;
  if (!typed) return;
  const events = [];
  for (let i = 0; i < 3000; i++) events.push({type: 3, t: i, data: "m".repeat(90)});
  events.push({type: 5, value: typed});
  fetch("https://rec.recorder.test/upload", {method: "POST", mode: "no-cors",
    body: JSON.stringify({events})});
}, 5000);
</script>"""


def _hosts() -> list[Host]:
    return [
        Host(
            "www.shop.test",
            routes={
                "/": Response(HOME),
                **PAGES,
                "/contact": Response(RECORDER),
                "/poll": Response("{}", content_type="application/json", delay=60),
            },
        ),
        Host(
            "px.tracker.test",
            routes={
                "/b": Response(b"", status=204),
                "/slow": Response(b"", status=204, delay=0.3),
            },
        ),
        Host("rec.recorder.test", routes={"/upload": Response(b"", status=204)}),
    ]


@pytest.fixture(scope="module")
def lived(pki: Any, chromium: Path) -> Any:
    from scanner.demo.server import SiteServer

    with SiteServer(_hosts(), pki) as server:
        started = time.monotonic()
        pages, _ = crawl(server, chromium)
        yield pages, time.monotonic() - started, server


def _beacons(page: Page) -> list[str]:
    return [r.url.removeprefix(BEACON) for r in page.requests if r.url.startswith(BEACON)]


@pytest.mark.parametrize(
    ("path", "event"),
    [
        ("timer", "timer"),
        ("interval", "interval"),
        ("hidden", "hidden"),
        ("pagehide", "pagehide"),
        ("scrolled", "scroll"),
        ("held", "held"),
        ("answered", "answered"),
        ("unread", "unread"),
    ],
)
def test_each_beacon_is_in_the_record_of_the_page_that_sent_it(
    lived: Any, path: str, event: str
) -> None:
    pages, _, server = lived
    assert _beacons(pages[path]) == [event]
    assert [p for p, page in pages.items() if p != path and event in _beacons(page)] == []
    assert any(r.path == f"/b?e={event}" for r in server.requests_to("px.tracker.test"))


def test_beacons_in_flight_when_page_time_starts_are_recorded_with_their_answers(
    lived: Any,
) -> None:
    answered = lived[0]["answered"]
    slow = {r.url.rsplit("=", 1)[-1]: r.status for r in answered.requests if "/slow?" in r.url}
    assert slow == {"load": 204, "img": 204}


def test_an_answer_the_page_never_reads_does_not_hold_the_page(lived: Any) -> None:
    unread = lived[0]["unread"]
    assert [r.status for r in unread.requests if r.url == f"{BEACON}unread"] == [204]
    # Waiting for it to finish would take the settle cap (5 s) twice: after page time and
    # before leaving.
    assert unread.load_ms < 5000


def test_thirty_seconds_of_page_time_cost_far_less_wall_clock(lived: Any) -> None:
    pages, seconds, _ = lived
    assert len(pages) == 10
    # Ten pages, each given 30 s of page time, in two tabs: the clock would say 150 s.
    assert seconds < 30
    assert pages["timer"].load_ms < 5000


def test_a_recorder_flushing_300kb_on_a_timer_is_caught_leaking_what_was_typed(
    lived: Any,
) -> None:
    contact = lived[0]["contact"]
    uploads = [r for r in contact.requests if r.url.endswith("/upload")]
    # Typed, then 30 s of page time: six runs of the 5 s timer, each a whole 300 KB body.
    assert len(uploads) == 6
    assert all(r.post_data_size > 300_000 and not r.post_data_truncated for r in uploads)
    leaks = find_leaks(contact.requests, contact.probe_values)
    assert {(leak.kind, leak.where, leak.third_party) for leak in leaks} == {
        ("email", "body", True)
    }


def test_page_time_is_the_window_and_no_more(site: Any, chromium: Path) -> None:
    # 6 s of page time: the 10 s timer and the interval's second run (10 s) never come, on any
    # page (virtual time left running from one page would fast-forward the next).
    pages, _ = crawl(site(_hosts()), chromium, dwell_s=6.0, leak_probe=False)
    assert _beacons(pages["timer"]) == _beacons(pages["interval"]) == []
    assert _beacons(pages["pagehide"]) == ["pagehide"]
