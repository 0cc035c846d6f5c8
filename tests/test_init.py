"""`complyscan init`: the drafted complyscan.toml is valid, declares named vendors and leaves
the others for a person to confirm."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

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
def test_init_drafts_from_a_real_scan_of_the_demo(tmp_path: Path) -> None:
    from scanner.cli import main
    from scanner.demo.site import start_demo

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
