"""SiteServer: real TLS and HTTP connections to hosts on loopback, by name, verified against the
test root, the way the scanner will make them."""

from __future__ import annotations

import re
import socket
import ssl
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Incoming, Response, SiteServer, TlsSettings
from scanner.demo.site import DemoInfo, start_demo
from scanner.net import ResolveRule
from scanner.resources import rules_dir

HSTS = "max-age=31536000"


def _echo(incoming: Incoming) -> Response:
    return Response(
        f"{incoming.method} {incoming.path} {incoming.body.decode()}", 201, "text/plain"
    )


HOSTS = [
    Host(
        "www.shop.test",
        headers={"Strict-Transport-Security": HSTS},
        aliases=["shop.test", "*.cdn.shop.test"],
        routes={
            "/": Response(
                "<a href='{{HTTPS_ORIGIN:www.shop.test}}/p'>{{HTTP_ORIGIN:old.shop.test}}"
            ),
            "/ports": Response(
                "{{HTTPS_PORT}} {{HTTP_PORT}} {{UNKNOWN}}", content_type="text/plain"
            ),
            "/echo": _echo,
            "/cookies": Response(
                "ok", headers=[("Set-Cookie", "a=1; Secure"), ("Set-Cookie", "b=2; HttpOnly")]
            ),
            "/slow": Response("late", delay=0.3),
            "/bytes": Response(b"{{HTTPS_PORT}}", content_type="application/octet-stream"),
            "/go": Response(status=302, headers=[("Location", "{{HTTPS_ORIGIN:shop.test}}/")]),
        },
    ),
    Host(
        "old.shop.test",
        tls=TlsSettings(min_version="TLSv1", key="rsa"),
        http="serve",
        routes={"/": Response("old")},
    ),
    Host(
        "null.shop.test",
        tls=TlsSettings(max_version="TLSv1.2", ciphers="NULL-SHA256:@SECLEVEL=0", key="rsa"),
    ),
    Host("expired.shop.test", tls=TlsSettings(cert="expired"), http="none"),
    Host("wrong.shop.test", tls=TlsSettings(cert="wrong-host")),
    Host("partial.shop.test", tls=TlsSettings(cert="incomplete-chain")),
    Host("plain.shop.test", https=False, routes={"/": Response("plain")}),
]


@pytest.fixture(scope="module")
def server(pki: TestPKI) -> Iterator[SiteServer]:
    with SiteServer(HOSTS, pki) as running:
        yield running


def _client_context(server: SiteServer, **versions: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=server.ca_pem)
    with warnings.catch_warnings():  # TLS 1.0 is deprecated: that is the point of the test
        warnings.simplefilter("ignore", DeprecationWarning)
        for name, version in versions.items():
            setattr(context, name, version)
        if versions:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def _handshake(server: SiteServer, host: str, context: ssl.SSLContext) -> ssl.SSLSocket:
    raw = socket.create_connection((server.address_of(host), server.https_port), timeout=5)
    try:
        return context.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise


def _get(
    server: SiteServer, host: str, path: str = "/", scheme: str = "https", **options: Any
) -> httpx.Response:
    """A request to `host` at its loopback address, with the real name for SNI and Host."""
    port = server.https_port if scheme == "https" else server.http_port
    method = options.pop("method", "GET")
    with httpx.Client(verify=_client_context(server), timeout=5) as client:
        return client.request(
            method,
            f"{scheme}://{server.address_of(host)}:{port}{path}",
            headers={"Host": host},
            extensions={"sni_hostname": host},
            **options,
        )


# -- TLS --------------------------------------------------------------------------------------


def test_good_host_verifies_by_name_with_modern_tls(server: SiteServer) -> None:
    with _handshake(server, "www.shop.test", _client_context(server)) as tls:
        assert tls.version() == "TLSv1.3"
        assert (tls.getpeercert() or {})["subject"]
    assert server.cert_of("www.shop.test").kind == "good"


