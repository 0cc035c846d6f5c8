"""The certificate a host presents: the leaf described, and every reason its chain fails
(checked with sslyze's public `TrustStore.verify_certificate_chain`)."""

from __future__ import annotations

import datetime as dt
import ipaddress
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
from sslyze import TrustStore

from scanner.model import Certificate
from scanner.transport.attempts import completed

ValidationError = str
"""One of the readable reasons below, or sslyze's own words for anything else."""
EXPIRED = "expired"
NOT_YET_VALID = "not yet valid"
HOSTNAME_MISMATCH = "hostname mismatch"
SELF_SIGNED = "self-signed"
UNTRUSTED_ROOT = "untrusted root"
INCOMPLETE_CHAIN = "incomplete chain"


def read_certificate(attempts: Any, host: str) -> Certificate | None:
    info = completed(attempts.certificate_info)
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
