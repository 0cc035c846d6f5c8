"""`complyscan doctor`: is this machine ready to scan? One line per check, with the fix.

Each check runs the real thing (launch Chromium, complete a TLS handshake on loopback with a
throwaway test CA) and never sends a packet beyond 127.0.0.1. Exit 0 when every check passes,
3 (a scan here would be incomplete) otherwise.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scanner.sanitize import for_terminal

EXIT_READY, EXIT_NOT_READY = 0, 3
_PROBE_HOST = "doctor.complyscan.test"
_PROBE_BODY = "complyscan doctor"


@dataclass(frozen=True)
class Check:
    """The outcome of one check, as `doctor` prints it."""

    name: str
    ok: bool
    detail: str
    """What was found (ok) or what went wrong (fail)."""
    fix: str = ""
    """What to do about a failure."""

    def line(self) -> str:
        """`ok   name: detail`, or `fail name: detail -> fix`."""
        if self.ok:
            return for_terminal(f"ok   {self.name}: {self.detail}")
        return for_terminal(f"fail {self.name}: {self.detail} -> {self.fix}")


class _ProbeSite:
    """A one-page HTTPS site on loopback, certified by a test CA made for this run only."""

    def __init__(self, directory: Path) -> None:
        from scanner.demo.pki import TestPKI
        from scanner.demo.server import Host, Response, SiteServer

        host = Host(_PROBE_HOST, http="none", routes={"/": Response(f"<p>{_PROBE_BODY}</p>")})
        self.server = SiteServer([host], TestPKI.create(directory), prefer_standard_ports=False)
        self.server.start()
        self.url = self.server.url(_PROBE_HOST)
        self.ca = Path(self.server.ca_pem)
        self.resolve = self.server.resolve_rules()


def check_chromium_found(explicit: str | None) -> Check:
    """A Chromium executable is where discovery looks."""
    from scanner.browser.discovery import BrowserNotFound, chromium_version, find_chromium

    try:
        path = find_chromium(explicit)
    except BrowserNotFound as exc:
        return Check("chromium found", False, str(exc), "install one: see README, Install")
    return Check("chromium found", True, f"{path} ({chromium_version(path) or 'version unknown'})")


def check_certutil() -> Check:
    """certutil makes Chromium trust --ca-bundle CAs while still seeing bad certificates."""
    found = shutil.which("certutil")
    if found is None:
        return Check(
            "certutil",
            False,
            "not on PATH (a --ca-bundle is then trusted by key, less strictly)",
            "apt-get install libnss3-tools",
        )
    return Check("certutil", True, found)


def check_sslyze() -> Check:
    """sslyze (and its nassl) import: the TLS checks need both."""
    from importlib.metadata import version

    try:
        import nassl  # noqa: F401
        import sslyze  # noqa: F401
    except ImportError as exc:
        return Check("sslyze importable", False, str(exc), "reinstall complyscan in this venv")
    return Check("sslyze importable", True, f"sslyze {version('sslyze')}, nassl {version('nassl')}")


def check_store_writable(db: str | Path | None) -> Check:
    """The history store's file can be created or written; a database URL can be opened."""
    from scanner.store import HistoryStore, StoreError, default_path

    if isinstance(db, str) and "://" in db and not db.startswith("sqlite:"):
        try:
            store = HistoryStore(db)
        except StoreError as exc:
            return Check("history store writable", False, str(exc), "check --db and the server")
        where = str(store.path)
        store.close()
        return Check("history store writable", True, where)
    if isinstance(db, str) and db.startswith("sqlite:///"):
        db = db.removeprefix("sqlite:///")
    path = Path(db) if db is not None else default_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".complyscan-doctor-"):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(f"{path} is read-only")
    except OSError as exc:
        fix = "give --db a writable file, or set XDG_DATA_HOME to a writable directory"
        return Check("history store writable", False, f"{path}: {exc}", fix)
    return Check("history store writable", True, str(path))


def check_tls_handshake(site: _ProbeSite) -> Check:
    """httpx (the transport checks' client) completes a verified handshake on loopback."""
    from scanner.net import Resolver, Trust
    from scanner.transport.http import fetch

    name = "loopback TLS handshake"
    resolver = Resolver.from_strings(site.resolve, only_resolved=True)
    result = asyncio.run(fetch(site.url, resolver, Trust(site.ca), follow=0, timeout=10.0))
    if result.error or result.status != 200:
        fix = "check the OpenSSL and certifi of this Python (pip install -U certifi)"
        return Check(name, False, f"{site.url}: {result.error or result.status}", fix)
    return Check(name, True, f"{site.url} verified against a throwaway test CA")


def check_chromium_launch(explicit: str | None, site: _ProbeSite) -> Check:
    """Chromium starts headless and loads the loopback HTTPS page, trusting the test CA."""
    name = "chromium launches"
    try:
        text = asyncio.run(_load_in_chromium(explicit, site))
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [repr(exc)])[0]
        fix = "run `complyscan -v doctor` for the browser's log; see README, Install"
        return Check(name, False, first, fix)
    if _PROBE_BODY not in text:
        return Check(name, False, f"{site.url} showed no page", "run with -v and read the log")
    return Check(name, True, f"headless, loaded {site.url} trusting the test CA")


async def _load_in_chromium(explicit: str | None, site: _ProbeSite) -> str:
    from playwright.async_api import async_playwright

    from scanner.browser.discovery import find_chromium
    from scanner.browser.environment import QUIET_FLAGS, BrowserEnvironment
    from scanner.net import Resolver, Trust

    rules = Resolver.from_strings(site.resolve, only_resolved=True).chromium_rules()
    env = BrowserEnvironment(Trust(site.ca))
    try:
        env.prepare()  # the profile's NSS database trusts the CA, as a scan's browser does
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(find_chromium(explicit)),
                headless=True,
                args=[
                    "--no-sandbox",
                    *QUIET_FLAGS,
                    *env.extra_args,
                    f"--host-resolver-rules={rules}",
                ],
                env=env.env(),
            )
            try:
                page = await browser.new_page()
                await page.goto(site.url, timeout=30_000)
                return await page.inner_text("body")
            finally:
                await browser.close()
    finally:
        env.cleanup()


def run_checks(chromium: str | None = None, db: str | Path | None = None) -> list[Check]:
    """Every check, in the order a fix is best made."""
    checks = [
        check_chromium_found(chromium),
        check_certutil(),
        check_sslyze(),
        check_store_writable(db),
    ]
    with tempfile.TemporaryDirectory(prefix="complyscan-doctor-") as tmp:
        try:
            site = _ProbeSite(Path(tmp))
        except OSError as exc:
            fix = "loopback (127.0.0.1) must accept listeners"
            return [*checks, Check("loopback TLS handshake", False, str(exc), fix)]
        try:
            probes: list[Callable[[], Check]] = [lambda: check_tls_handshake(site)]
            if checks[0].ok:
                probes.append(lambda: check_chromium_launch(chromium, site))
            checks += [probe() for probe in probes]
        finally:
            site.server.stop()
    return checks


def doctor(chromium: str | None = None, db: str | Path | None = None) -> int:
    """Print one line per check; 0 when all pass, 3 otherwise."""
    checks = run_checks(chromium, db)
    for check in checks:
        print(check.line(), flush=True)
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"{len(failed)} of {len(checks)} check(s) failed: a scan here would be incomplete")
        return EXIT_NOT_READY
    print(f"all {len(checks)} checks passed: ready to scan")
    return EXIT_READY
