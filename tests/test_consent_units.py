"""The consent stage's pure parts: the TC string decoder, the GPP answer, the page choice and
the consent claim kinds in English and Japanese (sentences written for these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.consent.gpp import gpp_from_api
from scanner.consent.pages import choose_pages, url_template
from scanner.consent.tcf import decode_tc_string, tcf_from_api
from scanner.model import Form, Page
from scanner.parties.vendors import load_vendors
from scanner.statement.reader import read_statement

# Made by the IAB's own encoder (@iabtcf/core 1.5.6 in node; tests/consent_sites/sites.py).
ACCEPT_ALL = "CQuf10AQuf10AEsADAENCWEgAP_AAAAAAAAAIzQAgF5gRmAAAAAA.YAAAAAAAAAAA"
REJECT_ALL = "CQuf10AQuf10AEsADAENCWEgAAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAAA"
# Vendors 1-400 but 200 with consent (range-encoded), 3 and 5 by legitimate interest, JP.
RANGES = "CQuf10AQuf10AAHABAENAHEAAIAAAEAAABJ4DIQAoAAgGPAMkBkAAFFAAAAA.IDIQAYAAgMgA"


def test_an_accept_all_string_lists_its_purposes_and_vendors() -> None:
    decoded = decode_tc_string(ACCEPT_ALL, gdpr_applies=True)

    assert decoded.error is None
    assert (decoded.cmp_id, decoded.cmp_version, decoded.policy_version) == (300, 3, 4)
    assert decoded.purposes_consent == list(range(1, 11))
    assert decoded.vendors_consent == [755, 1126]
    assert decoded.gdpr_applies is True


def test_a_reject_all_string_consents_to_nothing() -> None:
    decoded = decode_tc_string(REJECT_ALL)

    assert decoded.error is None and decoded.cmp_id == 300
    assert decoded.purposes_consent == [] and decoded.vendors_consent == []


def test_range_encoded_vendors_and_legitimate_interests() -> None:
    decoded = decode_tc_string(RANGES)

    assert decoded.error is None and decoded.publisher_cc == "JP"
    assert decoded.vendors_consent == [v for v in range(1, 401) if v != 200]
    assert decoded.purposes_consent == [1] and decoded.purposes_legitimate_interest == [2]
    assert decoded.vendors_legitimate_interest == [3, 5]


@pytest.mark.parametrize(
    "text",
    ["garbage!!", "", "BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA", ACCEPT_ALL[:20], "A" * 5000],
)
def test_what_a_site_hands_over_never_raises(text: str) -> None:
    decoded = decode_tc_string(text)

    assert decoded.error is not None
    assert len(decoded.tc_string) <= 4000


def test_the_api_answers_are_checked() -> None:
    assert tcf_from_api({"tcString": ""}) is None
    assert tcf_from_api("nonsense") is None
    tcf = tcf_from_api({"tcString": REJECT_ALL, "gdprApplies": "yes"})
    assert tcf is not None and tcf.gdpr_applies is None
    gpp = gpp_from_api({"gppString": "DBABMA~CPXxRfA", "applicableSections": [7, "x"], "x": 1})
    assert gpp is not None and gpp.applicable_sections == [7]
    assert gpp_from_api(None) is None


def test_a_template_is_the_path_with_its_last_and_numbered_segments_starred() -> None:
    assert url_template("https://a.test/") == "a.test/"
    assert url_template("https://a.test/about") == "a.test/*"
    assert url_template("https://a.test/blog/2024/tea") == "a.test/blog/*/*"
    assert url_template("https://a.test/blog/2025/green?x=1") == "a.test/blog/*/*"
    assert url_template("https://a.test/shop/teas/sencha") == "a.test/shop/teas/*"


def test_the_start_page_first_then_every_form_page_then_one_per_template() -> None:
    form = Form(action="https://a.test/s", method="post", selector="f", collects_pi=True)
    pages = [
        Page(url="https://a.test/", status=200),
        Page(url="https://a.test/blog/1/a", status=200),
        Page(url="https://a.test/blog/2/b", status=200),
        Page(url="https://a.test/contact", status=200, forms=[form]),
        Page(url="https://a.test/signup", status=200, forms=[form]),
        Page(url="https://a.test/broken", status=500),
    ]

    chosen = choose_pages("https://a.test/", pages, cap=10)

    assert chosen == [
        "https://a.test/",
        "https://a.test/contact",
        "https://a.test/signup",
        "https://a.test/blog/1/a",
    ]
    assert choose_pages("https://a.test/", pages, cap=2) == chosen[:2]


def _kinds(sentence: str) -> set[tuple[str, str]]:
    html = f"<html><body><h1>Privacy policy</h1><p>{sentence}</p></body></html>"
    statement = read_statement("https://a.test/privacy", html, vendors=load_vendors())
    consent = {"consent-required", "consent-withdrawal", "honours-gpc", "do-not-track", "no-sale"}
    return {(c.kind, c.polarity) for c in statement.claims if c.kind in consent}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Our measurement cookies are only placed once you agree to them.", {"consent-required"}),
        ("We use cookies to remember your basket.", set()),
        ("We set analytics cookies only with your explicit consent.", {"consent-required"}),
        (
            "Before any advertising cookies are stored we ask for your consent.",
            {"consent-required"},
        ),
        ("You are free to withdraw your consent whenever you like.", {"consent-withdrawal"}),
        ("Our website respects the Global Privacy Control browser signal.", {"honours-gpc"}),
        ("We honor Do Not Track requests sent by your browser.", {"do-not-track"}),
        ("We never sell your personal data to anyone.", {"no-sale"}),
        ("当社は、利用者の同意を得た上で広告用のクッキーを利用します。", {"consent-required"}),
        ("利用者は、いつでも同意を撤回することができます。", {"consent-withdrawal"}),
        ("当サイトはGPC（グローバル・プライバシー・コントロール）を尊重します。", {"honours-gpc"}),
        ("当社は、お客様の個人情報を第三者に販売することはありません。", {"no-sale"}),
    ],
)
def test_the_consent_kinds_are_read(sentence: str, expected: set[str]) -> None:
    assert _kinds(sentence) == {(kind, "affirms") for kind in expected}


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("This site does not respond to Do Not Track signals.", "do-not-track"),
        ("At present we do not act on DNT settings in browsers.", "do-not-track"),
        ("We do not recognise Global Privacy Control at this time.", "honours-gpc"),
        ("We may sell your personal information to selected partners.", "no-sale"),
        ("We store tracking cookies without asking for your consent.", "consent-required"),
        ("当サイトはDo Not Trackには対応しておりません。", "do-not-track"),
    ],
)
def test_a_denial_is_read_as_one(sentence: str, kind: str) -> None:
    assert _kinds(sentence) == {(kind, "denies")}


def test_a_do_not_sell_link_is_not_a_promise_not_to_sell() -> None:
    assert _kinds("Use the Do Not Sell My Personal Information link to opt out.") == set()


def test_autoconsent_is_found_where_configured_and_missing_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.consent import autoconsent

    installed = autoconsent.find_autoconsent()
    assert installed is not None, "make setup installs autoconsent (npm ci in scanner/consent/js)"
    assert installed.version and "autoconsentReceiveMessage" in installed.script

    monkeypatch.delenv("COMPLYSCAN_AUTOCONSENT", raising=False)
    monkeypatch.setattr(autoconsent, "_CHECKOUT", tmp_path / "nothing")
    monkeypatch.setattr(autoconsent, "_USER_DIR", tmp_path / "nothing")
    assert autoconsent.find_autoconsent() is None
    assert autoconsent.find_autoconsent(tmp_path) is None
    # A directory holding node_modules/@duckduckgo/autoconsent, or the package itself.
    assert autoconsent.find_autoconsent(installed.path.parent.parent.parent) is not None
    assert autoconsent.find_autoconsent(installed.path) is not None


def test_essential_comes_from_categories_the_essential_list_and_declared_cookies() -> None:
    from scanner.consent.observe import Essentials, observe
    from scanner.consent.visits import StateVisit
    from scanner.model import Cookie, Request
    from scanner.parties.domains import FirstParty

    site = "https://www.teashop.test/"
    page = Page(
        url=site,
        requests=[
            Request(url="https://www.google-analytics.com/g/collect?v=2", third_party=True),
            Request(url="https://js.stripe.com/v3/", third_party=True),
            Request(url="https://cdn.unknown-host.test/x.js", third_party=True),
            Request(url=f"{site}app.js"),
        ],
        cookies=[
            Cookie(name="_ga", domain="www.teashop.test", set_by="https://gtm.example.test/x.js"),
            Cookie(name="basket", domain="www.teashop.test"),
            Cookie(name="fr", domain=".facebook.com", third_party=True),
        ],
    )
    essentials = Essentials(["fr"], declared={"_ga*": "analytics"})

    seen = observe(
        StateVisit("reject-all", pages=[page]), FirstParty(site), load_vendors(), essentials
    )

    vendors = {v.name: v.essential for v in seen.vendors}
    assert vendors["Google Analytics"] is False
    assert vendors["unknown-host.test"] is True  # a host no vendor data names is never tracking
    assert all(v for name, v in vendors.items() if name != "Google Analytics")
    cookies = {c.name: c.essential for c in seen.cookies}
    assert cookies == {"_ga": False, "basket": True, "fr": True}


def test_the_consent_section_of_complyscan_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.config import ConfigError, build_config

    monkeypatch.delenv("COMPLYSCAN_CONSENT", raising=False)  # the suite's default is off

    toml = tmp_path / "complyscan.toml"
    toml.write_text(
        '[scan]\nurl = "https://www.teashop.test/"\n'
        '[consent]\njurisdiction = "eu"\nessential = ["basket*"]\nmax_pages = 5\n'
        'autoconsent_dir = "ac"\n',
        encoding="utf-8",
    )
    config = build_config(toml, {})
    assert (config.consent, config.consent_jurisdiction) == (True, "eu")
    assert config.consent_essential == ["basket*"] and config.consent_max_pages == 5
    assert config.autoconsent_dir == tmp_path / "ac"

    toml.write_text(
        '[scan]\nurl = "https://www.teashop.test/"\n[consent]\njurisdiction = "mars"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="consent_jurisdiction"):
        build_config(toml, {})
