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


# Round 3: processors named by what they are, whom they work for, or the job they do.
@pytest.mark.parametrize(
    "text",
    [
        "To run the shop we rely on a handful of trusted outside service providers.",
        "Accounts are excluded from this, as are partners who help us run the forum.",
        "The print shops that we hire see only your delivery address.",
        "We still need a couple of external services to publish these pages.",
        "Site search is provided by a hosted index from another company.",
        "Our hosting provider keeps request records for a week.",
        "Your details go only to the services which are needed to deliver orders.",
        "Each of them handles personal data only according to our written instructions.",
        "Quillpost (EU): newsletter delivery",
        "We use Parcelbird to facilitate order tracking.",
    ],
)
def test_processors_named_by_role_or_job(text: str) -> None:
    assert ("processors", "affirms") in kinds(text, "en")


@pytest.mark.parametrize(
    "text",
    [
        "A cookie is a small text file that a site or its service provider places on your device.",
        "For statistics we gather on behalf of your shop, we act as a data processor.",
    ],
)
def test_not_a_processor_of_the_site(text: str) -> None:
    assert "processors" not in kind_names(text, "en")


@pytest.mark.parametrize(
    "text",
    [
        "注文の確認メールはサービス提供会社を通じてお送りします。",
        "お知らせを送信するため、Mailbird を利用しています。",
        "当店は Formbird を使用して、アンケートの回答を収集しています。",
        "障害の監視のために、当店のパートナーである Watchbird が技術情報を受け取ります。",
        "サービスを提供するために、第三者と情報を共有します。",
    ],
)
def test_japanese_processors_named_by_role_or_job(text: str) -> None:
    assert ("processors", "affirms") in kinds(text, "ja")


def test_a_vendors_list_entry_continues_in_its_next_sentence() -> None:
    text = "- Smsbird。Smsbird は、確認コードを送る電話番号を受け取ります。"
    assert ("processors", "affirms") in kinds(text, "ja")


def test_the_statutory_exception_for_public_bodies_is_not_a_processor() -> None:
    text = "地方公共団体またはその委託を受けた者が法令の定める事務を遂行する場合。"
    assert "processors" not in kind_names(text, "ja")


@pytest.mark.parametrize(
    "text",
    [
        "No details about our readers are ever sold.",
        "No data is passed to advertising networks or used to show ads.",
        "We don't share any data; everything remains on a machine in our office.",
    ],
)
def test_promises_without_the_usual_recipient(text: str) -> None:
    assert ("no-third-party-sharing", "affirms") in kinds(text, "en")


def test_a_list_entry_names_a_service_and_its_job() -> None:
    assert ("processors", "affirms") in kinds("Quillpost (EU): newsletter delivery", "en")
    assert "processors" not in kind_names("Newsletter: you can subscribe from any page.", "en")


def test_an_instruction_to_the_visitor_is_not_our_promise() -> None:
    assert ("no-third-party-sharing", "affirms") in kinds(
        "We never share any personal information."
    )
    text = "Do not share any personal information in the public chat."
    assert "no-third-party-sharing" not in kind_names(text, "en")


def test_a_negation_over_a_phrase_that_holds_cookies() -> None:
    text = "No data such as cookies is stored in your browser."
    assert kinds(text, "en") >= {("cookies", "denies")}
    assert ("cookies", "affirms") not in kinds(text, "en")


@pytest.mark.parametrize(
    ("question", "answer", "claim"),
    [
        ('Do we use "cookies"?', "No.", ("cookies", "denies")),
        ("Do we use cookies?", "Yes, we do.", ("cookies", "affirms")),
        ("Is your data sold to third parties?", "No.", ("no-third-party-sharing", "affirms")),
    ],
)
def test_a_bare_answer_to_a_question_heading(
    question: str, answer: str, claim: tuple[str, str]
) -> None:
    found = extract_claims(f"{question}\n{answer}\n", "en")
    assert claim in {(c.kind, c.polarity) for c in found if c.quote == answer}
    assert not [c for c in found if c.quote == question and c.kind == claim[0]]