def test_good_host_refuses_tls_1_0(server: SiteServer) -> None:
    legacy = _client_context(server, maximum_version=ssl.TLSVersion.TLSv1)

    with pytest.raises(ssl.SSLError):
        _handshake(server, "www.shop.test", legacy).close()


def test_legacy_host_negotiates_tls_1_0_with_a_static_rsa_suite(server: SiteServer) -> None:
    legacy = _client_context(
        server, minimum_version=ssl.TLSVersion.TLSv1, maximum_version=ssl.TLSVersion.TLSv1
    )
    legacy.set_ciphers("AES128-SHA:@SECLEVEL=0")

    with _handshake(server, "old.shop.test", legacy) as tls:
        assert tls.version() == "TLSv1"
        assert tls.cipher() == ("AES128-SHA", "SSLv3", 128)  # OpenSSL names its first version


def test_null_cipher_host_sends_in_the_clear(server: SiteServer) -> None:
    client = _client_context(server, maximum_version=ssl.TLSVersion.TLSv1_2)
    client.set_ciphers("eNULL:@SECLEVEL=0")

    with _handshake(server, "null.shop.test", client) as tls:
        assert tls.cipher() == ("NULL-SHA256", "TLSv1.2", 0)  # zero bits of encryption


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("expired.shop.test", "certificate has expired"),
        ("wrong.shop.test", "Hostname mismatch"),
        ("partial.shop.test", "unable to get local issuer certificate"),
    ],
)
def test_bad_certificates_fail_verification(server: SiteServer, host: str, reason: str) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        _handshake(server, host, _client_context(server)).close()
    assert reason in str(failure.value.verify_message)


def test_plain_http_only_host_has_no_tls_listener(server: SiteServer) -> None:
    with pytest.raises(OSError):
        socket.create_connection(
            (server.address_of("plain.shop.test"), server.https_port), timeout=2
        ).close()


@pytest.mark.tls
def test_sslyze_accepts_the_good_chain_and_rejects_the_expired_one(server: SiteServer) -> None:
    import sslyze

    api: Any = sslyze  # sslyze re-exports its API without __all__: mypy --strict refuses it
    requests = [
        api.ServerScanRequest(
            api.ServerNetworkLocation(host, server.https_port, server.address_of(host)),
            scan_commands={api.ScanCommand.CERTIFICATE_INFO},
            scan_commands_extra_arguments=api.ScanCommandsExtraArguments(
                certificate_info=api.CertificateInfoExtraArgument(
                    custom_ca_file=Path(server.ca_pem)
                )
            ),
        )
        for host in ("www.shop.test", "expired.shop.test")
    ]
    scanner = api.Scanner()
    scanner.queue_scans(requests)
    verified: dict[str, bool] = {}
    for result in scanner.get_results():
        assert result.scan_status == api.ServerScanStatusEnum.COMPLETED
        info = result.scan_result.certificate_info.result
        deployment = info.certificate_deployments[0]
        custom = [
            r
            for r in deployment.path_validation_results
            if r.trust_store.name == "Supplied CA file"
        ]
        verified[result.server_location.hostname] = custom[0].was_validation_successful
        assert deployment.received_chain_has_valid_order

    assert verified == {"www.shop.test": True, "expired.shop.test": False}


# -- HTTP behaviour ---------------------------------------------------------------------------


def test_routes_and_placeholders(server: SiteServer) -> None:
    page = _get(server, "www.shop.test")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert server.url("www.shop.test", "/p") in page.text
    assert server.url("old.shop.test", "/", "http").rstrip("/") in page.text
    ports = _get(server, "www.shop.test", "/ports").text
    assert ports == f"{server.https_port} {server.http_port} {{{{UNKNOWN}}}}"
    assert _get(server, "www.shop.test", "/bytes").content == b"{{HTTPS_PORT}}"
    assert _get(server, "www.shop.test", "/go").headers["location"] == server.url("shop.test")


def test_origins_omit_default_ports(pki: TestPKI, server: SiteServer) -> None:
    expected = (
        "https://a.test" if server.https_port == 443 else f"https://a.test:{server.https_port}"
    )

    assert server.origin("https", "a.test") == expected
    assert server.url("a.test", "x") == expected + "/x"


