"""Which tab's page a shared worker's requests are recorded as (shared_workers.py): by origin."""

from __future__ import annotations

from typing import Any, cast

import pytest

from scanner.browser.network import NetworkLog
from scanner.browser.shared_workers import SharedWorkerWatch, origin_of
from scanner.browser.tab import Tab


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://www.shop.test/shared.js", "https://www.shop.test:443"),
        ("https://www.shop.test:443/a?b#c", "https://www.shop.test:443"),
        ("http://WWW.Shop.test:8080/w.js", "http://www.shop.test:8080"),
        ("blob:https://www.shop.test/1f6e-44", "https://www.shop.test:443"),
        ("data:text/javascript,fetch('/x')", ""),  # opaque: no tab's page is of it
        ("about:blank", ""),
        ("https://www.shop.test:99999/w.js", ""),
    ],
)
def test_a_worker_s_origin_is_scheme_host_and_port(url: str, origin: str) -> None:
    assert origin_of(url) == origin


class _Frame:
    def __init__(self, url: str) -> None:
        self.url = url


class _Page:
    """What attribution reads of a tab's page: its URL, frames and whether it is closed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.closed = False

    @property
    def frames(self) -> list[_Frame]:
        return [_Frame(self.url)]

    def is_closed(self) -> bool:
        return self.closed


def _tab(url: str) -> Tab:
    return Tab(cast(Any, _Page(url)), cast(Any, None), NetworkLog())


def _sent(watch: SharedWorkerWatch, request_id: str, url: str) -> None:
    event = {"requestId": f"w:{request_id}", "request": {"url": url, "method": "GET"}}
    net = watch._log_for("w", "Network.requestWillBeSent", event)
    if net is not None:
        net.on_request_will_be_sent(event)


def test_a_shared_worker_s_requests_follow_the_tab_on_its_origin() -> None:
    # Given a worker of www.shop.test attributed to the tab showing a page of it
    shop, other = _tab("https://www.shop.test/"), _tab("https://www.elsewhere.test/")
    tabs = [other, shop]
    watch = SharedWorkerWatch(
        cast(Any, None),
        lambda: tabs,
        fetch_patterns=[],
        allowed_addresses=[],
        refuses=lambda url: False,
        blocked=[],
    )
    watch.workers["w"] = "shared_worker https://www.shop.test/shared.js"
    watch.origins["w"] = origin_of("https://www.shop.test/shared.js")
    _sent(watch, "1", "https://px.tracker.test/a.gif")
    assert [r.url for r in shop.net.requests.values()] == ["https://px.tracker.test/a.gif"]
    # When its tab moves to another site, and another tab shows the shop
    cast(Any, shop.page).url = "https://www.elsewhere.test/"
    cast(Any, other.page).url = "https://www.shop.test/next"
    _sent(watch, "2", "https://px.tracker.test/b.gif")
    # Then its next request is that page's, and the one in flight stays with the first log
    assert [r.url for r in other.net.requests.values()] == ["https://px.tracker.test/b.gif"]
    answer = {"requestId": "w:1", "response": {"status": 204}}
    assert watch._log_for("w", "Network.responseReceived", answer) is shop.net
    # And with no tab on its origin, what it sends is dropped
    cast(Any, other.page).closed = True
    _sent(watch, "3", "https://px.tracker.test/c.gif")
    assert len(shop.net.requests) == len(other.net.requests) == 1
