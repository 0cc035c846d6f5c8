"""detect_beacons over hand-made page visits, with the bundled vendor data."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.model import Beacon, Cookie, Page, Request
from scanner.parties.beacons import detect_beacons, group_by_vendor, request_params
from scanner.parties.domains import FirstParty
from scanner.parties.vendors import VendorDB, load_vendors

PAGE = "https://www.shop.test/products/1"


@pytest.fixture(scope="module")
def vendors() -> VendorDB:
    return load_vendors()


def _request(url: str, resource_type: str, **fields: Any) -> Request:
    # model_validate: mypy (without the pydantic plugin) cannot see Request's defaults.
    return Request.model_validate({"url": url, "resource_type": resource_type, **fields})


def _beacons(vendors: VendorDB, *requests: Request) -> list[Beacon]:
    page = Page.model_validate({"url": PAGE, "requests": list(requests)})
    return detect_beacons(page, FirstParty("https://www.shop.test/"), vendors)


def _one(vendors: VendorDB, request: Request) -> Beacon | None:
    found = _beacons(vendors, request)
    assert len(found) <= 1
    return found[0] if found else None


GA4 = "https://region1.google-analytics.com/g/collect?v=2&tid=G-TEST&cid=111.222&dl=" + (
    "https%3A%2F%2Fwww.shop.test%2Fproducts%2F1&en=page_view"
)


@pytest.mark.parametrize(
    ("request_", "kind", "vendor"),
    [
        (_request(GA4, "ping"), "sendbeacon", "Google Analytics"),
        (_request(GA4, "fetch"), "analytics-endpoint", "Google Analytics"),
        (
            _request("https://www.facebook.com/tr?id=123&ev=PageView&dl=x", "image"),
            "pixel",
            "Facebook",
        ),
        (_request("https://www.google-analytics.com/__utm.gif?utmwv=5", "image"), "pixel", None),
        (_request("https://px.tracker.test/p.gif?e=view", "image"), "pixel", None),
        (_request("https://img.other.test/logo.png?uid=abc", "image"), "pixel", None),
        (
            _request(
                "https://in.hotjar.com/api/v2/client/sites/1/visit-data",
                "xhr",
                method="POST",
                post_data='{"r_value":1}',
                content_type="application/json",
            ),
            "analytics-endpoint",
            "Hotjar",
        ),
        (
            _request(
                "https://api.tracker.test/v1/t",
                "fetch",
                method="POST",
                post_data='{"context":{"anonymousId":"x1"},"event":"view"}',
                content_type="application/json",
            ),
            "query-ids",
            None,
        ),
        (
            _request(
                "https://collect.tracker.test/e",
                "xhr",
                method="POST",
                post_data="ref=https%3A%2F%2Fwww.shop.test%2F&e=1",
                content_type="application/x-www-form-urlencoded",
            ),
            "query-ids",
            None,
        ),
        (
            _request(
                "https://links.tracker.test/hit",
                "ping",
                headers={"Ping-From": PAGE, "Ping-To": "https://x.test/"},
                content_type="text/ping",
            ),
            "ping",
            None,
        ),
        (_request("https://cdn.tracker.test/s.js?sid=abc123", "script"), "query-ids", None),
    ],
    ids=lambda v: v.url[:40] if isinstance(v, Request) else str(v),
)
def test_beacons(vendors: VendorDB, request_: Request, kind: str, vendor: str | None) -> None:
    beacon = _one(vendors, request_)
    assert beacon is not None
    assert beacon.kind == kind
    if vendor is not None:
        assert beacon.vendor == vendor
    assert beacon.page_url == PAGE
    assert beacon.third_party


@pytest.mark.parametrize(
    "request_",
    [
        _request("https://fonts.gstatic.com/s/roboto/v30/a.woff2", "font"),
        _request("https://fonts.googleapis.com/css2?family=Roboto&display=swap", "stylesheet"),
        _request("https://www.googletagmanager.com/gtag/js?id=G-TEST", "script"),
        _request("https://cdn.jsdelivr.net/npm/jquery@3/dist/jquery.min.js", "script"),
        _request("https://images.cdn.test/photo.jpg?w=300&h=200", "image"),
        _request("https://static.hotjar.com/c/hotjar-1.js?sv=6", "script"),
        _request("https://www.shop.test/collect?cid=1&dl=https%3A%2F%2Fwww.shop.test%2F", "xhr"),
        _request("https://api.shop.test/track", "ping"),
        _request("data:image/gif;base64,R0lGODlhAQABAAAAACw=", "image"),
    ],
    ids=lambda v: v.url[:50],
)
def test_not_beacons(vendors: VendorDB, request_: Request) -> None:
    assert _one(vendors, request_) is None


def test_params_decode_query_and_json_body_truncated() -> None:
    long = "x" * 500
    request = _request(
        f"https://t.test/e?a=1&b=%C3%A9&long={long}",
        "fetch",
        post_data='{"user":{"id":"u1","tags":["p","q"]},"ok":true,"a":"body-a"}',
        content_type="application/json",
    )
    params = request_params(request)
    assert params["a"] == "1"  # the query's value is kept over the body's
    assert params["b"] == "é"
    assert len(params["long"]) == 200
    assert params["user.id"] == "u1"
    assert params["user.tags[1]"] == "q"
    assert params["ok"] == "true"


def test_params_ga4_batch_body() -> None:
    request = _request(
        "https://region1.google-analytics.com/g/collect?v=2",
        "ping",
        post_data="en=page_view&_et=1\nen=scroll&epn.percent_scrolled=90",
        content_type="text/plain;charset=UTF-8",
    )
    assert request_params(request)["en"] == "page_view"
    assert request_params(request)["epn.percent_scrolled"] == "90"


def test_beacon_params_are_recorded(vendors: VendorDB) -> None:
    beacon = _one(vendors, _request(GA4, "ping"))
    assert beacon is not None
    assert beacon.params["cid"] == "111.222"
    assert beacon.params["dl"] == "https://www.shop.test/products/1"


def test_configured_first_party_cdn_is_never_a_beacon(vendors: VendorDB) -> None:
    page = Page.model_validate(
        {"url": PAGE, "requests": [_request("https://stats.shopcdn.test/p.gif?uid=1", "image")]}
    )
    first = FirstParty("https://www.shop.test/", ["shopcdn.test"])
    assert detect_beacons(page, first, vendors) == []


def test_group_by_vendor(vendors: VendorDB) -> None:
    other_page = "https://www.shop.test/cart"
    beacons = _beacons(vendors, _request(GA4, "ping"), _request(GA4, "fetch"))
    beacons.append(beacons[0].model_copy(update={"page_url": other_page}))
    beacons += _beacons(vendors, _request("https://px.tracker.test/p.gif?e=1", "image"))
    cookies = [
        Cookie.model_validate(
            {"name": "_ga", "domain": ".shop.test", "third_party": False, "page_url": PAGE}
        ),
        Cookie.model_validate({"name": "_fbp", "domain": ".facebook.com", "third_party": True}),
        Cookie.model_validate(
            {"name": "IDE", "domain": ".doubleclick.net", "third_party": True, "vendor": None}
        ),
    ]
    summary = group_by_vendor(beacons, cookies, vendors)
    rows = [(s.vendor, s.category, s.beacons, len(s.pages), s.cookies) for s in summary]
    assert rows == [
        ("Google Analytics", "analytics", 3, 2, ()),
        ("unknown recipient tracker.test", None, 1, 1, ()),
        ("Facebook", "social", 0, 0, ("_fbp",)),
        ("Google/Doubleclick Ads", "advertising", 0, 0, ("IDE",)),
    ]


# -- every third-party data transfer is a beacon, with a recipient ------------------------------


@pytest.mark.parametrize(
    ("upload", "vendor", "source"),
    [
        (  # a recorder's upload to a host no vendor list knows
            _request(
                "https://in.sessionsink.net/v1/replay",
                "fetch",
                method="POST",
                post_data='{"data":"H4sIAAAAAAAA"}',
                initiator=PAGE,
            ),
            "unknown recipient sessionsink.net",
            "unknown",
        ),
        (  # an error tracker's envelope (binary: its body may not be text)
            _request(
                "https://o0.ingest.sentry.io/api/0/envelope/?sentry_key=abc",
                "fetch",
                method="POST",
                post_data_size=3502,
            ),
            "Sentry",
            "destination",
        ),
    ],
    ids=["unknown-recipient", "error-tracker"],
)
def test_every_upload_to_a_third_party_is_a_beacon_with_a_recipient(
    vendors: VendorDB, upload: Request, vendor: str, source: str
) -> None:
    beacon = _one(vendors, upload)
    assert beacon is not None
    assert (beacon.kind, beacon.vendor, beacon.vendor_source) == ("data-upload", vendor, source)


def test_the_sending_scripts_vendor_names_an_unknown_host(vendors: VendorDB) -> None:
    upload = _request(
        "https://rec.example-sink.net/upload",
        "xhr",
        method="PUT",
        post_data="x",
        initiator="https://static.hotjar.com/c/hotjar-1.js",
    )
    beacon = _one(vendors, upload)
    assert beacon is not None and (beacon.vendor, beacon.vendor_source) == ("Hotjar", "initiator")
    # A CDN only served the script: it says nothing about who receives the data.
    from_cdn = upload.model_copy(
        update={"initiator": "https://cdn.jsdelivr.net/npm/rrweb@2.2.2/dist/rrweb.umd.min.cjs"}
    )
    beacon = _one(vendors, from_cdn)
    assert beacon is not None and beacon.vendor == "unknown recipient example-sink.net"


def test_a_get_without_data_and_a_preflight_are_not_uploads(vendors: VendorDB) -> None:
    assert _one(vendors, _request("https://in.sessionsink.net/v1/config", "fetch")) is None
    preflight = _request("https://in.sessionsink.net/v1/replay", "preflight", method="OPTIONS")
    assert _one(vendors, preflight) is None


def test_a_vendor_sdks_first_party_cookie_counts_for_its_vendor(vendors: VendorDB) -> None:
    cookies = [
        Cookie.model_validate(
            {"name": "ajs_anonymous_id", "domain": ".shop.test", "vendor": "Segment"}
        ),
        Cookie.model_validate({"name": "basket", "domain": ".shop.test"}),
    ]
    (summary,) = group_by_vendor([], cookies, vendors)
    assert (summary.vendor, summary.category, summary.cookies) == (
        "Segment",
        "analytics",
        ("ajs_anonymous_id",),
    )
