"""Nothing lost, nothing mixed up (issue 13, items 12 and 13): screenshots of look-alike URLs
stay apart, and --time-budget bounds the whole scan, keeping what was gathered. Real Chromium."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import _run_scan
from scanner.config import ScanConfig
from scanner.demo.server import Host, Response, Route
from scanner.statement.find import COMMON_PATHS
from tests.test_crawl import crawl
from tests.test_gate_blind import config

pytestmark = pytest.mark.browser

FORM = (
    "<!doctype html><title>{name}</title><form id='f' method=post action='/send'>"
    "<label>E-mail for {name} <input type=email name=email></label><button>Send</button></form>"
)
LOOKALIKES = ["/contact.html", "/contact-html", "/contact_html"]


def test_look_alike_urls_get_screenshots_of_their_own(
    site: Any, chromium: Path, tmp_path: Path
) -> None:
    routes: dict[str, Route] = {p: Response(FORM.format(name=p)) for p in LOOKALIKES}
    routes["/"] = Response("".join(f"<a href='{p}'>{p}</a> " for p in LOOKALIKES))
    server = site([Host("www.shop.test", routes=routes)])
    shots = tmp_path / "shots"
    pages, _ = crawl(server, chromium, leak_probe=False, screenshots_dir=shots)
    files = {pages[p.lstrip("/")].forms[0].screenshot for p in LOOKALIKES}
    assert len(files) == 3 and None not in files
    assert len(list(shots.glob("*.png"))) == 3


# The default navigation timeout (20 s): the budget, not the page's timeout, must end the scan.
REAL_TIMEOUTS: dict[str, Any] = {"nav_timeout_s": 20, "settle_cap_s": 5, "workers": 1}


def scan(cfg: ScanConfig) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    code = _run_scan(cfg, quiet=True, history=False)
    report = json.loads((cfg.out / "report.json").read_text(encoding="utf-8"))
    return code, report, time.monotonic() - started


def test_the_budget_stops_a_page_that_outlasts_it_and_keeps_the_pages_read(
    site: Any, tmp_path: Path
) -> None:
    # /slow never answers; the crawl's own budget check (before each page) cannot stop a load
    # already started (20 s navigation timeout): only a bound on the whole scan does.
    routes: dict[str, Route] = {
        "/": Response("<!doctype html><title>Home</title><a href='/slow'>slow</a>"),
        "/slow": Response("<!doctype html><title>Slow</title>", delay=60),
    }
    server = site([Host("www.shop.test", routes=routes)])
    code, report, seconds = scan(config(server, tmp_path / "out", time_budget=15, **REAL_TIMEOUTS))
    assert code == 3 and report["complete"] is False
    assert report["incomplete_reason"].startswith("time budget (15 s) used up during the crawl")
    assert [p["title"] for p in report["pages"]] == ["Home"]
    assert seconds < 20 + 5  # the budget and the reports, not the navigation timeout (20 s)


def test_the_budget_bounds_the_statement_search(site: Any, tmp_path: Path) -> None:
    # Every place the statement may be answers only after the fetch timeout (10 s each).
    routes: dict[str, Route] = {p: Response("<p>late", delay=60) for p in COMMON_PATHS}
    routes["/"] = Response("<!doctype html><title>Home</title><p>hello")
    server = site([Host("www.shop.test", routes=routes)])
    code, report, seconds = scan(config(server, tmp_path / "out", time_budget=25, **REAL_TIMEOUTS))
    assert code == 3 and report["statement"] is None
    assert "used up during the statement" in report["incomplete_reason"]
    assert [p["title"] for p in report["pages"]] == ["Home"]
    assert seconds < 25 + 10  # searching them all would take 10 s * len(COMMON_PATHS)
