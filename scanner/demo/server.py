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
import selectors
import socket
import ssl
import threading
from types import TracebackType

from scanner.demo.hosts import Host as Host
from scanner.demo.hosts import Incoming as Incoming
from scanner.demo.hosts import Response as Response
from scanner.demo.hosts import Route as Route
from scanner.demo.hosts import TlsSettings as TlsSettings
from scanner.demo.hosts import substitute
from scanner.demo.listener import Listener, name_matches, random_network, server_context
from scanner.demo.pki import IssuedCert, TestPKI

log = logging.getLogger(__name__)


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
        self._servers: list[Listener] = []
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
                contexts[host.name] = server_context(host.tls, cert)
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
        network = random_network()
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
            bound: list[Listener] = []
            try:
                for host in hosts:
                    listener = Listener(
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
            if name_matches(host.names, name):
                return host
        raise KeyError(f"{name!r} is not served here")

    def _record(self, incoming: Incoming) -> None:
        with self._received_lock:
            self.received.append(incoming)
