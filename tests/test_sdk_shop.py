"""A scan of a shop built from real vendor SDKs (tests/sdk_site.py), in the real Chromium, with
each vendor's endpoint on loopback under its real name: what complyscan reports is compared with
what each vendor's server really received.

Some of these need the whole visitor's browser: no automation markers (PostHog is silent for
bots), a page-time window and leaving the page (the rrweb and Sentry uploads flush on a 5 s
timer and on pagehide), service workers and worker targets (Partytown).
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from scanner.demo.pki import TestPKI
from scanner.demo.server import Incoming, SiteServer
from scanner.model import Beacon, Cookie, ScanResult
from tests.conftest import scan_loopback
from tests.sdk_site import (
    PLAUSIBLE,
    POSTHOG_API,
    RECORDER_SINK,
    SEGMENT_API,
    SENTRY_INGEST,
    SHOP,
    shop_hosts,
)

pytestmark = [pytest.mark.browser]


@dataclass
class Shop:
    result: ScanResult
    received: list[Incoming]
    """Every request the vendors' servers got during the scan."""

    def posts_to(self, host: str) -> list[Incoming]:
        return [r for r in self.received if r.host == host and r.method in {"POST", "PUT"}]

    def beacons_to(self, host: str) -> list[Beacon]:
        return [b for b in self.result.beacons if urlsplit(b.url).hostname == host]

    def cookie(self, prefix: str) -> Cookie:
        return next(c for c in self.result.cookies if c.name.startswith(prefix) and c.stored)

    def page(self, path: str) -> str:
        return f"https://{SHOP}{path}"