def test_unknown_path_is_404(server: SiteServer) -> None:
    assert _get(server, "www.shop.test", "/nowhere").status_code == 404
    assert _get(server, "plain.shop.test", "/x", "http").status_code == 404


def test_hsts_only_on_https(server: SiteServer) -> None:
    assert _get(server, "www.shop.test").headers["strict-transport-security"] == HSTS
    over_http = _get(server, "www.shop.test", "/x?y=1", "http")
    assert "strict-transport-security" not in over_http.headers


def test_plain_http_redirects_serves_or_is_refused(server: SiteServer) -> None:
    redirect = _get(server, "www.shop.test", "/x?y=1", "http")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == server.url("www.shop.test", "/x?y=1")

    served = _get(server, "old.shop.test", "/", "http")
    assert (served.status_code, served.text) == (200, "old")

    assert _get(server, "plain.shop.test", "/", "http").text == "plain"

    with pytest.raises(httpx.ConnectError):
        _get(server, "expired.shop.test", "/", "http")


def test_plain_http_to_the_tls_port_is_redirected(server: SiteServer) -> None:
    with httpx.Client(timeout=5) as client:
        answer = client.get(
            f"http://{server.address_of('www.shop.test')}:{server.https_port}/a",
            headers={"Host": "www.shop.test"},
        )

    assert answer.status_code == 301
    assert answer.headers["location"] == server.url("www.shop.test", "/a")


def test_aliases_and_wildcards_share_the_host(server: SiteServer) -> None:
    assert server.address_of("img.cdn.shop.test") == server.address_of("www.shop.test")
    assert _get(server, "img.cdn.shop.test", "/cookies").status_code == 200
    rules = [ResolveRule.parse(rule) for rule in server.resolve_rules()]
    assert {r.pattern for r in rules} >= {"www.shop.test", "shop.test", "*.cdn.shop.test"}
    assert all(r.address.startswith("127.") and r.address != "127.0.0.1" for r in rules)
    assert len({r.address for r in rules}) == len(HOSTS)


def test_several_set_cookie_headers(server: SiteServer) -> None:
    answer = _get(server, "www.shop.test", "/cookies")

    assert answer.headers.get_list("set-cookie") == ["a=1; Secure", "b=2; HttpOnly"]


def test_delay(server: SiteServer) -> None:
    started = time.monotonic()
    assert _get(server, "www.shop.test", "/slow").text == "late"
    assert time.monotonic() - started >= 0.3


def test_every_request_is_recorded_with_its_body(server: SiteServer) -> None:
    answer = _get(server, "www.shop.test", "/echo?q=1", method="POST", data={"email": "a@b.test"})

    assert (answer.status_code, answer.text) == (201, "POST /echo?q=1 email=a%40b.test")
    posted = server.requests_to("www.shop.test", "POST")[-1]
    assert posted.scheme == "https"
    assert posted.form == {"email": ["a@b.test"]}
    assert posted.query == {"q": ["1"]}
    assert posted.headers["host"] == "www.shop.test"
    assert posted.url == "https://www.shop.test/echo?q=1"
    assert server.requests_to("img.cdn.shop.test")[-1].host == "img.cdn.shop.test"


# -- robustness -------------------------------------------------------------------------------


def test_bad_clients_do_not_hurt_the_server(
    server: SiteServer, capfd: pytest.CaptureFixture[str]
) -> None:
    address = server.address_of("www.shop.test")
    for port, junk in [
        (server.https_port, b""),
        (server.https_port, b"\x16\x03\x01\x00\x05junk!"),
        (server.https_port, b"\x16\x03"),
        (server.http_port, b"\x00\xffnonsense\r\n\r\n"),
        (server.http_port, b"GET / HTTP/1.1\r\nContent-Length: 99\r\n\r\nshort"),
    ]:
        with socket.create_connection((address, port), timeout=2) as raw:
            raw.sendall(junk)
    time.sleep(0.2)

    assert _get(server, "www.shop.test").status_code == 200
    assert "Traceback" not in capfd.readouterr().err


