"""A gate that never passes blind (issue 13, items 6 and 7): a page the scanner cannot read in
time makes the scan incomplete unless the user accepts it, and "start URL unreachable" is about
the start URL, not about whichever page finished first. Real Chromium on loopback sites."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import _run_scan
from scanner.config import ScanConfig
from scanner.demo.server import Host, Response, Route, SiteServer
from scanner.engine.statement import StatementSearch

pytestmark = pytest.mark.browser

PRIVACY = (
    "<!doctype html><title>Privacy policy</title><h1>Privacy policy</h1>"
    "<p>We protect your personal information with encryption in transit.</p>"
    "<p>We never share your personal information with third parties.</p>"
)
HOME = (
    "<!doctype html><title>Shop</title><a href='/join'>Join</a>"
    "<footer><a href='/privacy'>Privacy policy</a></footer>"
)
# A form that posts personal information over HTTP to a third party, then a script that never
# yields: the page loads, but no call into it ever returns.
JOIN_BUSY = (
    "<!doctype html><title>Join</title>"
    "<form method=post action='http://collect.tracker-example.test/signup'>"
    "<label>E-mail <input type=email name=email></label><button>Join</button></form>"
    "<footer><a href='/privacy'>Privacy policy</a></footer>"
    "<script>while (true) {}</script>"
)


def config(server: SiteServer, out: Path, **fields: Any) -> ScanConfig:
    """A scan of www.shop.test with a short read timeout (2 s); `fields` override."""
    defaults: dict[str, Any] = {
        "url": server.url("www.shop.test", "/"),
        "out": out,
        "resolve": server.resolve_rules(),
        "only_resolved": True,
        "ca_bundle": Path(server.ca_pem),
        "formats": ["json", "md"],
        "workers": 2,
        "nav_timeout_s": 2,
        "settle_cap_s": 1,
        "screenshots": False,
    }
    return ScanConfig(**{**defaults, **fields})


def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def busy_site(site: Any) -> SiteServer:
    routes: dict[str, Route] = {
        "/": Response(HOME),
        "/privacy": Response(PRIVACY),
        "/join": Response(JOIN_BUSY),
    }
    server: SiteServer = site([Host("www.shop.test", routes=routes)])
    return server


def test_a_page_that_cannot_be_read_in_time_makes_the_scan_incomplete(
    busy_site: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    cfg = config(busy_site, out, formats=["json", "md", "html"])
    assert _run_scan(cfg, quiet=True, history=False) == 3
    assert "not read: https://www.shop.test/join (the page could not be read" in " ".join(
        capsys.readouterr().out.split()
    )
    data = report(out)
    join = busy_site.url("www.shop.test", "/join")
    assert data["complete"] is False
    assert "could not be read" in data["incomplete_reason"] and join in data["incomplete_reason"]
    unread = {p["url"]: p["unread"] for p in data["pages"] if p["unread"]}
    assert list(unread) == [join]
    assert any(n.startswith(f"Not read: {join}") for n in data["notes"])
    # report.md escapes site text (backslashes, zero-width spaces): compare what a reader sees
    markdown = (out / "report.md").read_text("utf-8").replace("\u200b", "").replace("\\", "")
    assert "- Not read: https://www.shop.test/join" in markdown
    assert "Not read: https://www.shop.test/join (" in (out / "report.html").read_text("utf-8")


def test_allow_unread_pages_lets_the_gate_decide_and_still_names_them(
    busy_site: SiteServer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code = _run_scan(config(busy_site, out, allow_unread_pages=True), quiet=True, history=False)
    data = report(out)
    assert code == 0 and data["complete"] is True
    join = busy_site.url("www.shop.test", "/join")
    assert any(n.startswith(f"Not read: {join}") for n in data["notes"])


def test_a_slow_start_url_is_unreachable_even_when_a_sitemap_page_is_fast(
    site: Any, tmp_path: Path
) -> None:
    sitemap = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<url><loc>{{HTTPS_ORIGIN:www.shop.test}}/fast</loc></url></urlset>"
    )
    routes: dict[str, Route] = {
        "/": Response(HOME, delay=5),
        "/fast": Response("<!doctype html><title>Fast</title><p>fast"),
        "/sitemap.xml": Response(sitemap, content_type="application/xml"),
    }
    server = site([Host("www.shop.test", routes=routes)])
    out = tmp_path / "out"
    # Unread pages allowed: only the start URL decides here.
    code = _run_scan(config(server, out, allow_unread_pages=True), quiet=True, history=False)
    data = report(out)
    assert code == 3, data["incomplete_reason"]
    assert data["incomplete_reason"].startswith("the start URL could not be loaded")
    assert any(p["url"].endswith("/fast") and p["status"] == 200 for p in data["pages"])


def test_a_fast_failing_sitemap_url_does_not_make_a_healthy_site_unreachable(
    site: Any, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    sitemap = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>https://www.shop.test:{dead_port}/gone</loc></url></urlset>"
    )
    routes: dict[str, Route] = {
        "/": Response(HOME.replace("/join", "/privacy"), delay=1),
        "/privacy": Response(PRIVACY),
        "/sitemap.xml": Response(sitemap, content_type="application/xml"),
    }
    server = site([Host("www.shop.test", routes=routes)])
    out = tmp_path / "out"
    code = _run_scan(config(server, out), quiet=True, history=False)
    data = report(out)
    assert code == 0, data["incomplete_reason"]
    gone = next(p for p in data["pages"] if p["url"].endswith("/gone"))
    assert gone["error"] and not gone["status"]
    assert data["pages"][0]["url"].endswith("/gone")  # it finished first, and did not decide


def test_an_unexpected_error_mid_scan_keeps_what_was_gathered_and_exits_3(
    busy_site: SiteServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 9: a crash in a stage once printed a traceback and exited 1 ("gate
    failed"); now the report holds the pages crawled and says why it stopped."""

    async def broken(self: StatementSearch) -> None:
        raise RuntimeError("a stage nobody planned to fail")

    monkeypatch.setattr(StatementSearch, "find", broken)
    out = tmp_path / "out"
    assert _run_scan(config(busy_site, out), quiet=True, history=False) == 3
    data = report(out)
    assert data["incomplete_reason"].startswith(
        "the scan stopped on an unexpected error (RuntimeError: a stage nobody planned to fail)"
    )
    assert {p["title"] for p in data["pages"]} >= {"Shop", "Privacy policy"}
