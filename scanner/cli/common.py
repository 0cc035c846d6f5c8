"""What every command shares: the exit codes and the usage error."""

from __future__ import annotations

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input from the user: one line, exit 2."""
