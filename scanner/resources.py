"""Where the data directories (rules/, reports/) are, in a checkout and in an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The directory `name` ("rules" or "reports"): inside the wheel, else the checkout's top."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"complyscan data directory {name!r} is missing from the install")


def rules_dir() -> Path:
    """rules/: the rule catalogue, claim patterns and vendor data."""
    return data_dir("rules")


def reports_dir() -> Path:
    """reports/: the HTML report's templates and assets."""
    return data_dir("reports")
