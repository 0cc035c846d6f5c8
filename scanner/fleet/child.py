"""`python -m scanner.fleet.child CONFIG.json OUTCOME.json`: one site, in the process group a
worker made for it (scanner/fleet/runner.py). The outcome is written to a file so that nothing a
scan prints can be mistaken for it."""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import sys
from pathlib import Path

from scanner.config import ScanConfig
from scanner.fleet.site import run_one_site

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """A worker killed with -9 takes its scan with it (the browser follows: its driver's pipe
    closes); the job is retried elsewhere."""
    # Not Linux: no prctl, and the worker's sweep still ends the tree.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def main(argv: list[str]) -> int:
    """Scan the site of `argv[0]` (a ScanConfig as JSON) and write the outcome to `argv[1]`."""
    _die_with_parent()
    config = ScanConfig.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    outcome = run_one_site(config)
    document = {
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "result": outcome.result.model_dump(mode="json") if outcome.result else None,
    }
    partial = Path(argv[1] + ".partial")
    partial.write_text(json.dumps(document), encoding="utf-8")
    partial.replace(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
