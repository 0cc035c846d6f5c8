"""Cookie declarations: tables, definition lists and consent-manager lists read into
DeclaredCookies, and the three rules that hold observed cookies against them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner.checks import CHECKS, CheckContext
from scanner.model import Claim, Cookie, DeclaredCookie, ScanResult, Statement, StatementDocument
from scanner.parties.domains import FirstParty
from scanner.parties.vendors import load_vendors
from scanner.statement.declaration import (
    category_of,
    duration_seconds,
    name_matches,
    parse_declaration,
)
from scanner.statement.documents import cookie_policy_links, with_cookie_policy
from scanner.statement.reader import read_statement

POLICY = "https://www.shop.test/cookies"

ENGLISH_TABLE = """
<h2>Cookies we use</h2>
<table>
  <tr><th>Cookie name</th><th>Provider</th><th>Purpose</th><th>Category</th><th>Expiry</th></tr>
  <tr><td>basket</td><td>shop.test</td><td>Keeps your basket</td><td>Strictly necessary</td>
      <td>Session</td></tr>
  <tr><td>_ga_*</td><td>Google</td><td>Counts visits</td><td>Analytics</td><td>2 years</td></tr>
  <tr><td>lang, theme</td><td>shop.test</td><td>Remembers choices</td><td>Preferences</td>
      <td>30 days</td></tr>
</table>
"""

JAPANESE_TABLE = """
<table>
  <thead><tr><th>Cookie名</th><th>提供者</th><th>利用目的</th><th>保存期間</th></tr></thead>
  <tbody><tr><td>cart_id</td><td>当店</td><td>カートの保持</td><td>1年</td></tr>
  <tr><td>_fbp</td><td>Meta</td><td>広告の効果測定</td><td>3か月</td></tr></tbody>
