"""The constructions real statements use, each in our own words (issue 17).

Every case here was a way the reader went wrong on published statements: a link read as a
claim, the visitor's wish or request read as the site's denial, other businesses' practices,
recipients and service providers named in other words, and a claim spread over two sentences.
"""

from __future__ import annotations

import pytest

from scanner.statement.claims import extract_claims, is_heading
from tests.test_statement_claims import kinds


def kind_names(text: str, language: str | None = None) -> set[str]:
    return {kind for kind, _ in kinds(text, language)}


@pytest.mark.parametrize(
    "text",
    [
        "Read the add-on's terms at https://example.org/terms before you install it.",
        "Our help pages live at www.example.org/help.",
        "利用規約は https://example.jp/terms をご覧ください。",
    ],
)
def test_a_link_written_out_is_not_a_transport_claim(text: str) -> None:
    assert "transport-encryption" not in kind_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "Card details are protected during transmission and once stored.",
        "Everything you type into the order form is securely transmitted to us.",
    ],
)
def test_secure_transmission_is_a_transport_claim(text: str) -> None:
    assert ("transport-encryption", "affirms") in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "You may ask that we not share your address with third parties.",
        "If you do not want us to pass your details to third parties, tell us.",
        "You have the right to request that we never disclose your data to other companies.",
    ],
)
def test_an_opt_out_request_or_condition_is_not_our_promise(text: str) -> None:
    assert "no-third-party-sharing" not in kind_names(text)


def test_other_businesses_practices_are_not_our_denial() -> None:
    text = "We embed a map, and these map providers do not use cookies of their own."
    assert ("cookies", "denies") not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "We never hand your personal information to anyone outside Bakehouse Ltd.",
        "Your details are not sold or given to any other organization.",
        "We do not disclose personally identifiable information to others.",
        "We will not share your data with anyone, except where a court orders us to.",
    ],
)
def test_recipients_in_other_words_make_the_promise(text: str) -> None:
    assert ("no-third-party-sharing", "affirms") in kinds(text)


def test_data_kept_in_a_region_is_not_a_sharing_promise() -> None:
    assert "no-third-party-sharing" not in kind_names(
        "We do not transfer your data outside the EU."
    )


@pytest.mark.parametrize(
    "text",
    [
        "We use Parcelbox to handle returns and refunds.",
        "Our payment providers process card details on our behalf.",
        "Orders are packed by the named third party vendor for shipping.",
    ],
)
def test_service_providers_named_in_other_words_are_processors(text: str) -> None:
    assert ("processors", "affirms") in kinds(text)


def test_cookies_used_for_a_purpose_are_not_processors() -> None:
    assert "processors" not in kind_names("We use cookies to manage your basket.")


@pytest.mark.parametrize(
    "text",
    [
        "You can control cookie preferences in your browsers.",
        "Browsers let you prevent cookies from being stored.",
        "You can use the opt-out link to stop our partners' cookies.",
        "ブラウザの Cookie の設定の変更で受け入れを選べます。",
    ],
)
def test_cookie_control_in_other_words(text: str) -> None:
    assert ("cookie-control", "affirms") in kinds(text)


def test_clear_gifs_are_not_a_cookie_control() -> None:
    text = "We use cookies and clear GIFs to see which pages users visit."
    assert "cookie-control" not in kind_names(text)
    assert ("web-beacons", "affirms") in kinds(text)


def test_an_outside_company_measuring_traffic_is_third_party_analytics() -> None:
    text = "A third party service helps us measure how visitors use our pages."
    assert ("third-party-analytics", "affirms") in kinds(text)


def test_the_visitors_wish_is_not_a_denial_of_beacons() -> None:
    text = (
        "Our newsletters carry a pixel tag; if you prefer not to receive pixel tags, unsubscribe."
    )
    assert ("web-beacons", "affirms") in kinds(text)
    assert ("web-beacons", "denies") not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Questions? Contact Guest Services at the front desk.",
        "You can change your details by contacting our support team.",
        "Please get in touch with our privacy officer.",
    ],
)
def test_contact_in_other_words(text: str) -> None:
    assert ("contact", "affirms") in kinds(text)


