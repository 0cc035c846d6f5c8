"""Failures that are not a gate verdict never exit 1 (issue 13, items 9 and 12): a bad --out, a
full disk, a bad CA bundle or config value, an unreadable waivers file, a second scan in the same
--out, a --resume of another site's pages, and any unexpected error: exit 2 or 3, one line."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner import cli
from scanner.config import ScanConfig
from scanner.demo.pki import TestPKI
from scanner.model import Page, ScanResult
from scanner.outdir import PAGES_FILE, claim, start_pages_file

URL = "https://www.shop.test/"


def complyscan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CI": "1"},
        cwd=cwd,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert done.returncode == code, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def test_out_pointing_at_a_file_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    one_line(complyscan("scan", URL, "--out", str(target)), 2, "--out", "not a directory")


def test_report_out_pointing_at_a_file_exits_2(tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(ScanResult(target=URL, started_at=datetime.now(UTC)).model_dump_json())
    done = complyscan("report", str(saved), "--out", str(saved))
    one_line(done, 2, "--out", "not a directory")


def test_out_in_a_directory_nobody_may_write_exits_2() -> None:
    # sysfs refuses new files even to root (a chmod 555 directory would not stop root).
    one_line(complyscan("scan", URL, "--out", "/sys/kernel"), 2, "--out", "cannot write")


def test_a_ca_bundle_with_a_bad_certificate_body_exits_2(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    done = complyscan("scan", URL, "--ca-bundle", str(bundle), "--out", str(tmp_path / "o"))
    one_line(done, 2, "--ca-bundle", "bad certificate")


def test_a_path_setting_that_is_not_a_string_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "complyscan.toml"
    config.write_text(f'[scan]\nurl = "{URL}"\nca_bundle = 5\n', encoding="utf-8")
    one_line(complyscan("scan", "--config", str(config)), 2, "ca_bundle must be a path")


def test_a_waivers_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_bytes(b'[[waiver]]\nrule = "hsts-missing"\nreason = "caf\xe9"\n')
    done = complyscan("scan", URL, "--waivers", str(waivers), "--out", str(tmp_path / "o"))
    one_line(done, 2, "not UTF-8")


def test_a_full_disk_while_writing_reports_exits_3(tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(
        ScanResult(target=URL, started_at=datetime.now(UTC), complete=True).model_dump_json()
    )
    out = tmp_path / "out"

    def tiny_disk() -> None:
        # Files may not grow past 4 kB (EFBIG, as a full disk's ENOSPC): report.html is larger.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "report", str(saved), *("--out", str(out))],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=tiny_disk,
        check=False,
    )
    one_line(done, 3, "cannot read or write", "File too large")
    assert not list(out.glob("*.html"))  # no half report left behind


def test_an_unexpected_error_is_one_line_and_exit_3_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: Any) -> int:
        raise RuntimeError("something nobody planned for\nsecond line")

    monkeypatch.setitem(cli.COMMANDS, "schema", broken)
    monkeypatch.delenv("COMPLYSCAN_DEBUG", raising=False)
    assert cli.main(["schema"]) == 3
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "complyscan: error: unexpected RuntimeError: something nobody planned for "
        "(--debug or COMPLYSCAN_DEBUG=1 shows the traceback)"
    ]
    assert cli.main(["--debug", "schema"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_a_second_scan_in_the_same_out_exits_2_and_leaves_the_first_ones_pages(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    config = ScanConfig(url=URL, out=out)
    with claim(config):
        start_pages_file(config)
        (out / PAGES_FILE).write_text(Page(url=URL).model_dump_json() + "\n")
        done = complyscan("scan", URL, "--out", str(out))
        one_line(done, 2, "another scan", f"pid {os.getpid()}")
        assert (out / PAGES_FILE).read_text().count("\n") == 1
    with claim(config):  # released: usable again
        pass


def killed_scan(out: Path, url: str, **fields: Any) -> None:
    """pages.jsonl as a killed scan of `url` left it."""
    config = ScanConfig(url=url, out=out, **fields)
    out.mkdir(parents=True, exist_ok=True)
    start_pages_file(config)
    (out / PAGES_FILE).write_text(Page(url=url, status=200).model_dump_json() + "\n")


def test_resume_refuses_the_pages_of_another_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    killed_scan(out, "https://www.other-site.test/")
    done = complyscan("scan", URL, "--out", str(out), "--resume")
    one_line(done, 2, "--resume", "www.other-site.test", "not https://www.shop.test/")
    assert "other-site" in (out / PAGES_FILE).read_text()  # left as it was


def test_resume_refuses_the_pages_of_another_scope(tmp_path: Path) -> None:
    out = tmp_path / "out"
    killed_scan(out, URL, exclude_paths=["/blog"])
    done = complyscan("scan", URL, "--out", str(out), "--resume")
    one_line(done, 2, "--resume", "other scope settings")


def test_resume_refuses_pages_that_do_not_say_whose_they_are(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / PAGES_FILE).write_text(json.dumps({"url": URL}) + "\n")
    one_line(complyscan("scan", URL, "--out", str(out), "--resume"), 2, "does not say")


def test_the_statement_command_with_a_bad_bundle_is_not_exit_1(
    tmp_path: Path, pki: TestPKI
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    done = complyscan("statement", URL, "--ca-bundle", str(bundle))
    assert done.returncode in (2, 3) and "Traceback" not in done.stderr, done.stderr