def test_two_servers_never_collide_and_stop_promptly(pki: TestPKI) -> None:
    hosts = [Host("a.test", routes={"/": Response("a")})]
    with SiteServer(hosts, pki) as first, SiteServer(hosts, pki) as second:
        assert first.address_of("a.test") != second.address_of("a.test")
        assert _get(first, "a.test").text == _get(second, "a.test").text == "a"
        kept_open = socket.create_connection(
            (first.address_of("a.test"), first.http_port), timeout=2
        )
        kept_open.sendall(b"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")
        answer = b""
        while not answer.endswith(b"https://a.test/\n"):
            answer += kept_open.recv(4096)
        assert answer.startswith(b"HTTP/1.1 301")

    started = time.monotonic()
    first.stop()  # again: harmless
    with pytest.raises(OSError):
        socket.create_connection((first.address_of("a.test"), first.https_port), timeout=1)
    assert kept_open.recv(100) == b""  # the keep-alive connection was closed too
    kept_open.close()
    assert time.monotonic() - started < 1


def test_ephemeral_ports_when_standard_ports_are_not_wanted(pki: TestPKI) -> None:
    hosts = [Host("a.test", routes={"/": Response("a")})]
    with SiteServer(hosts, pki, prefer_standard_ports=False) as running:
        assert running.https_port not in (0, 443)
        assert running.http_port not in (0, 80)
        assert _get(running, "a.test").text == "a"


def test_duplicate_names_are_refused(pki: TestPKI) -> None:
    with pytest.raises(ValueError):
        SiteServer([Host("a.test"), Host("b.test", aliases=["a.test"])], pki)


# -- the bundled demo site --------------------------------------------------------------------

FIRST_PARTY = [
    "www.northwind.test",
    "news.northwind.test",
    "members.northwind.test",
    "orders.northwind.test",
    "help.northwind.test",
]
THIRD_PARTY_ADS = ["connect.facebook.net", "www.facebook.com", "static.hotjar.com", "in.hotjar.com"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, DemoInfo]]:
    server, info = start_demo(tmp_path_factory.mktemp("demo"))
    with server:
        yield server, info


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, DemoInfo]]:
    server, info = start_demo(tmp_path_factory.mktemp("clean"), "clean")
    with server:
        yield server, info


def _fetch(server: SiteServer, url: str, **options: Any) -> httpx.Response:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return _get(server, parts.hostname or "", path, parts.scheme, **options)


def _forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', page)


def _every_text_body(server: SiteServer) -> dict[str, str]:
    """Each text route of each host, as served."""
    bodies = {}
    for host in server.hosts:
        for path, route in host.routes.items():
            if isinstance(route, Response) and isinstance(route.body, str):
                bodies[f"{host.name}{path}"] = server.substitute(route.body)
    return bodies


def test_demo_info_names_every_host_and_the_disclosed_analytics(
    demo: tuple[SiteServer, DemoInfo],
) -> None:
    server, info = demo

    assert info.start_url(server) == server.url("www.northwind.test")
    assert set(info.resolve_hosts) >= {*FIRST_PARTY, *THIRD_PARTY_ADS, "www.google-analytics.com"}
    assert {rule.split(":")[0] for rule in server.resolve_rules()} == set(info.resolve_hosts)
    (analytics,) = info.disclosed
    assert analytics.vendor == "Google Analytics"
    assert analytics.domains == ["google-analytics.com", "googletagmanager.com"]
    assert analytics.purpose == "access analysis"


def test_every_planted_violation_names_a_catalogue_rule(demo: tuple[SiteServer, DemoInfo]) -> None:
    catalogue = (rules_dir() / "catalogue.yaml").read_text()
    planted = {v.rule_id for v in demo[1].violations}

    assert planted >= {
        "pi-form-over-http",
        "pi-form-posts-to-http",
        "mixed-content-on-pi-page",
        "tls-legacy-protocol",
        "tls-weak-cipher",
        "tls-profile-noncompliant",
        "tls-cert-invalid",
        "tls-cert-expiring",
        "hsts-missing",
        "http-not-redirected",
        "cookie-not-secure",
        "pi-form-posts-to-third-party",
        "pi-sent-to-third-party",
        "statement-not-linked",
        "advertising-tracker",
    }
    assert all(rule in catalogue for rule in planted)


