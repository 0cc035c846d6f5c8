"""The benchmark's synthetic site: every page reachable, the promised mix on each page.

Pure logic: the site is rendered by calling its routes, with no server and no browser.
"""

from __future__ import annotations

import re
from collections import deque

import pytest

from bench.run import consent_cost
from bench.site import (
    ANALYTICS,
    ANALYTICS_SCRIPT,
    CONSENT_SCRIPT,
    FIRST_PARTY_HOSTS,
    STATEMENT_PATH,
    THIRD_PARTY_HOSTS,
    BenchSite,
    build_bench_site,
    page_location,
)
from scanner.demo.pages import CONSENT_JS
from scanner.demo.server import Host, Incoming, Response
from scanner.scope import TrapDetector

LINK = re.compile(r'<a href="\{\{HTTPS_ORIGIN:([^}]+)\}\}([^"]*)"')
THIRD_PARTY_URL = re.compile(r"\{\{HTTPS_ORIGIN:([^}]+)\}\}")


def _get(site: BenchSite, host: str, path: str) -> Response:
    routes = {h.name: h for h in site.hosts}[host].routes
    route = routes[path]
    if callable(route):
        return route(Incoming(host, "https", "GET", path, {}, b""))
    return route


def _html(site: BenchSite, host: str, path: str) -> str:
    body = _get(site, host, path).body
    return body if isinstance(body, str) else body.decode()


@pytest.mark.parametrize("pages", [2, 7, 100, 1000])
def test_a_breadth_first_crawl_from_home_reaches_every_page(pages: int) -> None:
    # Given a site of N pages
    site = build_bench_site(pages)
    # When links are followed from the home page
    seen = {site.start}
    queue = deque([site.start])
    while queue:
        host, path = queue.popleft()
        for link in LINK.findall(_html(site, host, path)):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    # Then exactly the N pages are found, and every page the site lists exists
    assert seen == set(site.locations())
    assert len(seen) == pages


def test_each_page_has_first_party_assets_third_parties_and_a_cookie() -> None:
    site = build_bench_site(100)
    for index in range(99):
        host, path = page_location(index, 100)
        response = _get(site, host, path)
        html = _html(site, host, path)
        assert {"/static/site.css", "/static/app.js", "/static/logo.svg"} <= set(
            re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        )
        # Third-party requests in the page before a choice (the font comes from the
        # stylesheet, the analytics only from the consent banner): the CDN, 0 to 2 pixels.
        in_page = [h for h in THIRD_PARTY_URL.findall(html) if h not in FIRST_PARTY_HOSTS]
        assert 1 <= len(in_page) <= 3 and ANALYTICS not in in_page
        assert ("Set-Cookie", f"sid=s{index}; Path=/; Secure; HttpOnly; SameSite=Lax") in (
            response.headers
        )
        assert ("<form" in html) == (index % 10 == 0)
        assert STATEMENT_PATH in html
    assert "fonts.gstatic.com" in _html(site, FIRST_PARTY_HOSTS[0], "/static/site.css")


def test_pages_spread_over_three_first_party_hosts_and_third_parties_are_served() -> None:
    site = build_bench_site(30)
    assert {host for host, _ in site.locations()} == set(FIRST_PARTY_HOSTS)
    served = {h.name for h in site.hosts}
    assert set(THIRD_PARTY_HOSTS) <= served
    assert all(isinstance(h, Host) and h.https for h in site.hosts)


def test_a_site_needs_a_home_page_and_a_statement() -> None:
    with pytest.raises(ValueError):
        build_bench_site(1)


def test_no_page_looks_like_a_crawl_trap_to_the_crawler() -> None:
    # Given the crawler's trap detector at its default threshold
    detector = TrapDetector()
    # When every page of a 1000-page site is offered to it, then every page is admitted
    assert all(
        detector.admit(f"https://{host}{path}") for host, path in build_bench_site(1000).locations()
    )
    assert detector.notes == []


def test_every_page_shows_the_demo_s_banner_which_loads_the_analytics_only_after_accept() -> None:
    # Given a site of 30 pages
    site = build_bench_site(30)

    # Then every page, the statement included, loads the consent banner from its own host
    for host, path in site.locations():
        assert f'<script src="{CONSENT_SCRIPT}"></script>' in _html(site, host, path), path
    # and the banner is the demo's clean one (autoconsent's cookieconsent3 rule knows its
    # markup), whose analytics are the analytics host's script, loaded only after accept
    for host in FIRST_PARTY_HOSTS:
        banner = _html(site, host, CONSENT_SCRIPT)
        assert banner == CONSENT_JS % {
            "violating": "false",
            "analytics": "{{HTTPS_ORIGIN:" + ANALYTICS + "}}" + ANALYTICS_SCRIPT,
        }
        assert "id = 'cc-main'" in banner and 'data-role="necessary"' in banner
    analytics = _html(site, ANALYTICS, ANALYTICS_SCRIPT)
    assert "en=page_view" in analytics and "dataLayer" in analytics
    # and no page calls the analytics host itself: before a choice it receives nothing
    assert not any(
        ANALYTICS in THIRD_PARTY_URL.findall(_html(site, host, path))
        for host, path in site.locations()
    )


def test_the_consent_line_names_the_states_and_the_share_of_the_whole_scan() -> None:
    detail = {
        "consent_seconds": 25.0,
        "consent_pages": 12,
        "consent_visited": ["no-choice", "accept-all", "gpc"],
        "consent_not_visited": {"reject-all": "opt-out by rule 'cookieconsent3' failed"},
        "consent_cmp": "cookieconsent3",
    }

    line = consent_cost(detail, seconds=100.0)

    assert "consent manager: cookieconsent3" in line
    assert "12 page(s) a state; visited no-choice, accept-all, gpc" in line
    assert "reject-all not visited (opt-out by rule 'cookieconsent3' failed)" in line
    assert "20% of the whole scan, +25% over the scan without them" in line
    assert line.endswith("MISSED]")
    assert "target" not in consent_cost(detail, seconds=100.0, pages=100)  # the 1,000-page one
