"""The one network policy (issue 13, items 1, 2, 13, 14): a hostile site cannot point the
tool's own fetches (statement, robots.txt, sitemaps, HTTP checks, their redirects) or its TLS
scans at the runner's network. Non-loopback private addresses are checked by the policy's
decision only, never connected to; loopback canaries outside the scope count every connection.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.crawler import Crawler, CrawlSettings
from scanner.budget import Deadline
from scanner.cli import main
from scanner.config import ScanConfig
from scanner.demo.server import Host, Response, SiteServer
from scanner.engine import Scan, page_judges
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy, PolicyRefused, parse_ip_literal
from scanner.parties.domains import FirstParty
from scanner.scope import Scope, normalise_url
from scanner.transport.http import MAX_BODY, check_http, fetch
from scanner.transport.tls import scan_host
from tests.conftest import Canary, run

START = "https://www.shop.test/"


def policy(*rules: str, only_resolved: bool = False, scope: Scope | None = None) -> NetPolicy:
    return NetPolicy.for_scan(
        Resolver.from_strings(list(rules), only_resolved),
        scope or Scope.for_start_url(START),
        START,
    )


# -- the decision, without any connection ----------------------------------------------------

REFUSED_LITERALS = [
    "http://169.254.169.254/latest/meta-data/privacy",
    "http://10.0.0.5/privacy",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # CGNAT
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://0.0.0.0/",
    "http://127.0.0.1/",
    "http://127.0.0.1./",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://0xa9fea9fe/",  # 169.254.169.254 in hex
    "http://[::1]/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of the metadata service
    "http://[2002:a00:1::]/",  # 6to4 form of 10.0.0.1
]


@pytest.mark.parametrize("url", REFUSED_LITERALS)
def test_non_public_literals_are_refused_even_when_outside_scope_is_allowed(url: str) -> None:
    assert policy().decide(url, outside_scope=True) is not None


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::1]", "::1"),
        ("www.shop.test", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
    ],
)
def test_ip_literals_are_read_the_way_browsers_read_them(text: str, address: str | None) -> None:
    parsed = parse_ip_literal(text)
    assert (str(parsed) if parsed else None) == address


def test_a_public_host_outside_the_scope_is_refused_for_fetches_but_not_for_tls() -> None:
    assert policy().decide("https://evil.example/privacy") is not None
    assert policy().decide("https://evil.example/x", outside_scope=True) is None
    assert policy().decide("http://93.184.216.34/privacy") is not None


def test_the_user_puts_a_private_address_in_scope_by_resolve_or_by_name() -> None:
    assert policy("www.shop.test:10.0.0.5").decide("https://www.shop.test/") is None
    assert policy("www.shop.test:10.0.0.5").decide("https://10.0.0.5/") is None
    named = NetPolicy.for_scan(
        Resolver(), Scope.for_start_url("http://10.1.2.3/"), "http://10.1.2.3/"
    )
    assert named.decide("http://10.1.2.3/privacy") is None
    assert named.decide("http://10.1.2.4/privacy") is not None


def test_a_wildcard_scope_never_admits_a_private_address() -> None:
    scope = Scope.for_start_url(START)  # shop.test and *.shop.test
    wide = policy(scope=scope)
    assert not wide.user_named("meta.shop.test")
    assert wide.user_named("www.shop.test")  # the start URL's own host
    assert not wide.user_named("shop.test")  # in the default scope, but not named
    configured = NetPolicy.for_scan(Resolver(), scope, START, hosts=["intranet.shop.test", "*.x"])
    assert configured.user_named("intranet.shop.test")


def test_a_name_that_resolves_to_loopback_is_refused_after_one_lookup() -> None:
    # localhost resolves from /etc/hosts: no packet leaves the machine.
    # In scope by a pattern, as `*.example.com` puts a site's every name in scope.
    checks = policy(scope=Scope(hosts=("localho*",)), only_resolved=False)
    with pytest.raises(PolicyRefused, match="resolves to a non-public address"):
        run(checks.admit("http://localhost:9/privacy", "statement"))
    assert [r.purpose for r in checks.refused] == ["statement"]


def test_an_internationalised_start_url_is_in_its_own_scope() -> None:
    scope = Scope.for_start_url("https://www.bücher.test/")
    assert scope.contains("https://www.xn--bcher-kva.test/a")  # as Chromium reports it
    assert scope.contains("https://www.bücher.test/a")
    assert normalise_url("https://WWW.Bücher.test./x") == "https://www.xn--bcher-kva.test/x"
    assert Resolver.from_strings(["www.bücher.test:127.0.0.2"]).lookup(
        "www.xn--bcher-kva.test"
    ) == ("127.0.0.2")


@pytest.mark.parametrize("url", ["https://www.shop test/", "https://a<b.test/", "https://a\tb.x/"])
def test_a_start_url_with_an_invalid_host_is_a_usage_error(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", url, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "host" in err


# -- httpx against a hostile loopback site, with a canary out of scope -----------------------


def hostile_hosts(canary: Canary) -> list[Host]:
    meta = canary.url("http", "/latest/meta-data/privacy")
    decimal = canary.url("http", "/privacy", host="2130706441")  # 127.0.0.9
    return [
        Host(
            "www.shop.test",
            http="serve",
            routes={
                "/to-canary": Response(b"", status=302, headers=[("Location", meta)]),
                "/to-decimal": Response(b"", status=301, headers=[("Location", decimal)]),
                # The site's own robots.txt and sitemap redirect to the runner's network.
                "/robots.txt": Response(b"", status=302, headers=[("Location", meta)]),
                "/sitemap.xml": Response(b"", status=301, headers=[("Location", decimal)]),
                "/contact": Response(b"", status=301, headers=[("Location", meta)]),
            },
        )
    ]


@pytest.fixture
def hostile(pki: Any, canary: Canary) -> Iterator[tuple[SiteServer, NetPolicy, Trust]]:
    with SiteServer(hostile_hosts(canary), pki) as server:
        # Ordinary DNS for anything --resolve does not cover, as in a CI runner.
        resolver = Resolver.from_strings(server.resolve_rules(), only_resolved=False)
        scope = Scope.for_start_url(server.url("www.shop.test"))
        net = NetPolicy.for_scan(resolver, scope, server.url("www.shop.test"))
        yield server, net, Trust(Path(server.ca_pem))


def test_a_redirect_to_an_address_out_of_scope_is_refused_and_recorded(
    hostile: Any, canary: Canary
) -> None:
    server, net, trust = hostile
    for path in ("/to-canary", "/to-decimal"):
        result = run(
            fetch(
                server.url("www.shop.test", path),
                net.resolver,
                trust,
                policy=net,
                purpose="statement",
            )
        )
        assert result.refused and result.status is None and not result.body
        assert "refused by the network policy" in (result.error or "")
    assert canary.connections == 0
    assert {r.purpose for r in net.refused} == {"statement"}
    assert any("Not fetched (statement" in n for n in net.notes())


def test_a_statement_link_to_a_private_address_is_never_fetched(
    hostile: Any, canary: Canary
) -> None:
    _, net, trust = hostile
    result = run(fetch(canary.url("http", "/privacy"), net.resolver, trust, policy=net))
    assert result.refused and canary.connections == 0


def test_the_http_check_does_not_follow_a_redirect_to_the_runner_s_network(
    hostile: Any, canary: Canary
) -> None:
    server, net, trust = hostile
    check = run(
        check_http(server.url("www.shop.test", "/contact"), net.resolver, trust, policy=net)
    )
    assert check.redirects_to_https is False  # it answered over HTTP, to somewhere else
    assert canary.connections == 0
    assert any(r.purpose == "http-check" for r in net.refused)


def test_robots_and_sitemaps_never_reach_an_address_out_of_scope(
    hostile: Any, canary: Canary, chromium: Path
) -> None:
    server, net, trust = hostile
    start = server.url("www.shop.test")
    settings = CrawlSettings(
        start_urls=[start],
        scope=net.scope,
        first_party=FirstParty(start),
        resolver=net.resolver,
        trust=trust,
        chromium=chromium,
        policy=net,
        judges=page_judges(),
    )

    async def sink(_: Any) -> None:
        return None

    crawler = Crawler(settings, sink)
    origin = start.rstrip("/")
    run(crawler.site_files.read_site_files(origin))  # no browser needed: these are httpx fetches
    assert canary.connections == 0
    assert {r.purpose for r in net.refused} == {"robots", "sitemap"}


# -- caps: a server that drips, and one that never ends --------------------------------------


class Dripping:
    """An HTTP server on loopback that sends its headers, then one byte per `every` seconds,
    forever (or an endless body at full speed with `every=0`)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                chunk = b"x" * (65536 if self.every == 0 else 1)
                while not self._stop.is_set():
                    conn.sendall(chunk)
                    if self.every:
                        self._stop.wait(self.every)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._socket.close()


