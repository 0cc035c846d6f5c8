"""`complyscan init`: the drafted complyscan.toml is valid, declares named vendors and leaves
the others for a person to confirm."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner.config import build_config
from scanner.init import draft_config
from scanner.model import Beacon, Claim, Cookie, Page, ScanResult, Statement


def _result() -> ScanResult:
    text = "We use Google Analytics to count visits."
    return ScanResult(
        target="https://www.shop.test/",
        started_at=datetime.now(UTC),
        pages=[Page(url="https://www.shop.test/"), Page(url="https://help.shop.test/faq")],
        statement=Statement(
            url="https://www.shop.test/privacy",
            sha256="x",
            text=text,
            claims=[
                Claim(
                    kind="named-third-parties",
                    quote=text,
                    start=0,
                    end=len(text),
                    vendor="Google Analytics",
                )
            ],
        ),
        beacons=[
            Beacon(
                url="https://www.google-analytics.com/g/collect?v=2",
                page_url="https://www.shop.test/",
                vendor="Google Analytics",
                category="analytics",
                kind="pixel",
            ),
            Beacon(
                url='https://px.evil.test/p?"]\n[scan]',
                page_url="https://www.shop.test/",
                vendor=None,
                category=None,
                kind="query-ids",
            ),
        ],
        cookies=[Cookie(name="fr", domain=".facebook.com", third_party=True, vendor="Facebook")],
    )


def test_draft_is_valid_toml_that_the_scanner_accepts(tmp_path: Path) -> None:
    text = draft_config(_result())
    data = tomllib.loads(text)
    assert data["scan"]["url"] == "https://www.shop.test/"
    assert data["statement"]["url"] == "https://www.shop.test/privacy"
    assert data["scope"]["hosts"] == ["shop.test", "*.shop.test"]
    # Named in the statement: declared. Not named: left commented for a person to decide.
    assert [d["vendor"] for d in data["disclosed"]] == ["Google Analytics"]
    assert '# vendor = "Facebook"' in text and "cookies fr" in text
    path = tmp_path / "complyscan.toml"
    path.write_text(text, encoding="utf-8")
    config = build_config(path, {})
    assert config.disclosed[0].domains == ["google-analytics.com"]


def test_site_text_cannot_inject_toml() -> None:
    data = tomllib.loads(draft_config(_result()))
    assert list(data) == ["scan", "scope", "statement", "gate", "disclosed"]


def test_without_a_statement_the_draft_says_so() -> None:
    result = _result()
    result.statement = None
    text = draft_config(result)
    assert "No privacy statement was found" in text
    assert "disclosed" not in tomllib.loads(text)


@pytest.mark.browser
def test_init_drafts_from_a_real_scan_of_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.cli import main
    from scanner.demo.site import start_demo

    # The demo's analytics load only after "Accept all": init sees them in the consent states.
    monkeypatch.setenv("COMPLYSCAN_CONSENT", "on")

    server, info = start_demo(tmp_path / "pki", variant="clean")
    target = tmp_path / "complyscan.toml"
    try:
        args = ["init", info.start_url(server), "--file", str(target), "--only-resolved"]
        args += ["--ca-bundle", server.ca_pem]
        for rule in server.resolve_rules():
            args += ["--resolve", rule]
        assert main(args) == 0
        assert main(args) == 2  # never overwrites without --force
    finally:
        server.stop()
    text = target.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["statement"]["url"].endswith("/privacy")
    # The demo's statement says "an access analysis service", never the vendor's name: the
    # observed vendor is drafted for the owner to confirm, not declared for them.
    assert '# vendor = "Google Analytics"' in text
    assert "access analysis" in text


_HOME = """<!doctype html><html><head><title>Shop</title></head><body>
<a href="/privacy">Privacy</a>
<form action="/join" method="post"><label>E-mail <input type="email" name="email"></label>
<button>Join</button></form></body></html>"""
_PRIVACY = """<!doctype html><html><head><title>Privacy policy</title></head><body>
<h1>Privacy policy</h1><p>We protect the data you enter with TLS encryption.</p>
<p>We never sell or share your personal information with third parties.</p></body></html>"""


@pytest.mark.browser
def test_init_then_scan_with_the_written_file(
    tmp_path: Path, pki: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft keeps how the site was reached (--resolve, --only-resolved, --ca-bundle), so
    `scan --config` on it scans the same loopback site."""
    from scanner.demo.server import Host, Response, SiteServer
    from tests.test_cli import complyscan

    (tmp_path / "ca.pem").write_bytes(Path(pki.ca_pem).read_bytes())
    hosts = [
        Host(
            "www.shop.test",
            headers={"Strict-Transport-Security": "max-age=63072000"},
            routes={"/": Response(_HOME), "/privacy": Response(_PRIVACY)},
        )
    ]
    with SiteServer(hosts, pki, prefer_standard_ports=False) as server:
        resolve = [arg for rule in server.resolve_rules() for arg in ("--resolve", rule)]
        monkeypatch.chdir(tmp_path)
        drafted = complyscan(
            "init", server.url("www.shop.test"), *resolve, "--only-resolved",
            "--ca-bundle", "ca.pem", "--max-pages", "3", timeout=240,
        )  # fmt: skip
        assert drafted.returncode == 0, drafted.stdout + drafted.stderr
        written = tomllib.loads((tmp_path / "complyscan.toml").read_text(encoding="utf-8"))
        assert written["scan"]["resolve"] == server.resolve_rules()
        assert written["scan"]["only_resolved"] is True
        assert written["scan"]["ca_bundle"] == str(tmp_path / "ca.pem")

        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        monkeypatch.chdir(elsewhere)
        scanned = complyscan(
            "scan", "--config", str(tmp_path / "complyscan.toml"), "--out", "out",
            "--json", "--quiet", "--db", str(tmp_path / "history.sqlite"), timeout=240,
        )  # fmt: skip
    summary = json.loads(scanned.stdout)  # --json: stdout is the summary alone
    assert summary["complete"], summary["incomplete_reason"]
    assert scanned.returncode == summary["exit_code"] == {"passed": 0, "failed": 1}[summary["gate"]]
    assert summary["pages"] >= 2 and Path(summary["reports"]["json"]).is_absolute() is False
    assert (elsewhere / summary["reports"]["json"]).is_file()
    assert "error" not in scanned.stderr
