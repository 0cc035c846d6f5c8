"""What changed between two scans of a site: `complyscan diff`, report.json's `changes`, the
"since last scan" block of the HTML report, and the webhook's new findings.

`diff(old, new)` returns plain JSON-ready data (it is stored in report.json as it is):

- `previous`: the old scan's `target` and `started_at`; `previous_started_at` for display
- `new`, `resolved`: findings (rule_id, severity, title, message, page_url, host, fingerprint)
  whose fingerprint is only in the new scan, or only in the old one; waived findings count
  as absent; an incomplete new scan resolves nothing (it may not have looked)
- `vendors`, `cookies`: `added` and `removed` (sorted names)
- `tls`: one entry per host:port whose accepted protocols or certificate changed, or that
  appeared or went: `protocols_added`, `protocols_removed`, `certificate_renewed` (its sha256
  changed), `sha256_before`/`sha256_after`, `days_left_before`/`days_left_after`
- `statement_changed` and `statement_diff` (unified diff lines of the statement's text)
"""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import urlsplit

from scanner.fingerprint import finding_fingerprint, finding_keys, known_keys
from scanner.model import Finding, HostSecurity, ScanResult


def diff(old: ScanResult, new: ScanResult) -> dict[str, Any]:
    """What changed from `old` to `new` (see the module docstring for the shape)."""
    old_findings = _findings(old)
    new_findings = _findings(new)
    # Matched on every key a finding has, so an old report of schema_version 1 still compares.
    old_keys = known_keys(old_findings.values())
    new_keys = known_keys(new_findings.values())
    before_text = old.statement.text if old.statement else ""
    after_text = new.statement.text if new.statement else ""
    before_sha = old.statement.sha256 if old.statement else None
    after_sha = new.statement.sha256 if new.statement else None
    return {
        "previous": {"target": old.target, "started_at": old.started_at.isoformat()},
        "previous_started_at": old.started_at.strftime("%Y-%m-%d %H:%M UTC"),
        "new": [_brief(f) for f in new_findings.values() if not finding_keys(f) & old_keys],
        # An incomplete scan did not look everywhere: it cannot tell that a finding is gone.
        "resolved": [
            _brief(f)
            for f in old_findings.values()
            if not finding_keys(f) & new_keys and new.complete
        ],
        "vendors": _added_removed(_vendors(old), _vendors(new)),
        "cookies": _added_removed(_cookies(old), _cookies(new)),
        "tls": _tls_changes(old, new),
        "statement_changed": before_sha != after_sha,
        "statement_diff": list(
            difflib.unified_diff(
                before_text.splitlines(),
                after_text.splitlines(),
                "before",
                "now",
                lineterm="",
                n=1,
            )
        ),
    }


def is_empty(changes: dict[str, Any]) -> bool:
    """True when nothing changed at all."""
    return not (
        changes["new"]
        or changes["resolved"]
        or any(changes[k]["added"] or changes[k]["removed"] for k in ("vendors", "cookies"))
        or changes["tls"]
        or changes["statement_changed"]
    )


def _findings(result: ScanResult) -> dict[str, Finding]:
    return {finding_fingerprint(f): f for f in result.findings if not f.waived}


def _brief(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "title": finding.title,
        "message": finding.message,
        "page_url": finding.page_url,
        "host": finding.host,
        "fingerprint": finding_fingerprint(finding),
    }


def _added_removed(before: set[str], after: set[str]) -> dict[str, list[str]]:
    return {"added": sorted(after - before), "removed": sorted(before - after)}


def _vendors(result: ScanResult) -> set[str]:
    """Third parties seen: the vendor's name, else the host of a beacon no vendor data names."""
    names = {b.vendor or urlsplit(b.url).hostname or b.url for b in result.beacons}
    names |= {c.vendor for c in result.cookies if c.vendor}
    return names


def _cookies(result: ScanResult) -> set[str]:
    return {f"{c.name} ({c.domain or '?'}{c.path})" for c in result.cookies}


def _tls_changes(old: ScanResult, new: ScanResult) -> list[dict[str, Any]]:
    before = {(h.host, h.port): h for h in old.hosts if h.tls and h.tls.reachable}
    after = {(h.host, h.port): h for h in new.hosts if h.tls and h.tls.reachable}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, now = _tls_facts(before.get(key)), _tls_facts(after.get(key))
        entry: dict[str, Any] = {
            "host": key[0],
            "port": key[1],
            "status": "added" if not was else "removed" if not now else "changed",
            "protocols_added": sorted(now.get("protocols", set()) - was.get("protocols", set())),
            "protocols_removed": sorted(was.get("protocols", set()) - now.get("protocols", set())),
            "certificate_renewed": bool(was and now and was["sha256"] != now["sha256"]),
            "sha256_before": was.get("sha256"),
            "sha256_after": now.get("sha256"),
            "days_left_before": was.get("days_left"),
            "days_left_after": now.get("days_left"),
        }
        if (
            entry["status"] != "changed"
            or entry["protocols_added"]
            or entry["protocols_removed"]
            or entry["certificate_renewed"]
        ):
            changes.append(entry)
    return changes


def _tls_facts(host: HostSecurity | None) -> dict[str, Any]:
    if host is None or host.tls is None:
        return {}
    cert = host.tls.certificate
    return {
        "protocols": {name for name, accepted in host.tls.protocols.items() if accepted},
        "sha256": cert.sha256 if cert else None,
        "days_left": cert.days_left if cert else None,
    }


def format_diff(changes: dict[str, Any]) -> str:
    """`complyscan diff` as a person reads it."""
    previous = changes["previous"]
    lines = [f"changes since {previous['started_at']} ({previous['target']})"]
    if is_empty(changes):
        return lines[0] + ": none"
    for label, key in (("new finding", "new"), ("resolved finding", "resolved")):
        for f in changes[key]:
            where = f["page_url"] or f["host"] or ""
            sign = "+" if key == "new" else "-"
            lines.append(f"{sign} {label}: {f['severity']} {f['rule_id']} {where}")
    for kind in ("vendors", "cookies"):
        noun = kind.rstrip("s")
        lines += [f"+ {noun}: {name}" for name in changes[kind]["added"]]
        lines += [f"- {noun}: {name}" for name in changes[kind]["removed"]]
    for tls in changes["tls"]:
        lines.append(f"~ tls {tls['host']}:{tls['port']}: {_tls_line(tls)}")
    if changes["statement_changed"]:
        lines.append("~ statement changed:")
        lines += [f"    {line}" for line in changes["statement_diff"]]
    return "\n".join(lines)


def _tls_line(tls: dict[str, Any]) -> str:
    if tls["status"] != "changed":
        return f"host {tls['status']}"
    parts = []
    if tls["protocols_added"]:
        parts.append("now accepts " + ", ".join(tls["protocols_added"]))
    if tls["protocols_removed"]:
        parts.append("no longer accepts " + ", ".join(tls["protocols_removed"]))
    if tls["certificate_renewed"]:
        parts.append(
            f"certificate renewed ({str(tls['sha256_before'])[:12]}… -> "
            f"{str(tls['sha256_after'])[:12]}…, days left {tls['days_left_before']} -> "
            f"{tls['days_left_after']})"
        )
    return "; ".join(parts)