def test_an_answer_that_says_more_is_read_as_itself() -> None:
    assert ("cookies", "denies") in kinds("Do we use cookies?\nNo.\n", "en")
    assert ("cookies", "denies") not in kinds("Do we use cookies?\nNo doubt we do.\n", "en")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("We do not follow individual visitors around the site.", "anonymous-analytics"),
        ("We collect a little de-identified data to improve the guides.", "anonymous-analytics"),
        ("Please send us your feedback on this notice.", "contact"),
        ("The web server writes request logs with each address.", "access-logs"),
    ],
)
def test_more_wording_of_real_statements_round_3(text: str, kind: str) -> None:
    assert (kind, "affirms") in kinds(text, "en")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("You can visit the shop anonymously, without an account.", "anonymous-analytics"),
        ("When you fill in the contact form we keep your address.", "contact"),
    ],
)
def test_wording_that_only_looks_like_a_claim(text: str, kind: str) -> None:
    assert kind not in kind_names(text, "en")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "当店は外部の計測サービスを使い、お客様がどのようにサイトを利用しているかを把握します。",
            "third-party-analytics",
        ),
        ("当店は統計サービスとして他社が提供するツールを利用しています。", "third-party-analytics"),
        ("解析ツールで個人を特定する情報は取得していません。", "anonymous-analytics"),
    ],
)
def test_japanese_constructions_round_3(text: str, kind: str) -> None:
    assert (kind, "affirms") in kinds(text, "ja")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "SSL証明書の取得を代行するため、発行会社に申込者の連絡先を提供します。",
            "transport-encryption",
        ),
        (
            "Google アナリティクスの利用による損害について、当店は責任を負わないものとします。",
            "third-party-analytics",
        ),
    ],
)
def test_japanese_wording_that_only_looks_like_a_claim(text: str, kind: str) -> None:
    assert kind not in kind_names(text, "ja")


# Round 3, second half: an analytics vendor named, not described.
def test_an_analytics_vendor_named_is_third_party_analytics() -> None:
    analytics = ("third-party-analytics", "affirms")
    assert analytics in kinds("We use Plausible to see which pages people read.")
    assert analytics in kinds("当店は Microsoft Clarity を利用しています。")
    # Run on the site's own server, or the statement of the vendor itself: not a third party.
    own = "We use Matomo to count visits. It is a self-hosted instance on our server."
    assert analytics not in kinds(own)
    assert analytics not in kinds("At Plausible Analytics, we use Plausible Analytics to count.")


@pytest.mark.parametrize(
    "text",
    [
        "No details are passed to, sent to or sold to third parties.",
        "No data is being shared with any outside party.",
    ],
)
def test_a_promise_with_coordinated_verbs(text: str) -> None:
    assert ("no-third-party-sharing", "affirms") in kinds(text, "en")


def test_a_cookie_banner_named_is_not_a_cookie_claim() -> None:
    assert "cookies" not in kind_names("Looking for the cookie banner?", "en")
    assert "cookies" in kind_names("Our cookie banner lets you choose which cookies we set.", "en")


def test_the_control_verb_must_be_near_the_cookie() -> None:
    text = "No cookies here can follow visitors around, and we try hard to prevent tracking."
    assert "cookie-control" not in kind_names(text, "en")
    assert "cookie-control" in kind_names("You can block cookies in your browser.", "en")


def test_a_list_entry_written_role_first() -> None:
    assert ("processors", "affirms") in kinds("Payments: Stripeline (EU)", "en")
    assert "processors" not in kind_names("Email: Our letters are optional to receive.", "en")


def test_the_contact_form_as_a_subject_of_processing_is_not_a_contact() -> None:
    text = "The contact form uses an outside relay to deliver messages."
    assert "contact" not in kind_names(text, "en")


def test_visits_not_visitors_is_anonymous_analytics() -> None:
    assert ("anonymous-analytics", "affirms") in kinds("We measure page views, not people.", "en")


def test_an_emoji_after_the_stop_does_not_make_a_heading() -> None:
    assert not is_heading("We set no cookies at all. 🍪")
    text = "Hello there. We set no cookies at all. 🍪\nNo data such as cookies is kept.\n"
    assert [c.quote for c in extract_claims(text, "en") if c.kind == "cookies"] == [
        "We set no cookies at all. 🍪",
        "No data such as cookies is kept.",
    ]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        (
            "「Google Analytics」に関して、詳しくはこちらをご覧ください。",
            "third-party-analytics",
            False,
        ),
        ("Google が収集する情報については、こちらをご覧ください。", "third-party-analytics", True),
        ("Cookieの仕組みについての詳細は、辞書サイト等をご覧ください。", "cookies", False),
    ],
)
def test_japanese_pointers_and_the_collecting_company(text: str, kind: str, expected: bool) -> None:
    assert (kind in kind_names(text, "ja")) is expected


