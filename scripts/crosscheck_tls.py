"""Hold our TLS and HSTS evidence against testssl's on the same loopback hosts.

    python scripts/crosscheck_tls.py [--keep DIR] [--hosts good,legacy,...]

Starts the demo server's test hosts (one per certificate kind, a TLS 1.0 host, HSTS variants),
runs our `scan_host` + `check_http` and `testssl` (Debian package testssl.sh) on each, all in
parallel, and prints per host: protocols, certificate trust, HSTS, ours beside testssl's. A
disagreement that is understood is explained under the table (KNOWN); any other one makes the
exit status 1. Needs no network beyond loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.demo.pki import CertKind, TestPKI
from scanner.demo.server import Host, Response, Route, SiteServer, TlsSettings
from scanner.model import HttpCheck, TlsResult
from scanner.net import Resolver, Trust
from scanner.transport.http import check_http
from scanner.transport.tls import TlsScanner

ONE_YEAR = "max-age=31536000"


def _host(
    name: str, cert: CertKind = "good", hsts: str | None = None, legacy: bool = False
) -> Host:
    """A host answering "/" with `cert`; legacy: TLS 1.0-1.2 with an RSA key (static-RSA suites)."""
    tls = TlsSettings(cert=cert)
    if legacy:
        tls = TlsSettings(min_version="TLSv1", max_version="TLSv1.2", cert=cert, key="rsa")
    headers = {"Strict-Transport-Security": hsts} if hsts else {}
    routes: dict[str, Route] = {"/": Response("ok")}
    return Host(name, tls=tls, headers=headers, routes=routes)


HOSTS = [
    _host("good.shop.test", hsts=ONE_YEAR),
    _host("short-hsts.shop.test", hsts="max-age=300"),
    _host("no-hsts.shop.test"),
    _host("legacy.shop.test", legacy=True),
    _host("expired.shop.test", "expired", hsts=ONE_YEAR),
    _host("future.shop.test", "not-yet-valid"),
    _host("wrong-host.shop.test", "wrong-host"),
    _host("self-signed.shop.test", "self-signed"),
    _host("untrusted-root.shop.test", "untrusted-root"),
    _host("incomplete.shop.test", "incomplete-chain"),
    _host("expiring.shop.test", "expiring", hsts=ONE_YEAR),
]

PROTOCOLS = ["SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"]
_TESTSSL_PROTOCOL_IDS = {
    "SSLv2": "SSL 2.0",
    "SSLv3": "SSL 3.0",
    "TLS1": "TLS 1.0",
    "TLS1_1": "TLS 1.1",
    "TLS1_2": "TLS 1.2",
    "TLS1_3": "TLS 1.3",
}

KNOWN: dict[tuple[str, str], str] = {}
"""(host, aspect) -> why ours and testssl's answers differ there, when they are both right."""


@dataclass
class Side:
    """One tool's answers for one host, in comparable form."""

    protocols: set[str] | None = None
    trusted: bool | None = None
    trust_detail: str = ""
    hsts_max_age: int | None = None
    hsts_detail: str = ""
    seconds: float = 0.0
    error: str | None = None


@dataclass
class Row:
    host: str
    ours: Side
    testssl: Side
    disagreements: list[str] = field(default_factory=list)


# -- ours ----------------------------------------------------------------------------------------


def run_ours(server: SiteServer, resolver: Resolver, trust: Trust) -> dict[str, Side]:
    """scan_host for every host in parallel, then check_http for each."""
    with TlsScanner(resolver, trust, max_workers=len(server.hosts)) as scanner:
        for host in server.hosts:
            scanner.submit(host.name, server.https_port)
        tls = {name: result for (name, _port), result in scanner.results().items()}
    http = asyncio.run(_check_all(server, resolver, trust))
    return {host.name: _our_side(tls[host.name], http[host.name]) for host in server.hosts}


async def _check_all(server: SiteServer, resolver: Resolver, trust: Trust) -> dict[str, HttpCheck]:
    names = [h.name for h in server.hosts]
    checks = await asyncio.gather(*(check_http(server.url(n), resolver, trust) for n in names))
    return dict(zip(names, checks, strict=True))


def _our_side(tls: TlsResult, http: HttpCheck) -> Side:
    side = Side(seconds=tls.scan_seconds, error=tls.error)
    side.protocols = {p for p, accepted in tls.protocols.items() if accepted}
    if tls.certificate is not None:
        cert = tls.certificate
        side.trusted = cert.trusted
        side.trust_detail = "ok" if cert.trusted else ", ".join(cert.validation_errors)
        side.trust_detail += f"; {cert.days_left} days left"
    side.hsts_max_age = http.hsts_max_age
    side.hsts_detail = http.hsts or "none"
    return side


# -- testssl -------------------------------------------------------------------------------------


