"""The `complyscan` command line.

Exit codes (design.md): 0 gate passed; 1 gate failed; 2 usage or configuration error; 3 scan
incomplete (start URL unreachable, browser could not start, crawl aborted). A scan that could not
look never exits 0. Errors a user can cause end in one line, never a traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence

from scanner.cli.common import EXIT_INCOMPLETE as EXIT_INCOMPLETE
from scanner.cli.common import EXIT_PASSED as EXIT_PASSED
from scanner.cli.common import EXIT_USAGE as EXIT_USAGE
from scanner.cli.common import UsageError as UsageError
from scanner.cli.parser import build_parser as build_parser
from scanner.cli.results import cmd_diff, cmd_history, cmd_report, cmd_schema, cmd_statement
from scanner.cli.scan import _run_scan as _run_scan
from scanner.cli.scan import _scan_site as _scan_site
from scanner.cli.scan import cmd_demo, cmd_init, cmd_scan, cmd_scan_all
from scanner.cli.tools import cmd_completion, cmd_doctor, cmd_fleet, cmd_validate
from scanner.cli_support import pipe_safe_stdout
from scanner.sanitize import TerminalLogFormatter, for_terminal

COMMANDS = {
    "scan": cmd_scan,
    "init": cmd_init,
    "demo": cmd_demo,
    "statement": cmd_statement,
    "report": cmd_report,
    "schema": cmd_schema,
    "history": cmd_history,
    "diff": cmd_diff,
    "scan-all": cmd_scan_all,
    "doctor": cmd_doctor,
    "validate": cmd_validate,
    "completion": cmd_completion,
    "fleet": cmd_fleet,
    "worker": cmd_fleet,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `complyscan` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `complyscan`: the help, and a usage error's exit code
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    stderr = logging.StreamHandler()
    stderr.setFormatter(TerminalLogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[stderr])
    if not args.verbose:
        # Playwright and sslyze log transient connection failures that are results, not errors.
        for noisy in ("asyncio", "sslyze", "httpx"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        with pipe_safe_stdout():
            return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"complyscan: error: {for_terminal(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("complyscan: interrupted", file=sys.stderr)
        return EXIT_INCOMPLETE
    except Exception as exc:  # anything else is "could not look" (3), never "gate failed" (1)
        return _unexpected(exc, args.debug)


def _unexpected(exc: Exception, debug: bool) -> int:
    """One line for an error nobody planned for (the traceback only with --debug); exit 3."""
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        message = f"cannot read or write{where}: {exc.strerror or exc}"
    else:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        message = f"unexpected {type(exc).__name__}: {first}"
    hint = "" if debug else " (--debug or COMPLYSCAN_DEBUG=1 shows the traceback)"
    print(f"complyscan: error: {message}{hint}", file=sys.stderr)
    return EXIT_INCOMPLETE


if __name__ == "__main__":
    sys.exit(main())