def test_demo_pages_are_served_with_placeholders_filled_and_no_outside_urls(
    demo: tuple[SiteServer, DemoInfo], clean: tuple[SiteServer, DemoInfo]
) -> None:
    for server, info in (demo, clean):
        for where, body in _every_text_body(server).items():
            assert "{{" not in body, where
            for host in re.findall(r"https?://([a-z0-9.-]+)", body):
                assert host in info.resolve_hosts or host == "www.w3.org", (where, host)


def test_demo_statement_makes_the_promises_the_violations_break(
    demo: tuple[SiteServer, DemoInfo],
) -> None:
    server, info = demo
    text = _get(server, "www.northwind.test", info.statement_path).text

    for phrase in (
        "SSL/TLS encryption",
        "never disclose or provide your personal information to third parties",
        "required by law",
        "access analysis service",
        "web beacons",
        "cookies",
        "turn cookies off",
        "access logs",
        "IP address",
        "privacy@northwind.test",
    ):
        assert phrase in text


def test_demo_legacy_member_host(demo: tuple[SiteServer, DemoInfo]) -> None:
    server, _ = demo
    legacy = _client_context(
        server, minimum_version=ssl.TLSVersion.TLSv1, maximum_version=ssl.TLSVersion.TLSv1
    )
    legacy.set_ciphers("AES128-SHA:@SECLEVEL=0")

    with _handshake(server, "members.northwind.test", legacy) as tls:
        assert (tls.version(), tls.cipher()) == ("TLSv1", ("AES128-SHA", "SSLv3", 128))
    page = _get(server, "members.northwind.test")
    assert "strict-transport-security" not in page.headers
    over_http = _get(server, "members.northwind.test", "/", "http")
    assert over_http.status_code == 200 and 'type="password"' in over_http.text


def test_demo_bad_certificates(demo: tuple[SiteServer, DemoInfo]) -> None:
    server, _ = demo

    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        _handshake(server, "orders.northwind.test", _client_context(server)).close()
    assert failure.value.verify_message == "certificate has expired"
    order_page = _get(server, "www.northwind.test", "/order").text
    assert _forms(order_page) == [server.url("orders.northwind.test", "/checkout")]
    _handshake(server, "help.northwind.test", _client_context(server)).close()
    left = server.cert_of("help.northwind.test").not_after - datetime.now(UTC)
    assert timedelta(days=9) < left <= timedelta(days=10)


def test_demo_newsletter_is_plain_http_only(demo: tuple[SiteServer, DemoInfo]) -> None:
    server, _ = demo
    page = _get(server, "news.northwind.test", "/", "http")

    assert page.status_code == 200 and 'type="email"' in page.text
    assert _forms(page.text) == [server.url("www.northwind.test", "/newsletter/subscribe")]
    with pytest.raises(httpx.ConnectError):
        _get(server, "news.northwind.test")


def test_demo_form_actions(demo: tuple[SiteServer, DemoInfo]) -> None:
    server, _ = demo

    catalogue = _forms(_get(server, "www.northwind.test", "/catalogue").text)
    assert catalogue == [server.url("www.northwind.test", "/catalogue/send", "http")]
    partners = _forms(_get(server, "www.northwind.test", "/partners").text)
    assert partners == [server.url("forms.formfleet.test", "/f/northwind-stockists")]
    assert _fetch(server, partners[0], method="POST", data={"email": "x@y.test"}).is_success


