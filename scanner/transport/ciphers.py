"""Protocols and cipher suites: which a host accepts, and which of them are weak."""

from __future__ import annotations

from typing import Any

from scanner.model import TlsResult
from scanner.transport.attempts import completed

PROTOCOLS: dict[str, str] = {
    "SSL 2.0": "ssl_2_0_cipher_suites",
    "SSL 3.0": "ssl_3_0_cipher_suites",
    "TLS 1.0": "tls_1_0_cipher_suites",
    "TLS 1.1": "tls_1_1_cipher_suites",
    "TLS 1.2": "tls_1_2_cipher_suites",
    "TLS 1.3": "tls_1_3_cipher_suites",
}
"""Protocol name as reports show it -> the sslyze scan command result that tests it."""


def read_protocols(result: TlsResult, attempts: Any) -> None:
    for protocol, field in PROTOCOLS.items():
        suites_result = completed(getattr(attempts, field))
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
