"""`complyscan validate`: check complyscan.toml, a waivers file and a sites.toml without
starting a scan. One line per problem; exit 0 when every file is usable, 2 otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import ValidationError

from scanner.sanitize import for_terminal

EXIT_VALID, EXIT_INVALID = 0, 2
DEFAULT_CONFIG = Path("complyscan.toml")
_PLACEHOLDER_URL = "https://url.given.on.the.command.line/"


def config_problems(path: Path) -> list[str]:
    """Every problem of a complyscan.toml (a URL may be left to the command line)."""
    from scanner.config import ConfigError, ScanConfig, read_toml

    try:
        fields = read_toml(path)
    except ConfigError as exc:
        return [str(exc)]
    problems: list[str] = []
    fields.setdefault("url", _PLACEHOLDER_URL)
    try:
        config = ScanConfig(**fields)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ())) or "configuration"
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append(f"{path}: {where}: {message}")
        return problems
    try:
        config.check_files()
    except ConfigError as exc:
        problems.append(f"{path}: {exc}")
    if config.waivers is not None and not problems:
        problems += waiver_problems(config.waivers)
    return problems


def waiver_problems(path: Path) -> list[str]:
    """The problem of a waivers file (the first one: the gate stops there too)."""
    from scanner.gate import GateConfigError, load_waivers

    try:
        load_waivers(path)
    except GateConfigError as exc:
        return [str(exc)]
    return []


def sites_problems(path: Path) -> list[str]:
    """The problem of a sites.toml (each [[site]] is checked like a complyscan.toml)."""
    from scanner.config import ConfigError
    from scanner.scan_all import load_sites

    try:
        configs = load_sites(path)
    except ConfigError as exc:
        return [str(exc)]
    return [p for config in configs if config.waivers for p in waiver_problems(config.waivers)]


def validate(config: Path | None, waivers: Path | None, sites: Path | None) -> int:
    """Check the files given (complyscan.toml in the working directory when none is), print
    one line per problem or one `ok` line per file; 0 when all are usable, 2 otherwise."""
    if config is None and waivers is None and sites is None:
        if not DEFAULT_CONFIG.is_file():
            print(
                f"complyscan: error: no {DEFAULT_CONFIG} here: name a file "
                "(complyscan validate FILE [--waivers FILE] [--sites FILE])",
                file=sys.stderr,
            )
            return EXIT_INVALID
        config = DEFAULT_CONFIG
    checks = [
        (config, config_problems),
        (waivers, waiver_problems),
        (sites, sites_problems),
    ]
    failed = False
    for path, problems_of in checks:
        if path is None:
            continue
        problems = problems_of(path)
        for problem in problems:
            print(f"complyscan: error: {for_terminal(problem)}", file=sys.stderr)
        if not problems:
            print(for_terminal(f"ok   {path}"))
        failed = failed or bool(problems)
    return EXIT_INVALID if failed else EXIT_VALID
