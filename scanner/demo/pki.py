"""A throw-away certificate authority for tests and the demo, strict enough for sslyze.

trustme's certificates fail sslyze's strict verifier (critical SAN, 27-year life), so this module
builds certificates the way a public CA would: EC P-256 keys (RSA on request, for servers that
must offer static-RSA suites), SHA-256 signatures, a non-critical SAN, BasicConstraints, KeyUsage,
EKU serverAuth, SKI/AKI, and a 90-day leaf. Leaves are signed by an intermediate CA that is signed
by the root in `ca.pem`; the server sends leaf + intermediate, as a real site does.

Every `CertKind` is one way a certificate can be wrong (or right), so tests and the demo can ask
for "a host whose certificate expired" in one word.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CertKind = Literal[
    "good",
    "expired",
    "not-yet-valid",
    "wrong-host",
    "self-signed",
    "untrusted-root",
    "incomplete-chain",
    "expiring",
]
"""What is right or wrong with an issued certificate:

- good: valid for the names, chained to the test root through the intermediate;
- expired: its validity ended 30 days ago; not-yet-valid: it starts in 30 days;
- wrong-host: valid, but for another name (`wrong-host.invalid`) only;
- self-signed: its own issuer; untrusted-root: signed by a root that is not in `ca.pem`;
- incomplete-chain: signed by the intermediate, but the chain file holds the leaf only;
- expiring: valid, but ends in 10 days.
"""

CERT_KINDS: tuple[CertKind, ...] = get_args(CertKind)

KeyType = Literal["ec", "rsa"]
"""The leaf's key: EC P-256, or RSA 2048 (needed to serve static-RSA cipher suites)."""

WRONG_HOST_NAME = "wrong-host.invalid"
"""The only name in a `wrong-host` certificate."""

EXPIRING_DAYS = 10
"""How many days an `expiring` certificate has left."""

_ROOT_DAYS = 3650
_INTERMEDIATE_DAYS = 1825
_BACKDATE = timedelta(days=1)
"""Leaves start a day early so that clock skew between processes cannot matter."""
_CA_BACKDATE = timedelta(days=365)
"""CAs start a year early, so that every leaf (expired ones too) lies inside their validity."""

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class IssuedCert:
    """One leaf certificate and its key, written as PEM files ready for a TLS server."""

    kind: CertKind
    """What is right or wrong with it."""
    hostnames: tuple[str, ...]
    """The names it was issued for (a wrong-host certificate does not contain them)."""
    cert_chain_pem: Path
    """What a server sends: the leaf, then the intermediate (leaf only for incomplete-chain and
    self-signed)."""
    key_pem: Path
    """The leaf's private key (PKCS#8, unencrypted)."""
    leaf_pem: Path
    """The leaf certificate alone."""
    spki_sha256_b64: str
    """Base64 SHA-256 of the leaf's SubjectPublicKeyInfo: the form Chromium's
    --ignore-certificate-errors-spki-list takes."""
    not_after: datetime
    """When the leaf's validity ends (UTC)."""
    sha256: str
    """Hex SHA-256 fingerprint of the leaf (DER)."""


@dataclass(frozen=True)
class _Authority:
    """A CA certificate and its key."""

    cert: x509.Certificate
    key: PrivateKey


