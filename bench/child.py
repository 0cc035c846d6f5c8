"""One measured step, run in a process of its own: `python -m bench.child MODE SPEC.json OUT.json`.

Modes: `scan` (complyscan, as `complyscan scan` runs it: the scan, then its reports), `browse`
(the bare browser over a list of URLs), `tls-complyscan` (TlsScanner over hosts) and
`tls-sslyze` (sslyze's own Scanner over the same hosts). Each writes its own timings to OUT.json.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from bench.baseline import browse, sslyze_alone
from scanner.browser.discovery import find_chromium
from scanner.config import ScanConfig
from scanner.engine import Scan
from scanner.net import Resolver, Trust
from scanner.report import write_reports
from scanner.transport.tls import TlsScanner


def scan(spec: dict[str, Any]) -> dict[str, Any]:
    """complyscan with its default settings but for the page limit, output and loopback names."""
    config = ScanConfig(
        url=spec["url"],
        out=Path(spec["out"]),
        max_pages=spec["max_pages"],
        resolve=spec["resolve"],
        only_resolved=True,
        ca_bundle=Path(spec["ca"]),
    )
    started = time.monotonic()
    result = asyncio.run(Scan(config).run())
    scanned = time.monotonic() - started
    write_reports(result, config.out, config.formats)
    consent_seconds = result.consent.seconds if result.consent else 0.0
    return {
        # The scan without its consent visits, as before issue 18, so that the comparison with
        # the bare browser stays one of the same pages; the consent visits are counted apart.
        "seconds": scanned - consent_seconds,
        "seconds_with_reports": time.monotonic() - started,
        "pages": len(result.pages),
        "failed": sum(1 for p in result.pages if p.error),
        "urls": [p.url for p in result.pages],
        "workers": config.workers,
        "complete": result.complete,
        "requests": result.summary.requests if result.summary else None,
        "beacons": len(result.beacons),
        "cookies": len(result.cookies),
        "forms_collecting_pi": sum(1 for p in result.pages for f in p.forms if f.collects_pi),
        "hosts_tls": [[h.host, h.port] for h in result.hosts if h.tls is not None],
        "findings": len(result.findings),
        "consent_seconds": consent_seconds,
        "consent_pages": len(result.consent.pages) if result.consent else 0,
        "consent_states": sum(1 for s in result.consent.states if s.pages) if result.consent else 0,
        "consent_visited": [s.state for s in result.consent.states if s.pages]
        if result.consent
        else [],
        "consent_not_visited": {s.state: s.error for s in result.consent.states if not s.pages}
        if result.consent
        else {},
        "consent_cmp": result.consent.cmp if result.consent else None,
    }


def bare_browser(spec: dict[str, Any]) -> dict[str, Any]:
    """The bare browser over the URLs complyscan visited."""
    outcome = asyncio.run(
        browse(
            spec["urls"],
            find_chromium(),
            Resolver.from_strings(spec["resolve"], only_resolved=True),
            workers=spec["workers"],
        )
    )
    return {"seconds": outcome.seconds, "pages": outcome.pages, "failed": outcome.failed}


def _hosts(spec: dict[str, Any]) -> list[tuple[str, int]]:
    return [(str(host), int(port)) for host, port in spec["hosts"]]


def tls_complyscan(spec: dict[str, Any]) -> dict[str, Any]:
    """complyscan's TLS phase: every host submitted at once, then every result awaited."""
    resolver = Resolver.from_strings(spec["resolve"], only_resolved=True)
    started = time.monotonic()
    with TlsScanner(resolver, Trust(Path(spec["ca"]))) as tls:
        for host, port in _hosts(spec):
            tls.submit(host, port)
        results = tls.results()
    seconds = time.monotonic() - started
    return {
        "seconds": seconds,
        "hosts": len(results),
        "reachable": sum(1 for r in results.values() if r.reachable),
        "per_host_seconds": sorted(r.scan_seconds or 0.0 for r in results.values()),
    }


def tls_sslyze(spec: dict[str, Any]) -> dict[str, Any]:
    """sslyze alone over the same hosts."""
    resolver = Resolver.from_strings(spec["resolve"], only_resolved=True)
    seconds, completed = sslyze_alone(_hosts(spec), resolver, Path(spec["ca"]))
    return {"seconds": seconds, "hosts": len(spec["hosts"]), "reachable": completed}


MODES = {
    "scan": scan,
    "browse": bare_browser,
    "tls-complyscan": tls_complyscan,
    "tls-sslyze": tls_sslyze,
}


def main(argv: list[str]) -> int:
    """Run one mode; 2 on a usage error."""
    if len(argv) != 3 or argv[0] not in MODES:
        print(f"usage: python -m bench.child {{{','.join(MODES)}}} SPEC.json OUT.json")
        return 2
    logging.basicConfig(level=logging.WARNING)
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    output = MODES[argv[0]](spec)
    Path(argv[2]).write_text(json.dumps(output), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
