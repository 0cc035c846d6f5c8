"""Which origin a shared worker belongs to, for attributing it to a tab (shared_workers.py)."""

from __future__ import annotations

import pytest

from scanner.browser.shared_workers import origin_of


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://www.shop.test/shared.js", "https://www.shop.test:443"),
        ("https://www.shop.test:443/a?b#c", "https://www.shop.test:443"),
        ("http://WWW.Shop.test:8080/w.js", "http://www.shop.test:8080"),
        ("blob:https://www.shop.test/1f6e-44", "https://www.shop.test:443"),
        ("data:text/javascript,fetch('/x')", ""),  # opaque: no tab's page is of it
        ("about:blank", ""),
        ("https://www.shop.test:99999/w.js", ""),
    ],
)
def test_a_worker_s_origin_is_scheme_host_and_port(url: str, origin: str) -> None:
    assert origin_of(url) == origin
