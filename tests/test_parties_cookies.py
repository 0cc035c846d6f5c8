"""Cookie attribution over hand-made visits: public-suffix probes are nobody's, vendor SDK
cookies on the site's own domain are the vendor's, and a shared identifier names its recipient."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from scanner.checks import CHECKS, CheckContext
from scanner.model import Cookie, Page, Request, ScanResult
from scanner.parties.beacons import detect_beacons
from scanner.parties.cookies import attribute_cookies
from scanner.parties.domains import FirstParty, is_public_suffix
from scanner.parties.vendors import VendorDB, load_vendors

SHOP = "https://www.shopfront.com/"
FIRST = FirstParty(SHOP)
SEGMENT_JS = "https://cdn.segment.com/analytics.js/v1/key/analytics.min.js"


@pytest.fixture(scope="module")
def vendors() -> VendorDB:
    return load_vendors()


def _cookie(name: str, domain: str, **fields: Any) -> Cookie:
    third = fields.pop("third_party", not FIRST.is_first_party(domain.lstrip(".")))
    return Cookie.model_validate(
        {"name": name, "domain": domain, "page_url": SHOP, "third_party": third, **fields}
    )


def _page(*cookies: Cookie, requests: list[Request] | None = None) -> Page:
    return Page.model_validate({"url": SHOP, "cookies": list(cookies), "requests": requests or []})


def _attributed(vendors: VendorDB, page: Page) -> dict[str, Cookie]:
    attribute_cookies(page, FIRST, vendors, detect_beacons(page, FIRST, vendors))
    return {c.name: c for c in page.cookies}


def test_public_suffixes() -> None:
    assert is_public_suffix(".com") and is_public_suffix("co.uk") and is_public_suffix("test")
    assert not is_public_suffix("shopfront.com") and not is_public_suffix("127.0.0.1")


def test_a_probe_on_the_public_suffix_is_attempted_blocked_and_nobodys(vendors: VendorDB) -> None:
    # What SDKs write by document.cookie to find the widest domain: recorded as stored before.
    probe = _cookie("dmn_chk_abc", ".com", value="1", set_by=SEGMENT_JS)
    assert probe.third_party and probe.stored
    cookies = _attributed(vendors, _page(probe))
    done = cookies["dmn_chk_abc"]
    assert (done.stored, done.third_party, done.vendor) == (False, False, None)
    assert done.blocked_reasons == ["InvalidDomain"]
    result = ScanResult(
        target=SHOP, started_at=datetime.now(UTC), pages=[_page(done)], cookies=[done]
    )
    ctx = CheckContext(result=result, first_party=FIRST, vendors=vendors, declarations=[])
    assert list(CHECKS["third-party-cookie-undisclosed"](ctx)) == []


def test_first_party_cookies_of_vendor_sdks(vendors: VendorDB) -> None:
    cookies = _attributed(
        vendors,
        _page(
            _cookie("ajs_anonymous_id", ".shopfront.com", value="a1", set_by=SEGMENT_JS),
            _cookie("ph_phc_k_posthog", ".shopfront.com", value="{}", set_by=SHOP),
            _cookie("_ga", ".shopfront.com", value="GA1.1.1.2", set_by=SHOP),
            _cookie("basket", "www.shopfront.com", value="3", set_by=SHOP),
            _cookie("seg_probe", ".shopfront.com", value="1", set_by=SEGMENT_JS),
            _cookie("x", ".shopfront.com", set_by="https://cdn.jsdelivr.net/npm/x@1/x.js"),
        ),
    )
    found = {name: (c.vendor, c.vendor_source) for name, c in cookies.items()}
    assert found == {
        "ajs_anonymous_id": ("Segment", "name"),
        "ph_phc_k_posthog": ("PostHog", "name"),
        "_ga": ("Google Analytics", "name"),
        "basket": (None, None),
        "seg_probe": ("Segment", "script"),
        "x": (None, None),  # a CDN served the script: whose cookie it is, it cannot say
    }
    assert not any(c.third_party for c in cookies.values())


def test_a_cookie_set_in_answer_to_a_vendor_scripts_request_is_the_vendors(
    vendors: VendorDB,
) -> None:
    # Segment's script calls the shop's own proxy of Segment, whose answer sets a cookie.
    proxy = Request.model_validate(
        {"url": f"{SHOP}seg/v1/p", "method": "POST", "initiator": SEGMENT_JS, "post_data": "{}"}
    )
    cookie = _cookie("seg_session", ".shopfront.com", value="1", set_by=f"{SHOP}seg/v1/p")
    cookies = _attributed(vendors, _page(cookie, requests=[proxy]))
    assert (cookies["seg_session"].vendor, cookies["seg_session"].vendor_source) == (
        "Segment",
        "script",
    )


def test_an_identifier_sent_to_a_third_party_names_it(vendors: VendorDB) -> None:
    device = "019ad2f1-6c3e-7b1a-9f00-5e2d4c6b7a81"
    upload = Request.model_validate(
        {
            "url": "https://in.sessionsink.net/v1/replay",
            "method": "POST",
            "resource_type": "fetch",
            "post_data": '{"device":"' + device + '","events":[]}',
        }
    )
    cookies = _attributed(
        vendors,
        _page(_cookie("device", ".shopfront.com", value=f"%22{device}%22"), requests=[upload]),
    )
    device_cookie = cookies["device"]
    assert device_cookie.shared_with == ["unknown recipient sessionsink.net"]
    assert (device_cookie.vendor, device_cookie.vendor_source) == (
        "unknown recipient sessionsink.net",
        "shared",
    )
    result = ScanResult(
        target=SHOP, started_at=datetime.now(UTC), cookies=[device_cookie], pages=[]
    )
    ctx = CheckContext(result=result, first_party=FIRST, vendors=vendors, declarations=[])
    (finding,) = CHECKS["third-party-cookie-undisclosed"](ctx)
    assert "identifier sent to unknown recipient sessionsink.net" in finding.message


def test_a_third_party_cookie_keeps_its_domains_vendor(vendors: VendorDB) -> None:
    cookies = _attributed(vendors, _page(_cookie("IDE", ".doubleclick.net", stored=False)))
    assert (cookies["IDE"].vendor, cookies["IDE"].vendor_source) == (
        "Google/Doubleclick Ads",
        "domain",
    )
