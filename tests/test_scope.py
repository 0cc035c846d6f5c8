"""URL normalisation and the crawl scope."""

import pytest

from scanner.scope import Scope, host_port, is_private_address, normalise_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM:443/a#frag", "https://www.example.com/a"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:8443/x?b=1&a=2", "https://example.com:8443/x?b=1&a=2"),
        ("https://example.com/%7euser/%2f", "https://example.com/~user/%2F"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),
        ("https://[::1]:8443/", "https://[::1]:8443/"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_default_scope_is_the_registrable_domain() -> None:
    scope = Scope.for_start_url("https://www.northwind.test/")
    assert scope.contains("https://shop.northwind.test/cart")
    assert scope.contains("http://northwind.test/")
    assert not scope.contains("https://www.facebook.com/")
    assert not scope.contains("mailto:someone@northwind.test")


def test_scope_paths_and_exclusions() -> None:
    scope = Scope.for_start_url(
        "https://www.example.com/",
        hosts=["www.example.com"],
        paths=["/shop"],
        exclude_paths=["/shop/admin"],
    )
    assert scope.contains("https://www.example.com/shop/item")
    assert not scope.contains("https://www.example.com/shop/admin/users")
    assert not scope.contains("https://www.example.com/blog")
    assert not scope.contains("https://cdn.example.com/shop")


def test_host_port_fills_default_ports() -> None:
    assert host_port("https://a.test/") == ("a.test", 443)
    assert host_port("http://a.test:8080/") == ("a.test", 8080)


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("169.254.169.254", True),
        ("10.1.2.3", True),
        ("127.0.0.1", True),
        ("[::1]", True),
        ("localhost", True),
        ("127.0.0.1.", True),
        ("Metadata.LOCALHOST.", True),
        ("[fe80::1]", True),
        ("93.184.216.34", False),
        ("www.example.com", False),
    ],
)
def test_private_addresses(host: str, private: bool) -> None:
    assert is_private_address(host) is private
