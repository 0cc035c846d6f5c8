"""What complyscan is measured against: a bare browser that only navigates, and sslyze alone.

The bare browser is the least a crawler of the same pages can do with the same Chromium: the
same launch flags and --host-resolver-rules as the crawler, the same number of workers each
navigating one page, and the same settle rule (load, then network quiet for `quiet_s`, capped at
`cap_s`), but no CDP recording, no probe, no forms, no cookies, no leak probe, no screenshots.

sslyze alone is sslyze's own Scanner over the same hosts with the same scan commands, each host
at its --resolve address with its name as SNI, and the CA bundle for certificate validation:
what `sslyze host1 host2 ...` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Page, Request, async_playwright
from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
from sslyze.scanner.models import ScanCommandsExtraArguments, ServerScanRequest
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from scanner.browser.crawler import QUIET_FLAGS
from scanner.net import Resolver
from scanner.transport.tls import SCAN_COMMANDS


@dataclass
class _Quiet:
    """Requests in flight on one page, and when the last one started or ended."""

    inflight: set[Request] = field(default_factory=set)
    last_activity: float = field(default_factory=time.monotonic)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def started(self, request: Request) -> None:
        self.inflight.add(request)
        self._touch()

    def ended(self, request: Request) -> None:
        self.inflight.discard(request)
        self._touch()

    def reset(self) -> None:
        self.inflight.clear()
        self._touch()

    def _touch(self) -> None:
        self.last_activity = time.monotonic()
        self.changed.set()

    async def wait(self, quiet_s: float, cap_s: float) -> None:
        """Return once nothing has been in flight for `quiet_s`, or after `cap_s` (the rule of
        scanner.browser.network.NetworkLog.wait_for_quiet, with no recording)."""
        deadline = time.monotonic() + cap_s
        while (now := time.monotonic()) < deadline:
            idle = now - self.last_activity
            if not self.inflight and idle >= quiet_s:
                return
            wait = (quiet_s - idle) if not self.inflight else (deadline - now)
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(min(wait, deadline - now), 0.01))


@dataclass
class BrowseResult:
    """How the bare browser did."""

    seconds: float
    """From launching the browser to closing it."""
    pages: int
    failed: int


async def browse(
    urls: list[str],
    chromium: Path,
    resolver: Resolver,
    *,
    workers: int,
    quiet_s: float = 0.5,
    cap_s: float = 5.0,
    nav_timeout_s: float = 20.0,
) -> BrowseResult:
    """Navigate `workers` pages through `urls`, settling each as the crawler does."""
    started = time.monotonic()
    args = ["--no-sandbox", *QUIET_FLAGS]
    rules = resolver.chromium_rules()
    if rules:
        args.append(f"--host-resolver-rules={rules}")
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    failed = 0

    async def worker(page: Page) -> None:
        nonlocal failed
        quiet = _Quiet()
        page.on("request", quiet.started)
        page.on("requestfinished", quiet.ended)
        page.on("requestfailed", quiet.ended)
        while not queue.empty():
            url = queue.get_nowait()
            quiet.reset()
            try:
                await page.goto(url, wait_until="load", timeout=nav_timeout_s * 1000)
            except Exception:
                failed += 1
            await quiet.wait(quiet_s, cap_s)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=args
        )
        context = await browser.new_context(
            ignore_https_errors=True,
            service_workers="block",
            viewport={"width": 1280, "height": 900},
        )
        pages = [await context.new_page() for _ in range(max(1, workers))]
        await asyncio.gather(*(worker(page) for page in pages))
        await context.close()
        await browser.close()
    return BrowseResult(seconds=time.monotonic() - started, pages=len(urls), failed=failed)


def sslyze_alone(
    hosts: list[tuple[str, int]], resolver: Resolver, ca_bundle: Path | None
) -> tuple[float, int]:
    """Scan `hosts` with sslyze's own Scanner and its default concurrency; (seconds, hosts that
    completed every scan command's connectivity test)."""
    started = time.monotonic()
    extra = ScanCommandsExtraArguments()
    if ca_bundle is not None:
        extra = ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=ca_bundle)
        )
    requests = []
    for host, port in hosts:
        location = ServerNetworkLocation(hostname=host, port=port, ip_address=resolver.lookup(host))
        requests.append(
            ServerScanRequest(
                server_location=location,
                network_configuration=ServerNetworkConfiguration(tls_server_name_indication=host),
                scan_commands=set(SCAN_COMMANDS),
                scan_commands_extra_arguments=extra,
            )
        )
    scanner = Scanner()
    scanner.queue_scans(requests)
    completed = sum(
        1 for result in scanner.get_results() if result.connectivity_status.name == "COMPLETED"
    )
    return time.monotonic() - started, completed
