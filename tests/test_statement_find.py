"""Which link is the privacy statement: scores and ranking."""

from __future__ import annotations

import pytest

from scanner.statement.find import COMMON_PATHS, is_statement_link, pick_statement_url


@pytest.mark.parametrize(
    ("href", "text"),
    [
        ("/legal/privacy-policy", "Privacy Policy"),
        ("/p/123", "Privacy notice"),
        ("/about/data", "Data protection statement"),
        ("/policy", "個人情報保護方針"),
        ("/ja/privacy.html", "プライバシーポリシー"),
        ("/info/kojinjoho.html", "個人情報の取り扱いについて"),
        ("/privacy", "Read more"),
    ],
)
def test_statement_links_score(href: str, text: str) -> None:
    assert is_statement_link(href, text) > 0


@pytest.mark.parametrize(
    ("href", "text"),
    [
        ("/shop", "Shop"),
        ("/about", "About us"),
        ("mailto:privacy@example.org", "privacy@example.org"),
        ("javascript:void(0)", "Privacy"),
    ],
)
def test_other_links_score_zero(href: str, text: str) -> None:
    assert is_statement_link(href, text) == 0


def test_named_beats_topic_beats_cookie_policy_and_footer_adds() -> None:
    named = is_statement_link("/x", "Privacy Policy")
    topic = is_statement_link("/x", "Your privacy")
    cookie = is_statement_link("/x", "Cookie policy")

    assert named > topic > cookie > 0
    assert is_statement_link("/x", "Your privacy", in_footer=True) > topic


def test_consent_controls_are_not_the_statement() -> None:
    assert is_statement_link("/privacy-settings", "Privacy settings") == 1
    assert is_statement_link("/ccpa", "Do Not Sell My Personal Information") == 1
    assert is_statement_link("/privacy-settings", "Privacy settings") < is_statement_link(
        "/privacy", "Privacy"
    )


def test_pick_prefers_the_footer_statement_and_drops_fragments() -> None:
    candidates = [
        ("https://shop.example/cookies", "Cookie policy", True),
        ("https://shop.example/blog/privacy-tips", "Five privacy tips", False),
        ("https://shop.example/privacy-policy#cookies", "our cookies", False),
        ("https://shop.example/privacy-policy", "Privacy Policy", True),
        ("https://shop.example/privacy-settings", "Privacy settings", True),
    ]

    assert pick_statement_url(candidates) == "https://shop.example/privacy-policy"


def test_pick_breaks_ties_by_count_then_order() -> None:
    once = ("https://a.example/privacy", "Privacy", True)
    twice = ("https://a.example/legal/privacy", "Privacy", True)

    assert pick_statement_url([once, twice, twice]) == "https://a.example/legal/privacy"
    assert pick_statement_url([once, twice]) == "https://a.example/privacy"
    assert pick_statement_url([("https://a.example/", "Home", True)]) is None
    assert pick_statement_url([]) is None


def test_common_paths() -> None:
    assert COMMON_PATHS[0] == "/privacy"
    assert len(set(COMMON_PATHS)) == len(COMMON_PATHS) == 8