def test_a_claim_spread_over_two_sentences() -> None:
    text = (
        "We collect each visitor's browser type and the time of each request. "
        "We also collect the Internet Protocol (IP) address."
    )
    logs = [c for c in extract_claims(text) if c.kind == "access-logs"]
    assert [c.quote for c in logs] == ["We also collect the Internet Protocol (IP) address."]


def test_a_claim_is_not_spread_across_paragraphs() -> None:
    text = (
        "We collect each visitor's browser type and the time of each request.\n"
        "We also collect the Internet Protocol (IP) address."
    )
    assert "access-logs" not in kind_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "We track visitors individually across the web.",
    ],
)
def test_individual_tracking_is_not_anonymous(text: str) -> None:
    assert "anonymous-analytics" not in kind_names(text)


@pytest.mark.parametrize(
    "text",
    [
        "We never track you individually with our analytics tool.",
        "The statistics we keep hold only non-personally identifying data.",
        "アクセス状況は総体的に把握するだけです。",
    ],
)
def test_anonymous_analytics_in_other_words(text: str) -> None:
    assert ("anonymous-analytics", "affirms") in kinds(text)


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Recipes, Newsletters & Cookies Privacy Notice", True),
        ("Why do we keep this?", True),
        ("We keep cookies for a year and then delete them from your browser", False),
        ("What cookies do we set, and can you refuse each of them one by one?", False),
    ],
)
def test_titles_and_short_questions_are_headings(line: str, heading: bool) -> None:
    assert is_heading(line) is heading


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "当店は、お客様の情報をサードパーティーと共有することは一切ありません。",
            "no-third-party-sharing",
        ),
        ("当店は第三者のウェブ分析を使用して閲覧状況を把握します。", "third-party-analytics"),
        ("一部のページではクリア GIF を使用しています。", "web-beacons"),
        ("発送の処理にあたって、Parcelbox を利用します。", "processors"),
        ("決済は第三者決済プロバイダを通じて行われます。", "processors"),
    ],
)
def test_japanese_constructions(text: str, kind: str) -> None:
    assert (kind, "affirms") in kinds(text, "ja")


def test_japanese_login_time_is_not_an_access_log() -> None:
    assert "access-logs" not in kind_names("会員がログインした日時を記録します。", "ja")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "The app encrypts all of your network traffic on the way to our servers.",
            "transport-encryption",
        ),
        ("Tilly's Tours uses Cloudcart (CC) to host its booking pages.", "processors"),
        ("Our courier is contractually obliged to keep your address confidential.", "processors"),
        ("Crash data arrives with other analytics collected by Crashly.", "third-party-analytics"),
    ],
)
def test_more_wording_of_real_statements(text: str, kind: str) -> None:
    assert (kind, "affirms") in kinds(text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The browser can look names up with DNS over HTTPS.", "en"),
        ("ブラウザーは DNS over HTTPS で名前を解決できます。", "ja"),
    ],
)
def test_a_browsers_encrypted_dns_is_not_the_sites_transport(text: str, language: str) -> None:
    assert "transport-encryption" not in kind_names(text, language)


def test_a_pointer_to_a_vendors_terms_is_not_using_the_vendor() -> None:
    text = "Google アナリティクスの利用規約については以下のページをご覧ください。"
    assert "third-party-analytics" not in kind_names(text, "ja")


def test_beacons_that_collect_no_personal_information_are_anonymous() -> None:
    text = (
        "当店はウェブビーコンを使用しますが、ウェブビーコンで個人情報を取得することはありません。"
    )
    assert ("anonymous-analytics", "affirms") in kinds(text, "ja")
