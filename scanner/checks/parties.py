"""Third-party rules: who receives what from a visit, against what the statement discloses."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from scanner.checks.base import CheckContext
from scanner.model import Beacon, Finding, Leak
from scanner.parties.domains import registrable_domain

ADVERTISING = {"advertising", "social"}


def _party(beacon: Beacon) -> str:
    return beacon.vendor or registrable_domain(urlsplit(beacon.url).hostname or "")


def _beacons_by_party(ctx: CheckContext) -> dict[str, list[Beacon]]:
    grouped: dict[str, list[Beacon]] = {}
    for beacon in ctx.result.beacons:
        grouped.setdefault(_party(beacon), []).append(beacon)
    return grouped


def _beacon_evidence(beacons: list[Beacon]) -> dict[str, object]:
    return {
        "beacons": len(beacons),
        "pages": sorted({b.page_url for b in beacons})[:20],
        "kinds": sorted({b.kind for b in beacons}),
        "examples": [b.url for b in beacons[:5]],
        "category": beacons[0].category,
    }


def check_pi_form_posts_to_third_party(ctx: CheckContext) -> Iterator[Finding]:
    """pi-form-posts-to-third-party: a PI form submits to another site's host."""
    claim = ctx.claim(("no-third-party-sharing",))
    for page in ctx.pi_pages():
        for form in page.forms:
            if not form.collects_pi or form.method == "script":
                continue
            for target in [form.action, *form.other_actions]:
                host = urlsplit(target).hostname or ""
                if not host or ctx.first_party.is_first_party(host):
                    continue
                yield ctx.finding(
                    "pi-form-posts-to-third-party",
                    f"The form {form.selector} on {page.url} sends {', '.join(form.pi_kinds)} "
                    f"to {host}, another site.",
                    location=f"{page.url} -> {registrable_domain(host)}",
                    page_url=page.url,
                    host=host,
                    evidence={"form": form.selector, "target": target, "pi_kinds": form.pi_kinds},
                    claim=claim,
                )


def check_pi_sent_to_third_party(ctx: CheckContext) -> Iterator[Finding]:
    """pi-sent-to-third-party: typed PI (never submitted) reaches a third party."""
    claim = ctx.claim(("no-third-party-sharing",)) or ctx.claim(("anonymous-analytics",))
    for page in ctx.result.pages:
        by_host: dict[str, list[Leak]] = {}
        for leak in page.leaks:
            if leak.third_party:
                host = urlsplit(leak.request_url).hostname or ""
                by_host.setdefault(registrable_domain(host), []).append(leak)
        for site, leaks in sorted(by_host.items()):
            kinds = sorted({leak.kind for leak in leaks})
            encodings = sorted({_how_written(leak) for leak in leaks})
            yield ctx.finding(
                "pi-sent-to-third-party",
                f"What a visitor types as {', '.join(kinds)} on {page.url} reaches {site} "
                f"({', '.join(encodings)}) before any submit.",
                location=f"{page.url} -> {site}",
                page_url=page.url,
                host=site,
                evidence={"leaks": [leak.model_dump() for leak in leaks[:10]]},
                claim=claim,
            )


def _how_written(leak: Leak) -> str:
    """ "plain", or "plain inside base64, gzip" when the body had to be unwrapped to see it."""
    return f"{leak.encoding} inside {leak.decoded}" if leak.decoded else leak.encoding


def check_beacon_undisclosed_vendor(ctx: CheckContext) -> Iterator[Finding]:
    """beacon-undisclosed-vendor: beacons go to a vendor neither statement nor declaration names."""
    claim = ctx.claim(("third-party-analytics",))
    for party, beacons in sorted(_beacons_by_party(ctx).items()):
        host = urlsplit(beacons[0].url).hostname or ""
        if ctx.is_disclosed(beacons[0].vendor, host):
            continue
        pages = {b.page_url for b in beacons}
        yield ctx.finding(
            "beacon-undisclosed-vendor",
            f"{party} receives {len(beacons)} beacon(s) on {len(pages)} page(s); neither the "
            f"statement nor the declaration names it.",
            location=party,
            host=host,
            page_url=beacons[0].page_url,
            evidence={"party": party, **_beacon_evidence(beacons)},
            claim=claim,
        )


def check_beacons_not_disclosed(ctx: CheckContext) -> Iterator[Finding]:
    """beacons-not-disclosed: beacons fire but the statement never mentions beacons or tags."""
    if not ctx.result.beacons or ctx.statement is None:
        return
    if ctx.claim(("web-beacons",)) is not None:
        return
    grouped = _beacons_by_party(ctx)
    yield ctx.finding(
        "beacons-not-disclosed",
        f"{len(ctx.result.beacons)} beacon(s) to {len(grouped)} third part(ies) "
        f"({', '.join(sorted(grouped)[:5])}) but the statement never mentions web beacons, "
        f"pixels or tags.",
        location=ctx.statement.url,
        page_url=ctx.result.beacons[0].page_url,
        evidence={"parties": {p: len(b) for p, b in grouped.items()}},
        claim=ctx.claim(("web-beacons",), "denies"),
    )


def check_advertising_tracker(ctx: CheckContext) -> Iterator[Finding]:
    """advertising-tracker: advertising trackers run where the statement discloses analytics."""
    claim = ctx.claim(("third-party-analytics",))
    for party, beacons in sorted(_beacons_by_party(ctx).items()):
        if beacons[0].category not in ADVERTISING:
            continue
        host = urlsplit(beacons[0].url).hostname or ""
        if ctx.is_disclosed(beacons[0].vendor, host) and claim is None:
            continue
        yield ctx.finding(
            "advertising-tracker",
            f"{party} ({beacons[0].category}) tracks visitors on "
            f"{len({b.page_url for b in beacons})} page(s)"
            + ("; the statement discloses access analysis only." if claim else "."),
            location=party,
            host=host,
            page_url=beacons[0].page_url,
            evidence=_beacon_evidence(beacons),
            claim=claim,
        )
