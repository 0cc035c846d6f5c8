"""One site's scan in a process of its own, forked by the worker's fork server (already holding
the scanner's modules, so a job does not pay for importing them: about 1 s of CPU a site). The
process starts a session of its own (its process group, killable as one) and writes its outcome
to a file, so that nothing a scan prints can be mistaken for it."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
from pathlib import Path

from scanner.config import ScanConfig
from scanner.fleet.site import run_one_site
from scanner.model import ScanResult

PRELOAD = [
    "scanner.fleet.child",
    "scanner.cli",
    "scanner.engine",
    "scanner.report",
    "scanner.pipeline",
]
"""What the fork server imports once, for every scan it forks."""

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """The fork server dies with its worker (kill -9 included), and the scan with the fork
    server; the browser follows when its driver's pipe closes. The job is retried elsewhere."""
    # Not Linux: no prctl, and the worker's sweep still ends the tree.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_child(
    config_path: str, previous_path: str | None, outcome_path: str, marker_name: str, marker: str
) -> None:
    """Scan the site of `config_path` (a ScanConfig as JSON), compared with the previous scan at
    `previous_path` (a report.json; None when the site has none); write the outcome to
    `outcome_path`. Every process it starts inherits `marker_name=marker`."""
    os.setsid()
    _die_with_parent()
    os.environ[marker_name] = marker
    config = ScanConfig.model_validate_json(Path(config_path).read_text(encoding="utf-8"))
    previous = None
    if previous_path is not None:
        previous = ScanResult.model_validate_json(Path(previous_path).read_bytes())
    outcome = run_one_site(config, previous)
    document = {
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "result": outcome.result.model_dump(mode="json") if outcome.result else None,
    }
    partial = Path(outcome_path + ".partial")
    partial.write_text(json.dumps(document), encoding="utf-8")
    partial.replace(outcome_path)
