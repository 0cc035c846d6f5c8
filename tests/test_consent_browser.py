"""Consent states against real consent managers from npm, in the real Chromium.

Five local sites (tests/consent_sites): klaro loading the trackers before any choice, klaro
holding them until "Accept all", vanilla-cookieconsent with an IAB TCF API that loads them on
any choice ("Reject all" too), and two banner-less opt-out sites, one honouring GPC and one
ignoring it. The trackers (Google Analytics, Bing Ads) are served on loopback under their own
names. Each test reads one scan: the rule that fires (or not) and what each state saw.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scanner.consent.model import ConsentObservation
from scanner.demo.server import Host, Response
from scanner.model import ScanResult
from tests.conftest import scan_loopback
from tests.consent_sites import sites

pytestmark = [pytest.mark.browser]


def _scan(pki: Any, tmp: Path, host: Any) -> ScanResult:
    from tests.conftest import serve

    with serve([host, *sites.tracker_hosts()], pki) as server:
        result: ScanResult = scan_loopback(server, host.name, tmp, consent=True)
    return result


SITES: dict[str, Callable[[], Any]] = {
    "early": lambda: sites.klaro_site("www.early-shop.test", managed=False),
    "honest": lambda: sites.klaro_site("www.honest-shop.test", managed=True),
    "tcf": lambda: sites.cookieconsent_site(
        "www.tcf-shop.test", honours_reject=False, tc=sites.tc_strings()
    ),
    "gpc-yes": lambda: sites.gpc_site("www.gpc-honours.test", honours_gpc=True),
    "gpc-no": lambda: sites.gpc_site("www.gpc-ignores.test", honours_gpc=False),
}


@pytest.fixture(scope="module")
def scan_of(pki: Any, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], ScanResult]:
    """One scan per site of SITES, made when a test first asks for it."""
    done: dict[str, ScanResult] = {}

    def get(name: str) -> ScanResult:
        if name not in done:
            sites.ensure_installed()
            done[name] = _scan(pki, tmp_path_factory.mktemp(name), SITES[name]())
        return done[name]

    return get


def _state(result: ScanResult, name: str) -> ConsentObservation:
    assert result.consent is not None
    state = result.consent.state(name)  # type: ignore[arg-type]
    assert state is not None, name
    return state


def _tracking(state: ConsentObservation) -> set[str]:
    return {v.name for v in state.vendors if not v.essential}


def _rules(result: ScanResult) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for finding in result.findings:
        found.setdefault(finding.rule_id, []).append(finding)
    return found


def test_trackers_before_the_choice_fire_with_the_consent_sentence_quoted(
    scan_of: Callable[[str], ScanResult],
) -> None:
    klaro_early = scan_of("early")
    consent = klaro_early.consent
    assert consent is not None and consent.cmp == "Klaro" and consent.banner_shown
    assert {"Google Analytics", "Bing Ads"} <= _tracking(_state(klaro_early, "no-choice"))
    before = _rules(klaro_early)["tracking-before-consent"]
    assert {f.evidence["vendor"] for f in before} >= {"Google Analytics", "Bing Ads"}
    assert all(f.claim and "only use analytics cookies" in f.claim.quote for f in before)
    # Always loaded: "Reject all" changes nothing either.
    assert _state(klaro_early, "reject-all").answered is True
    assert "tracking-after-reject" in _rules(klaro_early)


def test_a_site_that_waits_for_consent_fires_nothing_and_shows_the_vendors_after_accept(
    scan_of: Callable[[str], ScanResult],
) -> None:
    klaro_honest = scan_of("honest")
    rules = _rules(klaro_honest)
    assert "tracking-before-consent" not in rules
    assert "tracking-after-reject" not in rules
    assert _tracking(_state(klaro_honest, "no-choice")) == set()
    reject = _state(klaro_honest, "reject-all")
    assert reject.answered is True and reject.action and "Klaro" in reject.action
    assert _tracking(reject) == set()
    accept = _state(klaro_honest, "accept-all")
    assert accept.answered is True
    assert {"Google Analytics", "Bing Ads"} <= _tracking(accept)
    assert any(c.name == "_ga" and not c.essential for c in accept.cookies)
    # The union of the states: Bing Ads, seen only after "Accept all", is not in the statement.
    undisclosed = rules["beacon-undisclosed-vendor"]
    assert any("Bing Ads" in f.message for f in undisclosed)
    assert any(
        b.vendor == "Bing Ads" and b.consent_state == "accept-all" for b in klaro_honest.beacons
    )


def test_a_site_that_ignores_reject_fires_and_its_tcf_strings_are_decoded(
    scan_of: Callable[[str], ScanResult],
) -> None:
    tcf_ignores_reject = scan_of("tcf")
    consent = tcf_ignores_reject.consent
    assert consent is not None and consent.cmp == "cookieconsent3"
    rules = _rules(tcf_ignores_reject)
    assert "tracking-before-consent" not in rules
    after = rules["tracking-after-reject"]
    assert {f.evidence["vendor"] for f in after} >= {"Google Analytics", "Bing Ads"}
    reject, accept = (
        _state(tcf_ignores_reject, "reject-all"),
        _state(tcf_ignores_reject, "accept-all"),
    )
    assert reject.tcf is not None and reject.tcf.purposes_consent == []
    assert reject.tcf.vendors_consent == [] and reject.tcf.cmp_id == 300
    assert accept.tcf is not None and accept.tcf.purposes_consent == list(range(1, 11))
    assert accept.tcf.vendors_consent == [755, 1126] and accept.tcf.policy_version == 4


def test_a_site_that_honours_gpc_drops_its_trackers_under_gpc(
    scan_of: Callable[[str], ScanResult],
) -> None:
    gpc_honoured = scan_of("gpc-yes")
    assert {"Google Analytics", "Bing Ads"} <= _tracking(_state(gpc_honoured, "no-choice"))
    gpc = _state(gpc_honoured, "gpc")
    assert gpc.gpc_header_sent and _tracking(gpc) == set()
    assert "gpc-ignored" not in _rules(gpc_honoured)
    # No banner anywhere, and no jurisdiction configured: no consent-banner-missing.
    assert gpc_honoured.consent is not None and gpc_honoured.consent.cmp is None
    assert "consent-banner-missing" not in _rules(gpc_honoured)


def test_a_site_that_ignores_gpc_breaks_its_promise(scan_of: Callable[[str], ScanResult]) -> None:
    gpc_ignored = scan_of("gpc-no")
    gpc = _state(gpc_ignored, "gpc")
    assert {"Google Analytics", "Bing Ads"} <= _tracking(gpc)
    ignored = _rules(gpc_ignored)["gpc-ignored"]
    assert {f.evidence["vendor"] for f in ignored} >= {"Google Analytics", "Bing Ads"}
    assert all(f.claim and f.claim.kind == "honours-gpc" for f in ignored)
    assert "Global Privacy Control" in ignored[0].claim.quote


OWN_BANNER = """<!doctype html><html lang="en"><body><h1>Shop</h1>
<div id="our-own-banner"><p>This website uses cookies to improve your experience. By continuing
you accept our use of cookies.</p><button>Accept cookies</button><button>Reject all</button></div>
</body></html>"""


def test_a_banner_no_rule_knows_is_not_recognised_and_never_answered(
    pki: Any, chromium: Path
) -> None:
    from scanner.browser.crawler import CrawlSettings
    from scanner.consent.stage import run_consent
    from scanner.engine import page_judges
    from scanner.net import Resolver, Trust
    from scanner.parties.domains import FirstParty
    from scanner.parties.vendors import load_vendors
    from scanner.scope import Scope
    from tests.conftest import run, serve

    host = Host("www.own-banner.test", routes={"/": Response(OWN_BANNER)})
    with serve([host], pki) as server:
        url = server.url(host.name, "/")
        settings = CrawlSettings(
            start_urls=[url],
            scope=Scope.for_start_url(url),
            first_party=FirstParty(url),
            resolver=Resolver.from_strings(server.resolve_rules(), True),
            trust=Trust(Path(server.ca_pem)),
            chromium=chromium,
            judges=page_judges(),
        )
        outcome = run(
            run_consent(
                settings,
                [],
                vendors=load_vendors(),
                first_party=FirstParty(url),
                essential=[],
                max_pages=5,
            )
        )
        clicks = [r for r in server.requests_to(host.name) if r.method != "GET"]

    consent = outcome.consent
    assert consent.cmp is None and consent.unrecognised
    assert any("cookies" in s for s in consent.unrecognised_snippets)
    for name in ("reject-all", "accept-all"):
        state = consent.state(name)
        assert state is not None and state.pages == []
        assert state.error == "no consent manager recognised"
    assert clicks == []
