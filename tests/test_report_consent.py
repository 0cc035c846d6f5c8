"""report.html's consent section: per vendor and per cookie, a column per state."""

from __future__ import annotations

from datetime import UTC, datetime

from bs4 import BeautifulSoup

from scanner.consent.gpp import gpp_from_api
from scanner.consent.model import Consent, ConsentCookie, ConsentObservation, ConsentVendor
from scanner.consent.tcf import decode_tc_string
from scanner.model import Beacon, Cookie, ScanResult
from scanner.report.html import HtmlWriter
from tests.test_consent_gpp import LIBRARY_US
from tests.test_consent_units import ACCEPT_ALL

SITE = "https://www.teashop.test/"
ADS = ConsentVendor(name="Bing Ads", category="advertising", requests=2)
GA = ConsentCookie(
    name="_ga", domain="teashop.test", vendor="Google Analytics", category="analytics"
)

BING_AFTER_ACCEPT = Beacon(
    url="https://bat.bing.com/action/0?ti=1",
    page_url=SITE,
    vendor="Bing Ads",
    category="advertising",
    kind="pixel",
    consent_state="accept-all",
)


def _result(consent: Consent | None, **observed: object) -> ScanResult:
    return ScanResult(
        target=SITE,
        started_at=datetime.now(UTC),
        consent=consent,
        **observed,
    )


def _klaro(*states: ConsentObservation) -> Consent:
    return Consent(cmp="Klaro", pages=[SITE], states=list(states))


def _section(result: ScanResult) -> BeautifulSoup | None:
    page = BeautifulSoup(HtmlWriter().render(result), "html.parser")
    return page.find(id="consent")  # type: ignore[return-value]


def test_each_vendor_and_cookie_has_a_cell_per_state() -> None:
    consent = Consent(
        cmp="Klaro",
        banner_shown=True,
        autoconsent_version="16.23.0",
        pages=[SITE],
        states=[
            ConsentObservation(state="no-choice", pages=[SITE]),
            ConsentObservation(
                state="reject-all",
                pages=[SITE],
                answered=True,
                action="reject all by rule",
                cookies=[GA],
            ),
            ConsentObservation(
                state="accept-all",
                pages=[SITE],
                vendors=[ADS],
                cookies=[GA],
                tcf=decode_tc_string(ACCEPT_ALL),
            ),
            ConsentObservation(state="gpc", pages=[]),
        ],
    )

    section = _section(_result(consent))

    assert section is not None
    text = " ".join(section.get_text(" ").split())
    assert "Consent manager: Klaro" in text and "purposes 1, 2, 3" in text
    rows: dict[str, list[str]] = {}
    for tr in section.find_all("tr"):
        cells = [td.get_text(" ").strip() for td in tr.find_all("td")]
        if len(cells) == 6:  # a vendor or cookie row: name, detail, then one cell per state
            rows[cells[0].split()[0]] = cells[2:]
    assert rows["Bing"] == ["—", "—", "seen", "not visited"]
    assert rows["_ga"] == ["—", "seen", "seen", "not visited"]


def test_an_unrecognised_banner_and_a_missing_autoconsent_are_said_plainly() -> None:
    unknown = Consent(unrecognised=True, unrecognised_snippets=["We use cookies. OK?"])
    missing = Consent(
        evaluated=False, not_evaluated="consent manager not evaluated: autoconsent not installed"
    )

    assert "Consent manager not recognised" in _section(_result(unknown)).get_text()  # type: ignore[union-attr]
    assert "autoconsent not installed" in _section(_result(missing)).get_text()  # type: ignore[union-attr]
    assert _section(_result(None)) is None


def _rows(html: str, section: str) -> dict[str, list[str]]:
    """The first table of a section, each row by its first cell's first word."""
    table = BeautifulSoup(html, "html.parser").select_one(f"#{section} table")
    assert table is not None
    heads = [th.get_text(" ").strip() for th in table.find_all("th")]
    rows = {"(head)": heads}
    for tr in table.find_all("tr")[1:]:
        cells = [td.get_text(" ").strip() for td in tr.find_all("td")]
        rows[cells[0].split()[0]] = cells
    return rows