def test_a_dripping_robots_txt_is_cut_at_the_fetch_deadline() -> None:
    server = Dripping(every=0.5)
    try:
        net = NetPolicy.for_scan(Resolver(), None, "http://127.0.0.1/")
        started = time.monotonic()
        result = run(
            fetch(
                f"http://127.0.0.1:{server.port}/robots.txt",
                Resolver(),
                Trust(),
                policy=net,
                timeout=5,
                deadline=2,
            )
        )
        took = time.monotonic() - started
    finally:
        server.close()
    assert took < 4, f"the fetch took {took:.1f} s"
    assert result.error and "no complete answer within 2 s" in result.error


def test_an_endless_statement_stops_at_the_size_cap_and_says_so() -> None:
    server = Dripping(every=0)
    try:
        net = NetPolicy.for_scan(Resolver(), None, "http://127.0.0.1/")
        result = run(
            fetch(f"http://127.0.0.1:{server.port}/privacy", Resolver(), Trust(), policy=net)
        )
    finally:
        server.close()
    assert result.truncated and len(result.body) == MAX_BODY


# -- sslyze: a form's action on the runner's network is reported, never scanned ---------------


@pytest.mark.tls
def test_a_form_action_on_a_private_address_is_never_tls_scanned(
    tmp_path: Path, canary: Canary
) -> None:
    config = ScanConfig(url=START, out=tmp_path, resolve=["www.shop.test:127.0.0.2"])
    scan = Scan(config)

    async def schedule() -> None:
        scan.hosts.start()
        for host in ("127.0.0.9", "2130706441", "0x7f.0.0.9"):
            scan.hosts.want_tls(canary.url("https", "/x", host=host), "receives-pi-form")
        await scan.hosts.finish(Deadline(None))
        scan.hosts.shutdown(wait=True)

    asyncio.run(schedule())
    assert canary.connections == 0
    refused = [h for h in scan.result.hosts if h.refused]
    assert len(refused) == 3 and all(h.tls is None for h in refused)
    assert "receives-pi-form" in refused[0].roles
    assert any(r.purpose == "tls" for r in scan.policy.refused)


