"""The transport stage of one scan: each host:port's TLS scan (in sslyze's thread pool) and HTTP
checks (asyncio tasks), started the moment the crawl first sees the host and waited for after the
crawl and the statement, within the time budget."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scanner.budget import BudgetExceeded, Deadline
from scanner.config import ScanConfig
from scanner.model import HostRole, HostSecurity, HttpCheck, ScanResult, TlsResult
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy
from scanner.scope import host_port
from scanner.transport.http import check_http
from scanner.transport.tls import TlsScanner

if TYPE_CHECKING:
    from scanner.engine.scan import Progress

HTTP_CHECKS_PER_HOST = 10


@dataclass
class _HostState:
    roles: set[HostRole] = field(default_factory=set)
    tls: Future[TlsResult] | None = None
    http_urls: list[str] = field(default_factory=list)
    refused: str | None = None
    """Why the network policy keeps the TLS scan away from this host."""


class HostChecks:
    """The hosts a scan met, why each is checked, and their TLS scans and HTTP checks."""

    def __init__(
        self,
        config: ScanConfig,
        result: ScanResult,
        progress: Progress,
        resolver: Resolver,
        trust: Trust,
        policy: NetPolicy,
    ) -> None:
        self.config = config
        self.result = result
        """The scan's result: `finish` records every host in `result.hosts`."""
        self.progress = progress
        self.resolver = resolver
        self.trust = trust
        self.policy = policy
        self._tls_started = self._tls_done = 0
        self._hosts: dict[tuple[str, int], _HostState] = {}
        self._http_tasks: list[asyncio.Task[None]] = []
        self._checks_by_url: dict[str, HttpCheck] = {}
        self._tls: TlsScanner | None = None

    def start(self) -> None:
        """Open the TLS thread pool: from now on a host wanted is scanned at once."""
        self._tls = TlsScanner(
            self.resolver,
            self.trust,
            profile=self.config.tls_profile,
            slow=self.config.tls_slow,
            expiry_days=self.config.cert_expiry_days,
            policy=self.policy,
        )

    def shutdown(self, wait: bool) -> None:
        """Cancel the TLS scans not started; wait for the running ones unless `wait` is False."""
        if self._tls is not None:
            self._tls.shutdown(wait=wait)

    def _host(self, url: str) -> tuple[tuple[str, int], _HostState]:
        key = host_port(url)
        return key, self._hosts.setdefault(key, _HostState())

    def want_tls(self, url: str, role: HostRole) -> None:
        """Start (once) the TLS scan of the URL's host:port and note why it is checked."""
        if not url.startswith("https:"):
            return
        (host, port), state = self._host(url)
        state.roles.add(role)
        # Refused before it is scheduled: a form's action on the runner's network is reported,
        # never scanned. (A name that resolves there is refused in the TLS thread, by lookup.)
        refusal = self.policy.decide(url, outside_scope=True)
        if refusal is not None:
            if state.refused is None:
                state.refused = refusal
                self.policy.record(url, "tls", refusal)
            return
        if state.tls is None and self._tls is not None:
            state.tls = self._tls.submit(host, port)
            self._tls_started += 1
            self.progress.on_hosts(self._tls_done, self._tls_started)
            loop = asyncio.get_running_loop()
            state.tls.add_done_callback(
                lambda future: _call_soon(loop, self._tls_finished, host, port, future)
            )

    def _tls_finished(self, host: str, port: int, future: Future[TlsResult]) -> None:
        """On the event loop, when a host's TLS scan ends: tell the progress display."""
        self._tls_done += 1
        self.progress.on_hosts(self._tls_done, self._tls_started)
        if not future.cancelled() and future.exception() is None:
            self.progress.on_host(host, port, future.result())

    def want_http(self, url: str) -> None:
        _, state = self._host(url)
        if len(state.http_urls) >= HTTP_CHECKS_PER_HOST or url in state.http_urls:
            return
        state.http_urls.append(url)
        self._http_tasks.append(asyncio.create_task(self._run_http_check(url)))

    async def _run_http_check(self, url: str) -> None:
        check = await check_http(url, self.resolver, self.trust, policy=self.policy)
        self._checks_by_url[url] = check

    async def finish(self, deadline: Deadline) -> None:
        """Wait for the HTTP checks and TLS scans within the budget; record every host, with
        the results that finished in time."""
        loop = asyncio.get_running_loop()
        tls = [asyncio.wrap_future(s.tls, loop=loop) for s in self._hosts.values() if s.tls]
        waiting: list[asyncio.Future[Any]] = [*self._http_tasks, *tls]
        pending: set[asyncio.Future[Any]] = set()
        if waiting:
            _, pending = await asyncio.wait(waiting, timeout=deadline.remaining())
        for task in pending:
            task.cancel()
        self._record_hosts()
        if pending:
            raise BudgetExceeded(deadline.budget_s or 0, "the transport checks")

    def _record_hosts(self) -> None:
        for (host, port), state in sorted(self._hosts.items()):
            tls = None
            future = state.tls
            if future is not None and future.done() and not future.cancelled():
                tls = future.result() if future.exception() is None else None
            self.result.hosts.append(
                HostSecurity(
                    host=host,
                    port=port,
                    address=self.resolver.lookup(host),
                    roles=sorted(state.roles),
                    tls=tls,
                    refused=state.refused,
                    http=[
                        self._checks_by_url[u] for u in state.http_urls if u in self._checks_by_url
                    ],
                )
            )


def _call_soon(loop: asyncio.AbstractEventLoop, *call: Any) -> None:
    """Hand a TLS thread's news to the event loop, unless the scan is over (the time budget
    left the scan running there behind)."""
    with contextlib.suppress(RuntimeError):  # the loop is closed
        loop.call_soon_threadsafe(*call)
