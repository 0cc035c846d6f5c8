"""The command line as a newcomer meets it: help with defaults and exit codes, global flags
anywhere, shell completion, a closed pipe, and no test CA keys left behind by the demo."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cli import build_parser, main

COMPLYSCAN = [sys.executable, "-m", "scanner.cli"]


def _run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMPLYSCAN, *args], capture_output=True, text=True, timeout=60, check=False, **kwargs
    )  # type: ignore[call-overload,no-any-return]


def test_bare_complyscan_prints_help_and_exits_2() -> None:
    done = _run()
    assert done.returncode == 2
    assert "usage: complyscan" in done.stderr and "exit codes:" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_shows_defaults_and_exit_codes() -> None:
    wide = {**os.environ, "COLUMNS": "200"}
    text = _run("scan", "--help", env=wide).stdout
    assert "exit codes:" in text and "3  scan incomplete" in text
    # Defaults a flag leaves to complyscan.toml are those of the configuration.
    assert "(default: high)" in text and "(default: 50)" in text
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "(default: out/demo)" in _run("demo", "--help", env=wide).stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "https://example.com/", "-v", "--quiet"],
        ["-v", "scan", "https://example.com/", "-q"],
        ["-v", "-q", "scan", "https://example.com/"],
    ],
)
def test_global_flags_before_or_after_the_subcommand(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.verbose and args.quiet and args.url == "https://example.com/"


def test_bash_loads_the_completion_and_it_completes() -> None:
    script = subprocess.run(
        [*COMPLYSCAN, "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    probe = (
        "source /dev/stdin; complete -p complyscan; COMP_WORDS=(complyscan sc); COMP_CWORD=1; "
        '_complyscan; echo "commands: ${COMPREPLY[*]}"; '
        "COMP_WORDS=(complyscan scan https://x/ --fail-o); COMP_CWORD=3; _complyscan; "
        'echo "options: ${COMPREPLY[*]}"; '
        "COMP_WORDS=(complyscan scan --fail-on ''); COMP_CWORD=3; _complyscan; "
        'echo "choices: ${COMPREPLY[*]}"'
    )
    done = subprocess.run(
        ["bash", "-c", probe], input=script, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "complete -o default -F _complyscan complyscan" in done.stdout
    assert "commands: scan schema scan-all" in done.stdout
    assert "options: --fail-on" in done.stdout
    assert "choices: critical high medium low none" in done.stdout


def test_zsh_script_wraps_the_bash_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "zsh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#compdef complyscan") and "bashcompinit" in out


@pytest.mark.parametrize("reader", ["head -1", "true"])  # `true` never reads: a certain EPIPE
def test_a_closed_pipe_is_no_traceback(reader: str) -> None:
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {sys.executable} -m scanner.cli schema | {reader}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == ("{" if reader.startswith("head") else "")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_demo_leaves_no_test_ca_keys_behind(tmp_path: Path, stop: signal.Signals) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    demo = subprocess.Popen(
        [*COMPLYSCAN, "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmpdir)},
    )
    try:
        assert demo.stdout is not None
        lines = [demo.stdout.readline() for _ in range(4)]
        assert "Ctrl-C stops it." in lines[-1], lines
        keys = list(tmpdir.rglob("*key*"))
        assert keys, "the demo's CA keys should be in TMPDIR while it runs"
        demo.send_signal(stop)
        assert demo.wait(timeout=30) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
    assert list(tmpdir.iterdir()) == []


def test_scan_json_is_one_document_on_stdout_even_when_the_browser_is_missing(
    tmp_path: Path,
) -> None:
    done = _run(
        "scan", "https://www.example.com/", "--chromium", "/nonexistent/chrome",
        "--json", "--out", str(tmp_path),
    )  # fmt: skip
    summary = json.loads(done.stdout)
    assert done.returncode == summary["exit_code"] == 3
    assert summary["gate"] == "incomplete" and "Chromium" in summary["incomplete_reason"]
    assert done.stderr.count("\n") == 1  # the error line, on stderr
