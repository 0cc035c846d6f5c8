"""Per-host politeness: a host never sees more page loads at once than per_host, and page loads
on one host start host_delay_s apart."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Incoming, Response
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser

PATHS = [f"/p{i}" for i in range(8)]


class Counting:
    """Routes that count the document requests being answered at once on one host."""

    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def route(self, body: str) -> Any:
        def answer(incoming: Incoming) -> Response:
            document = incoming.headers.get("sec-fetch-dest") == "document"
            if document:
                with self.lock:
                    self.now += 1
                    self.most = max(self.most, self.now)
                time.sleep(self.hold_s)
                with self.lock:
                    self.now -= 1
            return Response(body)

        return answer


def make_site(counting: Counting) -> list[Host]:
    links = "".join(f'<a href="{p}">{p}</a>' for p in PATHS)
    routes = {"/": counting.route(f"<!doctype html>{links}")}
    routes |= {p: counting.route("<!doctype html><title>p</title>") for p in PATHS}
    return [Host("www.shop.test", routes=routes)]


@pytest.mark.parametrize("per_host", [1, 2])
def test_a_host_never_sees_more_than_per_host_page_loads_at_once(
    site: Any, chromium: Path, per_host: int
) -> None:
    counting = Counting(hold_s=0.3)
    server = site(make_site(counting))
    pages, _ = crawl(server, chromium, leak_probe=False, workers=4, per_host=per_host, quiet_s=0.1)
    assert len(pages) == 1 + len(PATHS)
    assert counting.most == per_host  # reached (four workers want more), never passed


def test_page_loads_on_a_host_start_host_delay_apart(site: Any, chromium: Path) -> None:
    server = site(make_site(Counting(hold_s=0.0)))
    pages, _ = crawl(
        server, chromium, leak_probe=False, workers=2, per_host=2, host_delay_s=0.4, quiet_s=0.1
    )
    assert len(pages) == 1 + len(PATHS)
    starts = sorted(
        r.received_at
        for r in server.requests_to("www.shop.test")
        if r.headers.get("sec-fetch-dest") == "document"
    )
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Measured at the server, so a first connection's handshake can shorten one gap a little.
    assert len(starts) == len(pages) and min(gaps) >= 0.25, gaps
    assert starts[-1] - starts[0] >= 0.38 * len(gaps), gaps