def test_demo_contact_page_mixed_content_and_insecure_cookie(
    demo: tuple[SiteServer, DemoInfo],
) -> None:
    server, _ = demo
    page = _get(server, "www.northwind.test", "/contact")

    assert f'<img src="{server.url("www.northwind.test", "/img/teapot.svg", "http")}"' in page.text
    assert (
        f'<script src="{server.url("www.northwind.test", "/js/contact.js", "http")}"' in page.text
    )
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("nw_session=") and "secure" not in cookie.lower()
    assert _get(server, "www.northwind.test", "/img/teapot.svg").text.startswith("<svg")


def test_demo_statement_link_missing_only_on_gift_cards(demo: tuple[SiteServer, DemoInfo]) -> None:
    server, info = demo
    link = f'href="{server.url("www.northwind.test", info.statement_path)}"'

    for where, body in _every_text_body(server).items():
        if "<form" in body:
            assert (link in body) == (where != "www.northwind.test/gift-cards"), where


def test_demo_third_party_tags(demo: tuple[SiteServer, DemoInfo]) -> None:
    server, _ = demo
    home = _get(server, "www.northwind.test").text

    assert server.url("connect.facebook.net", "/en_US/fbevents.js") in home
    # The analytics come through the consent banner's script, which names the tag.
    assert server.url("www.northwind.test", "/consent.js") in home
    banner = _get(server, "www.northwind.test", "/consent.js").text
    assert server.url("www.googletagmanager.com", "/gtag/js?id=G-NW2025") in banner
    assert 'data-role="necessary"' in banner and "cc_cookie" in banner
    pixel = _get(server, "www.facebook.com", "/tr?id=4455667788&ev=PageView")
    assert pixel.headers["content-type"] == "image/gif"
    assert re.match(
        r"fr=.*; Domain=\.facebook\.com; .*Secure; SameSite=None", pixel.headers["set-cookie"]
    )
    gtag = _get(server, "www.googletagmanager.com", "/gtag/js").text
    assert server.url("www.google-analytics.com", "/g/collect") in gtag
    assert "sendBeacon" in gtag and "_ga=" in gtag
    assert _get(server, "www.google-analytics.com", "/g/collect?v=2").status_code == 200

    wholesale = _get(server, "www.northwind.test", "/wholesale").text
    recorder_url = server.url("static.hotjar.com", "/c/hotjar-3141592.js?sv=6")
    assert recorder_url in wholesale
    recorder = _fetch(server, recorder_url).text
    assert server.url("in.hotjar.com", "/api/v2/client/sites/3141592") in recorder
    assert "btoa(" in recorder and "field.value" in recorder
    posted = _get(
        server,
        "in.hotjar.com",
        "/api/v2/client/sites/3141592/recording",
        method="POST",
        content=b'{"field":"email","value":"a@b.test"}',
    )
    assert posted.status_code == 204
    assert b"a@b.test" in server.requests_to("in.hotjar.com", "POST")[-1].body


def test_clean_demo_fixes_every_violation(clean: tuple[SiteServer, DemoInfo]) -> None:
    server, info = clean
    legacy = _client_context(server, maximum_version=ssl.TLSVersion.TLSv1)

    assert info.violations == []
    assert not {*THIRD_PARTY_ADS, "forms.formfleet.test"} & set(info.resolve_hosts)
    for host in FIRST_PARTY:
        _handshake(server, host, _client_context(server)).close()
        with pytest.raises(ssl.SSLError):
            _handshake(server, host, legacy).close()
        assert server.cert_of(host).kind == "good"
        page = _get(server, host, "/track" if host.startswith("orders") else "/")
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        redirect = _get(server, host, "/", "http")
        assert (redirect.status_code, redirect.headers["location"]) == (301, server.url(host))
    link = f'href="{server.url("www.northwind.test", info.statement_path)}"'
    for where, body in _every_text_body(server).items():
        assert "http://" not in body.replace("http://www.w3.org", ""), where
        if "<form" in body:
            assert link in body, where
            assert all(a.startswith("https://") for a in _forms(body)), where
            assert all(urlsplit(a).hostname in FIRST_PARTY for a in _forms(body)), where
    assert "secure" in _get(server, "www.northwind.test", "/contact").headers["set-cookie"].lower()
