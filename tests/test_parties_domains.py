"""registrable_domain, host_of and FirstParty."""

from __future__ import annotations

import pytest

from scanner.parties.domains import FirstParty, host_of, registrable_domain, same_site


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("https://WWW.Example.com:8443/x?y=1", "www.example.com"),
        ("example.com", "example.com"),
        ("localhost:8080", "localhost"),
        ("http://[2001:db8::1]:8443/a", "2001:db8::1"),
        ("[::1]", "::1"),
        ("fe80::1", "fe80::1"),
        ("//cdn.x.com/a.js", "cdn.x.com"),
        ("www.example.com.", "www.example.com"),
        ("https://例え.jp/", "xn--r8jz45g.jp"),
        ("blob:https://a.shop.test/0b1c", "a.shop.test"),
        ("data:image/png;base64,AAAA", ""),
        ("about:blank", ""),
        ("javascript:void(0)", ""),
    ],
)
def test_host_of(text: str, host: str) -> None:
    assert host_of(text) == host


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.example.com", "example.com"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("https://www.google-analytics.com/g/collect", "google-analytics.com"),
        # private suffixes are honoured: two GitHub Pages sites are two sites
        ("a.github.io", "a.github.io"),
        ("x.a.github.io", "a.github.io"),
        ("b.github.io", "b.github.io"),
        ("github.io", "github.io"),
        ("co.uk", "co.uk"),
        # IPs and single labels are their own site
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("localhost", "localhost"),
        # unknown TLDs: the last two labels
        ("a.shop.test", "shop.test"),
        ("b.shop.test", "shop.test"),
        ("cdn.tracker.test", "tracker.test"),
        ("www.site.example", "site.example"),
        ("x.y.corp.internal", "corp.internal"),
    ],
)
def test_registrable_domain(host: str, site: str) -> None:
    assert registrable_domain(host) == site


def test_same_site() -> None:
    assert same_site("https://a.shop.test/", "b.shop.test")
    assert not same_site("a.github.io", "b.github.io")


def test_first_party_is_the_start_site() -> None:
    first = FirstParty("https://www.shop.test/")
    assert first.is_first_party("https://static.shop.test/app.js")
    assert first.is_first_party("shop.test")
    assert not first.is_first_party("https://www.tracker.test/p.gif")
    assert first.is_third_party("https://www.tracker.test/p.gif")
    # nothing leaves the page for a data: URL
    assert first.is_first_party("data:image/gif;base64,R0lGOD")
    assert not first.is_third_party("data:image/gif;base64,R0lGOD")


def test_configured_domains_are_first_party_without_their_whole_site() -> None:
    first = FirstParty(
        "https://www.shop.test/",
        ["static.example-cdn.com", "*.shop-cdn.cloudfront.net", "https://shopassets.test/"],
    )
    assert first.is_first_party("static.example-cdn.com")
    assert first.is_first_party("a.static.example-cdn.com")
    assert not first.is_first_party("other.example-cdn.com")
    assert first.is_first_party("https://d.shop-cdn.cloudfront.net/x.js")
    assert not first.is_first_party("https://evil.cloudfront.net/x.js")
    assert first.is_first_party("img.shopassets.test")


def test_first_party_github_pages_neighbour_is_third_party() -> None:
    first = FirstParty("https://mine.github.io/")
    assert first.is_first_party("https://mine.github.io/page")
    assert not first.is_first_party("https://theirs.github.io/pixel.gif")


def test_first_party_on_an_ip_address() -> None:
    first = FirstParty("http://127.0.0.1:8000/")
    assert first.is_first_party("http://127.0.0.1:9000/api")
    assert not first.is_first_party("http://127.0.0.2/")
