"""The one extension point of the outputs: a ReportWriter turns a ScanResult into a file's text."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from scanner.model import ScanResult


class ReportWriter(ABC):
    """Renders one output format; knows nothing about crawling, only about the ScanResult."""

    format: ClassVar[str]
    """The name users pass to --format (json, html, sarif, junit, md)."""
    filename: ClassVar[str]
    """The file it writes in the output directory."""
    companions: frozenset[str] = frozenset()
    """The files written beside it in this run (their names): a report links only to these."""

    @abstractmethod
    def render(self, result: ScanResult) -> str:
        """The whole file, as text."""
