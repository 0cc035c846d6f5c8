"""robots.txt and sitemaps: the rules as RFC 9309 reads them, and the crawl that uses them."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.robots import Robots, parse_sitemap
from scanner.demo.server import Host, Response
from tests.test_crawl import crawl

ROBOTS = """
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private   # nobody
Allow: /private/open
Disallow: /*.pdf$

Sitemap: /maps/index.xml
"""


def test_the_star_group_applies_when_none_names_complyscan() -> None:
    robots = Robots.parse(ROBOTS, "https://www.shop.test/")
    assert robots.allowed("https://www.shop.test/")
    assert not robots.allowed("https://www.shop.test/private/x")
    assert robots.allowed("https://www.shop.test/private/open/y")  # longer Allow wins
    assert not robots.allowed("https://www.shop.test/a/b.pdf")
    assert robots.allowed("https://www.shop.test/a/b.pdf?x=1")  # $ anchors the end
    assert robots.sitemaps == ["https://www.shop.test/maps/index.xml"]


def test_a_group_naming_complyscan_replaces_the_star_group() -> None:
    # RFC 9309 matches the product token, case-insensitively ("ComplyScan", no version).
    text = "User-agent: *\nDisallow: /\n\nUser-agent: ComplyScan\nUser-agent: b\nDisallow: /x\n"
    robots = Robots.parse(text, "https://a.test/")
    assert robots.allowed("https://a.test/y") and not robots.allowed("https://a.test/x/1")


def test_allow_wins_a_tie_and_an_empty_disallow_allows_all() -> None:
    assert Robots.parse("User-agent: *\nDisallow: /p\nAllow: /p\n", "https://a.test/").allowed(
        "https://a.test/p"
    )
    assert Robots.parse("User-agent: *\nDisallow:\n", "https://a.test/").allowed("https://a.test/")


def test_sitemaps_plain_index_and_gzip() -> None:
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc> https://a.test/p?x=1&amp;y=2 </loc></url><url><loc>ftp://a.test/no</loc></url>
    </urlset>"""
    assert parse_sitemap(urlset) == (["https://a.test/p?x=1&y=2"], False)
    assert parse_sitemap(gzip.compress(urlset)) == (["https://a.test/p?x=1&y=2"], False)
    index = b"<sitemapindex><sitemap><loc>https://a.test/s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index) == (["https://a.test/s1.xml"], True)
    assert parse_sitemap(b"\x1f\x8bnot gzip") == ([], False)


def test_sitemaps_with_cdata_a_namespace_prefix_and_text_sitemaps() -> None:
    cdata = b"""<?xml version="1.0"?><sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sm:url><sm:loc><![CDATA[https://a.test/q?a=1&b=<2>]]></sm:loc></sm:url></sm:urlset>"""
    assert parse_sitemap(cdata) == (["https://a.test/q?a=1&b=<2>"], False)
    text = b"https://a.test/one\r\n\nhttps://a.test/two\nnot a url\n"
    assert parse_sitemap(text) == (["https://a.test/one", "https://a.test/two"], False)
    assert parse_sitemap(gzip.compress(text)) == (
        ["https://a.test/one", "https://a.test/two"],
        False,
    )


def test_a_hostile_sitemap_is_refused_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><urlset><url><loc>https://a.test/&b;</loc></url></urlset>"""
    assert parse_sitemap(bomb) == ([], False)
    assert parse_sitemap(b"<urlset><url><loc>https://a.test/p</loc>") == ([], False)


@pytest.mark.parametrize(
    ("status", "allowed"), [(200, False), (404, True), (403, True), (500, False), (503, False)]
)
def test_robots_by_status_as_rfc_9309_says(status: int, allowed: bool) -> None:
    body = b"User-agent: *\nDisallow: /private\n"
    robots = Robots.from_response(status, body, "https://a.test/")
    assert robots.allowed("https://a.test/private/x") is allowed
    assert Robots.from_response(None, None, "https://a.test/").allowed("https://a.test/private")


def site_with_robots() -> list[Host]:
    page = Response("<!doctype html><title>p</title><p>no links here</p>")
    index = (
        "<sitemapindex><sitemap><loc>{{HTTPS_ORIGIN:www.shop.test}}/maps/pages.xml</loc>"
        "</sitemap><sitemap><loc>https://elsewhere.test/s.xml</loc></sitemap></sitemapindex>"
    )
    pages = (
        "<urlset><url><loc>{{HTTPS_ORIGIN:www.shop.test}}/unlinked</loc></url>"
        "<url><loc>{{HTTPS_ORIGIN:www.shop.test}}/private/secret</loc></url>"
        "<url><loc>https://www.other.test/out-of-scope</loc></url></urlset>"
    )
    return [
        Host(
            "www.shop.test",
            routes={
                "/": page,
                "/robots.txt": Response(ROBOTS, content_type="text/plain"),
                "/maps/index.xml": Response(index, content_type="application/xml"),
                "/maps/pages.xml": Response(pages, content_type="application/xml"),
                "/sitemap.xml": Response(
                    "<urlset><url><loc>{{HTTPS_ORIGIN:www.shop.test}}/from-default</loc></url>"
                    "</urlset>",
                    content_type="application/xml",
                ),
                "/unlinked": page,
                "/from-default": page,
                "/private/secret": page,
            },
        )
    ]


@pytest.mark.browser
@pytest.mark.parametrize("respect", [False, True])
def test_sitemaps_add_unlinked_pages_and_robots_is_honoured_on_request(
    site: Any, chromium: Path, respect: bool
) -> None:
    server = site(site_with_robots())
    pages, crawler = crawl(server, chromium, leak_probe=False, respect_robots=respect)
    expected = {"", "unlinked", "from-default"} | (set() if respect else {"private/secret"})
    assert set(pages) == expected
    assert all(pages[p].depth == 1 for p in expected - {""})
    assert crawler.stats.from_sitemaps == 3  # queued; robots.txt is asked only before a visit
    skipped = [u.split("/", 3)[-1] for u in crawler.stats.skipped_robots]
    assert skipped == (["private/secret"] if respect else [])
    fetched = [r.path for r in server.requests_to("www.shop.test") if r.path == "/robots.txt"]
    assert fetched == ["/robots.txt"]  # once per host
