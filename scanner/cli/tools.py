"""Commands beside the scan: `doctor`, `validate`, `completion` (and, when present, the
fleet's `fleet` and `worker`, run by scanner/fleet/cli.py)."""

from __future__ import annotations

import argparse

from scanner.cli.common import EXIT_PASSED
from scanner.cli.parser import build_parser


def cmd_doctor(args: argparse.Namespace) -> int:
    """`complyscan doctor`: is this machine ready to scan?"""
    from scanner.doctor import doctor

    return doctor(args.chromium, args.db)


def cmd_validate(args: argparse.Namespace) -> int:
    """`complyscan validate [FILE] [--waivers FILE] [--sites FILE]`: check without scanning."""
    from scanner.validate import validate

    return validate(args.config, args.waivers, args.sites)


def cmd_completion(args: argparse.Namespace) -> int:
    """`complyscan completion bash|zsh`: a shell completion script."""
    from scanner.completion import script

    print(script(args.shell, build_parser()), end="")
    return EXIT_PASSED


def cmd_fleet(args: argparse.Namespace) -> int:
    """`complyscan fleet ...` and `complyscan worker` (scanner/fleet/cli.py)."""
    from scanner.fleet.cli import run

    return run(args)