@pytest.mark.tls
def test_a_name_that_resolves_to_loopback_is_never_tls_scanned() -> None:
    # localhost resolves from /etc/hosts (no packet leaves the machine) to 127.0.0.1.
    canary = Canary("127.0.0.1")
    try:
        net = NetPolicy.for_scan(Resolver(), Scope.for_start_url(START), START)
        result = scan_host("localhost", canary.port, Resolver(), Trust(), policy=net)
    finally:
        canary.close()
    assert canary.connections == 0
    assert result.reachable is False and "refused by the network policy" in (result.error or "")


@pytest.mark.browser
def test_an_internationalised_start_url_is_crawled(pki: Any, chromium: Path) -> None:
    page = '<!doctype html><title>Bücher</title><a href="/b">b</a>'
    hosts = [
        Host(
            "www.xn--bcher-kva.test",
            routes={"/": Response(page), "/b": Response("<title>B</title>")},
        )
    ]
    with SiteServer(hosts, pki) as server:
        start = server.url("www.bücher.test")
        settings = CrawlSettings(
            start_urls=[start],
            scope=Scope.for_start_url(start),
            first_party=FirstParty(start),
            resolver=Resolver.from_strings(server.resolve_rules(), only_resolved=True),
            trust=Trust(Path(server.ca_pem)),
            chromium=chromium,
            workers=1,
            leak_probe=False,
            judges=page_judges(),
        )
        pages: list[Any] = []

        async def sink(page: Any) -> None:
            pages.append(page)

        run(Crawler(settings, sink).run())
    assert sorted(p.title for p in pages) == ["B", "Bücher"]
