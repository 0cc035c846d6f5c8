"""The sockets of the test and demo server: TLS contexts per host, one listener per address and
port, and the handler that answers from the hosts' routes (scanner/demo/server.py)."""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import ssl
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from scanner.demo.hosts import Host, Incoming, Response, TlsSettings
from scanner.demo.pki import IssuedCert

if TYPE_CHECKING:
    from scanner.demo.server import SiteServer

log = logging.getLogger(__name__)

_TLS_VERSIONS: dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.0": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}

_SOCKET_TIMEOUT = 10.0

MOZILLA_INTERMEDIATE_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ]
)
"""TLS 1.2 suites of Mozilla's intermediate profile (TLS 1.3 suites are all acceptable)."""
"""How long a connection may sit idle (handshake or request) before the server drops it."""


def name_matches(patterns: list[str], name: str) -> bool:
    """True when `name` is one of `patterns` or under one of their `*.domain` wildcards."""
    name = name.lower().rstrip(".")
    return any(
        name == p.lower() or (p.startswith("*.") and name.endswith(p[1:].lower())) for p in patterns
    )


def random_network() -> str:
    """A random 127.A.B prefix, never 127.0.x (127.0.0.1 is everybody's)."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}"


def server_context(settings: TlsSettings, cert: IssuedCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: serving them is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = _TLS_VERSIONS[settings.min_version]
            if settings.max_version is not None:
                context.maximum_version = _TLS_VERSIONS[settings.max_version]
    except KeyError as error:
        raise ValueError(f"unknown TLS version {error.args[0]!r}") from None
    legacy = context.minimum_version < ssl.TLSVersion.TLSv1_2
    if settings.ciphers is not None:
        context.set_ciphers(settings.ciphers)
    elif legacy:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    else:
        # A well-configured host is what Mozilla's intermediate profile describes: AEAD suites
        # with ECDHE only, and the curves it names (OpenSSL's defaults add CBC and X448).
        context.set_ciphers(MOZILLA_INTERMEDIATE_CIPHERS)
        context.set_ecdh_curve("prime256v1")
    context.load_cert_chain(cert.cert_chain_pem, cert.key_pem)
    return context


class Listener(ThreadingHTTPServer):
    """One host's listener on one address:port (TLS is negotiated per connection, in the
    connection's own thread, so a silent client cannot hold up the others)."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        site: SiteServer,
        host: Host,
        tls: ssl.SSLContext | None,
    ) -> None:
        self.site = site
        self.host = host
        self.tls = tls
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup of the address: skip it (offline).
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        self.site._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.site._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up, send garbage or fail the handshake are normal in tests.
        log.debug("connection from %s ended badly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: Listener
    protocol_version = "HTTP/1.1"
    server_version = "complyscan-demo/1"
    sys_version = ""
    scheme: Literal["http", "https"] = "http"
    timeout = _SOCKET_TIMEOUT

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        if self.server.tls is not None:
            first = self.request.recv(1, socket.MSG_PEEK)
            # 0x16 opens a TLS handshake, a high bit an SSL 2.0 hello (which OpenSSL refuses at
            # once; waiting for a request line instead stalled every sslyze scan by its SSL 2.0
            # probes' timeouts). Anything else is someone speaking plain HTTP (or nonsense) to
            # the TLS port, answered as a plain-HTTP listener that redirects.
            if first == b"\x16" or (first and first[0] & 0x80):
                self.request = self.server.tls.wrap_socket(self.request, server_side=True)
                self.scheme = "https"
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.server.host.name, format % args)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (OSError, ssl.SSLError) as error:
            log.debug("%s: %s", self.server.host.name, error)
            self.close_connection = True

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        host = self.server.host
        asked = headers.get("host", "").rsplit(":", 1)[0].lower()
        incoming = Incoming(
            host=asked if name_matches(host.names, asked) else host.name,
            scheme=self.scheme,
            method=self.command,
            path=self.path,
            headers=headers,
            body=body,
            client=str(self.client_address[0]),
            received_at=time.time(),
        )
        self.server.site._record(incoming)
        self._send(self._response_for(incoming))

    def _response_for(self, incoming: Incoming) -> Response:
        host = self.server.host
        site = self.server.site
        if self.scheme == "http" and host.https and (host.http != "serve" or self.server.tls):
            # The TLS port answering plain HTTP always redirects, as well-run servers do.
            location = site.url(incoming.host, incoming.path)
            return Response(f"Moved to {location}\n", 301, "text/plain", [("Location", location)])
        route = host.routes.get(urlsplit(self.path).path)
        if route is None:
            return Response("<h1>404 Not Found</h1>", 404)
        return route(incoming) if callable(route) else route

    def _send(self, response: Response) -> None:
        site = self.server.site
        if response.delay > 0:
            time.sleep(response.delay)
        body = response.body
        if isinstance(body, str):
            body = site.substitute(body).encode("utf-8")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.scheme == "https":
            for name, value in self.server.host.headers.items():
                self.send_header(name, site.substitute(value))
        for name, value in response.headers:
            self.send_header(name, site.substitute(value))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if response.status == 101:
            self._hold_upgraded()

    def _hold_upgraded(self) -> None:
        """A switched protocol (a WebSocket) is no HTTP any more: what the client sends is read
        and dropped until it hangs up, instead of being parsed as the next request (which
        closed the socket under the page, a race with what the page sent next)."""
        self.wfile.flush()
        with contextlib.suppress(OSError, ValueError):
            while self.rfile.read1(65536):
                pass
        self.close_connection = True
