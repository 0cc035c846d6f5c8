"""A real visit to a site whose statement is two documents: a privacy policy, and a cookie
policy with a cookie table, which the site's own cookies break in each of the three ways."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.demo.server import Host, Response, SiteServer
from scanner.model import ScanResult
from tests.conftest import scan_loopback

pytestmark = [pytest.mark.browser]

FOOTER = (
    '<footer><a href="/privacy">Privacy Policy</a> · <a href="/cookie-policy">Cookie Policy</a>'
    "</footer>"
)

PRIVACY = f"""<!doctype html><title>Privacy Policy</title><main><h1>Privacy Policy</h1>
<p>We bake bread and keep as little about you as we can.</p>
<p>We never sell your personal information to third parties.</p>
<p>Our <a href="/cookie-policy">Cookie Policy</a> lists every cookie we set.</p></main>{FOOTER}"""

COOKIE_POLICY = f"""<!doctype html><title>Cookie Policy</title><main><h1>Cookie Policy</h1>
<p>We use a few cookies, listed below, and you can refuse them in your browser settings.</p>
<table>
  <thead><tr><th>Name</th><th>Provider</th><th>Purpose</th><th>Category</th><th>Duration</th></tr>
  </thead>
  <tbody>
  <tr><td>session</td><td>bakery.test</td><td>Keeps you signed in</td>
      <td>Strictly necessary</td><td>Session</td></tr>
  <tr><td>basket</td><td>bakery.test</td><td>Remembers your basket</td>
      <td>Strictly necessary</td><td>Session</td></tr>
  <tr><td>_ga</td><td>bakery.test</td><td>Load balancing</td>
      <td>Strictly necessary</td><td>2 years</td></tr>
  </tbody>
</table></main>{FOOTER}"""

YEAR = 365 * 86400
HOME = Response(
    f"<!doctype html><title>Bakery</title><h1>Fresh bread</h1>{FOOTER}",
    headers=[
        ("Set-Cookie", "session=s1; Path=/; Secure; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", f"basket=b1; Path=/; Secure; Max-Age={YEAR}"),  # declared: session
        ("Set-Cookie", f"_ga=GA1.1.42; Path=/; Secure; Max-Age={2 * YEAR}"),  # analytics
        ("Set-Cookie", "ab_test=b; Path=/; Secure; Max-Age=86400"),  # not declared
    ],
)


@pytest.fixture(scope="module")
def scanned(pki: Any, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    hosts = [
        Host(
            "www.bakery.test",
            routes={
                "/": HOME,
                "/privacy": Response(PRIVACY),
                "/cookie-policy": Response(COOKIE_POLICY),
            },
        )
    ]
    with SiteServer(hosts, pki) as server:
        return scan_loopback(server, "www.bakery.test", tmp_path_factory.mktemp("cookie-policy"))


def test_the_statement_is_the_privacy_policy_and_the_cookie_policy(scanned: ScanResult) -> None:
    statement = scanned.statement
    assert statement is not None and statement.url.endswith("/privacy")
    assert [(d.kind, d.url.rsplit("/", 1)[-1]) for d in statement.documents] == [
        ("privacy-policy", "privacy"),
        ("cookie-policy", "cookie-policy"),
    ]
    cookie_claims = [c for c in statement.claims if c.document == statement.documents[1].url]
    assert {c.kind for c in cookie_claims} >= {"cookies", "cookie-control"}
    assert [d.name for d in statement.cookies_declared] == ["session", "basket", "_ga"]


def test_each_way_of_breaking_the_table_is_a_finding(scanned: ScanResult) -> None:
    broken = {
        (f.rule_id, f.evidence["cookie"]["name"])
        for f in scanned.findings
        if f.rule_id.startswith("cookie-") and f.rule_id != "cookie-not-secure"
    }
    assert broken == {
        ("cookie-undeclared", "ab_test"),
        ("cookie-lifetime-exceeds-declared", "basket"),
        ("cookie-category-mismatch", "_ga"),
    }
    mismatch = next(f for f in scanned.findings if f.rule_id == "cookie-category-mismatch")
    assert mismatch.evidence["vendor"] == "Google Analytics"
    assert mismatch.claim is not None and mismatch.claim.kind == "cookies"
