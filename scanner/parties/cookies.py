"""Whose cookie is it: attribution of the cookies a visit set or tried to set.

The browser stage records every cookie attempt: Set-Cookie headers (with Chromium's reasons
when it refused them) and `document.cookie` writes (with the script that wrote them). Here each
gets the party it belongs to, in this order:

1. a cookie attempted on a public suffix (`.com`, `.co.uk`, or a one-label name like `.test`):
   SDKs write one to probe for the widest domain they may use, and Chromium always refuses it.
   It is recorded as attempted and blocked (`InvalidDomain`, as Chromium calls it) and is never a
   party: neither third party nor first, and never a "third party sets cookies" finding;
2. a cookie on another site's domain: the vendor of that domain (a third-party cookie);
3. a first-party cookie whose name a vendor's SDK uses (`_ga`, `ajs_anonymous_id`, `ph_*`; data
   in rules/vendors/overrides.yaml `cookies:`): that vendor (a tag manager's script writes
   the analytics vendor's `_ga`, so the name comes before the script);
4. a cookie written by a script from a vendor's host, or set in answer to a request such a
   script made: that vendor (its SDK wrote it, even on the site's own domain);
5. a first-party cookie whose value (an identifier in it) reaches a third party's endpoint on
   the same page: shared with that third party (`shared_with`), which then also names it when
   nothing above did. An identifier shared with a third party is evidence in itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final
from urllib.parse import unquote

from scanner.model import Beacon, Cookie, Page, Request
from scanner.parties.beacons import UNKNOWN_RECIPIENT
from scanner.parties.bodies import MAX_DECODED_PER_PAGE, DecodeBudget, body_views
from scanner.parties.domains import FirstParty, host_of, is_public_suffix, registrable_domain
from scanner.parties.vendors import VendorDB

PUBLIC_SUFFIX_REASON: Final = "InvalidDomain"
"""Chromium's blocked reason for a cookie whose Domain it refuses (a public suffix among them)."""

_SCRIPT_ONLY_CATEGORIES: Final = frozenset({"cdn", "hosting"})
"""A script served from these says nothing about whose cookie it writes."""

_IDENTIFIER: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{11,}")
"""Identifier-like runs in a cookie's value: long enough not to match by chance."""


def is_public_suffix_attempt(cookie: Cookie) -> bool:
    """True for a cookie that was tried on a public suffix (and so never stored)."""
    return not cookie.stored and is_public_suffix(cookie.domain) and bool(cookie.domain)


def attribute_cookies(
    page: Page, first_party: FirstParty, vendors: VendorDB, beacons: Iterable[Beacon] = ()
) -> None:
    """Give each of the page's cookies its party, in place (see the module docstring)."""
    recipients = {b.url: b.vendor for b in beacons if b.vendor}
    outbound = [r for r in page.requests if first_party.is_third_party(r.url)]
    views: dict[int, list[str]] = {}
    budget = DecodeBudget(MAX_DECODED_PER_PAGE)
    shared_by_key: dict[tuple[str, str, str], list[str]] = {}
    # A Set-Cookie answering a request that a vendor's script made (to the site's own proxy of
    # that vendor, say) was set by that script: the request's initiator names it.
    initiators = {r.url: r.initiator for r in page.requests if r.initiator}
    for cookie in page.cookies:
        _attribute(cookie, page, first_party, vendors, initiators)
        if cookie.third_party or not cookie.stored or not cookie.value:
            continue
        shared = shared_by_key.setdefault((cookie.name, cookie.domain, cookie.path), [])
        for party in _shared_with(cookie.value, outbound, recipients, views, budget):
            if party not in shared:
                shared.append(party)
    # A script writes a cookie many times (empty first, then its id): every write of it on the
    # page tells what was shared.
    for cookie in page.cookies:
        shared = shared_by_key.get((cookie.name, cookie.domain, cookie.path)) or []
        if shared and not cookie.third_party:
            cookie.shared_with = list(shared)
            if cookie.vendor is None:
                cookie.vendor = shared[0]
                cookie.vendor_source = "shared"


def _attribute(
    cookie: Cookie,
    page: Page,
    first_party: FirstParty,
    vendors: VendorDB,
    initiators: dict[str, str],
) -> None:
    domain = cookie.domain.lstrip(".")
    page_host = host_of(page.final_url or page.url)
    if domain and is_public_suffix(domain) and domain != page_host:
        cookie.stored = False
        if PUBLIC_SUFFIX_REASON not in cookie.blocked_reasons:
            cookie.blocked_reasons = [*cookie.blocked_reasons, PUBLIC_SUFFIX_REASON]
        cookie.third_party = False
        cookie.vendor = None
        cookie.vendor_source = None
        return
    if cookie.third_party:
        owner = vendors.lookup(domain)
        cookie.vendor = owner.name if owner else None
        cookie.vendor_source = "domain" if owner else None
        return
    # A name an SDK is known to write says more than the script's host: a tag manager's
    # script writes the analytics vendor's `_ga`.
    owner = vendors.by_cookie_name(cookie.name)
    if owner is not None:
        cookie.vendor, cookie.vendor_source = owner.name, "name"
        return
    writer = cookie.set_by or ""
    if writer and not first_party.is_third_party(writer):
        writer = initiators.get(writer) or ""
    owner = vendors.lookup(writer) if writer and first_party.is_third_party(writer) else None
    if owner is not None and owner.category not in _SCRIPT_ONLY_CATEGORIES:
        cookie.vendor, cookie.vendor_source = owner.name, "script"
    else:
        cookie.vendor, cookie.vendor_source = None, None


def _shared_with(
    value: str,
    outbound: list[Request],
    recipients: dict[str, str],
    views: dict[int, list[str]],
    budget: DecodeBudget,
) -> list[str]:
    tokens = set(_identifiers(value))
    if not tokens:
        return []
    found: list[str] = []
    for request in outbound:
        party = recipients.get(request.url) or (
            f"{UNKNOWN_RECIPIENT} {registrable_domain(request.url)}"
        )
        if party in found:
            continue
        texts = views.get(id(request))
        if texts is None:
            texts = views[id(request)] = list(_texts(request, budget))
        if any(token in text for token in tokens for text in texts):
            found.append(party)
    return found


def _identifiers(value: str) -> Iterator[str]:
    """Identifier-like runs of the value (a cookie may hold JSON or url-encoded JSON)."""
    for text in {value, unquote(value)}:
        for match in _IDENTIFIER.finditer(text):
            token = match[0]
            if not token.isalpha():  # a word, not an id
                yield token


def _texts(request: Request, budget: DecodeBudget) -> Iterator[str]:
    yield unquote(request.url)
    for name, header in request.headers.items():
        if name.lower() != "cookie":  # the cookie's own header is not a share
            yield header
    if request.post_data:
        for _, text in body_views(request.post_data, budget):
            yield text
