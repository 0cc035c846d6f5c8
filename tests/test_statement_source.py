"""A statement URL that does not answer with a statement is not the statement (issue 13, item
8), and a statement link to the runner's network is never fetched (item 1): a real scan of a
hostile loopback site, with a canary out of scope counting connections."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from scanner.config import ScanConfig
from scanner.demo.server import Host, Response, SiteServer
from scanner.engine import Scan
from scanner.model import ScanResult
from scanner.statement.source import rejection
from tests.conftest import Canary

pytestmark = [pytest.mark.browser, pytest.mark.tls]

NOT_FOUND = """<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>
<p>We never share your personal information with third parties. We use cookies.</p>"""


def scan(server: SiteServer, tmp: Path, **settings: Any) -> ScanResult:
    config = ScanConfig(
        url=server.url("www.shop.test"),
        out=tmp,
        resolve=server.resolve_rules(),
        only_resolved=True,
        ca_bundle=Path(server.ca_pem),
        workers=1,
        max_pages=3,
        **settings,
    )
    return asyncio.run(Scan(config).run())


def test_a_404_at_the_linked_statement_is_not_the_statement(pki: Any, tmp_path: Path) -> None:
    home = (
        '<!doctype html><title>Home</title><footer><a href="/privacy">Privacy Policy</a></footer>'
    )
    hosts = [
        Host(
            "www.shop.test",
            routes={"/": Response(home), "/privacy": Response(NOT_FOUND, status=404)},
        )
    ]
    with SiteServer(hosts, pki) as server:
        result = scan(server, tmp_path)
    assert result.statement is None
    finding = next(f for f in result.findings if f.rule_id == "statement-not-found")
    assert any("/privacy: HTTP 404" in n for n in finding.evidence["not_accepted"])


def test_a_statement_link_to_a_private_address_is_not_fetched(
    pki: Any, tmp_path: Path, canary: Canary
) -> None:
    meta = canary.url("http", "/latest/meta-data/privacy")
    home = f'<!doctype html><title>Home</title><footer><a href="{meta}">Privacy Policy</a></footer>'
    with SiteServer([Host("www.shop.test", routes={"/": Response(home)})], pki) as server:
        result = scan(server, tmp_path)
    assert canary.connections == 0
    assert result.statement is None
    assert any("refused by the network policy" in n and meta in n for n in result.notes)


def test_a_huge_statement_is_read_up_to_the_cap_and_the_report_says_so(
    pki: Any, tmp_path: Path
) -> None:
    huge = "<!doctype html><p>We use cookies.</p><p>" + "padding " * 1_000_000
    hosts = [
        Host(
            "www.shop.test",
            routes={"/": Response("<title>Home</title>"), "/legal": Response(huge)},
        )
    ]
    with SiteServer(hosts, pki) as server:
        result = scan(server, tmp_path, statement_url=server.url("www.shop.test", "/legal"))
    assert result.statement is not None and result.statement.claims
    assert any("longer than 5 MiB" in n for n in result.notes)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "accepted"),
    [
        (200, "text/html", b"<p>We care.</p>", True),
        (200, "text/plain", b"We care.", True),
        (200, "", b"We care.", True),
        (404, "text/html", b"Not Found", False),
        (500, "text/html", b"oops", False),
        (200, "image/png", b"\x89PNG", False),
        (200, "application/pdf", b"%PDF", False),
        (200, "text/html", b"  \n", False),
        (None, "", b"", False),
    ],
)
def test_what_may_be_read_as_a_statement(
    status: int | None, content_type: str, body: bytes, accepted: bool
) -> None:
    assert (rejection(status, content_type, body) is None) is accepted
