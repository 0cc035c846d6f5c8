"""The command line as a user meets it: one-line errors and the documented exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import main


def complyscan(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "1"}
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "not a url"], "not an http(s) URL"),
        (["scan", "https://example.com/", "--frobnicate"], "unrecognized arguments"),
        (["scan", "https://example.com/", "--ca-bundle", "/nonexistent/ca.pem"], "no such file"),
        (["scan", "https://example.com/", "--resolve", "example.com"], "--resolve"),
        (["scan", "https://example.com/", "--format", "pdf"], "unknown format"),
        (["scan", "https://example.com/", "--config", "/nonexistent.toml"], "no such file"),
        (["bogus-command"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    done = complyscan(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0] and "Traceback" not in done.stderr


@pytest.mark.browser
def test_unreachable_start_url_exits_3(tmp_path: Path) -> None:
    done = complyscan(
        "scan",
        "https://www.unreachable.test/",
        "--resolve",
        "www.unreachable.test:127.0.0.1",
        "--only-resolved",
        "--out",
        str(tmp_path),
        "--max-pages",
        "1",
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "INCOMPLETE" in done.stdout
    report = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert '"complete": false' in report


def test_missing_browser_is_one_line_and_exit_3(tmp_path: Path) -> None:
    done = complyscan(
        "scan",
        "https://www.example.com/",
        "--chromium",
        "/nonexistent/chrome",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 3
    assert done.stderr.strip().count("\n") == 0 and "Chromium" in done.stderr


def test_schema_prints_the_report_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert '"schema_version"' in capsys.readouterr().out


def test_statement_command_prints_claims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "privacy.txt"
    text.write_text(
        "Privacy notice.\nWe protect the data you enter with TLS encryption.\n"
        "We never sell or share your personal information with third parties.\n",
        encoding="utf-8",
    )
    assert main(["statement", str(text)]) == 0
    out = capsys.readouterr().out
    assert "transport-encryption" in out and "no-third-party-sharing" in out
    assert main(["statement", str(tmp_path / "missing.txt")]) == 2
