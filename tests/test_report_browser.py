"""report.html in the real Chromium, opened from file://: inert, offline, and its filters work."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright

from scanner.browser.crawler import QUIET_FLAGS
from scanner.browser.discovery import find_chromium
from scanner.consent.model import Consent, ConsentObservation, ConsentVendor
from scanner.report import write_reports
from tests.fixtures.results.hostile import PAYLOADS, SCRIPT, build_result
from tests.test_sanitize import IMAGE, LINK, MENTION, hostile_result

pytestmark = pytest.mark.browser

ARGS = ["--no-sandbox", "--disable-gpu", *QUIET_FLAGS]
SCREENSHOT = Path(__file__).resolve().parent.parent / "out" / "report-screenshot.png"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = find_chromium()  # no browser is a failure here, never a skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield browser
        browser.close()


class Opened:
    """A report opened in a fresh page, with everything the page did recorded."""

    def __init__(self, browser: Browser, path: Path, javascript: bool = True) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
        )
        self.page: Page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def visible_findings(self) -> list[str]:
        severities = self.page.eval_on_selector_all(
            "[data-finding]", "els => els.filter(e => !e.hidden).map(e => e.dataset.severity)"
        )
        return [str(severity) for severity in severities]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    screenshot = out / "form.png"
    screenshot.write_bytes(PNG)
    return write_reports(build_result(screenshot=screenshot), out, ["html"])["html"]


def test_the_report_is_inert_offline_and_quiet(browser: Browser, report: Path) -> None:
    opened = Opened(browser, report)

    assert opened.requests == [report.as_uri()]
    assert opened.dialogs == []
    assert opened.errors == []
    body = opened.page.inner_text("body")
    for payload in PAYLOADS:
        assert " ".join(payload.split()) in " ".join(body.split())
    assert opened.page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert opened.page.evaluate("document.querySelectorAll('img[src^=\"data:\"]').length") == 1
    assert opened.page.title().endswith("https://shop.example/")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_filters_show_only_the_chosen_severity_rule_and_place(
    browser: Browser, report: Path
) -> None:
    opened = Opened(browser, report)
    page = opened.page
    assert len(opened.visible_findings()) == 14
    assert page.inner_text("#filter-count") == "14 of 14 findings shown"

    page.select_option("select[name=severity]", "high")
    assert opened.visible_findings() == ["high", "high"]
    assert page.inner_text("#filter-count") == "2 of 14 findings shown"

    page.select_option("select[name=severity]", "")
    page.select_option("select[name=rule]", "hsts-missing")
    assert opened.visible_findings() == ["medium"]

    page.select_option("select[name=rule]", "")
    page.select_option("select[name=location]", "https://shop.example:443/")
    assert sorted(opened.visible_findings()) == ["critical", "medium", "medium"]

    page.select_option("select[name=location]", "")
    page.uncheck("input[name=waived]")
    assert len(opened.visible_findings()) == 13

    page.click("button[type=reset]")
    expect(page.locator("[data-finding][hidden]")).to_have_count(0)  # no eval: the CSP forbids it
    page.click("a[data-only-severity=critical]")
    assert opened.visible_findings() == ["critical"] * 4
    assert opened.dialogs == [] and opened.errors == []


def test_without_javascript_every_finding_shows_and_the_filters_stay_hidden(
    browser: Browser, report: Path
) -> None:
    opened = Opened(browser, report, javascript=False)

    assert opened.page.locator("[data-finding]:visible").count() == 14
    assert not opened.page.is_visible("#filters")
    assert SCRIPT in opened.page.inner_text("#statement")
    assert opened.requests == [report.as_uri()]


def test_the_report_prints(browser: Browser, report: Path, tmp_path: Path) -> None:
    opened = Opened(browser, report)
    opened.page.select_option("select[name=severity]", "info")

    opened.page.emulate_media(media="print")
    pdf = opened.page.pdf(path=str(tmp_path / "report.pdf"))

    assert pdf.startswith(b"%PDF")
    assert not opened.page.is_visible("#filters")
    assert opened.page.locator("[data-finding]:visible").count() == 14  # print shows everything


def test_links_escapes_and_bidi_overrides_from_the_site_stay_text(
    browser: Browser, tmp_path: Path
) -> None:
    path = write_reports(hostile_result(), tmp_path, ["html"])["html"]
    opened = Opened(browser, path)

    assert opened.requests == [path.as_uri()] and opened.dialogs == [] and opened.errors == []
    hrefs = opened.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert all(h.startswith(path.as_uri()) for h in hrefs), hrefs  # only our own anchors
    assert (
        opened.page.evaluate("document.querySelectorAll('img:not([src^=\"data:\"])').length") == 0
    )
    body = opened.page.inner_text("body")
    assert LINK in body and IMAGE in body and MENTION in body and "A\ufffdB" in body
    assert not any(c in body for c in "\x1b\x07\u202e\u202c")


def test_on_a_phone_the_protocols_do_not_overlap_and_the_menu_hides_no_heading(
    browser: Browser, report: Path
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(report.as_uri())
    boxes = page.eval_on_selector_all(
        "#transport .host:first-of-type .protocols li",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom, e.scrollWidth <= e.clientWidth]; })",
    )
    assert len(boxes) == 6
    for n, (left, top, right, bottom, fits) in enumerate(boxes):
        assert fits and right <= 390, boxes[n]
        for other in boxes[n + 1 :]:
            overlap = left < other[2] and other[0] < right and top < other[3] and other[1] < bottom
            assert not overlap, (boxes[n], other)

    for section in ("statement", "findings", "transport", "pages"):
        page.goto(f"{report.as_uri()}#{section}")
        page.wait_for_timeout(100)
        menu_bottom = page.eval_on_selector(".toc", "e => e.getBoundingClientRect().bottom")
        heading_top = page.eval_on_selector(f"#{section} h2", "e => e.getBoundingClientRect().top")
        assert heading_top >= menu_bottom, (section, heading_top, menu_bottom)
    context.close()


def test_on_a_phone_the_consent_columns_scroll_inside_their_tables(
    browser: Browser, tmp_path: Path
) -> None:
    # Given the hostile scan with consent visits: every vendor and cookie table gains a column
    # per consent state, and a vendor name full of markup is seen after accept
    observed = build_result()
    evil = ConsentVendor(name=f"Evil Ads {SCRIPT}", category="advertising", requests=1)
    states = [
        ConsentObservation(state="no-choice", pages=[observed.target]),
        ConsentObservation(state="reject-all", pages=[observed.target], answered=True),
        ConsentObservation(state="accept-all", pages=[observed.target], vendors=[evil]),
        ConsentObservation(state="gpc", pages=[observed.target]),
    ]
    result = observed.model_copy(update={"consent": Consent(cmp="Klaro", states=states)})
    report = write_reports(result, tmp_path, ["html"])["html"]

    # When it is opened on a 390 px wide phone
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(report.as_uri())

    # Then the page itself does not scroll sideways: the wide tables scroll inside their
    # wrappers, and the vendor's cell says what the state saw, as text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for section in ("parties", "cookies", "consent"):
        right = page.eval_on_selector(
            f"#{section} .table-wrap", "e => e.getBoundingClientRect().right"
        )
        assert right <= 390, section
        assert page.locator(f"#{section} th.state-cell").count() == 4, section
    row = page.locator("#parties tbody tr", has_text="Evil Ads")
    expect(row.locator("td.state-cell")).to_have_text(["—", "—", "seen", "—"])
    assert page.locator("#parties script").count() == 0
    context.close()
