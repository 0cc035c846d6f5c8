"""scan_host and TlsScanner: real sslyze scans of real TLS servers on loopback, no mocks.

Each host is scanned once per module, all of them in parallel through TlsScanner (the way a
scan overlaps them with the crawl); every test reads one result. `test_scan_timings` prints how
long each host's scan took (run with -s, or see the assertion message when it fails).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.demo.pki import EXPIRING_DAYS, TestPKI
from scanner.demo.server import Host, Response, SiteServer, TlsSettings
from scanner.model import TlsResult
from scanner.net import Resolver, Trust
from scanner.transport.certificate import hostname_matches
from scanner.transport.ciphers import cipher_weaknesses
from scanner.transport.profiles import profile_version
from scanner.transport.tls import TlsScanner, is_expiring, scan_host

pytestmark = [
    pytest.mark.tls,
    # sslyze's bundled trust stores hold old roots with negative serial numbers.
    pytest.mark.filterwarnings("ignore:Parsed a serial number"),
]

HSTS_ONE_YEAR = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}

HOSTS = [
    # The demo server's default TLS settings are Mozilla intermediate's suites and curves.
    Host("good.shop.test", headers=HSTS_ONE_YEAR, routes={"/": Response("ok")}),
    Host(
        "legacy.shop.test",
        tls=TlsSettings(min_version="TLSv1", max_version="TLSv1.2", key="rsa"),
        routes={"/": Response("old")},
    ),
    Host("expired.shop.test", tls=TlsSettings(cert="expired")),
    Host("future.shop.test", tls=TlsSettings(cert="not-yet-valid")),
    Host("wrong.shop.test", tls=TlsSettings(cert="wrong-host")),
    Host("self.shop.test", tls=TlsSettings(cert="self-signed")),
    Host("rogue.shop.test", tls=TlsSettings(cert="untrusted-root")),
    Host("partial.shop.test", tls=TlsSettings(cert="incomplete-chain")),
    Host("expiring.shop.test", tls=TlsSettings(cert="expiring")),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    pki = TestPKI.create(tmp_path_factory.mktemp("pki"))
    with SiteServer(HOSTS, pki) as running:
        yield running


@pytest.fixture(scope="module")
def resolver(server: SiteServer) -> Resolver:
    return Resolver.from_strings(server.resolve_rules(), only_resolved=True)


@pytest.fixture(scope="module")
def trust(server: SiteServer) -> Trust:
    return Trust(Path(server.ca_pem))


@dataclass(frozen=True)
class Scans:
    """Every host of HOSTS scanned once (intermediate profile), plus the good host against the
    modern profile, all at the same time."""

    results: dict[str, TlsResult]
    wall: float
    modern: TlsResult


@pytest.fixture(scope="module")
def scans(server: SiteServer, resolver: Resolver, trust: Trust) -> Iterator[Scans]:
    started = time.monotonic()
    with (
        TlsScanner(resolver, trust, max_workers=len(HOSTS)) as scanner,
        TlsScanner(resolver, trust, profile="modern") as modern,
    ):
        modern_good = modern.submit("good.shop.test", server.https_port)
        for host in HOSTS:
            scanner.submit(host.name, server.https_port)
        results = {host: result for (host, _port), result in scanner.results().items()}
        yield Scans(results, time.monotonic() - started, modern_good.result())


def _result(scans: Scans, host: str) -> TlsResult:
    result = scans.results[host]
    assert result.reachable, result.error
    return result


# -- a well-configured host ---------------------------------------------------------------------


def test_good_host_accepts_exactly_tls_1_2_and_1_3(
    scans: Scans,
) -> None:
    result = _result(scans, "good.shop.test")

    accepted = {protocol for protocol, ok in result.protocols.items() if ok}
    assert accepted == {"TLS 1.2", "TLS 1.3"}
    assert set(result.protocols) == {
        "SSL 2.0",
        "SSL 3.0",
        "TLS 1.0",
        "TLS 1.1",
        "TLS 1.2",
        "TLS 1.3",
    }
    assert "TLS_AES_128_GCM_SHA256" in result.cipher_suites["TLS 1.3"]
    assert set(result.cipher_suites["TLS 1.2"]) == {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    }
    assert result.weak_cipher_suites == []
    assert result.error is None


def test_good_host_certificate_is_trusted_through_the_custom_ca(
    server: SiteServer, scans: Scans
) -> None:
    cert = _result(scans, "good.shop.test").certificate

    assert cert is not None
    assert cert.trusted and cert.hostname_matches and not cert.self_signed
    assert cert.validation_errors == []
    assert cert.san == ["good.shop.test"]
    assert "CN=good.shop.test" in cert.subject
    assert "intermediate" in cert.issuer
    assert cert.sha256 == server.cert_of("good.shop.test").sha256
    assert cert.key_type == "EC secp256r1" and cert.key_size == 256
    assert cert.signature_algorithm == "ecdsa-with-SHA256"
    assert cert.days_left in (88, 89, 90)


def test_good_host_has_no_known_vulnerability(scans: Scans) -> None:
    vulnerabilities = _result(scans, "good.shop.test").vulnerabilities

    assert set(vulnerabilities) >= {
        "heartbleed",
        "robot",
        "ccs_injection",
        "insecure_renegotiation",
        "compression",
    }
    assert not any(vulnerabilities.values()), vulnerabilities


def test_good_host_meets_mozilla_intermediate(scans: Scans) -> None:
    result = _result(scans, "good.shop.test")

    assert result.profile == "intermediate"
    assert result.profile_version == profile_version() is not None
    assert result.profile_issues == []
    assert result.profile_compliant is True


def test_modern_profile_refuses_tls_1_2_on_the_good_host(scans: Scans) -> None:
    result = scans.modern

    assert result.profile == "modern" and result.profile_compliant is False
    assert any(issue.startswith("tls_versions: ") for issue in result.profile_issues)


# -- a legacy host --------------------------------------------------------------------------------


def test_legacy_host_accepts_tls_1_0_and_1_1(scans: Scans) -> None:
    result = _result(scans, "legacy.shop.test")

    assert result.protocols["TLS 1.0"] and result.protocols["TLS 1.1"]
    assert result.protocols["TLS 1.2"]
    assert not result.protocols["TLS 1.3"]
    assert not result.protocols["SSL 3.0"] and not result.protocols["SSL 2.0"]


def test_legacy_host_static_rsa_suites_are_weak_for_lack_of_forward_secrecy(
    scans: Scans,
) -> None:
    result = _result(scans, "legacy.shop.test")

    assert "TLS_RSA_WITH_AES_128_CBC_SHA" in result.cipher_suites["TLS 1.0"]
    assert "TLS 1.0: TLS_RSA_WITH_AES_128_CBC_SHA (no forward secrecy)" in result.weak_cipher_suites
    assert all("ECDHE" not in weak for weak in result.weak_cipher_suites)


def test_legacy_host_fails_the_profile_for_its_protocols(
    scans: Scans,
) -> None:
    result = _result(scans, "legacy.shop.test")

    assert result.profile_compliant is False
    assert "tls_versions: TLS versions {'TLSv1', 'TLSv1.1'} are supported" in "\n".join(
        result.profile_issues
    )


# -- certificates that fail, each for its own reason ---------------------------------------------


@pytest.mark.parametrize(
    ("host", "errors"),
    [
        ("expired.shop.test", ["expired"]),
        ("future.shop.test", ["not yet valid"]),
        ("wrong.shop.test", ["hostname mismatch"]),
        ("self.shop.test", ["self-signed"]),
        ("rogue.shop.test", ["untrusted root"]),
        ("partial.shop.test", ["incomplete chain"]),
    ],
)
def test_bad_certificate_names_its_exact_reason(scans: Scans, host: str, errors: list[str]) -> None:
    cert = _result(scans, host).certificate

    assert cert is not None
    assert not cert.trusted
    assert cert.validation_errors == errors
    assert cert.hostname_matches is (host != "wrong.shop.test")
    assert cert.self_signed is (host == "self.shop.test")


def test_expired_and_future_certificates_count_days_left(
    scans: Scans,
) -> None:
    expired = _result(scans, "expired.shop.test").certificate
    future = _result(scans, "future.shop.test").certificate

    assert expired is not None and expired.days_left is not None and expired.days_left < -29
    assert future is not None and future.days_left is not None and future.days_left > 90


def test_expiring_certificate_is_valid_and_counted_as_expiring(
    scans: Scans,
) -> None:
    expiring = _result(scans, "expiring.shop.test")
    cert = expiring.certificate

    assert cert is not None and cert.trusted and cert.validation_errors == []
    assert cert.days_left in (EXPIRING_DAYS - 1, EXPIRING_DAYS)
    assert is_expiring(expiring, within_days=30)
    assert not is_expiring(expiring, within_days=EXPIRING_DAYS - 1)
    assert not is_expiring(_result(scans, "good.shop.test"), within_days=30)
    assert not is_expiring(_result(scans, "expired.shop.test"), within_days=30)


# -- hosts that cannot be scanned ------------------------------------------------------------------


def test_port_nobody_listens_on_is_unreachable_without_raising(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    port = _free_port(server.address_of("good.shop.test"))

    result = scan_host("good.shop.test", port, resolver, trust)

    assert result.reachable is False
    assert result.error is not None and f"good.shop.test:{port}" in result.error
    assert result.protocols == {} and result.certificate is None
    assert result.profile_compliant is None


def test_host_outside_the_resolve_rules_is_not_looked_up(resolver: Resolver, trust: Trust) -> None:
    result = scan_host("elsewhere.example", 443, resolver, trust)

    assert result.reachable is False
    assert result.error is not None and "no --resolve rule" in result.error


def _answers_sslv2_hello(server: SiteServer, host: str) -> bool:
    """True when the server answers (or drops) an SSLv2 ClientHello at once, as TLS stacks do."""
    hello = b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10" + b"\x07\x00\xc0" * 7 + b"a" * 16
    with socket.create_connection((server.address_of(host), server.https_port), timeout=1) as raw:
        raw.sendall(hello)
        try:
            raw.recv(64)
        except TimeoutError:
            return False
    return True


def _free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


# -- the scanner ---------------------------------------------------------------------------------


def test_submit_is_idempotent_per_host_and_port(
    server: SiteServer, resolver: Resolver, trust: Trust
) -> None:
    port = _free_port(server.address_of("good.shop.test"))  # unreachable: the scan is instant
    with TlsScanner(resolver, trust) as scanner:
        first = scanner.submit("good.shop.test", port)
        again = scanner.submit("GOOD.shop.test.", port)
        other_port = scanner.submit("good.shop.test", port + 1)

        assert again is first
        assert other_port is not first
        assert set(scanner.results()) == {("good.shop.test", port), ("good.shop.test", port + 1)}


def test_slow_mode_sees_the_same_protocols(
    server: SiteServer, resolver: Resolver, trust: Trust, scans: Scans
) -> None:
    if not _answers_sslv2_hello(server, "good.shop.test"):
        pytest.skip(
            "the demo server holds SSLv2 hellos open until its 10 s socket timeout; one "
            "connection at a time, the 7 SSLv2 probes would take 70 s"
        )
    slow = scan_host("good.shop.test", server.https_port, resolver, trust, slow=True)

    assert slow.protocols == _result(scans, "good.shop.test").protocols
    assert slow.certificate is not None and slow.certificate.trusted


def test_unknown_profile_is_refused_before_any_scan(resolver: Resolver, trust: Trust) -> None:
    with pytest.raises(ValueError, match="unknown TLS profile"):
        TlsScanner(resolver, trust, profile="paranoid")


def test_scan_timings(scans: Scans) -> None:
    results, wall = scans.results, scans.wall
    table = "\n".join(
        f"  {host:<22} {result.scan_seconds:6.2f} s" for host, result in sorted(results.items())
    )
    print(f"\nsslyze per host ({len(results)} in parallel, {wall:.2f} s wall):\n{table}")

    assert wall < 30, table


# -- pure logic ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suite", "reasons"),
    [
        ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", []),
        ("TLS_AES_256_GCM_SHA384", []),
        ("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", []),
        ("TLS_RSA_WITH_AES_128_GCM_SHA256", ["no forward secrecy"]),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", ["3DES", "no forward secrecy"]),
        ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", ["RC4"]),
        ("TLS_RSA_WITH_NULL_SHA256", ["NULL encryption", "no forward secrecy"]),
        ("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", ["EXPORT grade", "DES", "no forward secrecy"]),
        ("TLS_DH_anon_WITH_AES_128_CBC_SHA", ["anonymous"]),
        ("TLS_RSA_WITH_RC4_128_MD5", ["RC4", "MD5", "no forward secrecy"]),
        ("TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", ["no forward secrecy"]),
    ],
)
def test_cipher_weaknesses(suite: str, reasons: list[str]) -> None:
    assert cipher_weaknesses(suite) == reasons


@pytest.mark.parametrize(
    ("sans", "host", "matches"),
    [
        (["www.shop.test"], "WWW.shop.test.", True),
        (["*.shop.test"], "a.shop.test", True),
        (["*.shop.test"], "shop.test", False),
        (["*.shop.test"], "a.b.shop.test", False),
        (["127.0.0.1"], "127.0.0.1", True),
        (["shop.test"], "127.0.0.1", False),
        ([], "shop.test", False),
    ],
)
def test_hostname_matches(sans: list[str], host: str, matches: bool) -> None:
    assert hostname_matches(sans, host) is matches