def run_testssl(server: SiteServer, workdir: Path) -> dict[str, Side]:
    """testssl on every host at once (it takes 6-60 s a host, mostly waiting)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(server.hosts)) as pool:
        futures = {h.name: pool.submit(_testssl_one, server, h.name, workdir) for h in server.hosts}
        return {name: future.result() for name, future in futures.items()}


def _testssl_one(server: SiteServer, host: str, workdir: Path) -> Side:
    out = workdir / f"{host}.json"
    url = f"https://{host}:{server.https_port}"
    command = [
        "testssl",
        "--quiet",
        "--color",
        "0",
        "--warnings",
        "off",
        "--nodns",
        "none",
        "--ip",
        server.address_of(host),
        "--add-ca",
        server.ca_pem,
        "--jsonfile-pretty",
        str(out),
        "--protocols",
        "--server-defaults",
        "--headers",
        url,
    ]
    started = time.monotonic()
    process = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    seconds = time.monotonic() - started
    try:
        document = json.loads(out.read_text())
    except (OSError, ValueError):
        tail = (process.stderr or process.stdout).strip().splitlines()[-1:]
        return Side(seconds=seconds, error=f"testssl exit {process.returncode}: {tail}")
    side = _testssl_side(document)
    side.seconds = seconds
    return side


def _testssl_side(document: dict[str, Any]) -> Side:
    results = document.get("scanResult") or [{}]
    found: dict[str, str] = {}
    for section in ("protocols", "serverDefaults", "headerResponse"):
        for entry in results[0].get(section, []):
            found.setdefault(entry["id"], entry.get("finding", ""))
    side = Side()
    side.protocols = {
        ours
        for theirs, ours in _TESTSSL_PROTOCOL_IDS.items()
        if found.get(theirs, "").startswith("offered")
    }
    chain = found.get("cert_chain_of_trust", "")
    name = found.get("cert_trust", "")
    expiry = found.get("cert_expirationStatus", "")
    side.trusted = (
        chain.startswith("passed") and name.lower().startswith("ok") and "expired" not in expiry
    )
    side.trust_detail = f"chain: {chain.rstrip('.')}; name: {name}; validity: {expiry}"
    if "HSTS_time" in found:
        match = re.search(r"=(\d+) seconds", found["HSTS_time"])
        side.hsts_max_age = int(match.group(1)) if match else None
        side.hsts_detail = found["HSTS_time"]
    else:
        side.hsts_detail = found.get("HSTS", "none")
    return side


# -- comparing -----------------------------------------------------------------------------------


def compare(host: str, ours: Side, theirs: Side) -> Row:
    row = Row(host, ours, theirs)
    if ours.protocols != theirs.protocols:
        row.disagreements.append("protocols")
    if ours.trusted != theirs.trusted:
        row.disagreements.append("trust")
    if ours.hsts_max_age != theirs.hsts_max_age:
        row.disagreements.append("hsts")
    return row


def _protocols(side: Side) -> str:
    if side.protocols is None:
        return "?"
    return ", ".join(p for p in PROTOCOLS if p in side.protocols) or "none"


def _trust(side: Side) -> str:
    verdict = {True: "trusted", False: "NOT trusted", None: "?"}[side.trusted]
    return f"{verdict} ({side.trust_detail})"


def print_table(rows: list[Row]) -> int:
    """Print the comparison; return how many disagreements no KNOWN entry explains."""
    unexplained = 0
    for row in rows:
        print(
            f"\n{row.host}   (ours {row.ours.seconds:.1f} s, testssl {row.testssl.seconds:.1f} s)"
        )
        for label, ours, theirs, aspect in (
            ("protocols", _protocols(row.ours), _protocols(row.testssl), "protocols"),
            ("trust", _trust(row.ours), _trust(row.testssl), "trust"),
            ("HSTS", row.ours.hsts_detail, row.testssl.hsts_detail, "hsts"),
        ):
            mark = "DIFFERS" if aspect in row.disagreements else "same"
            print(f"  {label:<9} {mark:<7} ours:    {ours}")
            print(f"  {'':<9} {'':<7} testssl: {theirs}")
        for side, name in ((row.ours, "ours"), (row.testssl, "testssl")):
            if side.error:
                print(f"  note: {name}: {side.error}")
        for aspect in row.disagreements:
            why = KNOWN.get((row.host, aspect))
            if why:
                print(f"  KNOWN {aspect}: {why}")
            else:
                unexplained += 1
    return unexplained


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep testssl's JSON files in this directory")
    parser.add_argument("--hosts", help="comma-separated host name prefixes (default: all)")
    args = parser.parse_args(argv)
    if shutil.which("testssl") is None:
        print("testssl not found: apt-get install -y testssl.sh", file=sys.stderr)
        return 2
    hosts = HOSTS
    if args.hosts:
        wanted = tuple(args.hosts.split(","))
        hosts = [h for h in HOSTS if h.name.startswith(wanted)]

    with (
        tempfile.TemporaryDirectory() as scratch,
        SiteServer(hosts, TestPKI.create(Path(scratch) / "pki")) as server,
    ):
        workdir = args.keep or Path(scratch) / "testssl"
        workdir.mkdir(parents=True, exist_ok=True)
        resolver = Resolver.from_strings(server.resolve_rules(), only_resolved=True)
        trust = Trust(Path(server.ca_pem))
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as both:
            theirs_future = both.submit(run_testssl, server, workdir)
            ours = run_ours(server, resolver, trust)
            ours_seconds = time.monotonic() - started
            theirs = theirs_future.result()
        total = time.monotonic() - started
        rows = [compare(h.name, ours[h.name], theirs[h.name]) for h in hosts]

    unexplained = print_table(rows)
    print(
        f"\n{len(rows)} hosts; ours {ours_seconds:.1f} s, both {total:.1f} s wall;"
        f" {sum(len(r.disagreements) for r in rows)} disagreements, {unexplained} unexplained"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
