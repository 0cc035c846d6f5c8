"""TLS evidence for one host:port: sslyze's scan, read into the shared `TlsResult`.

A scan runs once per host:port (design.md): `TlsScanner.submit` starts it in a thread pool the
moment the crawl first sees a host, and hands back the same future to anyone who asks again.
`scan_host` is the blocking unit underneath and never raises: a host that does not answer comes
back as `reachable=False` with a one-line `error`.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import ipaddress
import re
import threading
import time
import warnings
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName, IPAddress
from sslyze import RobotScanResultEnum, TrustStore
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

from scanner.model import Certificate, TlsResult
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy, PolicyRefused
from scanner.transport.profiles import check_profile, profile_enum, profile_version

# sslyze's bundled trust stores hold a few old roots with negative serial numbers; loading them
# warns once per process, which says nothing about the host being scanned.
warnings.filterwarnings(
    "ignore",
    message="Parsed a serial number which wasn't positive",
    category=CryptographyDeprecationWarning,
)

PROTOCOLS: dict[str, str] = {
    "SSL 2.0": "ssl_2_0_cipher_suites",
    "SSL 3.0": "ssl_3_0_cipher_suites",
    "TLS 1.0": "tls_1_0_cipher_suites",
    "TLS 1.1": "tls_1_1_cipher_suites",
    "TLS 1.2": "tls_1_2_cipher_suites",
    "TLS 1.3": "tls_1_3_cipher_suites",
}
"""Protocol name as reports show it -> the sslyze scan command result that tests it."""

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

ValidationError = str
"""One of the readable reasons below, or sslyze's own words for anything else."""
EXPIRED = "expired"
NOT_YET_VALID = "not yet valid"
HOSTNAME_MISMATCH = "hostname mismatch"
SELF_SIGNED = "self-signed"
UNTRUSTED_ROOT = "untrusted root"
INCOMPLETE_CHAIN = "incomplete chain"


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

    _read_protocols(result, attempts)
    result.certificate = _read_certificate(attempts, host)
    result.vulnerabilities = _read_vulnerabilities(attempts)
    result.profile_compliant, result.profile_issues = check_profile(server_result, profile)


def _unreachable(result: TlsResult, error: str) -> None:
    result.reachable = False
    result.error = error


def _connection_error(text: str) -> str:
    """sslyze's `host:port -> "reason".` reduced to the reason."""
    match = re.search(r'-> "(.*)"\.?$', text.strip())
    reason = match.group(1) if match else text.strip()
    return reason or "no TLS connection could be made"


def _completed(attempt: Any) -> Any | None:
    """The result of a scan command attempt, or None when it did not complete."""
    if attempt.status == ScanCommandAttemptStatusEnum.COMPLETED:
        return attempt.result
    return None


# ---------------------------------------------------------------------------------------------
# Protocols and cipher suites
# ---------------------------------------------------------------------------------------------


def _read_protocols(result: TlsResult, attempts: Any) -> None:
    for protocol, field in PROTOCOLS.items():
        suites_result = _completed(getattr(attempts, field))
        if suites_result is None:
            continue  # unknown is not "rejected": leave the protocol out
        accepted = [a.cipher_suite for a in suites_result.accepted_cipher_suites]
        result.protocols[protocol] = bool(suites_result.is_tls_version_supported)
        if accepted:
            result.cipher_suites[protocol] = [suite.name for suite in accepted]
        for suite in accepted:
            reasons = cipher_weaknesses(suite.name, anonymous=suite.is_anonymous)
            if reasons:
                result.weak_cipher_suites.append(f"{protocol}: {suite.name} ({', '.join(reasons)})")


_FORWARD_SECRET_KEY_EXCHANGES = ("TLS_ECDHE_", "TLS_DHE_", "TLS_CECPQ")
_TLS13_SUITES = ("TLS_AES_", "TLS_CHACHA20_", "TLS_SM4_")


