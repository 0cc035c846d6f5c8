"""report.html, rendered: self-contained, strict CSP, hostile text inert, every section there."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scanner.model import ScanResult
from scanner.report.html import SCREENSHOT_LIMIT, HtmlWriter
from tests.fixtures.results.hostile import (
    ATTRIBUTE,
    SCRIPT,
    SECRET_COOKIE_VALUE,
    TYPED_EMAIL,
    build_result,
    gated_result,
)

# The smallest valid PNG: 1x1, one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture(scope="module")
def page() -> str:
    return HtmlWriter().render(build_result())


def _between(text: str, start: str, end: str) -> str:
    match = re.search(re.escape(start) + "(.*?)" + re.escape(end), text, re.S)
    assert match, f"no {start}...{end}"
    return match.group(1)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_csp_is_strict_and_hashes_exactly_the_inline_style_and_script(page: str) -> None:
    csp = html.unescape(
        _between(page, '<meta http-equiv="Content-Security-Policy" content="', '">')
    )
    style = _between(page, "<style>", "</style>")
    script = _between(page, "<script>", "</script>")

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == _csp_hash(style)
    assert directives["script-src"] == _csp_hash(script)
    assert directives["img-src"] == "data:"
    assert "unsafe-inline" not in csp
    assert page.index("Content-Security-Policy") < page.index("<style>")


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_refers_to_nothing_outside_itself(page: str) -> None:
    parser = Tags()
    parser.feed(page)
    names = [tag for tag, _ in parser.tags]
    attributes = [(name, value or "") for _, attrs in parser.tags for name, value in attrs.items()]

    assert names.count("script") == 1 and names.count("style") == 1
    assert not {"link", "iframe", "object", "embed", "base", "img"} & set(names)
    assert not [a for a in attributes if a[0].startswith("on")]
    assert not [a for a in attributes if a[0] == "style"]  # would need 'unsafe-inline'
    links = [value for name, value in attributes if name in ("src", "href", "action")]
    assert links and all(link.startswith(("#", "data:image/")) for link in links)
    assert "url(" not in page and "@import" not in page


def test_hostile_text_is_escaped_everywhere(page: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "{{7*7}}" in page  # shown, never evaluated
    assert "<img src=x" not in page
    assert ATTRIBUTE not in page
    assert page.count(SCRIPT) == 0
    assert "\x07" not in page


def test_secrets_are_redacted(page: str) -> None:
    assert SECRET_COOKIE_VALUE not in page
    assert TYPED_EMAIL not in page
    assert "redacted (20 chars)" in page


def test_the_verdict_comes_first(page: str) -> None:
    body = page[page.index("<body>") :]

    assert body.index("Gate failed") < body.index('id="statement"') < body.index('id="findings"')
    assert "6 new findings at or above\n          <strong>high</strong>" in page


def test_each_claim_sits_beside_the_findings_that_contradict_it(page: str) -> None:
    listing = _between(page, '<ol class="claims">', "</ol>")
    claims = [c.split('">', 1) for c in listing.split('<li class="claim ')[1:]]
    kinds = [re.findall(r'<span class="tag">([\w-]+)</span>', text)[0] for _, text in claims]
    by_kind = dict(zip(kinds, claims, strict=True))

    assert len(claims) == 7
    cls, text = by_kind["transport-encryption"]
    assert cls == "claim-broken" and "Contradicted by 4 findings" in text
    cls, text = by_kind["anonymous-analytics"]
    assert cls == "claim-kept"
    assert "No contradiction found" in text and "<code>pi-sent-to-third-party</code>" in text
    assert "No rule tests this kind of claim yet" in by_kind["access-logs"][1]
    assert "Contradicted by 1 finding" in by_kind["cookies"][1]


def test_disclosure_gaps_are_listed_apart_from_contradictions(page: str) -> None:
    gaps = _between(page, "<h3>Disclosure gaps</h3>", "</ul>")

    assert "Beacons observed but the statement never mentions them" in gaps
    assert "statement lacks: web-beacons" in gaps


def test_findings_carry_filter_data_rule_help_and_evidence(page: str) -> None:
    findings = re.findall(r"<article class=\"finding[^>]*>", page)

    assert len(findings) == 14
    assert findings[0].count('data-severity="critical"') == 1
    assert 'data-waived="true"' in "".join(findings)
    assert "Serve the page only over HTTPS" in page  # the catalogue's fix
    assert "This rule is not in this version's catalogue." in page
    assert "&#34;encoding&#34;" not in page and "sha256" in page


def test_third_parties_are_grouped_per_vendor(page: str) -> None:
    vendors = _between(page, '<section id="parties"', "</section>")

    assert vendors.count("<tr>") == 4  # header and three vendors
    assert "Google Analytics" in vendors and "cdn.hostile.example" in vendors
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in vendors


def test_transport_shows_the_protocol_matrix_and_certificate(page: str) -> None:
    transport = _between(page, '<section id="transport"', "</section>")

    assert transport.count('class="proto-bad"') == 2
    assert transport.count('class="proto-good"') == 3
    assert "Unreachable: connection refused &lt;script&gt;" in transport
    assert "max-age=31536000; includeSubDomains" in transport


def test_a_small_screenshot_is_embedded_and_others_are_not(tmp_path: Path) -> None:
    small = tmp_path / "form.png"
    small.write_bytes(PNG)
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\0" * SCREENSHOT_LIMIT)
    fake = tmp_path / "fake.png"
    fake.write_text("<svg onload=alert(1)>")

    def rendered(path: Path) -> str:
        return HtmlWriter().render(build_result(screenshot=path))

    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in rendered(small)
    for path in (big, fake, tmp_path / "missing.png"):
        assert "data:image" not in rendered(path)


def test_no_statement_and_no_findings_still_make_a_report() -> None:
    result = build_result(complete=False)
    result.statement = None
    result.findings = []

    page = HtmlWriter().render(result)

    assert "Scan incomplete" in page and "crawl aborted &lt;script&gt;" in page
    assert "No privacy statement was found" in page
    assert "No findings in what the scan saw, but the scan did not finish" in page
    assert "Every rule was checked" not in page
    assert 'class="fill-unknown"' in page and 'class="fill-none"' not in page  # not green
    assert 'id="filters"' not in page


class ResultWithChanges(ScanResult):
    """How a future model field for "what changed" looks to the HTML writer."""

    changes: dict[str, Any]


def test_what_changed_is_shown_only_when_the_result_carries_it(page: str) -> None:
    base = build_result()
    result = ResultWithChanges(
        **base.model_dump(exclude={"changes"}),
        changes={
            "new": [base.findings[0]],
            "fixed": [{"rule_id": "hsts-missing", "title": f"Old {SCRIPT}", "host": "a.example"}],
            "statement_changed": True,
        },
    )

    with_changes = HtmlWriter().render(result)

    assert "What changed since the previous scan" not in page
    changes = _between(with_changes, "What changed since the previous scan", "</section>")
    assert "+1</span> appeared" in changes and "−1</span> fixed" in changes
    assert "not the gate" in changes  # history's "appeared" is not the baseline's "new"
    assert "Old &lt;script&gt;" in changes
    assert "The privacy statement changed." in changes


def test_the_screenshot_of_the_form_the_evidence_names_is_embedded(tmp_path: Path) -> None:
    shot = tmp_path / "signup-form0.png"
    shot.write_bytes(PNG)
    result = build_result()
    result.pages[1].forms[0].screenshot = str(shot)
    finding = next(f for f in result.findings if f.rule_id == "pi-form-posts-to-http")
    finding.evidence = {"forms": [{"form": "form#signup", "action": "http://shop.example/r"}]}

    page = HtmlWriter().render(result)

    assert page.count("data:image/png;base64,") == 1


# --- the report agrees with itself and with the gate -------------------------------------------


@pytest.fixture(scope="module")
def gated_page() -> str:
    return HtmlWriter().render(gated_result())


def _finding_card(page: str, rule: str) -> str:
    start = page.index(f'data-rule="{rule}"')
    return page[start : page.index("</article>", start)]


def test_each_finding_says_what_the_gate_made_of_it(gated_page: str) -> None:
    verdict = _between(gated_page, '<section class="verdict', "</section>")

    assert 'data-gate-headline="gate failed: 5 new findings at or above high (2 baselined, ' in (
        verdict
    )
    assert "2 baselined</span>" in verdict and "1 waived</span>" in verdict
    legacy = _finding_card(gated_page, "tls-legacy-protocol")
    assert 'data-status="baselined"' in legacy
    assert "baselined: already in the baseline, not counted" in legacy
    leak = _finding_card(gated_page, "pi-sent-to-third-party")
    assert 'data-fails-gate="true"' in leak and "new: fails the gate (at or above high)" in leak


def test_expired_waivers_are_rendered(gated_page: str) -> None:
    notes = _between(gated_page, '<ul class="gate-notes">', "</ul>")

    assert "waiver for statement-not-linked at * expired on 2026-02-01" in notes


def test_a_claim_the_gap_rule_tests_is_not_called_kept() -> None:
    result = gated_result()
    cookie = next(f for f in result.findings if f.rule_id == "third-party-cookie-undisclosed")
    cookie.claim = None  # the statement mentions cookies, but not this vendor: a gap

    page = HtmlWriter().render(result)
    listing = _between(page, '<ol class="claims">', "</ol>")
    card = next(c for c in listing.split('<li class="claim ')[1:] if ">cookies</span>" in c)

    assert "No contradiction found" not in card
    assert "does not cover 1 finding" in card and "third-party-cookie-undisclosed" not in (
        card.split("Tested by", 1)[-1] if "Tested by" in card else ""
    )
    gaps = _between(page, "<h3>Disclosure gaps</h3>", "</ul>")
    assert "statement lacks: cookies" not in gaps
    assert "the statement's cookies sentences do not cover it" in gaps


def test_one_sentence_is_one_claim_card_with_every_kind() -> None:
    result = gated_result()
    assert result.statement is not None
    first = result.statement.claims[0]
    result.statement.claims.append(first.model_copy(update={"kind": "no-third-party-sharing"}))

    page = HtmlWriter().render(result)
    listing = _between(page, '<ol class="claims">', "</ol>")

    assert listing.count("We protect all personal information with SSL.") == 1
    card = next(c for c in listing.split('<li class="claim ')[1:] if "with SSL." in c)
    assert ">transport-encryption</span>" in card and ">no-third-party-sharing</span>" in card


def test_a_severity_raised_by_a_contradiction_is_explained(gated_page: str) -> None:
    legacy = _finding_card(gated_page, "tls-legacy-protocol")  # high in the catalogue
    gap = _finding_card(gated_page, "hsts-missing")

    assert "Severity raised from high to critical" in legacy
    assert "Severity raised" not in gap


def test_evidence_reads_as_text_not_json_or_python() -> None:
    result = gated_result()
    legacy = next(f for f in result.findings if f.rule_id == "tls-legacy-protocol")
    legacy.evidence = {
        "protocols": {"TLS 1.0": True, "TLS 1.3": False},
        "issues": ["ciphers: must not be {'TLS_RSA_WITH_AES_128', 'TLS_RSA_WITH_3DES'}"],
        "roles": ["serves-pi-form"],
        "note": None,
    }

    card = _finding_card(HtmlWriter().render(result), "tls-legacy-protocol")
    evidence = _between(card, "<h4>Evidence</h4>", "</dl>\n    </div>")

    assert "<dt>TLS 1.0</dt><dd>yes</dd>" in evidence
    assert "<dt>TLS 1.3</dt><dd>no</dd>" in evidence
    assert "must not be TLS_RSA_WITH_AES_128, TLS_RSA_WITH_3DES" in evidence
    for raw in ("True", "False", "None", "{&#39;", "&#34;", "{"):
        assert raw not in evidence, raw


def test_an_incomplete_scan_never_says_a_claim_was_kept() -> None:
    page = HtmlWriter().render(gated_result(complete=False))
    listing = _between(page, '<ol class="claims">', "</ol>")

    assert "No contradiction found" not in listing and "claim-kept" not in listing
    assert "Not contradicted in what the scan saw, but the scan did not finish" in listing
