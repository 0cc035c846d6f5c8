"""sslyze's scan command attempts: a result only when the command completed."""

from __future__ import annotations

from typing import Any

from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum


def completed(attempt: Any) -> Any | None:
    """The result of a scan command attempt, or None when it did not complete."""
    if attempt.status == ScanCommandAttemptStatusEnum.COMPLETED:
        return attempt.result
    return None