</table>
"""

CONSENT_MANAGER = """
<div class="declaration"><h3>Necessary (2)</h3>
<table><tr><th>Name</th><th>Provider</th><th>Expiry</th><th>Type</th></tr>
<tr><td>session</td><td>shop.test</td><td>Session</td><td>HTTP</td></tr>
<tr><td>_gid</td><td>shop.test</td><td>1 day</td><td>HTTP</td></tr></table>
<h3>Marketing (1)</h3>
<table><tr><th>Name</th><th>Provider</th><th>Expiry</th><th>Type</th></tr>
<tr><td>IDE</td><td>doubleclick.net</td><td>1 year</td><td>HTTP</td></tr></table></div>
"""

DEFINITION_LIST = """
<dl><dt>Name</dt><dd>visitor_id</dd><dt>Provider</dt><dd>shop.test</dd>
<dt>Duration</dt><dd>13 months</dd></dl>
<table><tr><th>Opening day</th><th>Hours</th></tr><tr><td>Monday</td><td>9-5</td></tr></table>
"""


def test_an_english_cookie_table_with_wildcards_and_lists() -> None:
    declared = parse_declaration(ENGLISH_TABLE, POLICY)

    assert [(d.name, d.category, d.max_age_seconds) for d in declared] == [
        ("basket", "necessary", 0),
        ("_ga_*", "analytics", 2 * 365 * 86400),
        ("lang", "functional", 30 * 86400),
        ("theme", "functional", 30 * 86400),
    ]
    assert declared[1].provider == "Google" and declared[1].purpose == "Counts visits"
    assert all(d.document_url == POLICY for d in declared)


def test_a_japanese_cookie_table() -> None:
    declared = parse_declaration(JAPANESE_TABLE, POLICY)

    assert [(d.name, d.provider, d.max_age_seconds) for d in declared] == [
        ("cart_id", "当店", 365 * 86400),
        ("_fbp", "Meta", 3 * 30 * 86400),
    ]


def test_a_consent_managers_headings_give_the_category() -> None:
    declared = parse_declaration(CONSENT_MANAGER, POLICY)

    assert [(d.name, d.category) for d in declared] == [
        ("session", "necessary"),
        ("_gid", "necessary"),
        ("IDE", "advertising"),
    ]


def test_a_definition_list_and_a_table_that_is_not_about_cookies() -> None:
    declared = parse_declaration(DEFINITION_LIST, POLICY)

    assert [(d.name, d.duration) for d in declared] == [("visitor_id", "13 months")]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1 year", 365 * 86400),
        ("13 months", 13 * 30 * 86400),
        ("24 hours", 86400),
        ("Session", 0),
        ("セッション終了まで", 0),
        ("2年間", 2 * 365 * 86400),
        ("30日", 30 * 86400),
        ("persistent", None),
    ],
)
def test_durations(text: str, seconds: int | None) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize(
    ("declared", "observed", "matches"),
    [
        ("_ga_*", "_ga_ABC123", True),
        ("_ga_<container-id>", "_ga_ABC123", True),
        ("_gac_[property]", "_gac_UA-1", True),
        ("_hjSession_{site}", "_hjSession_42", True),
        ("_ga", "_ga_ABC123", False),
        ("_ga_*", "_gid", False),
        ("Basket", "basket", True),
    ],
)
def test_wildcard_names(declared: str, observed: str, matches: bool) -> None:
    assert name_matches(declared, observed) is matches


def test_non_necessary_is_not_necessary() -> None:
    assert category_of("Non-necessary") != "necessary"
    assert category_of("必須") == "necessary"


# -- the rules -------------------------------------------------------------------------------

STARTED = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = 365 * 86400


def _declaration() -> list[DeclaredCookie]:
    return parse_declaration(ENGLISH_TABLE + CONSENT_MANAGER, POLICY)


def _run(rule: str, cookies: list[Cookie], declared: list[DeclaredCookie]) -> list[str]:
    claim = Claim(kind="cookies", quote="We use cookies.", start=0, end=15)
    statement = Statement(
        url="https://www.shop.test/privacy",
        sha256="x",
        text="We use cookies.",
        claims=[claim],
        cookies_declared=declared,
    )
    result = ScanResult(
        target="https://www.shop.test/", started_at=STARTED, statement=statement, cookies=cookies
    )
    ctx = CheckContext(result, FirstParty("https://www.shop.test/"), load_vendors())
    return [f.message for f in CHECKS[rule](ctx)]


def _cookie(name: str, domain: str = "www.shop.test", days: float | None = None) -> Cookie:
    expires = None if days is None else STARTED.timestamp() + days * 86400
    third = not domain.endswith("shop.test")
    return Cookie(name=name, domain=domain, expires=expires, third_party=third)


def test_cookie_undeclared_fires_only_for_cookies_outside_the_declaration() -> None:
    cookies = [_cookie("basket"), _cookie("_ga_XYZ", days=700), _cookie("ab_test", days=5)]

    messages = _run("cookie-undeclared", cookies, _declaration())

    assert len(messages) == 1 and "'ab_test'" in messages[0]
    assert _run("cookie-undeclared", cookies, []) == []  # no declaration, no finding


def test_cookie_lifetime_exceeds_declared() -> None:
    cookies = [
        _cookie("basket", days=10),  # declared for the session
        _cookie("_ga_XYZ", days=729),  # declared 2 years: within
        _cookie("lang", days=400),  # declared 30 days
        _cookie("theme", days=30.5),  # within the slack
    ]

    messages = _run("cookie-lifetime-exceeds-declared", cookies, _declaration())

    assert len(messages) == 2
    assert "'basket'" in messages[0] and "session" in messages[0]
    assert "'lang'" in messages[1] and "400 days" in messages[1]


def test_cookie_category_mismatch() -> None:
    cookies = [
        _cookie("session"),  # necessary, the site's own
        _cookie("_gid", days=1),  # declared necessary, but Google Analytics's
        _cookie("IDE", domain=".doubleclick.net", days=300),  # declared marketing: fine
    ]

    messages = _run("cookie-category-mismatch", cookies, _declaration())

    assert len(messages) == 1 and "'_gid'" in messages[0] and "Google Analytics" in messages[0]


# -- documents -------------------------------------------------------------------------------

PRIVACY_HTML = """<html><body><main><h1>Privacy</h1>
<p>We never sell your personal data to third parties.</p>
<p>Read our <a href="/legal/cookie-policy">Cookie Policy</a> or
<a href="/privacy-settings">Privacy settings</a>.</p></main></body></html>"""

COOKIE_HTML = (
    "<html><body><main><h1>Cookie policy</h1><p>We use cookies to keep your basket.</p>"
    + ENGLISH_TABLE
    + "</main></body></html>"
)


def test_the_privacy_policy_links_its_cookie_policy() -> None:
    assert cookie_policy_links(PRIVACY_HTML, "https://www.shop.test/privacy") == [
        "https://www.shop.test/legal/cookie-policy"
    ]


async def test_the_statement_takes_in_the_cookie_policy() -> None:
    fetched: list[str] = []

    async def fetch(url: str) -> str | None:
        fetched.append(url)
        return COOKIE_HTML

    statement = read_statement(
        "https://www.shop.test/privacy", PRIVACY_HTML, vendors=load_vendors()
    )
    statement = await with_cookie_policy(statement, PRIVACY_HTML, [], fetch, vendors=load_vendors())

    assert fetched == ["https://www.shop.test/legal/cookie-policy"]
    assert [(d.kind, d.url) for d in statement.documents] == [
        ("privacy-policy", "https://www.shop.test/privacy"),
        ("cookie-policy", "https://www.shop.test/legal/cookie-policy"),
    ]
    by_document = {(c.kind, c.document) for c in statement.claims}
    assert ("no-third-party-sharing", "https://www.shop.test/privacy") in by_document
    assert ("cookies", "https://www.shop.test/legal/cookie-policy") in by_document
    cookie_doc = statement.documents[1]
    for claim in statement.claims:
        if claim.document == cookie_doc.url:
            assert cookie_doc.text[claim.start : claim.end] == claim.quote
    assert [d.name for d in statement.cookies_declared][:2] == ["basket", "_ga_*"]
    assert statement.url == "https://www.shop.test/privacy"  # the report's old fields stay


def test_statement_changed_covers_the_cookie_policy() -> None:
    def statement(cookie_text: str) -> Statement:
        documents = [
            StatementDocument(url="https://www.shop.test/privacy", sha256="p", text="same"),
            StatementDocument(
                url=POLICY, sha256=cookie_text, kind="cookie-policy", text=cookie_text
            ),
        ]
        return Statement(
            url="https://www.shop.test/privacy", sha256="p", text="same", documents=documents
        )

    result = ScanResult(
        target="https://www.shop.test/", started_at=STARTED, statement=statement("b\nnew")
    )
    ctx = CheckContext(
        result,
        FirstParty("https://www.shop.test/"),
        load_vendors(),
        previous_statement=statement("b\nold"),
    )

    (finding,) = CHECKS["statement-changed"](ctx)

    assert "cookie policy" in finding.message and finding.page_url == POLICY
    assert "+new" in finding.evidence["diff"]


# -- reports ---------------------------------------------------------------------------------


def test_reports_show_the_declaration_beside_what_was_observed() -> None:
    from scanner.checks import run_checks
    from scanner.report.html import HtmlWriter
    from scanner.report.markdown import MarkdownWriter

    statement = read_statement(POLICY, COOKIE_HTML, vendors=load_vendors())
    cookies = [_cookie("basket", days=10), _cookie("<b>ab_test</b>", days=5)]
    result = ScanResult(
        target="https://www.shop.test/", started_at=STARTED, statement=statement, cookies=cookies
    )
    result.findings = run_checks(
        CheckContext(result, FirstParty("https://www.shop.test/"), load_vendors())
    )

    html = HtmlWriter().render(result)
    markdown = MarkdownWriter().render(result)

    assert 'id="cookie-declaration"' in html
    assert "cookie-lifetime-exceeds-declared" in html and "not seen" in html
    assert "<b>ab_test" not in html and "&lt;b&gt;ab_test" in html  # site text stays inert
    assert "### Cookie declaration vs. observed" in markdown
    assert (
        "| basket | Strictly necessary · Session | 10 days | cookie-lifetime-exceeds-declared |"
        in (markdown)
    )
