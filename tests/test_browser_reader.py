"""The page reader, without a browser: probes recorded from real pages in Chromium
(scripts/record_probes.py -> tests/fixtures/probes/) read into Page records."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from scanner.browser.reader import FrameProbe, PageReading, read_probes
from scanner.domains import FirstParty
from scanner.engine import page_judges
from scanner.model import Cookie, Page
from scanner.scope import Scope

PROBES = Path(__file__).resolve().parent / "fixtures" / "probes"
START = "https://www.tea-shop.test/"


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PROBES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def read(data: dict[str, Any]) -> tuple[Page, PageReading]:
    record = Page(url=data["url"], final_url=data["final_url"])
    probes = [FrameProbe(frame["main"], frame["probe"]) for frame in data["frames"]]
    cookies = [Cookie.model_validate(c) for c in data["cookies"]]
    reading = read_probes(
        record,
        probes,
        cookies,
        scope=Scope.for_start_url(START),
        first_party=FirstParty(START),
        judges=page_judges(),
    )
    return record, reading


def test_a_form_page_yields_its_forms_in_every_frame_and_the_fields_to_probe() -> None:
    # Given the join page: a name and e-mail form, and a newsletter form in a first-party iframe
    page, reading = read(recorded("join"))

    # Then both forms are read, classified and placed
    main, boxed = page.forms
    assert (main.action, main.method, main.selector) == (f"{START}welcome", "post", "form#join")
    assert main.other_actions == ["https://pay.tea-shop.test/start"]
    assert main.collects_pi and main.pi_kinds == ["email", "name"]
    assert [f.pi_kind for f in main.fields] == ["name", "email"]
    assert main.frame_url is None
    assert boxed.frame_url == "https://news.tea-shop.test/box"
    assert boxed.collects_pi and boxed.pi_kinds == ["email"]
    # And the leak probe is told which field of which frame to type into
    assert reading.fills == [(0, "1", "name"), (0, "2", "email"), (1, "1", "email")]


def test_storage_cookies_and_links_of_every_frame_are_kept() -> None:
    page, reading = read(recorded("join"))

    assert page.local_storage == ["cart", "https://news.tea-shop.test seen"]
    assert page.session_storage == ["tab"]
    (visit,) = page.cookies
    assert (visit.name, visit.domain, visit.path) == ("visit", "www.tea-shop.test", "/")
    assert visit.set_by == f"{START}join" and visit.page_url == f"{START}join"
    assert visit.third_party is False
    assert "https://news.tea-shop.test/box" in page.links  # an in-scope iframe is crawled too
    assert page.statement_links == [f"{START}privacy"] and page.has_statement_link
    assert reading.statement_scores.keys() == {f"{START}privacy"}


def test_the_home_page_gives_title_mixed_content_links_and_popups() -> None:
    page, reading = read(recorded("home"))

    assert page.title == "Tea & Co"
    assert page.mixed_content == ["img http://www.tea-shop.test/logo.gif"]
    assert page.links == [f"{START}join", f"{START}privacy", f"{START}terms"]  # not elsewhere
    assert page.statement_links == [f"{START}privacy"]  # "Terms" is not the statement
    assert page.forms == [] and reading.fills == []
    assert reading.popups == [f"{START}promo"]


@pytest.mark.parametrize(
    ("method", "read_as"), [("POST", "post"), ("delete", "get"), (None, "get"), (7, "get")]
)
def test_a_hostile_form_description_is_read_as_the_browser_would(method: Any, read_as: str) -> None:
    # Given the probe of a page whose scripts made the form's method say anything at all
    data = copy.deepcopy(recorded("join"))
    data["frames"][0]["probe"]["forms"][0]["method"] = method

    page, _ = read(data)

    assert page.forms[0].method == read_as
