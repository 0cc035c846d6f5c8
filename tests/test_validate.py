"""`complyscan validate`: config, waivers and sites files checked without a scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.cli import main
from scanner.demo.pki import TestPKI


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_config_waivers_and_sites_pass(
    tmp_path: Path, pki: TestPKI, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.ca_pem.read_bytes())
    waivers = _write(
        tmp_path / "waivers.toml",
        '[[waiver]]\nrule = "hsts-missing"\nreason = "legacy host"\nexpires = 2030-01-31\n',
    )
    config = _write(
        tmp_path / "complyscan.toml",
        f'[scan]\nresolve = ["www.shop.test:127.0.0.1"]\nonly_resolved = true\n'
        f'ca_bundle = "{ca.name}"\n[gate]\nwaivers = "waivers.toml"\n',
    )
    sites = _write(
        tmp_path / "sites.toml",
        '[[site]]\nurl = "https://www.shop.test/"\nonly_resolved = true\n'
        'resolve = ["www.shop.test:127.0.0.1"]\n',
    )
    code = main(["validate", str(config), "--waivers", str(waivers), "--sites", str(sites)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == [f"ok   {config}", f"ok   {waivers}", f"ok   {sites}"]


def test_each_problem_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write(
        tmp_path / "complyscan.toml",
        '[scan]\nurl = "ftp://x"\nmax_pages = 0\nformats = ["pdf"]\n',
    )
    waivers = _write(tmp_path / "waivers.toml", '[[waiver]]\nrule = "no-such-rule"\n')
    sites = _write(tmp_path / "sites.toml", "[[site]]\nmax_pages = 3\n")
    code = main(["validate", str(config), "--waivers", str(waivers), "--sites", str(sites)])
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert code == 2 and captured.out == ""
    assert len(errors) == 5, errors
    assert all(line.startswith("complyscan: error: ") for line in errors)
    assert "not an http(s) URL" in errors[0] and "max_pages" in errors[1]
    assert "unknown format 'pdf'" in errors[2]
    assert "no-such-rule" in errors[3] and "needs a url" in errors[4]


def test_without_a_file_it_says_what_to_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 2
    assert "no complyscan.toml here" in capsys.readouterr().err
    _write(tmp_path / "complyscan.toml", '[scan]\nurl = "https://www.shop.test/"\n')
    assert main(["validate"]) == 0
