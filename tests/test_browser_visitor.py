"""What the scanner's browser presents itself as, seen from inside a page and by the server:
an ordinary visitor's desktop Chrome, in the real Chromium on loopback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.discovery import chromium_version
from scanner.demo.server import Host, Response
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser

# The page reports what its scripts can see to a loopback endpoint, as a bot check would.
REPORTER = """<!doctype html><title>What a page sees</title><script>
(async () => {
  const data = navigator.userAgentData;
  let sw = "absent";
  if ("serviceWorker" in navigator) {
    try { await navigator.serviceWorker.register("/sw.js"); sw = "registered"; }
    catch (e) { sw = "refused: " + e; }
  }
  await fetch("/report", {method: "POST", body: JSON.stringify({
    ua: navigator.userAgent,
    webdriver: navigator.webdriver,
    brands: data ? data.brands.map((b) => b.brand) : null,
    languages: navigator.languages,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: [screen.width, screen.height],
    serviceWorker: sw,
  })});
})();
</script>"""


def _site() -> list[Host]:
    return [
        Host(
            "www.shop.test",
            routes={
                "/": Response(REPORTER),
                "/report": Response(b"", status=204),
                "/sw.js": Response(
                    "self.addEventListener('fetch', () => {});", content_type="text/javascript"
                ),
            },
        )
    ]


def _seen(server: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """What the page reported, and the headers its document request carried."""
    (report,) = [r for r in server.requests_to("www.shop.test", "POST") if r.path == "/report"]
    document = next(r for r in server.requests_to("www.shop.test", "GET") if r.path == "/")
    return json.loads(report.body), document.headers


def test_the_browser_looks_like_a_visitors_desktop_chrome(site: Any, chromium: Path) -> None:
    server = site(_site())
    crawl(server, chromium, dwell_s=1.0)
    seen, headers = _seen(server)
    major = re.search(r"(\d+)\.", chromium_version(chromium) or "")
    assert major is not None
    for agent in (seen["ua"], headers["user-agent"]):
        assert "Headless" not in agent
        assert f"Chrome/{major.group(1)}.0.0.0 Safari/537.36" in agent
    assert seen["webdriver"] is False
    assert "Chromium" in seen["brands"] and not any("Headless" in b for b in seen["brands"])
    assert "Headless" not in headers["sec-ch-ua"] and "Chromium" in headers["sec-ch-ua"]
    assert seen["languages"] == ["en-US", "en"]
    assert headers["accept-language"].startswith("en-US,en")
    assert seen["timeZone"] == "America/New_York"
    assert seen["screen"] == [1920, 1080]
    assert seen["serviceWorker"] == "registered"


def test_user_agent_of_the_teams_choice(site: Any, chromium: Path) -> None:
    server = site(_site())
    agent = "complyscan/1.0 (+https://www.shop.test/scanner)"
    crawl(server, chromium, dwell_s=1.0, user_agent=agent)
    seen, headers = _seen(server)
    assert seen["ua"] == headers["user-agent"] == agent
    assert seen["webdriver"] is False
