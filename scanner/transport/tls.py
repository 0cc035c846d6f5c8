"""TLS evidence for one host:port: sslyze's scan, read into the shared `TlsResult`.

A scan runs once per host:port (design.md): `TlsScanner.submit` starts it in a thread pool the
moment the crawl first sees a host, and hands back the same future to anyone who asks again.
`scan_host` is the blocking unit underneath and never raises: a host that does not answer comes
back as `reachable=False` with a one-line `error`.
"""

from __future__ import annotations

import concurrent.futures
import re
import threading
import time
import warnings

from cryptography.utils import CryptographyDeprecationWarning
from sslyze.errors import ServerHostnameCouldNotBeResolved
from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
from sslyze.plugins.scan_commands import ScanCommand
from sslyze.scanner.models import (
    ScanCommandsExtraArguments,
    ServerConnectivityStatusEnum,
    ServerScanRequest,
)
from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from scanner.model import TlsResult
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy, PolicyRefused
from scanner.transport.certificate import read_certificate
from scanner.transport.ciphers import read_protocols
from scanner.transport.profiles import check_profile, profile_enum, profile_version
from scanner.transport.vulnerabilities import read_vulnerabilities

# sslyze's bundled trust stores hold a few old roots with negative serial numbers; loading them
# warns once per process, which says nothing about the host being scanned.
warnings.filterwarnings(
    "ignore",
    message="Parsed a serial number which wasn't positive",
    category=CryptographyDeprecationWarning,
)

SCAN_COMMANDS: frozenset[ScanCommand] = frozenset(
    {
        ScanCommand.SSL_2_0_CIPHER_SUITES,
        ScanCommand.SSL_3_0_CIPHER_SUITES,
        ScanCommand.TLS_1_0_CIPHER_SUITES,
        ScanCommand.TLS_1_1_CIPHER_SUITES,
        ScanCommand.TLS_1_2_CIPHER_SUITES,
        ScanCommand.TLS_1_3_CIPHER_SUITES,
        ScanCommand.CERTIFICATE_INFO,
        ScanCommand.HEARTBLEED,
        ScanCommand.ROBOT,
        ScanCommand.OPENSSL_CCS_INJECTION,
        ScanCommand.SESSION_RENEGOTIATION,
        ScanCommand.TLS_COMPRESSION,
        ScanCommand.TLS_FALLBACK_SCSV,
        # Not reported on their own, but Mozilla's profile check refuses to run without them.
        ScanCommand.ELLIPTIC_CURVES,
        ScanCommand.TLS_EXTENDED_MASTER_SECRET,
    }
)

FAST_CONNECTIONS = 10
"""Connections sslyze opens at once to one server on the fast path (sslyze's default is 5).
On loopback 5, 10 and 20 tie at ~0.6 s a host (sslyze's 0.2 s polling loop is the floor) and 1
takes up to 1.6 s; over a real link a scan is ~100 handshakes bound by round trips, so more in
flight pays, and 10 is still a gentle load for a web server."""
SLOW_CONNECTIONS = 1
"""--tls-slow: one connection at a time, for servers (and middleboxes) that drop bursts."""


def scan_host(
    host: str,
    port: int,
    resolver: Resolver,
    trust: Trust,
    profile: str = "intermediate",
    slow: bool = False,
    policy: NetPolicy | None = None,
) -> TlsResult:
    """Scan one host:port with sslyze and describe what it accepts and presents.

    The host is admitted by the network `policy` (without one: its --resolve address or any
    public address), resolved once, and reached at that checked address with `host` as SNI; its
    certificate is validated against sslyze's bundled trust stores (Mozilla, Apple, Android,
    Java, Windows) plus `trust.ca_bundle`. Nothing the host does makes it raise: an unreachable
    host, and any failure of sslyze itself, end up in `error`. Only an unknown `profile` (the
    caller's mistake) raises UnknownProfile, before any connection.
    """
    profile_enum(profile)  # an unknown profile is the caller's bug: fail before any network
    started = time.monotonic()
    result = TlsResult(profile=profile, profile_version=profile_version())
    try:
        _scan_into(result, host, port, policy or NetPolicy(resolver), trust, profile, slow)
    except Exception as exc:  # sslyze's own bugs must not end the scan of the site
        result.error = f"TLS scan of {host}:{port} failed: {type(exc).__name__}: {exc}"
    result.scan_seconds = round(time.monotonic() - started, 3)
    return result


