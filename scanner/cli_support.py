"""What every `complyscan` command shares on the command line: help that shows defaults and
exit codes, global flags accepted before or after the subcommand, stdout that survives a
closed pipe (`complyscan schema | head`), and the `scan --json` summary."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

EXIT_CODES = """exit codes:
  0  gate passed (other commands: done)
  1  gate failed: findings at or above --fail-on that no baseline or waiver covers
  2  usage or configuration error (one line on stderr)
  3  scan incomplete: start URL unreachable, browser could not start, crawl aborted
     (doctor: a check failed)"""

_CONFIG_DEFAULT = "_complyscan_config_default"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help with each option's default; a scan option left unset on the command line shows
    the default complyscan.toml and the built-in configuration give it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help
        if (
            not help_text
            or "default" in help_text
            or action.default is argparse.SUPPRESS
            or action.nargs == 0  # a switch: its help says what turning it on does
        ):
            return help_text
        default = action.default
        if default is None and getattr(action, _CONFIG_DEFAULT, False):
            default = _config_default(action.dest)
        if default is None or default is False or default == [] or not action.option_strings:
            return help_text
        if isinstance(default, list):
            default = ",".join(str(d) for d in default)
        return f"{help_text} (default: {str(default).replace('%', '%%')})"


def _config_default(dest: str) -> Any:
    from scanner.config import ScanConfig

    field = ScanConfig.model_fields.get(dest)
    if field is None:
        return None
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return field.default


def shows_config_defaults(parser: argparse.ArgumentParser) -> None:
    """Mark `parser`'s options as ScanConfig fields: --help shows the configuration's default."""
    for action in parser._actions:
        setattr(action, _CONFIG_DEFAULT, True)


def global_flags(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """-v / -q / --debug, on the top parser (with defaults) and on each subparser (without, so
    that a flag given before the subcommand is not reset by the subparser)."""
    default: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what happens (stderr)", **default
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress and no summary: errors only, the exit code tells the rest",
        **default,
    )
    debug_default = os.environ.get("COMPLYSCAN_DEBUG", "") not in ("", "0")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of an unexpected error (or set COMPLYSCAN_DEBUG=1)",
        **(default or {"default": debug_default}),
    )


class _PipeSafe:
    """stdout whose reader may leave early: further output goes to /dev/null, and the command
    finishes with its own exit code instead of a BrokenPipeError traceback."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_devnull()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_devnull()

    def _to_devnull(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def pipe_safe_stdout() -> Iterator[None]:
    """Run a command with stdout that tolerates a closed pipe; also flushes it at the end."""
    original = sys.stdout
    safe = _PipeSafe(original)
    sys.stdout = cast(TextIO, safe)
    try:
        yield
        safe.flush()
    finally:
        sys.stdout = original


def json_summary(result: Any, outcome: Any, paths: dict[str, Path], exit_code: int) -> str:
    """`scan --json`: the verdict and counts a CI step reads, one JSON document on stdout.
    Without a result (the browser could not start), `outcome` is the reason."""
    if result is None:
        data = {"complete": False, "incomplete_reason": outcome, "gate": "incomplete"}
        return json.dumps({**data, "exit_code": exit_code, "reports": {}}, indent=2)
    summary = result.summary
    data = {
        "target": result.target,
        "complete": result.complete,
        "incomplete_reason": result.incomplete_reason,
        "gate": outcome.status,
        "exit_code": exit_code,
        "fail_on": summary.fail_on,
        "gate_line": outcome.summary_line(),
        "findings": summary.findings,
        "findings_total": len(result.findings),
        "pages": summary.pages,
        "beacons": summary.beacons,
        "cookies": summary.cookies,
        "hosts": summary.hosts,
        "duration_seconds": summary.duration_seconds,
        "reports": {fmt: str(path) for fmt, path in paths.items()},
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
