"""History is kept per site and target: a staging scan (`--profile staging`) and the production
scan of the same loopback site each compare only with their own previous scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.demo import server as demo_server
from scanner.demo.pki import TestPKI
from scanner.demo.server import SiteServer
from scanner.store import target_key
from tests.test_scan_all import HOME, SITE, STATEMENT_1, STATEMENT_2, hosts, scan_args


@pytest.mark.browser
def test_a_staging_scan_and_a_production_scan_keep_their_own_timelines(
    pki: TestPKI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "history.sqlite"
    # Production always answers at one loopback address, staging at another
    production_net, staging_net = demo_server.random_network(), demo_server.random_network()
    while staging_net == production_net:
        staging_net = demo_server.random_network()

    def serve(network: str, statement: str) -> SiteServer:
        monkeypatch.setattr(demo_server, "random_network", lambda: network)
        return SiteServer(hosts(HOME, statement), pki)

    def scan(server: SiteServer, name: str, *extra: str) -> Any:
        out = tmp_path / name
        argv = ["scan", server.url(SITE), *scan_args(server, out, db), "--no-screenshots"]
        assert main([*argv, *extra]) == 0
        return json.loads((out / "report.json").read_text())

    # Given a production scan of the site
    with serve(production_net, STATEMENT_1) as production:
        url = production.url(SITE)
        resolved = target_key(None, production.resolve_rules(), url)
        assert resolved == f"resolve:{production_net}.2"
        first = scan(production, "prod1")
    # When staging, with another statement, is scanned with --profile staging
    with serve(staging_net, STATEMENT_2) as staging:
        assert staging.url(SITE) == url
        staged = scan(staging, "staging1", "--profile", "staging")
    # Then it has no previous scan: production's is not its own
    assert first["changes"] is None
    assert staged["changes"] is None
    assert "statement-changed" not in {f["rule_id"] for f in staged["findings"]}

    # When production is scanned again, it compares with the first production scan only
    with serve(production_net, STATEMENT_1) as production:
        again = scan(production, "prod2")
    assert again["changes"] is not None and not again["changes"]["statement_changed"]

    # And history shows each scan's target and filters by it
    capsys.readouterr()
    assert main(["history", "--db", str(db), "--site", url]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    site = url.rstrip("/")
    targets = [line.split(f"{site}  ")[1].split()[0] for line in lines]
    assert targets == [resolved, "staging", resolved]
    assert main(["history", "--db", str(db), "--site", url, "--profile", "staging"]) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert f"{site}  staging  passed" in line
