"""What the test and demo server serves: hosts, their TLS settings and routes, and the requests
they receive (scanner/demo/server.py serves them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from scanner.demo.pki import CertKind, KeyType

TlsVersionName = Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


@dataclass(frozen=True)
class Incoming:
    """One request the server received, as the client sent it."""

    host: str
    """The configured host whose address the request arrived at."""
    scheme: Literal["http", "https"]
    """"https" when it came over TLS."""
    method: str
    path: str
    """The request target as sent: path and query string."""
    headers: dict[str, str]
    """Header names lower-cased; repeated headers joined with ", "."""
    body: bytes
    client: str = ""
    """The client's address."""
    received_at: float = 0.0
    """time.time() when the request line was read."""

    @property
    def url(self) -> str:
        """The URL the client asked for, by host name (no port)."""
        return f"{self.scheme}://{self.host}{self.path}"

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string, decoded."""
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    @property
    def form(self) -> dict[str, list[str]]:
        """The body as application/x-www-form-urlencoded fields (empty when it is not)."""
        try:
            return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return {}


@dataclass
class Response:
    """What a route answers. Text bodies may hold the placeholders `{{HTTPS_PORT}}`,
    `{{HTTP_PORT}}`, `{{HTTPS_ORIGIN:host}}` and `{{HTTP_ORIGIN:host}}`, filled in at serve time
    (header values too), so a site can be written before its ports are known."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    """Extra headers; a name may repeat (several Set-Cookie)."""
    delay: float = 0.0
    """Seconds to wait before answering (slow-server tests)."""


Route = Response | Callable[[Incoming], Response]
"""A fixed answer, or a function of the request that makes one."""


@dataclass
class TlsSettings:
    """How a host's TLS listener is configured."""

    min_version: str = "TLSv1.2"
    """Lowest protocol accepted: TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3."""
    max_version: str | None = None
    """Highest protocol accepted (None: the library's highest)."""
    ciphers: str | None = None
    """An OpenSSL cipher string for TLS 1.2 and below; None means OpenSSL's DEFAULT, lowered to
    @SECLEVEL=0 when min_version is below TLS 1.2 (OpenSSL 3 refuses TLS 1.0/1.1 otherwise)."""
    cert: CertKind = "good"
    """What is right or wrong with the host's certificate."""
    key: KeyType = "ec"
    """The certificate's key type: "rsa" to offer static-RSA (non-forward-secret) suites."""


@dataclass
class Host:
    """One host name the server answers for, on an address of its own."""

    name: str
    https: bool = True
    """False: no TLS listener (a plain-HTTP-only host; `http` then always serves)."""
    tls: TlsSettings = field(default_factory=TlsSettings)
    http: Literal["redirect", "serve", "none"] = "redirect"
    """Plain HTTP: answer 301 to the https URL, serve the same routes, or listen not at all."""
    headers: dict[str, str] = field(default_factory=dict)
    """Headers added to every HTTPS response (e.g. Strict-Transport-Security)."""
    routes: dict[str, Route] = field(default_factory=dict)
    """Path (no query string) -> answer; anything else is 404."""
    aliases: list[str] = field(default_factory=list)
    """More names served at the same address, with the same routes and certificate; a
    `*.domain` alias covers every subdomain (in the certificate and in `resolve_rules()`)."""

    @property
    def names(self) -> list[str]:
        """The host's name and its aliases."""
        return [self.name, *self.aliases]


def substitute(text: str, origin: Callable[[str, str], str], ports: tuple[int, int]) -> str:
    """Fill the `{{...}}` placeholders of `text`: `origin(scheme, host)` makes an origin and
    `ports` is (https, http)."""

    def replace(match: re.Match[str]) -> str:
        token, _, host = match.group(1).partition(":")
        if token == "HTTPS_PORT":
            return str(ports[0])
        if token == "HTTP_PORT":
            return str(ports[1])
        if token == "HTTPS_ORIGIN" and host:
            return origin("https", host)
        if token == "HTTP_ORIGIN" and host:
            return origin("http", host)
        return match.group(0)

    return re.sub(r"\{\{([A-Z_]+(?::[^{}\s]+)?)\}\}", replace, text)
