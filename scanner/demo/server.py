"""Many HTTPS and HTTP hosts on loopback, each with its own TLS settings: the test and demo server.

Every host gets its own loopback address inside a random 127.A.B.0/24 (a fresh one per server, so
two servers never collide), and all hosts share one HTTPS port and one plain-HTTP port: 443 and 80
when they are free (clean URLs), else a port that is free on every address. A scan reaches the
hosts by their real names through `resolve_rules()` (complyscan's --resolve) and trusts them
through `ca_pem` (--ca-bundle).

    with SiteServer([Host("www.shop.test", routes={"/": Response("<h1>hi</h1>")})], pki) as server:
        httpx.get(server.url("www.shop.test"), ...)

Threaded (one thread accepts on every socket, one daemon thread per connection) so it runs
inside pytest fixtures and behind a CLI command alike; a client that disconnects, sends garbage or
speaks plain HTTP to the TLS port is logged at debug level and forgotten.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import random
import re
import selectors
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from scanner.demo.pki import CertKind, IssuedCert, KeyType, TestPKI

log = logging.getLogger(__name__)

TlsVersionName = Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

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


class SiteServer:
    """Serves `hosts` on loopback until `stop()`; a context manager.

    `prefer_standard_ports` tries 443 and 80 first (they need root, or
    net.ipv4.ip_unprivileged_port_start); otherwise, or when they are taken, a port free on
    every address is used.
    """

    def __init__(
        self, hosts: list[Host], pki: TestPKI, *, prefer_standard_ports: bool = True
    ) -> None:
        names = [n.lower() for h in hosts for n in h.names]
        if len(set(names)) != len(names):
            raise ValueError("two hosts share a name")
        if len(hosts) > 250:
            raise ValueError("at most 250 hosts per server")
        self.hosts = list(hosts)
        self.pki = pki
        self.prefer_standard_ports = prefer_standard_ports
        self.received: list[Incoming] = []
        """Every request received, in order (append-only; read it after the requests finish,
        or use `requests_to()`)."""
        self.https_port = 0
        self.http_port = 0
        self._received_lock = threading.Lock()
        self._addresses: dict[str, str] = {}
        self._servers: list[_Listener] = []
        self._certs: dict[str, IssuedCert] = {}
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        """Open client connections, closed by stop() so that keep-alive clients see the end."""

    # -- the public face ------------------------------------------------------------------------

    @property
    def ca_pem(self) -> str:
        """The test root certificate file: complyscan's --ca-bundle."""
        return str(self.pki.ca_pem)

    def address_of(self, host: str) -> str:
        """The loopback address `host` (a name or alias) is served at."""
        return self._addresses[self._host(host).name]

    def origin(self, scheme: str, host: str) -> str:
        """`https://host[:port]`, the port omitted when it is the scheme's default."""
        port = self.https_port if scheme == "https" else self.http_port
        default = 443 if scheme == "https" else 80
        return f"{scheme}://{host}" if port == default else f"{scheme}://{host}:{port}"

    def url(self, host: str, path: str = "/", scheme: str = "https") -> str:
        """The URL of `path` on `host`, as a browser given `resolve_rules()` would use it."""
        return self.origin(scheme, host) + (path if path.startswith("/") else "/" + path)

    def resolve_rules(self) -> list[str]:
        """`host:address` for every name and alias: the values of complyscan's --resolve."""
        return [f"{name}:{self._addresses[h.name]}" for h in self.hosts for name in h.names]

    def cert_of(self, host: str) -> IssuedCert:
        """The certificate `host` presents (only for HTTPS hosts)."""
        return self._certs[self._host(host).name]

    def requests_to(self, host: str | None = None, method: str | None = None) -> list[Incoming]:
        """A snapshot of the requests received, optionally only those to `host` / by `method`."""
        with self._received_lock:
            snapshot = list(self.received)
        return [
            r
            for r in snapshot
            if (host is None or r.host == host) and (method is None or r.method == method)
        ]

    def substitute(self, text: str) -> str:
        """`text` with this server's ports and origins in place of the placeholders."""
        return substitute(text, self.origin, (self.https_port, self.http_port))

    def __enter__(self) -> SiteServer:
        # A server already started (start_demo returns one) is simply used.
        return self if self._thread is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- starting and stopping ------------------------------------------------------------------

    def start(self) -> SiteServer:
        """Issue certificates, bind every listener and start serving; returns self."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        contexts: dict[str, ssl.SSLContext] = {}
        for host in self.hosts:
            if host.https:
                cert = self.pki.issue(host.names, host.tls.cert, key=host.tls.key)
                self._certs[host.name] = cert
                contexts[host.name] = _server_context(host.tls, cert)
        try:
            self._bind_all(contexts)
        except BaseException:
            self._close_listeners()
            raise
        self._thread = threading.Thread(target=self._serve, name="SiteServer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every listener now; connections in flight are abandoned (daemon threads)."""
        if self._thread is None:
            return
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        self._thread.join(timeout=5)
        self._thread = None
        self._close_listeners()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._wake_r.close()
        self._wake_w.close()

    def _bind_all(self, contexts: dict[str, ssl.SSLContext]) -> None:
        network = _random_network()
        for index, host in enumerate(self.hosts):
            self._addresses[host.name] = f"{network}.{index + 2}"
        https_hosts = [h for h in self.hosts if h.https]
        http_hosts = [h for h in self.hosts if h.http != "none" or not h.https]
        self.https_port = self._bind_group(https_hosts, contexts, 443)
        self.http_port = self._bind_group(http_hosts, {}, 80)

    def _bind_group(
        self, hosts: list[Host], contexts: dict[str, ssl.SSLContext], standard: int
    ) -> int:
        """Bind a listener for each of `hosts` on one port shared by all (TLS where `contexts`
        has the host); returns the port."""
        if not hosts:
            return 0
        candidates = [standard] if self.prefer_standard_ports else []
        for _attempt in range(64):
            port = candidates.pop(0) if candidates else 0
            bound: list[_Listener] = []
            try:
                for host in hosts:
                    listener = _Listener(
                        (self._addresses[host.name], port), self, host, contexts.get(host.name)
                    )
                    bound.append(listener)
                    port = listener.server_address[1]
            except OSError as error:
                for listener in bound:
                    listener.server_close()
                if error.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EPERM):
                    raise
                continue
            self._servers.extend(bound)
            return port
        raise OSError(errno.EADDRINUSE, f"no port is free on every address of {self._addresses}")

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_r, selectors.EVENT_READ)
            for listener in self._servers:
                selector.register(listener, selectors.EVENT_READ, listener)
            while not self._stopping.is_set():
                for key, _events in selector.select():
                    if key.data is not None and not self._stopping.is_set():
                        # Accepts and hands the connection to a daemon thread; never blocks.
                        key.data._handle_request_noblock()

    def _close_listeners(self) -> None:
        for listener in self._servers:
            listener.server_close()
        self._servers.clear()

    # -- used by the handler --------------------------------------------------------------------

    def _host(self, name: str) -> Host:
        for host in self.hosts:
            if _name_matches(host.names, name):
                return host
        raise KeyError(f"{name!r} is not served here")

    def _record(self, incoming: Incoming) -> None:
        with self._received_lock:
            self.received.append(incoming)


def _name_matches(patterns: list[str], name: str) -> bool:
    """True when `name` is one of `patterns` or under one of their `*.domain` wildcards."""
    name = name.lower().rstrip(".")
    return any(
        name == p.lower() or (p.startswith("*.") and name.endswith(p[1:].lower())) for p in patterns
    )


def _random_network() -> str:
    """A random 127.A.B prefix, never 127.0.x (127.0.0.1 is everybody's)."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}"


def _server_context(settings: TlsSettings, cert: IssuedCert) -> ssl.SSLContext:
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


class _Listener(ThreadingHTTPServer):
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
    server: _Listener
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
            host=asked if _name_matches(host.names, asked) else host.name,
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