@pytest.fixture(scope="module")
def shop(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Shop:
    with SiteServer(shop_hosts(), pki) as server:
        result = scan_loopback(server, SHOP, tmp_path_factory.mktemp("shop"))
        return Shop(result, server.requests_to())


def _paths(requests: list[Incoming] | list[Beacon]) -> set[str]:
    return {
        urlsplit(r.url).path for r in requests if not isinstance(r, Incoming) or r.method != "GET"
    }


# -- pass with the parties work alone ----------------------------------------------------------


def test_segment_batch_is_a_beacon_and_its_cookies_are_segments(shop: Shop) -> None:
    received = shop.posts_to(SEGMENT_API)
    assert received, "Segment's API received nothing: the shop site is broken"
    assert _paths(shop.beacons_to(SEGMENT_API)) == _paths(received)
    assert {b.vendor for b in shop.beacons_to(SEGMENT_API)} == {"Segment"}
    anonymous = shop.cookie("ajs_anonymous_id")
    assert not anonymous.third_party  # on the shop's own domain ...
    assert anonymous.vendor == "Segment"  # ... Segment's
    # The id in the cookie is the id Segment's API received: an identifier shared with Segment.
    sent = json.loads(received[0].body)["anonymousId"]
    assert sent in {c.value for c in shop.result.cookies if c.name == "ajs_anonymous_id"} | {
        c.value for p in shop.result.pages for c in p.cookies if c.name == "ajs_anonymous_id"
    }
    assert anonymous.shared_with == ["Segment"]


def test_posthogs_first_party_cookie_is_posthogs_and_shared_with_it(shop: Shop) -> None:
    cookies = [c for c in shop.result.cookies if c.name.endswith("_posthog") and c.stored]
    assert cookies
    assert {(c.vendor, c.third_party) for c in cookies} == {("PostHog", False)}
    # Its distinct_id is in what PostHog's API received: an identifier shared with PostHog.
    assert any("PostHog" in c.shared_with for c in cookies)
    messages = [
        f.message for f in shop.result.findings if f.rule_id == "third-party-cookie-undisclosed"
    ]
    assert any(
        m.startswith("PostHog sets cookie(s)") and "identifier sent to" in m for m in messages
    )


def test_a_cookie_probed_on_the_public_suffix_is_blocked_and_nobodys(shop: Shop) -> None:
    # posthog-js writes `dmn_chk_<id>` on ".com" to find the widest domain; Chromium refuses it.
    probes = [c for c in shop.result.cookies if c.domain.lstrip(".") == "com"]
    assert probes, "no cookie was tried on the public suffix"
    for probe in probes:
        assert (probe.stored, probe.third_party, probe.vendor) == (False, False, None)
        assert "InvalidDomain" in probe.blocked_reasons
    parties = [f.evidence.get("party") for f in shop.result.findings]
    assert "com" not in parties and ".com" not in parties


# -- need the visitor's browser (wip/15): no webdriver, page time, leaving the page -------------


def test_posthog_events_reach_posthog_and_complyscan_sees_them(shop: Shop) -> None:
    # posthog-js drops every event of a browser that says it is automated.
    events = [r for r in shop.posts_to(POSTHOG_API) if not r.path.startswith("/flags")]
    assert events, "PostHog received no event batch: the scanner looked like a bot"
    assert _paths(events) <= _paths(shop.beacons_to(POSTHOG_API))
    assert {b.vendor for b in shop.beacons_to(POSTHOG_API)} == {"PostHog"}


def test_rrweb_recorder_sends_the_contact_form_to_an_unknown_recipient(shop: Shop) -> None:
    uploads = shop.posts_to(RECORDER_SINK)
    assert uploads, "the recorder's timer or pagehide flush was never reached"
    page = shop.page("/contact")
    contact = next(p for p in shop.result.pages if p.url == page)
    typed = contact.probe_values["email"]
    # What the recorder's server got holds what the scanner typed ...
    unpacked = [gzip.decompress(base64.b64decode(json.loads(u.body)["data"])) for u in uploads]
    assert any(typed.encode() in events for events in unpacked)
    # ... and complyscan says so: a beacon to an unknown recipient, undisclosed, and a leak.
    assert {b.vendor for b in shop.beacons_to(RECORDER_SINK)} == {
        "unknown recipient sessionsink.net"
    }
    leak = next(f for f in shop.result.findings if f.rule_id == "pi-sent-to-third-party")
    assert leak.page_url == page and leak.host == "sessionsink.net"
    assert any("base64, gzip" in str(x.get("decoded")) for x in leak.evidence["leaks"])
    assert any(
        f.rule_id == "beacon-undisclosed-vendor" and f.host == RECORDER_SINK
        for f in shop.result.findings
    )


def test_sentry_replay_is_a_beacon_to_sentry_but_masked_input_is_no_leak(shop: Shop) -> None:
    envelopes = shop.posts_to(SENTRY_INGEST)
    assert envelopes, "Sentry received no replay envelope"
    beacons = shop.beacons_to(SENTRY_INGEST)
    assert {b.vendor for b in beacons} == {"Sentry"}
    assert _paths(envelopes) <= _paths(beacons)
    checkout = shop.page("/checkout")
    assert not [
        f
        for f in shop.result.findings
        if f.rule_id == "pi-sent-to-third-party" and f.page_url == checkout
    ]


# -- need worker targets too (wip/13net) and service workers (wip/15) ---------------------------


def test_partytown_tag_in_a_web_worker_is_a_beacon_of_its_page(shop: Shop) -> None:
    assert shop.posts_to(PLAUSIBLE), "Partytown's worker never ran the tag"
    beacons = shop.beacons_to(PLAUSIBLE)
    assert {(b.vendor, b.page_url) for b in beacons} == {("Plausible", shop.page("/stats"))}


def test_answers_the_sdks_never_read_do_not_hold_their_pages(shop: Shop) -> None:
    # Sentry's envelope POST and Partytown's worker POST get answers nobody reads: Chromium
    # reports them finished only when the page goes. Counted as in flight, each held its page
    # for the settle cap (5 s) twice, after page time and before leaving (10.6 s a page).
    for path in ("/checkout", "/stats"):
        page = next(p for p in shop.result.pages if p.url == shop.page(path))
        assert page.load_ms < 5000, path
