"""`complyscan fleet report RUN`: one summary across a run's sites (JSON, Markdown, HTML), and
the Prometheus-style metrics of `complyscan fleet metrics`."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from scanner.fleet.records import FleetRecords, counts
from scanner.model import Severity
from scanner.store import scans

SEVERITIES = [s.value for s in Severity]


def summary(records: FleetRecords, run: str) -> dict[str, Any]:
    """The run as one document: totals, then each site with its verdict and findings."""
    states = records.states(run)
    ids = [s.scan_id for s in states if s.scan_id is not None]
    found: dict[int, Any] = {}
    if ids:
        with records.store.transaction() as conn:
            rows = conn.execute(
                sa.select(
                    scans.c.id, scans.c.complete, scans.c.gate, *(scans.c[s] for s in SEVERITIES)
                ).where(scans.c.id.in_(ids))
            ).all()
        found = {row.id: row for row in rows}
    sites = []
    findings = dict.fromkeys(SEVERITIES, 0)
    for state in states:
        entry: dict[str, Any] = {
            "site": state.site,
            "state": state.state,
            "attempts": state.attempts,
            "reason": state.reason,
            "report": state.artifacts,
            "gate": None,
            "complete": None,
            "findings": None,
        }
        row = found.get(state.scan_id) if state.scan_id is not None else None
        if row is not None:
            entry["gate"] = row.gate if row.complete else "incomplete"
            entry["complete"] = bool(row.complete)
            entry["findings"] = {s: getattr(row, s) for s in SEVERITIES}
            for s in SEVERITIES:
                findings[s] += getattr(row, s)
        sites.append(entry)
    return {"run": run, "sites_by_state": counts(states), "findings": findings, "sites": sites}


def to_markdown(doc: dict[str, Any]) -> str:
    """The summary as a Markdown page."""
    totals = ", ".join(f"{n} {state}" for state, n in doc["sites_by_state"].items() if n)
    lines = [
        f"# complyscan fleet run {doc['run']}",
        "",
        f"Sites: {totals or 'none'}. Findings: "
        + ", ".join(f"{n} {s}" for s, n in doc["findings"].items())
        + ".",
        "",
        "| site | state | gate | " + " | ".join(SEVERITIES) + " | attempts | reason |",
        "|---|---|---|" + "---|" * len(SEVERITIES) + "---|---|",
    ]
    for site in doc["sites"]:
        cells = [str((site["findings"] or {}).get(s, "")) for s in SEVERITIES]
        reason = (site["reason"] or "").replace("|", "\\|")
        lines.append(
            f"| {site['site']} | {site['state']} | {site['gate'] or ''} | "
            + " | ".join(cells)
            + f" | {site['attempts']} | {reason} |"
        )
    return "\n".join(lines) + "\n"


def to_html(doc: dict[str, Any]) -> str:
    """The summary as one self-contained HTML page (every value escaped: sites are untrusted)."""
    e = html.escape
    head = "".join(f"<th>{e(s)}</th>" for s in SEVERITIES)
    rows = []
    for site in doc["sites"]:
        cells = "".join(f"<td>{(site['findings'] or {}).get(s, '')}</td>" for s in SEVERITIES)
        rows.append(
            f"<tr class='{e(site['state'])}'><td>{e(site['site'])}</td><td>{e(site['state'])}</td>"
            f"<td>{e(site['gate'] or '')}</td>{cells}<td>{site['attempts']}</td>"
            f"<td>{e(site['reason'] or '')}</td><td>{e(site['report'] or '')}</td></tr>"
        )
    totals = ", ".join(f"{n} {e(s)}" for s, n in doc["sites_by_state"].items() if n)
    return (
        "<!doctype html><meta charset='utf-8'>"
        f"<title>complyscan fleet run {e(doc['run'])}</title>"
        "<style>body{font:14px system-ui;margin:2em}td,th{padding:2px 8px;text-align:left}"
        ".failed{background:#fdd}.running,.queued{background:#ffd}</style>"
        f"<h1>Fleet run {e(doc['run'])}</h1><p>Sites: {totals}</p>"
        f"<table><tr><th>site</th><th>state</th><th>gate</th>{head}<th>attempts</th>"
        f"<th>reason</th><th>report files</th></tr>{''.join(rows)}</table>\n"
    )


def write(doc: dict[str, Any], out: Path, formats: list[str]) -> list[Path]:
    """Write the summary in `formats` (json, md, html) to `out`; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    render = {
        "json": lambda: json.dumps(doc, indent=2) + "\n",
        "md": lambda: to_markdown(doc),
        "html": lambda: to_html(doc),
    }
    paths = []
    for fmt in formats:
        path = out / f"fleet-{fmt if fmt != 'md' else 'summary'}.{fmt}"
        path.write_text(render[fmt](), encoding="utf-8")
        paths.append(path)
    return paths


def metrics(records: FleetRecords) -> str:
    """Prometheus text format: sites per run and state, attempts, and peak memory of a scan."""
    lines = [
        "# HELP complyscan_fleet_sites Sites of a fleet run, by state.",
        "# TYPE complyscan_fleet_sites gauge",
    ]
    extra = [
        "# HELP complyscan_fleet_attempts_total Attempts started, by run.",
        "# TYPE complyscan_fleet_attempts_total counter",
    ]
    peak = [
        "# HELP complyscan_fleet_scan_peak_rss_bytes Largest process-tree memory of a scan.",
        "# TYPE complyscan_fleet_scan_peak_rss_bytes gauge",
    ]
    for run in records.run_names():
        states = records.states(run)
        label = run.replace("\\", "\\\\").replace('"', '\\"')
        for state, n in counts(states).items():
            lines.append(f'complyscan_fleet_sites{{run="{label}",state="{state}"}} {n}')
        extra.append(
            f'complyscan_fleet_attempts_total{{run="{label}"}} {sum(s.attempts for s in states)}'
        )
        top = max((s.peak_rss or 0 for s in states), default=0)
        peak.append(f'complyscan_fleet_scan_peak_rss_bytes{{run="{label}"}} {top}')
    return "\n".join([*lines, *extra, *peak]) + "\n"