def cipher_weaknesses(name: str, *, anonymous: bool = False) -> list[str]:
    """Why a cipher suite (IANA name, as sslyze gives it) is weak; empty when it is not.

    Weak: NULL encryption, EXPORT grade, RC4, DES or 3DES, anonymous (no server
    authentication), MD5 MACs, and key exchanges without forward secrecy (static RSA, static
    (EC)DH, plain PSK): a recording of today's traffic can be decrypted with tomorrow's stolen key.
    """
    upper = name.upper()
    reasons: list[str] = []
    if "_NULL_" in upper or upper.endswith("_NULL") or "WITH_NULL" in upper:
        reasons.append("NULL encryption")
    if "EXPORT" in upper:
        reasons.append("EXPORT grade")
    if "RC4" in upper:
        reasons.append("RC4")
    if "3DES" in upper or "DES_192_EDE3" in upper:
        reasons.append("3DES")
    elif "_DES_" in upper or "DES40" in upper or "_DES64_" in upper:
        reasons.append("DES")
    if anonymous or "_ANON_" in upper:
        reasons.append("anonymous")
    if upper.endswith("_MD5"):
        reasons.append("MD5")
    ephemeral = upper.startswith(_TLS13_SUITES + _FORWARD_SECRET_KEY_EXCHANGES)
    if not ephemeral and "_ANON_" not in upper:  # anonymous DH is ephemeral; flagged above
        reasons.append("no forward secrecy")
    return reasons


# ---------------------------------------------------------------------------------------------
# Certificate
# ---------------------------------------------------------------------------------------------


def _read_certificate(attempts: Any, host: str) -> Certificate | None:
    info = _completed(attempts.certificate_info)
    if info is None or not info.certificate_deployments:
        return None
    # The first deployment is what a modern client (TLS 1.3, or the server's default) receives.
    deployment = info.certificate_deployments[0]
    chain: list[x509.Certificate] = list(deployment.received_certificate_chain)
    leaf = chain[0]
    now = dt.datetime.now(dt.UTC)
    not_before, not_after = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    key_type, key_size = _describe_key(leaf)
    sans = _subject_alt_names(leaf)
    trusted = any(p.was_validation_successful for p in deployment.path_validation_results)
    cert = Certificate(
        subject=leaf.subject.rfc4514_string(),
        issuer=leaf.issuer.rfc4514_string(),
        san=sans,
        not_before=not_before,
        not_after=not_after,
        days_left=(not_after - now).days,  # whole days, rounded down: -1 once expired
        key_type=key_type,
        key_size=key_size,
        signature_algorithm=_signature_algorithm(leaf),
        sha256=leaf.fingerprint(hashes.SHA256()).hex(),
        trusted=trusted,
        hostname_matches=hostname_matches(sans, host),
        self_signed=_is_self_signed(leaf),
    )
    if not trusted:
        cert.validation_errors = _validation_errors(deployment, chain, cert, now)
    return cert


def _validation_errors(
    deployment: Any, chain: list[x509.Certificate], cert: Certificate, now: dt.datetime
) -> list[ValidationError]:
    """Every reason the chain failed, not only the first one the verifier stopped at.

    The verifier reports one error (an expired certificate hides an untrusted root), so each
    cause is checked on its own: the dates, the name, then the chain itself, re-verified at a
    moment every certificate is valid and for a name the leaf carries.
    """
    errors: list[ValidationError] = []
    if any(c.not_valid_after_utc < now for c in chain):
        errors.append(EXPIRED)
    if any(c.not_valid_before_utc > now for c in chain):
        errors.append(NOT_YET_VALID)
    if not cert.hostname_matches:
        errors.append(HOSTNAME_MISMATCH)
    chain_error = _chain_error(deployment, chain)
    if chain_error is not None:
        errors.append(chain_error)
    if not errors:
        # None of the known causes: say what the verifier said.
        messages = {p.validation_error for p in deployment.path_validation_results}
        errors.extend(sorted(_short(m) for m in messages if m))
    return errors


def _chain_error(deployment: Any, chain: list[x509.Certificate]) -> ValidationError | None:
    """What is wrong with the chain itself, whatever the dates and the name.

    Each trust store sslyze validated against verifies the chain again (its public
    `TrustStore.verify_certificate_chain`) at a moment every certificate is valid and for a name
    the leaf carries, so an expired leaf cannot hide a missing intermediate or the reverse.
    """
    if _is_self_signed(chain[0]):
        return SELF_SIGNED
    pems = [c.public_bytes(Encoding.PEM).decode("ascii") for c in chain]
    subject = _name_the_leaf_carries(chain[0])
    if subject is None:
        return None  # no name to verify for: the name check reports it
    moment = _moment_all_valid(chain)
    messages: list[str] = []
    for path in deployment.path_validation_results:
        store: TrustStore = path.trust_store
        with warnings.catch_warnings():  # the store loads its old roots lazily, here
            warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
            verdict = store.verify_certificate_chain(pems, subject, validation_time=moment)
        if verdict.was_validation_successful:
            return None
        messages.append(verdict.validation_error or "")
    if _is_self_signed(chain[-1]):
        return UNTRUSTED_ROOT  # the server sent its root, and no trust store holds it
    if all(_NO_PATH in m for m in messages):
        # The issuer was neither sent nor trusted: a missing intermediate. (A private CA
        # whose server leaves its untrusted root out looks the same from the outside.)
        return INCOMPLETE_CHAIN
    return _short(next((m for m in messages if _NO_PATH not in m), messages[0]))


