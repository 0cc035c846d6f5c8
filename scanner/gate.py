"""The CI gate: does this scan pass, given a severity threshold, a baseline and waivers?

Exit codes follow design.md: 0 passed, 1 failed, 3 incomplete (a scan that could not look never
passes). Findings are matched with the baseline by their fingerprints (scanner.fingerprint), v1 or
v2. The gate changes nothing: `evaluate` returns a GateOutcome, the verdict, and its `result` is a
copy of the scan with the verdict written in (waivers marked, each finding's gate_status and
fails_gate, summary.gate, fail_on, gate_counts and gate_notes), which is all the reports render:
they never count for themselves.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from scanner.catalogue import load_catalogue
from scanner.fingerprint import finding_keys, known_keys
from scanner.model import Finding, FindingStatus, GateCounts, ScanResult, Severity

FAIL_ON_CHOICES: tuple[str, ...] = (*(s.value for s in Severity if s is not Severity.INFO), "none")
"""Values of --fail-on: a severity (findings at or above it fail the gate) or none."""

EXIT_PASSED, EXIT_FAILED, EXIT_INCOMPLETE = 0, 1, 3

_WAIVER_FIELDS = {"rule", "location", "reason", "expires"}


class GateConfigError(ValueError):
    """A bad --fail-on value or waivers file; the message is one line naming the problem."""


# ---------------------------------------------------------------------------------------------
# Waivers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    """An accepted finding: `rule` at places matching `location`, until `expires` (inclusive)."""

    rule: str
    """The rule id it waives."""
    location: str
    """A glob (fnmatch) on the finding's page URL or host; "*" waives the rule everywhere."""
    reason: str
    """Why the finding is accepted; shown beside the finding in every report."""
    expires: date | None = None
    """The last day it waives; None never expires."""

    def matches(self, finding: Finding) -> bool:
        """True when the waiver is about this finding (whether or not it has expired)."""
        if finding.rule_id != self.rule:
            return False
        places = [place for place in (finding.page_url, finding.host) if place]
        if not places:
            return self.location == "*"
        return any(fnmatch.fnmatchcase(place, self.location) for place in places)

    def expired(self, today: date) -> bool:
        """True once `today` is past the expiry date."""
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        """One line naming the waiver, as the outcome and the reports show it."""
        until = f" until {self.expires.isoformat()}" if self.expires else ""
        return f"waiver for {self.rule} at {self.location}{until}"