class TlsScanner:
    """Scans each host:port once, in a thread pool, while the caller goes on crawling."""

    def __init__(
        self,
        resolver: Resolver,
        trust: Trust,
        *,
        profile: str = "intermediate",
        slow: bool = False,
        max_workers: int = 4,
        expiry_days: int = 30,
        policy: NetPolicy | None = None,
    ) -> None:
        profile_enum(profile)
        self.policy = policy
        """The scan's network policy: every host is admitted by it before sslyze connects."""
        self.resolver = resolver
        self.trust = trust
        self.profile = profile
        self.slow = slow
        self.expiry_days = expiry_days
        """A certificate with fewer days left than this is `expiring()`."""
        # One sslyze scan already runs up to FAST_CONNECTIONS handshakes at once; in slow mode
        # hosts are also taken one after the other, so no server sees two scans' traffic.
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1 if slow else max_workers, thread_name_prefix="tls-scan"
        )
        self._futures: dict[tuple[str, int], concurrent.futures.Future[TlsResult]] = {}
        self._lock = threading.Lock()

    def submit(self, host: str, port: int) -> concurrent.futures.Future[TlsResult]:
        """Start scanning host:port now (unless it was already submitted) and return its future.

        Host names compare case-insensitively; the second call for a host:port returns the very
        same future. The future never raises (see `scan_host`).
        """
        key = (host.lower().rstrip("."), port)
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._pool.submit(
                    scan_host,
                    key[0],
                    port,
                    self.resolver,
                    self.trust,
                    self.profile,
                    self.slow,
                    self.policy,
                )
                self._futures[key] = future
            return future

    def results(self) -> dict[tuple[str, int], TlsResult]:
        """Wait for every submitted scan and return (host, port) -> result."""
        with self._lock:
            futures = dict(self._futures)
        return {key: future.result() for key, future in futures.items()}

    def expiring(self) -> list[tuple[str, int]]:
        """Finished scans whose certificate expires within `expiry_days` (and has not yet)."""
        return sorted(
            key
            for key, result in self.results().items()
            if is_expiring(result, within_days=self.expiry_days)
        )

    def shutdown(self, wait: bool = True) -> None:
        """Cancel scans that have not started and (unless `wait` is False: the time budget is
        used up) wait for the running ones to end."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> TlsScanner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


def is_expiring(result: TlsResult, within_days: int = 30) -> bool:
    """True when the host's certificate is still valid but has fewer than `within_days` left."""
    cert = result.certificate
    return cert is not None and cert.days_left is not None and 0 <= cert.days_left < within_days


# ---------------------------------------------------------------------------------------------
# Running sslyze
# ---------------------------------------------------------------------------------------------


def _scan_into(
    result: TlsResult,
    host: str,
    port: int,
    policy: NetPolicy,
    trust: Trust,
    profile: str,
    slow: bool,
) -> None:
    # Resolved once and checked here; sslyze connects to that very address (no second lookup).
    url = f"https://{f'[{host}]' if ':' in host else host}:{port}/"
    try:
        address = policy.admit_blocking(url, "tls", outside_scope=True).address
    except (PolicyRefused, ConnectionError) as exc:
        _unreachable(result, str(exc))
        return
    try:
        location = ServerNetworkLocation(hostname=host, port=port, ip_address=address)
    except ServerHostnameCouldNotBeResolved:
        _unreachable(result, f"{host}: the host name could not be resolved")
        return

    extra = ScanCommandsExtraArguments()
    if trust.ca_bundle is not None:
        extra = ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=trust.ca_bundle)
        )
    request = ServerScanRequest(
        server_location=location,
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication=location.hostname,
            network_timeout=10 if slow else 5,
            network_max_retries=3 if slow else 2,
        ),
        scan_commands=set(SCAN_COMMANDS),
        scan_commands_extra_arguments=extra,
    )
    scanner = Scanner(
        per_server_concurrent_connections_limit=SLOW_CONNECTIONS if slow else FAST_CONNECTIONS,
        concurrent_server_scans_limit=1,
    )
    scanner.queue_scans([request])
    (server_result,) = list(scanner.get_results())

    if server_result.connectivity_status != ServerConnectivityStatusEnum.COMPLETED:
        trace = server_result.connectivity_error_trace
        reason = _connection_error(str(trace) if trace is not None else "")
        _unreachable(result, f"{host}:{port} ({location.ip_address}): {reason}")
        return

    attempts = server_result.scan_result
    failed = [
        command.value
        for command in sorted(SCAN_COMMANDS, key=lambda c: c.value)
        if getattr(attempts, command.value).status != ScanCommandAttemptStatusEnum.COMPLETED
    ]
    if failed:
        result.error = "sslyze could not complete: " + ", ".join(failed)

    read_protocols(result, attempts)
    result.certificate = read_certificate(attempts, host)
    result.vulnerabilities = read_vulnerabilities(attempts)
    result.profile_compliant, result.profile_issues = check_profile(server_result, profile)


def _unreachable(result: TlsResult, error: str) -> None:
    result.reachable = False
    result.error = error


def _connection_error(text: str) -> str:
    """sslyze's `host:port -> "reason".` reduced to the reason."""
    match = re.search(r'-> "(.*)"\.?$', text.strip())
    reason = match.group(1) if match else text.strip()
    return reason or "no TLS connection could be made"
