"""report.json, the writers table, atomic writing, and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner.model import ScanResult
from scanner.report import (
    WRITERS,
    UnknownFormatError,
    json_schema,
    parse_formats,
    write_reports,
)
from scanner.report.json import JsonWriter
from tests.fixtures.results.hostile import SECRET_COOKIE_VALUE, build_result

COMMITTED_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "report.schema.json"


def test_the_writers_table_names_every_format_and_its_file() -> None:
    assert {name: w.filename for name, w in WRITERS.items()} == {
        "json": "report.json",
        "html": "report.html",
        "sarif": "report.sarif",
        "junit": "report.junit.xml",
        "md": "report.md",
    }
    assert all(w.format == name for name, w in WRITERS.items())


def test_report_json_is_the_result_itself_and_round_trips() -> None:
    result = build_result()

    text = JsonWriter().render(result)

    assert text.startswith('{\n  "schema_version": 3,')
    assert ScanResult.model_validate_json(text) == result
    assert SECRET_COOKIE_VALUE in text  # report.json is the data; only reports for people redact


def test_report_json_validates_against_the_published_schema() -> None:
    document = json.loads(JsonWriter().render(build_result()))

    jsonschema.Draft202012Validator(json_schema()).validate(document)


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8"))

    assert committed == json_schema(), (
        "schema/report.schema.json is stale: regenerate it with "
        "`python -m scanner.report schema > schema/report.schema.json` "
        "(and bump SCHEMA_VERSION in scanner/model.py if a field was renamed or removed)"
    )


def test_write_reports_writes_every_format_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "out" / "nested"

    written = write_reports(build_result(), out, list(WRITERS))

    assert written == {name: out / w.filename for name, w in WRITERS.items()}
    assert sorted(p.name for p in out.iterdir()) == sorted(w.filename for w in WRITERS.values())
    assert all(path.stat().st_size > 500 for path in written.values())


def test_write_reports_replaces_an_older_report(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("old")

    write_reports(build_result(), tmp_path, ["md"])

    assert (tmp_path / "report.md").read_text().startswith("## ")


def test_an_unknown_format_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormatError, match=r"unknown report format pdf \(known: json, html"):
        write_reports(build_result(), tmp_path, ["json", "pdf"])

    assert list(tmp_path.iterdir()) == []


def test_parse_formats_reads_the_cli_list() -> None:
    assert parse_formats("json, HTML,sarif,,json") == ["json", "html", "sarif"]
    with pytest.raises(UnknownFormatError):
        parse_formats("json,xml")


def test_every_field_of_the_contract_is_described() -> None:
    from scanner.report import json_schema

    schema = json_schema()
    models = [("ScanResult", schema), *schema.get("$defs", {}).items()]
    undescribed = [
        f"{name}.{field}"
        for name, model in models
        for field, spec in model.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undescribed == []


def test_closed_vocabularies_are_enums_in_the_schema() -> None:
    from scanner.report import json_schema

    defs = json_schema()["$defs"]
    assert "script" in str(defs["Form"]["properties"]["method"])
    assert "sendbeacon" in str(defs["Beacon"]["properties"]["kind"])
    assert "receives-pi-form" in str(defs["HostSecurity"]["properties"]["roles"])
    assert defs["Page"]["properties"]["leaks"]["items"] == {"$ref": "#/$defs/Leak"}
