"""The outputs of a scan: one ReportWriter per format, registered in WRITERS.

A format is added by writing one small module beside these and one entry in WRITERS; the CLI's
--format list and `complyscan report` read this table.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from scanner.model import SCHEMA_VERSION, ScanResult
from scanner.report.html import HtmlWriter
from scanner.report.interface import ReportWriter
from scanner.report.json import JsonWriter
from scanner.report.junit import JUnitWriter
from scanner.report.markdown import MarkdownWriter
from scanner.report.sarif import SarifWriter
from scanner.sanitize import redact_url, scrub_surrogates

__all__ = [
    "WRITERS",
    "ReportWriter",
    "UnknownFormatError",
    "json_schema",
    "parse_formats",
    "write_reports",
]

WRITERS: dict[str, type[ReportWriter]] = {
    JsonWriter.format: JsonWriter,
    HtmlWriter.format: HtmlWriter,
    SarifWriter.format: SarifWriter,
    JUnitWriter.format: JUnitWriter,
    MarkdownWriter.format: MarkdownWriter,
}
"""--format name -> writer, in the order the formats are documented."""


class UnknownFormatError(ValueError):
    """A --format name no writer has; the message lists the known ones."""


def parse_formats(text: str) -> list[str]:
    """ "json, html,sarif" -> ["json", "html", "sarif"] (duplicates dropped); raises on unknown."""
    formats = list(dict.fromkeys(name.strip().lower() for name in text.split(",") if name.strip()))
    _check(formats)
    return formats


def _check(formats: list[str]) -> None:
    unknown = [name for name in formats if name not in WRITERS]
    if unknown:
        raise UnknownFormatError(
            f"unknown report format {', '.join(unknown)} (known: {', '.join(WRITERS)})"
        )


def write_reports(result: ScanResult, out_dir: Path, formats: list[str]) -> dict[str, Path]:
    """Render each format and write it into out_dir atomically; format -> path written.

    Each file is written to a temporary name in out_dir and renamed over the old one, so a
    reader (a CI upload step, a browser) never sees half a report.
    """
    _check(formats)
    scrub_surrogates(result)  # no encoder takes a lone surrogate; the browser can send one
    _forget_secrets(result)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    companions = frozenset(WRITERS[name].filename for name in formats)
    for name in formats:
        writer = WRITERS[name]()
        writer.companions = companions
        path = out_dir / writer.filename
        _write_atomically(path, writer.render(result))
        written[name] = path
    return written


def _forget_secrets(result: ScanResult) -> None:
    """Secrets a report.json of an older complyscan may hold (`complyscan report`, baselines):
    credentials in its URLs and the webhook URL are never written again (docs/security.md)."""
    result.target = redact_url(result.target)
    for key in ("url", "statement_url"):
        if isinstance(result.config.get(key), str):
            result.config[key] = redact_url(result.config[key])
    if result.config.get("webhook"):
        result.config["webhook"] = "[redacted]"


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def json_schema() -> dict[str, Any]:
    """The JSON Schema of report.json (`complyscan schema`; committed in schema/)."""
    schema = ScanResult.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-schema-version": SCHEMA_VERSION,
        **schema,
    }
