"""Crawl traps: endless calendars, `?page=N+1` chains, paths that keep growing and session ids
in URLs end in a note, not in max-pages worth of one page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Incoming, Response
from scanner.scope import TrapDetector, is_growing_path, normalise_url, url_pattern
from tests.test_crawl import crawl


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.test/p;jsessionid=ABC123?x=1", "https://a.test/p?x=1"),
        ("https://a.test/p?PHPSESSID=abc&x=1&sid=9", "https://a.test/p?x=1"),
        ("https://a.test/p?side=1&sids=2", "https://a.test/p?side=1&sids=2"),
    ],
)
def test_session_ids_are_dropped_from_urls(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_url_patterns_template_numbers_dates_and_tokens() -> None:
    assert url_pattern("https://a.test/cal?date=2024-01-05") == url_pattern(
        "https://a.test/cal?date=2031-12-30"
    )
    assert url_pattern("https://a.test/l?page=3&sort=a") == "https://a.test/l?page=N&sort=a"
    assert url_pattern("https://a.test/o/3f9a8b7c6d5e4f3a2b1c") == "https://a.test/o/T"
    assert url_pattern("https://a.test/about") == "https://a.test/about"


def test_growing_paths() -> None:
    assert is_growing_path("https://a.test/a/a/a/a/")
    assert is_growing_path("https://a.test/x/y/x/y/x/y/x/y")
    assert not is_growing_path("https://a.test/a/b/a/b/c")


def test_a_pattern_is_admitted_threshold_times_then_noted_once() -> None:
    traps = TrapDetector(threshold=3)
    admitted = [traps.admit(f"https://a.test/list?page={n}") for n in range(10)]
    assert admitted == [True] * 3 + [False] * 7
    assert len(traps.notes) == 1 and "https://a.test/list?page=N" in traps.notes[0]
    assert traps.admit("https://a.test/other")


START = date(2024, 1, 1)


def calendar(incoming: Incoming) -> Response:
    day = date.fromisoformat(incoming.query.get("date", [START.isoformat()])[0])
    nxt, prev = day + timedelta(days=1), day - timedelta(days=1)
    return Response(
        f'<!doctype html><title>{day}</title><a href="/calendar?date={nxt}">next</a>'
        f'<a href="/calendar?date={prev}">previous</a>'
    )


def listing(incoming: Incoming) -> Response:
    page = int(incoming.query.get("page", ["1"])[0])
    return Response(f'<!doctype html><title>{page}</title><a href="/list?page={page + 1}">more</a>')


def growing(incoming: Incoming) -> Response:
    return Response('<!doctype html><title>deeper</title><a href="a/">deeper</a>')


def trap_site() -> list[Host]:
    routes: dict[str, Any] = {
        "/": Response(
            '<!doctype html><a href="/calendar?date=2024-01-01">calendar</a>'
            '<a href="/list?page=1">list</a><a href="/a/">deeper</a>'
            '<a href="/about;jsessionid=X1">about</a><a href="/about?PHPSESSID=2">about</a>'
        ),
        "/calendar": calendar,
        "/list": listing,
        "/about": Response("<!doctype html><title>About</title>"),
    }
    for depth in range(1, 8):
        routes["/a/" * depth] = growing
    return [Host("www.shop.test", routes={k.replace("//", "/"): v for k, v in routes.items()})]


@pytest.mark.browser
def test_traps_end_after_threshold_pages_of_their_pattern(site: Any, chromium: Path) -> None:
    server = site(trap_site())
    pages, crawler = crawl(
        server, chromium, leak_probe=False, max_pages=200, trap_threshold=8, quiet_s=0.2
    )
    calendar_pages = [p for p in pages if p.startswith("calendar")]
    list_pages = [p for p in pages if p.startswith("list")]
    assert len(calendar_pages) == 8 and len(list_pages) == 8
    assert sorted(p for p in pages if p.startswith("a/")) == ["a/", "a/a/", "a/a/a/"]
    assert [p for p in pages if p.startswith("about")] == ["about"]  # session ids dropped
    assert len(pages) == 1 + 8 + 8 + 3 + 1
    notes = crawler.stats.traps
    assert any("calendar?date=N-N-N" in n for n in notes)
    assert any("list?page=N" in n for n in notes)
    assert any("keeps growing" in n and "/a/a/a/a/" in n for n in notes)
    assert crawler.stats.limit_reached is None
