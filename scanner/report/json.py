"""report.json: the ScanResult itself, the contract CI users parse (see `complyscan schema`)."""

from __future__ import annotations

from typing import ClassVar

from scanner.model import ScanResult
from scanner.report.interface import ReportWriter


class JsonWriter(ReportWriter):
    """The whole result, indented; nothing added, nothing redacted."""

    format: ClassVar[str] = "json"
    filename: ClassVar[str] = "report.json"

    def render(self, result: ScanResult) -> str:
        """`ScanResult.model_dump_json(indent=2)` and a final newline."""
        return result.model_dump_json(indent=2) + "\n"