# What cryptography's verifier says when no chain reaches an anchor and nothing else is wrong.
_NO_PATH = "no interior errors"


def _name_the_leaf_carries(leaf: x509.Certificate) -> DNSName | IPAddress | None:
    for name in _san_extension(leaf):
        if isinstance(name, x509.DNSName):
            value = name.value.removeprefix("*.")
            label = "wildcard." if name.value.startswith("*.") else ""
            try:
                return DNSName(label + value)
            except ValueError:
                continue
        if isinstance(name, x509.IPAddress) and not isinstance(
            name.value, ipaddress.IPv4Network | ipaddress.IPv6Network
        ):
            return IPAddress(name.value)
    return None


def _moment_all_valid(chain: list[x509.Certificate]) -> dt.datetime:
    """A moment inside every certificate's validity (now when there is none)."""
    start = max(c.not_valid_before_utc for c in chain)
    end = min(c.not_valid_after_utc for c in chain)
    return start + (end - start) / 2 if start <= end else dt.datetime.now(dt.UTC)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def hostname_matches(sans: Iterable[str], host: str) -> bool:
    """True when `host` is one of the certificate's subjectAltNames, as a browser matches them.

    A wildcard stands for exactly one left-most label (`*.shop.test` covers `a.shop.test`, not
    `shop.test` or `a.b.shop.test`). The subject's CN is ignored, as browsers ignore it.
    """
    host = host.lower().rstrip(".")
    try:
        host_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        host_ip = None
    for san in sans:
        san = san.lower().rstrip(".")
        if host_ip is not None:
            try:
                if ipaddress.ip_address(san) == host_ip:
                    return True
            except ValueError:
                pass
            continue
        if san == host:
            return True
        if san.startswith("*.") and "." in host:
            label, rest = host.split(".", 1)
            if label and rest == san[2:]:
                return True
    return False


def _san_extension(cert: x509.Certificate) -> list[x509.GeneralName]:
    try:
        return list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return []


def _subject_alt_names(cert: x509.Certificate) -> list[str]:
    names: list[str] = []
    for name in _san_extension(cert):
        if isinstance(name, x509.DNSName | x509.IPAddress):
            names.append(str(name.value))
    return names


def _is_self_signed(cert: x509.Certificate) -> bool:
    return _issued_by(cert, cert)


def _describe_key(cert: x509.Certificate) -> tuple[str, int | None]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, None


def _signature_algorithm(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    return getattr(oid, "_name", None) or oid.dotted_string


def _short(message: str) -> str:
    """sslyze's verifier message without the certificate repr it appends."""
    message = message.removeprefix("validation failed: ")
    return message.split(" (encountered processing", 1)[0].strip()


# ---------------------------------------------------------------------------------------------
# Vulnerabilities
# ---------------------------------------------------------------------------------------------


def _read_vulnerabilities(attempts: Any) -> dict[str, bool]:
    """Known TLS attacks -> vulnerable; a check whose scan failed is left out (not False)."""
    found: dict[str, bool] = {}
    if (heartbleed := _completed(attempts.heartbleed)) is not None:
        found["heartbleed"] = bool(heartbleed.is_vulnerable_to_heartbleed)
    if (robot := _completed(attempts.robot)) is not None:
        found["robot"] = robot.robot_result in (
            RobotScanResultEnum.VULNERABLE_STRONG_ORACLE,
            RobotScanResultEnum.VULNERABLE_WEAK_ORACLE,
        )
    if (ccs := _completed(attempts.openssl_ccs_injection)) is not None:
        found["ccs_injection"] = bool(ccs.is_vulnerable_to_ccs_injection)
    if (renegotiation := _completed(attempts.session_renegotiation)) is not None:
        found["insecure_renegotiation"] = not renegotiation.supports_secure_renegotiation
        found["client_renegotiation_dos"] = bool(
            renegotiation.is_vulnerable_to_client_renegotiation_dos
        )
    if (compression := _completed(attempts.tls_compression)) is not None:
        found["compression"] = bool(compression.supports_compression)
    if (fallback := _completed(attempts.tls_fallback_scsv)) is not None:
        # Without TLS_FALLBACK_SCSV a man in the middle can push a client down to an older
        # protocol the server also accepts.
        found["downgrade"] = not fallback.supports_fallback_scsv
    return found