def test_the_third_parties_and_cookies_tables_have_a_cell_per_consent_state() -> None:
    # Given the main crawl's beacons and cookies (the union of every state) and what each
    # consent state saw: Bing Ads only after accept, a recipient no vendor data knows (listed
    # as its site by the states) before any choice, _ga (its domain with a leading dot in the
    # crawl, without it in the states) after reject and accept
    tracker = ConsentVendor(name="tracker.test", essential=True, requests=1)
    consent = _klaro(
        ConsentObservation(state="no-choice", pages=[SITE], vendors=[tracker]),
        ConsentObservation(state="reject-all", pages=[SITE], cookies=[GA]),
        ConsentObservation(state="accept-all", pages=[SITE], vendors=[ADS], cookies=[GA]),
        ConsentObservation(state="gpc", pages=[]),
    )
    observed = {
        "beacons": [
            BING_AFTER_ACCEPT,
            Beacon(
                url="https://px.tracker.test/p.gif",
                page_url=SITE,
                vendor="unknown recipient tracker.test",
                kind="pixel",
            ),
        ],
        "cookies": [
            Cookie(name="_ga", domain=".teashop.test", vendor="Google Analytics"),
            Cookie(name="session", domain="www.teashop.test"),
        ],
    }

    # When report.html is rendered
    page = HtmlWriter().render(_result(consent, **observed))

    # Then each vendor and each cookie has a cell per state, matched as the consent section
    # matches them, and a tracking vendor seen is marked
    vendors = _rows(page, "parties")
    assert vendors["(head)"][2:6] == ["before a choice", "after reject", "after accept", "GPC"]
    assert vendors["Bing"][2:6] == ["—", "—", "seen", "not visited"]
    assert vendors["unknown"][2:6] == ["seen", "—", "—", "not visited"]
    cookies = _rows(page, "cookies")
    assert cookies["(head)"][2:6] == vendors["(head)"][2:6]
    assert cookies["_ga"][2:6] == ["—", "seen", "seen", "not visited"]
    assert cookies["session"][2:6] == ["—", "—", "—", "not visited"]
    bing = BeautifulSoup(page, "html.parser").select("#parties tbody tr td.state-cell.bad")
    assert [td.get_text() for td in bing] == ["seen"]

    # And without consent visits both tables stay as they were
    plain = HtmlWriter().render(_result(None, **observed))
    assert _rows(plain, "parties")["Bing"][2] == "1"  # the beacon count follows the category
    assert _rows(plain, "cookies")["_ga"][2] == "/"  # the path follows the domain
    assert "state-cell" not in plain.split("<body>")[1]


def test_the_decoded_gpp_string_stands_next_to_the_tcf_data() -> None:
    # Given a GPC state whose consent manager said, in GPP (a string made by the IAB's
    # library), that the visitor did not opt out of sale, and an accept state whose GPP
    # string is site text that is no GPP string at all
    hostile = "<script>alert(1)</script>"
    consent = _klaro(
        ConsentObservation(state="no-choice", pages=[SITE]),
        ConsentObservation(
            state="accept-all",
            pages=[SITE],
            tcf=decode_tc_string(ACCEPT_ALL),
            gpp=gpp_from_api({"gppString": hostile}),
        ),
        ConsentObservation(state="gpc", pages=[SITE], gpp=gpp_from_api({"gppString": LIBRARY_US})),
    )

    section = _section(_result(consent))

    assert section is not None
    strings = {
        cells[0].get_text(): [div.get_text() for div in cells[5].find_all("div")]
        for tr in section.find_all("tr")
        if len(cells := tr.find_all("td")) == 7
    }
    assert strings["GPC"] == [
        "GPP 6 US Privacy 1YNN: notice Y, sale opted out N",
        "GPP 7 US national v2: sale did not opt out, sharing did not opt out, "
        "targeted advertising opted out, GPC on",
        "GPP 8 US California v1: sale opted out, sharing opted out, GPC off",
    ]
    accept = strings["after accept"]
    assert accept[0].startswith("TCF: purposes 1, 2, 3")
    assert accept[1].startswith(f"GPP {hostile}: not a GPP string")
    assert section.find("script") is None  # the site's text stays text


def test_statement_vs_site_gives_each_unnamed_third_party_its_consent_states() -> None:
    # Given a read statement that names no vendor, a beacon to Bing Ads and a cookie of an
    # ad network, and consent states in which Bing Ads fires only after "Accept all"
    from scanner.checks import CheckContext, run_checks
    from scanner.model import Statement
    from scanner.parties.domains import FirstParty
    from scanner.parties.vendors import load_vendors

    consent = _klaro(
        ConsentObservation(state="no-choice", pages=[SITE]),
        ConsentObservation(state="reject-all", pages=[SITE]),
        ConsentObservation(state="accept-all", pages=[SITE], vendors=[ADS]),
        ConsentObservation(state="gpc", pages=[SITE]),
    )
    text = "We keep your orders."
    result = _result(
        consent,
        beacons=[BING_AFTER_ACCEPT],
        statement=Statement(url=f"{SITE}privacy", sha256="s", text=text),
    )
    ctx = CheckContext(result=result, first_party=FirstParty(SITE), vendors=load_vendors())
    result.findings = run_checks(ctx)
    assert "beacon-undisclosed-vendor" in {f.rule_id for f in result.findings}

    # When report.html is rendered
    page = BeautifulSoup(HtmlWriter().render(result), "html.parser")

    # Then "Statement vs. site" shows the gap with a cell per state: the statement must name
    # Bing Ads for visitors who accept, and a tracking vendor seen is marked
    table = page.select_one("#statement table.gap-states")
    assert table is not None
    heads = [th.get_text(" ").strip() for th in table.find_all("th")]
    assert heads == ["Gap", "before a choice", "after reject", "after accept", "GPC"]
    row = [td.get_text(" ").strip() for td in table.select("tbody tr")[0].find_all("td")]
    assert "Bing Ads" in row[0]
    assert row[1:] == ["—", "—", "seen", "—"]
    assert [td.get_text() for td in table.select("td.state-cell.bad")] == ["seen"]
    others = page.select_one("#statement ul.mini-findings")
    assert others is not None and "vendor the statement does not name" not in others.get_text()

    # And without consent visits the gap is listed as before, without a table
    result.consent = None
    plain = BeautifulSoup(HtmlWriter().render(result), "html.parser")
    assert plain.select_one("#statement table.gap-states") is None
    listed = plain.select_one("#statement ul.mini-findings")
    assert listed is not None
    assert "Beacons go to a vendor the statement does not name" in listed.get_text()
