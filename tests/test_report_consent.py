"""report.html's consent section: per vendor and per cookie, a column per state."""

from __future__ import annotations

from datetime import UTC, datetime

from bs4 import BeautifulSoup

from scanner.consent.model import Consent, ConsentCookie, ConsentObservation, ConsentVendor
from scanner.consent.tcf import decode_tc_string
from scanner.model import ScanResult
from scanner.report.html import HtmlWriter
from tests.test_consent_units import ACCEPT_ALL

SITE = "https://www.teashop.test/"
ADS = ConsentVendor(name="Bing Ads", category="advertising", requests=2)
GA = ConsentCookie(
    name="_ga", domain="teashop.test", vendor="Google Analytics", category="analytics"
)


def _result(consent: Consent | None) -> ScanResult:
    return ScanResult(target=SITE, started_at=datetime.now(UTC), consent=consent)


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
