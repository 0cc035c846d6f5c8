"""VendorDB over the bundled third-party-web data and over small hand-made data sets."""

from __future__ import annotations

import pytest

from scanner.parties.vendors import CATEGORIES, Vendor, VendorDB, load_vendors, vendor_from_config


@pytest.fixture(scope="module")
def db() -> VendorDB:
    return load_vendors()


def test_bundled_data_is_third_party_web_with_our_categories(db: VendorDB) -> None:
    assert db.version.startswith("third-party-web ")
    assert len(db) > 2000
    assert {v.category for v in db.vendors} <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("host", "name", "category"),
    [
        ("www.google-analytics.com", "Google Analytics", "analytics"),
        ("https://region1.google-analytics.com/g/collect?v=2", "Google Analytics", "analytics"),
        ("google-analytics.com", "Google Analytics", "analytics"),
        ("www.googletagmanager.com", "Google Tag Manager", "tag-manager"),
        ("https://stats.g.doubleclick.net/j/collect", "Google/Doubleclick Ads", "advertising"),
        ("https://www.facebook.com/tr?id=1&ev=PageView", "Facebook", "social"),
        ("static.hotjar.com", "Hotjar", "session-recording"),
        ("www.clarity.ms", "Clarity", "session-recording"),
        ("r.lr-ingest.io", "LogRocket", "session-recording"),
        ("fonts.gstatic.com", "Google Fonts", "cdn"),
        ("cdn.cookielaw.org", "Optanon", "consent"),
        ("widget.intercom.io", "Intercom", "customer-support"),
        ("www.youtube.com", "YouTube", "video"),
    ],
)
def test_lookup(db: VendorDB, host: str, name: str, category: str) -> None:
    vendor = db.lookup(host)
    assert vendor is not None
    assert (vendor.name, vendor.category) == (name, category)


def test_lookup_unknown_host(db: VendorDB) -> None:
    assert db.lookup("www.shop.test") is None
    assert db.lookup("data:image/gif;base64,R0lGOD") is None


def test_lookup_most_specific_domain_wins() -> None:
    parent = Vendor("Parent", None, "cdn", ("example-cdn.com",))
    child = Vendor("Child", None, "analytics", ("stats.example-cdn.com",))
    small = VendorDB([parent, child], "test")
    assert small.lookup("a.stats.example-cdn.com") is child
    assert small.lookup("img.example-cdn.com") is parent
    assert small.lookup("example-cdn.com.evil.test") is None


def test_by_name_is_case_insensitive_and_knows_aliases(db: VendorDB) -> None:
    facebook = db.by_name("Facebook")
    assert facebook is not None
    assert db.by_name("meta pixel") is facebook
    assert db.by_name("Facebook  Pixel") is facebook
    assert db.by_name("HOTJAR") is db.lookup("static.hotjar.com")
    assert db.by_name("Microsoft Clarity") is db.lookup("www.clarity.ms")
    assert db.by_name("No Such Vendor") is None


def test_find_in_text_names_and_offsets(db: VendorDB) -> None:
    text = (
        "We use Google Analytics and Google Tag Manager, the Meta Pixel and Hotjar. "
        "当社はGoogleアナリティクスを利用しています。HubSpot stores forms."
    )
    found = [(v.name, text[s:e]) for v, s, e in db.find_in_text(text)]
    assert found == [
        ("Google Analytics", "Google Analytics"),
        ("Google Tag Manager", "Google Tag Manager"),
        ("Facebook", "Meta Pixel"),
        ("Hotjar", "Hotjar"),
        ("Google Analytics", "Googleアナリティクス"),
        ("Hubspot", "HubSpot"),
    ]


def test_find_in_text_prefers_the_longest_name(db: VendorDB) -> None:
    (vendor, start, end), *rest = db.find_in_text("Data goes to Google Analytics 4 only.")
    assert (vendor.name, start, end, rest) == ("Google Analytics", 13, 31, [])


@pytest.mark.parametrize(
    "text",
    [
        "A segment of our users may drift away over time.",  # lower-case words, not Segment/Drift
        "Time will tell. Signal us. Indeed, we Monitor nothing.",  # stop-listed names
        "Hotjars and Optimizelyish are not vendors.",  # whole words only
        "We read the news and the medium.",
    ],
)
def test_find_in_text_ignores_ordinary_words(db: VendorDB, text: str) -> None:
    assert db.find_in_text(text) == []


def test_find_in_text_reads_capitalised_vendor_names(db: VendorDB) -> None:
    names = [v.name for v, _, _ in db.find_in_text("We send events to Segment and Optimizely.")]
    assert names == ["Segment", "Optimizely"]


def test_with_overrides_configured_vendor_wins(db: VendorDB) -> None:
    mine = vendor_from_config(
        {"name": "Our Stats", "domains": ["*.google-analytics.com"], "category": "analytics"}
    )
    renamed = db.with_overrides([mine])
    assert renamed.lookup("www.google-analytics.com") is mine
    assert renamed.by_name("our stats") is mine
    assert renamed.lookup("static.hotjar.com") is db.lookup("static.hotjar.com")
    assert "configured" in renamed.version
    # the original is unchanged
    assert db.lookup("www.google-analytics.com") is db.by_name("Google Analytics")


def test_with_overrides_replaces_a_vendor_of_the_same_name(db: VendorDB) -> None:
    mine = Vendor("Hotjar", "Hotjar Ltd", "analytics", ("hotjar.example",))
    changed = db.with_overrides([mine])
    assert changed.by_name("hotjar") is mine
    assert changed.lookup("static.hotjar.com") is None


def test_vendor_from_config_refuses_unknown_category() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        vendor_from_config({"name": "X", "domains": ["x.test"], "category": "spying"})