# Round 4 (after it was measured blind): analytics tools the vendor data does not know, and more.
def test_a_name_the_sentence_calls_an_analytics_tool() -> None:
    analytics = ("third-party-analytics", "affirms")
    assert analytics in kinds("This blog uses Countly, a small privacy-minded analytics service.")
    assert analytics in kinds("We count page views via Tallyho.")
    own = "We use Countly for analytics. We host our own copy of it."
    assert analytics not in kinds(own)


@pytest.mark.parametrize(
    "text",
    [
        "We never sell or rent your email address.",
        "We do not share, sell, or use your phone number for anything else.",
        "The counter does not pass visitor information to 3rd parties.",
    ],
)
def test_unqualified_and_coordinated_promises(text: str) -> None:
    assert ("no-third-party-sharing", "affirms") in kinds(text, "en")


def test_a_narrow_promise_about_the_ip_address_is_not_the_whole_promise() -> None:
    whole = "We pass campaign data to a partner, but we do not share or store your email address."
    assert ("no-third-party-sharing", "affirms") in kinds(whole, "en")
    text = "We pass campaign data to a partner, but we do not share or store your IP address."
    assert "no-third-party-sharing" not in kind_names(text, "en")


def test_no_cookies_beyond_the_necessary_is_not_a_denial() -> None:
    text = "The shop does not set any cookies beyond those it needs to keep your basket."
    assert ("cookies", "affirms") in kinds(text, "en")
    assert ("cookies", "denies") not in kinds(text, "en")


@pytest.mark.parametrize(
    "text",
    [
        "Your address is kept safely with Shipfast.",
        "Orders are tracked through Postbird, a parcel service in Canada.",
        "The company that hosts our pages keeps records of each visit.",
        "External services we use are listed below.",
    ],
)
def test_processors_by_where_the_data_is_kept(text: str) -> None:
    assert ("processors", "affirms") in kinds(text, "en")


def test_reach_out_is_a_contact() -> None:
    assert ("contact", "affirms") in kinds(
        "Got a question? Reach out through the form on our help page."
    )


def test_the_tool_collects_nothing_personal_said_after_naming_it() -> None:
    text = "The blog counts visits with a small analytics tool. It does not collect personal data."
    assert ("anonymous-analytics", "affirms") in kinds(text, "en")


def test_a_url_glued_to_japanese_text_ends_where_the_japanese_starts() -> None:
    text = "www.example.jpを開くと、広告用のCookieをオフにできます。"
    assert kinds(text, "ja") >= {("cookies", "affirms"), ("cookie-control", "affirms")}


def test_a_url_glued_after_japanese_text_is_still_a_url() -> None:
    text = "設定はこちらhttps://example.jp/helpで変更してください。"
    assert "transport-encryption" not in kind_names(text, "ja")


# Round 5 (after it was measured blind).
@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("There will not be any cookies on these pages.", ("cookies", "denies")),
        (
            "Log data: the details your browser passes along with every request.",
            ("access-logs", "affirms"),
        ),
        ("Our hosting company records the IP address of each request.", ("access-logs", "affirms")),
        ("Form entries may be shared with 3rd party service providers.", ("processors", "affirms")),
        ("Mailbird, which we use to send our monthly letter.", ("processors", "affirms")),
        ("Pagehost, which hosts this blog.", ("processors", "affirms")),
        ("Pages are delivered through a CDN near you.", ("processors", "affirms")),
        (
            "For our page statistics the IP address is used once and will not be stored.",
            ("anonymous-analytics", "affirms"),
        ),
    ],
)
def test_round_5_constructions(text: str, claim: tuple[str, str]) -> None:
    assert claim in kinds(text, "en")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Our counter follows the cookie law of the EU.", "cookies"),
        ("This notice also explains how we use cookies.", "cookies"),
        ("We ask for your name through our contact form.", "contact"),
    ],
)
def test_round_5_wording_that_only_looks_like_a_claim(text: str, kind: str) -> None:
    assert kind not in kind_names(text, "en")


def test_a_named_service_which_does_a_job_for_us() -> None:
    assert ("processors", "affirms") in kinds("Mailbird, which we use to send our letters.")
    assert "processors" not in kind_names("Slides, which we use to improve our talks, are online.")


@pytest.mark.parametrize(
    "text",
    [
        "当ブログの配信は Pagehost を利用して運営しています。",
        "当店のレビュー機能は Commentbird を利用して提供しています。",
        "表示を速くするため、CDNを利用することがあります。",
        "閲覧者のデータが Pagehost 社により処理される場合があります。",
    ],
)
def test_japanese_hosting_and_service_providers(text: str) -> None:
    assert ("processors", "affirms") in kinds(text, "ja")
