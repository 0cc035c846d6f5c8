"""check_http and fetch: real HTTP and HTTPS servers on loopback, reached by name at --resolve'd
addresses, verified against the test CA. No mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Incoming, Response, SiteServer, TlsSettings
from scanner.net import Resolver, Trust
from scanner.transport.http import (
    MAX_BODY,
    check_http,
    csp_blocks_mixed_content,
    csp_upgrades_insecure_requests,
    fetch,
    parse_hsts,
)

ONE_YEAR = "max-age=31536000; includeSubDomains; preload"
CSP = "default-src 'self'; upgrade-insecure-requests"


def _whoami(incoming: Incoming) -> Response:
    return Response(f"{incoming.host} {incoming.headers.get('host')}", content_type="text/plain")


HOSTS = [
    Host(
        "www.shop.test",
        headers={"Strict-Transport-Security": ONE_YEAR, "Content-Security-Policy": CSP},
        routes={
            "/contact": Response("<form>"),
            "/whoami": _whoami,
            "/hop": Response(status=302, headers=[("Location", "{{HTTPS_ORIGIN:cdn.shop.test}}/")]),
            "/loop": Response(status=302, headers=[("Location", "/loop")]),
            "/huge": Response(b"x" * (MAX_BODY + 10), content_type="text/plain"),
            "/latin": Response(
                "caf\u00e9".encode("latin-1"), content_type="text/plain; charset=iso-8859-1"
            ),
        },
    ),
    Host("cdn.shop.test", routes={"/": Response("cdn")}),
    Host("short.shop.test", headers={"Strict-Transport-Security": "max-age=300"}),
    Host("bare.shop.test", http="serve", routes={"/contact": Response("<form>")}),
    Host("nohttp.shop.test", http="none", routes={"/": Response("tls only")}),
    Host(
        "expired.shop.test",
        tls=TlsSettings(cert="expired"),
        headers={"Strict-Transport-Security": "max-age=31536000"},
    ),
    Host("old.shop.test", tls=TlsSettings(min_version="TLSv1", max_version="TLSv1.1")),
]


@pytest.fixture(scope="module")
def server(pki: TestPKI) -> Iterator[SiteServer]:
    with SiteServer(HOSTS, pki) as running:
        yield running


@pytest.fixture(scope="module")
def odd_port_server(pki: TestPKI) -> Iterator[SiteServer]:
    """HTTPS on a non-default port, its plain-HTTP listener on another non-default port."""
    hosts = [Host("staging.shop.test", headers={"Strict-Transport-Security": ONE_YEAR})]
    with SiteServer(hosts, pki, prefer_standard_ports=False) as running:
        yield running


def _resolver(*servers: SiteServer) -> Resolver:
    return Resolver.from_strings([r for s in servers for r in s.resolve_rules()], True)


@pytest.fixture(scope="module")
def resolver(server: SiteServer) -> Resolver:
    return _resolver(server)


@pytest.fixture(scope="module")
def trust(server: SiteServer) -> Trust:
    return Trust(Path(server.ca_pem))


# -- HSTS and CSP ----------------------------------------------------------------------------------


async def test_good_host_hsts_csp_and_redirect(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    url = server.url("www.shop.test", "/contact")

    check = await check_http(url, resolver, trust)

    assert check.error is None
    assert check.hsts == ONE_YEAR
    assert (check.hsts_max_age, check.hsts_include_subdomains, check.hsts_preload) == (
        31536000,
        True,
        True,
    )
    assert check.csp == CSP
    assert csp_upgrades_insecure_requests(check.csp)
    assert not csp_blocks_mixed_content(check.csp)
    assert check.redirects_to_https is True
    assert check.http_status == 301
    assert check.http_url == server.url("www.shop.test", "/contact", scheme="http")
    assert check.redirect_chain == [check.http_url, url]


async def test_short_hsts_is_read_as_it_is(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    check = await check_http(server.url("short.shop.test"), resolver, trust)

    assert check.hsts == "max-age=300"
    assert check.hsts_max_age == 300
    assert not check.hsts_include_subdomains and not check.hsts_preload


async def test_missing_hsts_is_none(server: SiteServer, resolver: Resolver, trust: Trust) -> None:
    check = await check_http(server.url("cdn.shop.test"), resolver, trust)

    assert check.error is None
    assert check.hsts is None and check.hsts_max_age is None
    assert check.csp is None


async def test_bad_certificate_is_an_error_but_its_headers_are_still_read(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    check = await check_http(server.url("expired.shop.test"), resolver, trust)

    assert check.error is not None
    assert "certificate has expired" in check.error
    assert "without certificate verification" in check.error
    assert check.hsts_max_age == 31536000


async def test_legacy_tls_host_fails_verified_fetch_but_headers_are_read(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    check = await check_http(server.url("old.shop.test"), resolver, trust)

    assert check.error is not None and check.error.startswith("TLS failed")
    assert check.redirects_to_https is True


# -- the http:// form ----------------------------------------------------------------------------


async def test_plain_http_serving_content_is_not_redirected(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    check = await check_http(server.url("bare.shop.test", "/contact"), resolver, trust)

    assert check.redirects_to_https is False
    assert check.http_status == 200
    assert check.redirect_chain == [server.url("bare.shop.test", "/contact", scheme="http")]


async def test_no_http_listener_is_no_finding(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    check = await check_http(server.url("nohttp.shop.test"), resolver, trust)

    assert check.redirects_to_https is None
    assert check.http_status is None and check.redirect_chain == []
    assert check.error is None  # the HTTPS side worked; nothing listening on HTTP is fine


async def test_non_default_port_also_tries_plain_http_on_that_port(
    server: SiteServer, odd_port_server: SiteServer, trust: Trust
) -> None:
    resolver = _resolver(server, odd_port_server)
    url = odd_port_server.url("staging.shop.test", "/a?b=1")
    assert odd_port_server.https_port != 443

    check = await check_http(url, resolver, trust)

    # Port 80 has no listener there; the TLS port answers plain HTTP with a redirect.
    same_port = f"http://staging.shop.test:{odd_port_server.https_port}/a?b=1"
    assert check.redirects_to_https is True
    assert check.http_url == same_port
    assert check.redirect_chain == [same_port, url]
    assert check.hsts_max_age == 31536000


async def test_unreachable_https_is_an_error_not_an_exception(
    server: SiteServer, odd_port_server: SiteServer, trust: Trust
) -> None:
    resolver = _resolver(server, odd_port_server)
    url = f"https://staging.shop.test:{odd_port_server.http_port + 1}/"

    check = await check_http(url, resolver, trust)

    assert check.error is not None and "cannot connect" in check.error
    assert check.hsts is None


async def test_check_http_refuses_a_plain_http_url(resolver: Resolver, trust: Trust) -> None:
    check = await check_http("http://www.shop.test/", resolver, trust)

    assert check.error is not None and "https://" in check.error


# -- fetch ---------------------------------------------------------------------------------------


async def test_fetch_speaks_to_the_name_at_the_resolved_address(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    result = await fetch(server.url("www.shop.test", "/whoami"), resolver, trust)

    assert result.ok and result.status == 200
    host_header = (
        "www.shop.test" if server.https_port == 443 else f"www.shop.test:{server.https_port}"
    )
    assert result.text() == f"www.shop.test {host_header}"
    assert result.content_type == "text/plain"


async def test_fetch_follows_redirects_across_hosts_and_records_the_chain(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    start = server.url("www.shop.test", "/hop")

    result = await fetch(start, resolver, trust)

    assert result.ok and result.body == b"cdn"
    assert result.redirect_chain == [start, server.url("cdn.shop.test", "/")]
    assert [hop.status for hop in result.hops] == [302, 200]
    assert result.final_url == server.url("cdn.shop.test", "/")


async def test_fetch_stops_a_redirect_loop(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    result = await fetch(server.url("www.shop.test", "/loop"), resolver, trust, follow=3)

    assert result.error is not None and "more than 3 redirects" in result.error
    assert len(result.redirect_chain) == 4


async def test_fetch_caps_the_body(server: SiteServer, resolver: Resolver, trust: Trust) -> None:
    result = await fetch(server.url("www.shop.test", "/huge"), resolver, trust)

    assert result.truncated and len(result.body) == MAX_BODY


async def test_fetch_decodes_the_declared_charset(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    result = await fetch(server.url("www.shop.test", "/latin"), resolver, trust)

    assert result.text() == "caf\u00e9"


async def test_fetch_of_a_name_outside_the_rules_never_leaves_the_machine(
    resolver: Resolver, trust: Trust
) -> None:
    result = await fetch("https://example.com/", resolver, trust)

    assert not result.ok and result.status is None
    assert result.error is not None and "no --resolve rule" in result.error


async def test_fetch_refuses_a_bad_certificate_unless_told_not_to_verify(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    url = server.url("expired.shop.test", "/")

    refused = await fetch(url, resolver, trust)
    unverified = await fetch(url, resolver, trust, verify=False)

    assert refused.error is not None and "certificate has expired" in refused.error
    assert unverified.status == 404 and unverified.error is None


# -- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("max-age=31536000", (31536000, False, False)),
        ('Max-Age="600"; IncludeSubDomains', (600, True, False)),
        ("max-age=0", (0, False, False)),
        ("includeSubDomains; preload", (None, True, True)),
        ("max-age=abc", (None, False, False)),
        (None, (None, False, False)),
    ],
)
def test_parse_hsts(value: str | None, parsed: tuple[int | None, bool, bool]) -> None:
    assert parse_hsts(value) == parsed
