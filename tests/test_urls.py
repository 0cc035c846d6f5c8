"""The one URL canonicaliser: its modes, and the places that read URLs through it."""

from __future__ import annotations

import pytest

from scanner.model import Form
from scanner.urls import canonical_location, canonical_url, host_port, netloc_of, origin


@pytest.mark.parametrize(
    ("url", "crawl", "fingerprint"),
    [
        (
            "HTTPS://Shop.Example.:443/a%7eb?b=2&a=1#top",
            "https://shop.example/a~b?b=2&a=1",
            "https://shop.example/a~b?a=1&b=2",
        ),
        (
            "https://shop.example/p;jsessionid=XYZ?PHPSESSID=1&x=%2f",
            "https://shop.example/p?x=%2F",
            "https://shop.example/p?x=%2F",
        ),
        ("http://user:pw@[::1]:8080", "http://[::1]:8080/", "http://[::1]:8080/"),
        (
            "https://shop.example/?a=2&a=1",
            "https://shop.example/?a=2&a=1",
            "https://shop.example/?a=2&a=1",
        ),
    ],
)
def test_the_two_modes(url: str, crawl: str, fingerprint: str) -> None:
    assert canonical_url(url) == canonical_url(url, "crawl") == crawl
    assert canonical_url(url, "fingerprint") == fingerprint


def test_locations_hosts_and_joined_places() -> None:
    assert canonical_location("Shop.Example.:443") == "shop.example"
    assert canonical_location("shop.example:8443") == "shop.example:8443"
    assert (
        canonical_location("HTTPS://Shop.Example/contact?b=1&a=2 -> HTTP://Forms.Example:80/s")
        == "https://shop.example/contact?a=2&b=1 -> http://forms.example/s"
    )


def test_origins_and_host_ports() -> None:
    assert origin("HTTPS://WWW.Example.com:443/x?y") == "https://www.example.com"
    assert origin("http://[::1]:8080/") == "http://[::1]:8080"
    assert host_port("http://Shop.Example/") == ("shop.example", 80)
    assert host_port("https://shop.example:8443/") == ("shop.example", 8443)
    assert netloc_of("::1", 443) == "[::1]"


def test_a_form_method_outside_the_vocabulary_reads_as_the_browser_sends_it() -> None:
    assert Form(action="https://a.test/", method="POST").method == "post"
    assert Form(action="https://a.test/", method="script").method == "script"
    assert Form(action="https://a.test/", method="PUT").method == "get"