def load_waivers(path: Path) -> list[Waiver]:
    """Read a waivers file (TOML, `[[waiver]]` tables); raises GateConfigError on any mistake."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GateConfigError(f"{path}: cannot read waivers: {error.strerror}") from None
    except UnicodeDecodeError:
        raise GateConfigError(f"{path}: not UTF-8 text (waivers are a TOML file)") from None
    except tomllib.TOMLDecodeError as error:
        raise GateConfigError(f"{path}: not valid TOML: {error}") from None
    unknown_tables = sorted(set(data) - {"waiver"})
    if unknown_tables:
        raise GateConfigError(f"{path}: unknown keys {unknown_tables} (expected [[waiver]])")
    entries = data.get("waiver", [])
    if not isinstance(entries, list):
        raise GateConfigError(f"{path}: `waiver` must be an array of tables ([[waiver]])")
    known_rules = load_catalogue()
    return [
        _parse_waiver(entry, f"{path}: waiver {index}", known_rules)
        for index, entry in enumerate(entries, start=1)
    ]


def _parse_waiver(entry: Any, where: str, known_rules: dict[str, Any]) -> Waiver:
    if not isinstance(entry, dict):
        raise GateConfigError(f"{where}: expected a table")
    unknown = sorted(set(entry) - _WAIVER_FIELDS)
    if unknown:
        raise GateConfigError(f"{where}: unknown keys {unknown} (rule, location, reason, expires)")
    rule = entry.get("rule")
    if not isinstance(rule, str) or not rule:
        raise GateConfigError(f"{where}: `rule` (a rule id) is required")
    if rule not in known_rules:
        raise GateConfigError(f"{where}: unknown rule {rule!r} (see docs/rules.md)")
    location = entry.get("location", "*")
    if not isinstance(location, str) or not location:
        raise GateConfigError(f"{where}: `location` must be a glob such as 'https://host/*'")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise GateConfigError(f"{where}: `reason` is required: say why the finding is accepted")
    return Waiver(rule, location, reason.strip(), _parse_expiry(entry.get("expires"), where))


def _parse_expiry(value: Any, where: str) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise GateConfigError(f"{where}: `expires` must be a date such as 2027-01-31, not {value!r}")


# ---------------------------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------------------------

GateStatus = Literal["passed", "failed", "incomplete"]


@dataclass(frozen=True)
class GateOutcome:
    """The verdict of the gate, with everything that decided it."""

    status: GateStatus
    """passed, failed, or incomplete (the scan could not finish: never a pass)."""
    exit_code: int
    """0 passed, 1 failed, 3 incomplete."""
    fail_on: str
    """The threshold applied: a severity, or none."""
    failing: tuple[Finding, ...]
    """Findings at or above the threshold, not waived and not in the baseline: they count."""
    waived: tuple[Finding, ...]
    """Findings an active waiver accepts (marked waived=True in `result`)."""
    in_baseline: tuple[Finding, ...]
    """Findings the baseline already had: they do not count."""
    new: tuple[Finding, ...]
    """Findings neither waived nor in the baseline, at any severity."""
    expired_waivers: tuple[Waiver, ...]
    """Waivers past their date: they no longer waive anything."""
    notes: tuple[str, ...]
    """Lines a CI log should show (expired waivers, the reason a scan is incomplete)."""
    result: ScanResult
    """A copy of the scan evaluated, with waivers marked and summary.gate / summary.fail_on set:
    what the reports render. The scan given to `evaluate` is left as it was."""

    @property
    def counted(self) -> tuple[Finding, ...]:
        """The findings that decide the verdict (the same as `failing`)."""
        return self.failing

    def summary_line(self) -> str:
        """One line for a CI log: the verdict and what decided it."""
        if self.status == "incomplete":
            reason = self.result.incomplete_reason or "the scan did not finish"
            return f"gate incomplete: {reason}"
        extras = [
            f"{len(self.waived)} waived" if self.waived else "",
            f"{len(self.in_baseline)} in baseline" if self.in_baseline else "",
        ]
        extra = ", ".join(e for e in extras if e)
        extra = f" ({extra})" if extra else ""
        if self.fail_on == "none":
            return f"gate passed: --fail-on none{extra}"
        return (
            f"gate {self.status}: {len(self.failing)} finding(s) at or above {self.fail_on}{extra}"
        )


def evaluate(
    result: ScanResult,
    fail_on: str,
    baseline: ScanResult | None,
    waivers: list[Waiver],
    today: date,
) -> GateOutcome:
    """Apply the gate to a scan: the verdict, without changing `result`.

    The outcome's `result` is a copy in which each finding's `waived` and `waiver_reason` say
    what the waivers decided today (a waiver recorded by an earlier run is cleared unless an
    active waiver still applies) and summary.gate / summary.fail_on record the verdict.
    """
    if fail_on not in FAIL_ON_CHOICES:
        choices = "|".join(FAIL_ON_CHOICES)
        raise GateConfigError(f"--fail-on must be one of {choices}, not {fail_on!r}")
    active = [w for w in waivers if not w.expired(today)]
    expired = tuple(w for w in waivers if w.expired(today))
    known = known_keys(baseline.findings) if baseline else set()

    marked: list[Finding] = []
    waived: list[Finding] = []
    in_baseline: list[Finding] = []
    new: list[Finding] = []
    failing: list[Finding] = []
    threshold = None if fail_on == "none" else Severity(fail_on).rank
    for original in result.findings:
        waiver = next((w for w in active if w.matches(original)), None)
        standing: FindingStatus = (
            "waived" if waiver else "baselined" if finding_keys(original) & known else "new"
        )
        fails = standing == "new" and threshold is not None and original.severity.rank >= threshold
        finding = original.model_copy(
            update={
                "waived": waiver is not None,
                "waiver_reason": waiver.reason if waiver else None,
                "gate_status": standing,
                "fails_gate": fails,
            }
        )
        marked.append(finding)
        {"waived": waived, "baselined": in_baseline, "new": new}[standing].append(finding)
        if fails:
            failing.append(finding)

    notes = [_expiry_note(w, result.findings) for w in expired]
    status: GateStatus
    if not result.complete:
        status, code = "incomplete", EXIT_INCOMPLETE
        notes.insert(0, f"scan incomplete: {result.incomplete_reason or 'it did not finish'}")
    elif failing:
        status, code = "failed", EXIT_FAILED
    else:
        status, code = "passed", EXIT_PASSED
    counts = GateCounts(
        failing=len(failing), new=len(new), baselined=len(in_baseline), waived=len(waived)
    )
    summary = result.summary.model_copy(
        update={"gate": status, "fail_on": fail_on, "gate_counts": counts, "gate_notes": notes}
    )
    return GateOutcome(
        status=status,
        exit_code=code,
        fail_on=fail_on,
        failing=tuple(failing),
        waived=tuple(waived),
        in_baseline=tuple(in_baseline),
        new=tuple(new),
        expired_waivers=expired,
        notes=tuple(notes),
        result=result.model_copy(update={"findings": marked, "summary": summary}),
    )


def _expiry_note(waiver: Waiver, findings: list[Finding]) -> str:
    matching = sum(1 for f in findings if waiver.matches(f))
    assert waiver.expires is not None  # only expired waivers get here
    return (
        f"waiver for {waiver.rule} at {waiver.location} expired on {waiver.expires.isoformat()}: "
        f"it no longer waives anything ({matching} finding(s) it matches now count)"
    )
