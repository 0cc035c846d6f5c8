"""`complyscan doctor`: real checks on this machine, one line each, exit 0 or 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.cli import main


@pytest.mark.browser
def test_every_check_passes_here(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--db", str(tmp_path / "history.sqlite")])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert code == 0, out
    names = [line.split(":")[0] for line in lines[:-1]]
    assert names == [
        "ok   chromium found",
        "ok   certutil",
        "ok   sslyze importable",
        "ok   history store writable",
        "ok   loopback TLS handshake",
        "ok   chromium launches",
    ]
    assert lines[-1] == "all 6 checks passed: ready to scan"


def test_failures_say_the_fix_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where a directory should be", encoding="utf-8")
    code = main(["doctor", "--chromium", "/nonexistent/chrome", "--db", str(blocked / "h.db")])
    out = capsys.readouterr().out
    assert code == 3
    failed = [line for line in out.splitlines() if line.startswith("fail ")]
    assert [line.split(":")[0] for line in failed] == [
        "fail chromium found",
        "fail history store writable",
    ]
    assert all(" -> " in line for line in failed)
    assert "ok   loopback TLS handshake" in out
    assert out.strip().splitlines()[-1].startswith("2 of 5 check(s) failed")
