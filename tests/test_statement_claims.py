"""extract_claims: what affirms, what denies, and what only looks like a claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.statement.claims import (
    CLAIM_KINDS,
    PatternError,
    extract_claims,
    load_patterns,
    parse_patterns,
)


def kinds(text: str, language: str | None = None) -> set[tuple[str, str]]:
    return {(c.kind, c.polarity) for c in extract_claims(text, language)}


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("Our website never sets cookies.", ("cookies", "denies")),
        ("This site doesn't use any cookies.", ("cookies", "denies")),
        ("No cookies are placed on your device.", ("cookies", "denies")),
        ("We do not use web beacons or clear GIFs.", ("web-beacons", "denies")),
        ("We do not use any analytics services.", ("third-party-analytics", "denies")),
        ("Our servers do not keep access logs.", ("access-logs", "denies")),
        ("Forms on this site are not encrypted.", ("transport-encryption", "denies")),
        ("Strictly necessary cookies cannot be switched off.", ("cookie-control", "denies")),
        ("We no longer use Hotjar on any page.", ("named-third-parties", "denies")),
    ],
)
def test_denials(sentence: str, claim: tuple[str, str]) -> None:
    assert claim in kinds(sentence)
    assert (claim[0], "affirms") not in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "We do not use cookies to build a profile of you.",
        "We don't use cookies for advertising.",
    ],
)
def test_a_limited_denial_still_says_cookies_are_used(sentence: str) -> None:
    assert ("cookies", "affirms") in kinds(sentence)
    assert ("cookies", "denies") not in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "We share your e-mail address with our advertising partners.",
        "We may sell your purchase history to data brokers.",
        "We do not sell your details, but we share them with selected marketing partners.",
        "We never give your data to third parties, except our advertising partners.",
        "Your profile may be disclosed to our business partners for their own offers.",
        "当社は、取得した情報を広告配信事業者に提供することがあります。",
    ],
)
def test_sharing_with_advertisers_is_not_a_promise_not_to_share(sentence: str) -> None:
    assert "no-third-party-sharing" not in {kind for kind, _ in kinds(sentence)}


@pytest.mark.parametrize(
    "sentence",
    [
        "We will not provide your personal information to third parties except as required by law.",
        "Your details are never sold or passed to any third party, unless a court orders it.",
        "We do not rent or sell your personal data.",
        "法令に基づく場合を除き、個人情報を第三者に開示することはありません。",
    ],
)
def test_a_promise_with_an_exception_is_still_a_promise(sentence: str) -> None:
    assert ("no-third-party-sharing", "affirms") in kinds(sentence)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Information you submit is protected in transit by TLS.", "transport-encryption"),
        ("Card details are encrypted when transmitted to our bank.", "transport-encryption"),
        ("We rely on secure socket layer technology.", "transport-encryption"),
        ("Newsletters contain pixel tags.", "web-beacons"),
        ("Some pages include single-pixel GIFs.", "web-beacons"),
        ("Our web server logs your IP address and the date and time of your visit.", "access-logs"),
        ("Analytics data is aggregated and cannot identify you.", "anonymous-analytics"),
        ("We use an access analysis tool provided by a third party.", "third-party-analytics"),
        ("Contractors handling your data are bound by confidentiality agreements.", "processors"),
        ("Privacy questions can be sent to dpo@example.org.", "contact"),
        ("You can refuse cookies in your browser settings.", "cookie-control"),
    ],
)
def test_affirmations(sentence: str, kind: str) -> None:
    assert (kind, "affirms") in kinds(sentence)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Passwords are stored encrypted.", "transport-encryption"),
        ("We may contact you about your order.", "contact"),
        ("When you contact us by phone we write down your question.", "contact"),
        ("Session cookies are deleted when you close your browser.", "cookie-control"),
        ("The screen resolution of your device is recorded.", "access-logs"),
    ],
)
def test_near_misses_make_no_claim(sentence: str, kind: str) -> None:
    assert kind not in {k for k, _ in kinds(sentence)}


def test_claims_quote_their_sentence_in_offset_order() -> None:
    text = (
        "Cookies\nWe use Google Analytics. Questions go to help@example.org; we reply within days."
    )

    claims = extract_claims(text)

    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for claim in claims:
        assert text[claim.start : claim.end] == claim.quote
    named = [c for c in claims if c.kind == "named-third-parties"]
    assert [(c.vendor, c.quote) for c in named] == [
        ("Google Analytics", "We use Google Analytics.")
    ]
    assert extract_claims(text) == claims


def test_a_vendor_is_claimed_once_at_its_first_affirming_mention() -> None:
    text = "We do not use Hotjar. We use Hotjar only on the help pages. Hotjar is a vendor."

    named = [c for c in extract_claims(text) if c.kind == "named-third-parties"]

    assert [(c.vendor, c.polarity, c.quote) for c in named] == [
        ("Hotjar", "affirms", "We use Hotjar only on the help pages.")
    ]


def test_japanese_vendor_names_and_language_detection() -> None:
    text = "当社はGoogleアナリティクスを利用しています。Cookieは使用していません。"

    claims = extract_claims(text)

    assert {(c.kind, c.polarity) for c in claims} >= {
        ("third-party-analytics", "affirms"),
        ("cookies", "denies"),
    }
    assert [c.vendor for c in claims if c.kind == "named-third-parties"] == ["Google Analytics"]


def test_every_pattern_file_covers_every_kind() -> None:
    for language in ("en", "ja"):
        patterns = load_patterns(language)
        assert patterns.language == language
        assert set(patterns.kinds) == set(CLAIM_KINDS)


def test_unknown_language_falls_back_to_english() -> None:
    assert load_patterns("xx").language == "en"


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ("kinds:\n  cookie:\n    affirm: ['x']\n", "unknown claim kind 'cookie'"),
        ("kinds:\n  cookies:\n    affirm: ['(unclosed']\n", "cookies.affirm: pattern '(unclosed'"),
        ("kinds:\n  cookies:\n    allow: ['x']\n", "only `affirm`, `deny` and `exclude`"),
        ("kinds:\n  cookies:\n    deny: [3]\n", "is not a pattern"),
        ("- just a list\n", "`kinds:` mapping"),
    ],
)
def test_pattern_file_mistakes_are_named(document: str, complaint: str) -> None:
    with pytest.raises(PatternError, match=r"mine\.yaml") as raised:
        parse_patterns(document, Path("mine.yaml"))
    assert complaint in str(raised.value)


def test_a_list_pattern_needs_every_part() -> None:
    patterns = parse_patterns(
        "kinds:\n  cookies:\n    affirm: [['crumb', 'biscuit']]\n", Path("t.yaml")
    ).for_kind("cookies")

    assert patterns.polarity_of("a biscuit crumb") == "affirms"
    assert patterns.polarity_of("a crumb") is None


def test_a_heading_yields_to_the_sentence_under_it() -> None:
    covered = extract_claims("SSL\nForms are sent over SSL.")
    alone = extract_claims("Cookies and similar files\nSee the table below.")

    assert [c.quote for c in covered if c.kind == "transport-encryption"] == [
        "Forms are sent over SSL."
    ]
    assert [c.quote for c in alone if c.kind == "cookies"] == ["Cookies and similar files"]