@dataclass(frozen=True)
class TestPKI:
    """A root CA (in `ca_pem`), an intermediate CA, and the leaves issued so far.

    Create one with `TestPKI.create(directory)`; pass `ca_pem` as complyscan's --ca-bundle.
    Issuing is thread-safe and cached: the same (names, kind, days, key) gives the same files.
    """

    __test__ = False  # not a pytest test class, despite the name

    directory: Path
    """Where every PEM file is written."""
    ca_pem: Path
    """The root certificate: the file to pass as --ca-bundle."""
    name: str
    """The root's common name."""
    _root: _Authority = field(repr=False)
    _intermediate: _Authority = field(repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _keys: dict[tuple[str, KeyType], PrivateKey] = field(
        default_factory=dict, repr=False, compare=False
    )
    _issued: dict[tuple[tuple[str, ...], CertKind, int, KeyType], IssuedCert] = field(
        default_factory=dict, repr=False, compare=False
    )
    _other_roots: dict[str, _Authority] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(cls, directory: Path, name: str = "complyscan test CA") -> TestPKI:
        """Make (or reopen) the CA in `directory`: writes ca.pem, ca-key.pem and the
        intermediate's files. An existing CA there is reused, so a browser that already trusts
        it keeps trusting it across demo runs."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        ca_pem = directory / "ca.pem"
        root = _load_authority(ca_pem, directory / "ca-key.pem")
        intermediate = _load_authority(
            directory / "intermediate.pem", directory / "intermediate-key.pem"
        )
        if root is None or intermediate is None or root.cert.subject != intermediate.cert.issuer:
            root = _make_ca(name, None)
            intermediate = _make_ca(f"{name} intermediate", root)
            _write_authority(root, ca_pem, directory / "ca-key.pem")
            _write_authority(
                intermediate, directory / "intermediate.pem", directory / "intermediate-key.pem"
            )
        return cls(directory, ca_pem, name, root, intermediate)

    @property
    def intermediate_pem(self) -> Path:
        """The intermediate CA certificate (what an incomplete chain leaves out)."""
        return self.directory / "intermediate.pem"

    def issue(
        self, hostnames: list[str], kind: CertKind = "good", days: int = 90, key: KeyType = "ec"
    ) -> IssuedCert:
        """A leaf certificate for `hostnames` (DNS names, `*.domain` wildcards or IP addresses),
        made wrong in the way `kind` says; `days` is the lifetime of the kinds whose lifetime is
        not fixed by their kind."""
        if not hostnames:
            raise ValueError("a certificate needs at least one host name")
        if kind not in CERT_KINDS:
            raise ValueError(f"unknown certificate kind {kind!r}; expected one of {CERT_KINDS}")
        names = tuple(dict.fromkeys(h.lower().rstrip(".") for h in hostnames))
        cache_key = (names, kind, days, key)
        with self._lock:
            cached = self._issued.get(cache_key)
            if cached is None:
                cached = self._issue(names, kind, days, key)
                self._issued[cache_key] = cached
            return cached

    def _leaf_key(self, kind: CertKind, key_type: KeyType) -> PrivateKey:
        # One key per kind, never shared between kinds: a browser told to trust a good leaf's
        # SPKI must not thereby trust an expired leaf that happens to carry the same key.
        leaf_key = self._keys.get((kind, key_type))
        if leaf_key is None:
            leaf_key = _new_key(key_type)
            self._keys[(kind, key_type)] = leaf_key
        return leaf_key

    def _issue(
        self, names: tuple[str, ...], kind: CertKind, days: int, key_type: KeyType
    ) -> IssuedCert:
        now = datetime.now(UTC)
        not_before, not_after = now - _BACKDATE, now + timedelta(days=days)
        if kind == "expired":
            not_before, not_after = now - timedelta(days=days + 30), now - timedelta(days=30)
        elif kind == "not-yet-valid":
            not_before, not_after = now + timedelta(days=30), now + timedelta(days=days + 30)
        elif kind == "expiring":
            not_before, not_after = now - timedelta(days=80), now + timedelta(days=EXPIRING_DAYS)

        leaf_key = self._leaf_key(kind, key_type)
        san_names = (WRONG_HOST_NAME,) if kind == "wrong-host" else names
        subject = _name(san_names[0])
        chain: list[x509.Certificate] = []
        if kind == "self-signed":
            issuer_name, signing_key = subject, leaf_key
        else:
            issuer = self._untrusted_root() if kind == "untrusted-root" else self._intermediate
            issuer_name, signing_key = issuer.cert.subject, issuer.key
            if kind != "incomplete-chain":
                chain = [issuer.cert]

        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(leaf_key.public_key())
            .serial_number(_serial())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(_general_names(san_names)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(key_encipherment=key_type == "rsa"), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
            )
        )
        if kind != "self-signed":
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
                critical=False,
            )
        leaf = builder.sign(signing_key, hashes.SHA256())

        stem = _file_stem(names, kind, days, key_type)
        leaf_pem = self.directory / "leaves" / f"{stem}.pem"
        chain_pem = self.directory / "leaves" / f"{stem}-chain.pem"
        key_pem = self.directory / "leaves" / f"{stem}-key.pem"
        leaf_pem.parent.mkdir(exist_ok=True)
        leaf_pem.write_bytes(_cert_pem(leaf))
        chain_pem.write_bytes(b"".join(_cert_pem(c) for c in [leaf, *chain]))
        _write_private(key_pem, leaf_key)
        spki = leaf.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return IssuedCert(
            kind=kind,
            hostnames=names,
            cert_chain_pem=chain_pem,
            key_pem=key_pem,
            leaf_pem=leaf_pem,
            spki_sha256_b64=base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii"),
            not_after=not_after.replace(microsecond=0),
            sha256=leaf.fingerprint(hashes.SHA256()).hex(),
        )

    def _untrusted_root(self) -> _Authority:
        # Made once per PKI and kept in memory only: nothing on disk may tempt a test into
        # trusting it.
        authority = self._other_roots.get("untrusted")
        if authority is None:
            authority = _make_ca(f"{self.name} (untrusted)", None)
            self._other_roots["untrusted"] = authority
        return authority


# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _serial() -> int:
    # Positive, at most 20 octets, at least 64 bits of randomness (CA/B Forum baseline).
    return secrets.randbits(120) | (1 << 119)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "complyscan test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _general_names(names: tuple[str, ...]) -> list[x509.GeneralName]:
    general: list[x509.GeneralName] = []
    for name in names:
        try:
            general.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            general.append(x509.DNSName(name))
    return general


def _key_usage(*, ca: bool = False, key_encipherment: bool = False) -> x509.KeyUsage:
    """Signing always; certificate and CRL signing for a CA; key encipherment for an RSA leaf
    (static-RSA key exchange encrypts the premaster secret to the leaf's key)."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _make_ca(common_name: str, issuer: _Authority | None) -> _Authority:
    """A root CA (no issuer) or an intermediate that may sign leaves only (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.cert.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - _CA_BACKDATE)
        .not_valid_after(now + timedelta(days=_INTERMEDIATE_DAYS if issuer else _ROOT_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0 if issuer else None), True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    return _Authority(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, key: PrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _write_authority(authority: _Authority, cert_path: Path, key_path: Path) -> None:
    cert_path.write_bytes(_cert_pem(authority.cert))
    _write_private(key_path, authority.key)


def _load_authority(cert_path: Path, key_path: Path) -> _Authority | None:
    """A CA saved by an earlier run, or None when it is missing, unreadable or near its end."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        return None
    if cert.not_valid_after_utc < datetime.now(UTC) + timedelta(days=365):
        return None
    return _Authority(cert, key)


def _file_stem(names: tuple[str, ...], kind: CertKind, days: int, key_type: KeyType) -> str:
    readable = re.sub(r"[^a-z0-9.-]+", "_", names[0])[:60]
    digest = hashlib.sha256("|".join((*names, kind, str(days), key_type)).encode()).hexdigest()
    return f"{readable}-{kind}-{key_type}-{digest[:10]}"
