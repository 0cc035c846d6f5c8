"""The test PKI: each certificate kind is right or wrong in exactly the way it says.

Certificates are checked with cryptography's strict (webpki-style) verifier, and the good one
also with sslyze's own validation against the test root, since sslyze rejects what trustme makes.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID

from scanner.demo.pki import (
    CERT_KINDS,
    EXPIRING_DAYS,
    WRONG_HOST_NAME,
    CertKind,
    IssuedCert,
    TestPKI,
)

HOST = "www.example.test"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return TestPKI.create(tmp_path_factory.mktemp("pki"))


def _chain(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def _verify(
    pki: TestPKI,
    cert: IssuedCert,
    host: str = HOST,
    extra: bool = False,
    at: datetime | None = None,
) -> None:
    """Raise VerificationError unless `cert` validates for `host` against the test root only,
    with the intermediates the server sends (plus the known intermediate when `extra`), now or
    `at` the given moment."""
    leaf, *sent = _chain(cert.cert_chain_pem)
    if extra:
        sent += _chain(pki.intermediate_pem)
    store = verification.Store(_chain(pki.ca_pem))
    builder = verification.PolicyBuilder().store(store)
    if at is not None:
        builder = builder.time(at)
    verifier = builder.build_server_verifier(x509.DNSName(host))
    verifier.verify(leaf, sent)


def test_good_certificate_validates_strictly_and_looks_like_a_public_one(pki: TestPKI) -> None:
    cert = pki.issue([HOST, "example.test"])

    _verify(pki, cert)
    _verify(pki, cert, "example.test")
    leaf, intermediate = _chain(cert.cert_chain_pem)
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    assert leaf.signature_hash_algorithm is not None
    assert leaf.signature_hash_algorithm.name == "sha256"
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert not san.critical
    assert san.value.get_values_for_type(x509.DNSName) == [HOST, "example.test"]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    for extension in (
        x509.BasicConstraints,
        x509.KeyUsage,
        x509.SubjectKeyIdentifier,
        x509.AuthorityKeyIdentifier,
    ):
        leaf.extensions.get_extension_for_class(extension)
    life = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert timedelta(days=90) <= life <= timedelta(days=92)
    assert cert.not_after == leaf.not_valid_after_utc
    assert intermediate.subject == leaf.issuer
    assert cert.leaf_pem.read_bytes() == leaf.public_bytes(serialization.Encoding.PEM)
    assert cert.sha256 == leaf.fingerprint(hashes.SHA256()).hex()


def test_spki_hash_is_the_form_chromium_takes(pki: TestPKI) -> None:
    cert = pki.issue([HOST])
    leaf = _chain(cert.leaf_pem)[0]
    spki = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    assert cert.spki_sha256_b64 == base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.mark.parametrize("kind", [k for k in CERT_KINDS if k not in ("good", "expiring")])
def test_each_bad_kind_fails_verification(pki: TestPKI, kind: CertKind) -> None:
    cert = pki.issue([HOST], kind)

    with pytest.raises(verification.VerificationError):
        _verify(pki, cert)


def test_validity_windows(pki: TestPKI) -> None:
    now = datetime.now(UTC)

    expired = pki.issue([HOST], "expired")
    assert expired.not_after < now - timedelta(days=29)
    _verify(pki, expired, at=expired.not_after - timedelta(days=1))  # time is its only defect
    future = pki.issue([HOST], "not-yet-valid")
    assert _chain(future.leaf_pem)[0].not_valid_before_utc > now
    _verify(pki, future, at=future.not_after - timedelta(days=1))
    expiring = pki.issue([HOST], "expiring")
    _verify(pki, expiring)
    assert (expiring.not_after - now).days in (EXPIRING_DAYS - 1, EXPIRING_DAYS)
    assert pki.issue([HOST], days=30).not_after < now + timedelta(days=31)


def test_incomplete_chain_is_fine_once_the_intermediate_is_known(pki: TestPKI) -> None:
    cert = pki.issue([HOST], "incomplete-chain")

    assert len(_chain(cert.cert_chain_pem)) == 1
    _verify(pki, cert, extra=True)


def test_self_signed_and_untrusted_root_are_not_signed_by_the_test_root(pki: TestPKI) -> None:
    root = _chain(pki.ca_pem)[0]
    self_signed = _chain(pki.issue([HOST], "self-signed").cert_chain_pem)
    untrusted = _chain(pki.issue([HOST], "untrusted-root").cert_chain_pem)

    assert len(self_signed) == 1 and self_signed[0].issuer == self_signed[0].subject
    assert untrusted[0].issuer == untrusted[1].subject != root.subject


def test_wrong_host_names_another_host_only(pki: TestPKI) -> None:
    cert = pki.issue([HOST], "wrong-host")
    leaf = _chain(cert.leaf_pem)[0]
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert san.get_values_for_type(x509.DNSName) == [WRONG_HOST_NAME]
    _verify(pki, cert, WRONG_HOST_NAME)


def test_issuing_is_cached_and_kinds_never_share_a_key(pki: TestPKI) -> None:
    first = pki.issue([HOST])

    assert pki.issue([HOST]) is first
    assert pki.issue(["other.example.test"]).spki_sha256_b64 == first.spki_sha256_b64
    spkis = {pki.issue([HOST], kind).spki_sha256_b64 for kind in CERT_KINDS}
    assert len(spkis) == len(CERT_KINDS)


def test_rsa_leaf_allows_static_rsa_key_exchange(pki: TestPKI) -> None:
    cert = pki.issue([HOST], key="rsa")
    leaf = _chain(cert.leaf_pem)[0]

    _verify(pki, cert)
    assert isinstance(leaf.public_key(), rsa.RSAPublicKey)
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.key_encipherment


def test_ip_address_names(pki: TestPKI) -> None:
    leaf = _chain(pki.issue(["127.0.0.1"]).leaf_pem)[0]
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_create_reuses_the_ca_already_in_the_directory(tmp_path: Path) -> None:
    first = TestPKI.create(tmp_path)
    again = TestPKI.create(tmp_path)

    assert again.ca_pem.read_bytes() == first.ca_pem.read_bytes()
    _verify(again, first.issue([HOST]))


def test_unknown_kind_and_empty_names_are_refused(pki: TestPKI) -> None:
    with pytest.raises(ValueError):
        pki.issue([])
    with pytest.raises(ValueError):
        pki.issue([HOST], "revoked")  # type: ignore[arg-type]
