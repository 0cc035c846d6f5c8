"""From a state's pages to what the report shows and the checks read: vendors and cookies,
each marked essential or not.

"Non-essential" is decided from evidence only: a vendor whose category (the vendor data's) is
analytics, advertising, social or session recording, and a cookie set by such a vendor's host
or script, or declared analytics or advertising by the site's own cookie declaration. The
`[consent] essential` list (vendor names, domains or cookie names, `*` wildcards) makes the
site's own functional ones essential. A third-party host no vendor data names is listed but
never counted as tracking: the scanner cannot tell what it does.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from scanner.consent.gpp import gpp_from_api
from scanner.consent.model import ConsentCookie, ConsentObservation, ConsentVendor
from scanner.consent.tcf import tcf_from_api
from scanner.consent.visits import StateVisit
from scanner.model import Page
from scanner.parties.domains import FirstParty, host_of, registrable_domain
from scanner.parties.vendors import VendorDB

_PLACEHOLDER = re.compile(r"<[^>]*>")
NON_ESSENTIAL_CATEGORIES = frozenset({"analytics", "advertising", "social", "session-recording"})


class Essentials:
    """What counts as essential: categories, and the site's own `[consent] essential` list."""

    def __init__(self, patterns: list[str], declared: dict[str, str] | None = None) -> None:
        self.patterns = [p.lower() for p in patterns]
        self.declared = {k.lower(): v for k, v in (declared or {}).items()}
        """Cookie name (or wildcard) -> category, from the site's cookie declaration."""

    def listed(self, *names: str | None) -> bool:
        """True when one of the names matches the essential list."""
        return any(
            fnmatchcase(name.lower(), pattern)
            for name in names
            if name
            for pattern in self.patterns
        )

    def declared_category(self, cookie: str) -> str | None:
        """The category the site's declaration gives this cookie, if any."""
        for pattern, category in self.declared.items():
            if fnmatchcase(cookie.lower(), _PLACEHOLDER.sub("*", pattern)):
                return category
        return None


def _vendor_key(host: str, vendors: VendorDB) -> tuple[str, str | None]:
    vendor = vendors.lookup(host)
    if vendor is not None:
        return vendor.name, vendor.category
    return registrable_domain(host) or host, None


def observe(
    visit: StateVisit, first_party: FirstParty, vendors: VendorDB, essentials: Essentials
) -> ConsentObservation:
    """What one state's pages did, grouped by vendor and by cookie."""
    session = visit.session
    observation = ConsentObservation(
        state=visit.state,
        pages=[p.final_url or p.url for p in visit.pages],
        cmp=session.cmp if session else None,
        banner_shown=bool(session and session.popup),
        requests=sum(len(p.requests) for p in visit.pages),
        tcf=tcf_from_api(visit.tcf),
        gpp=gpp_from_api(visit.gpp),
        gpc_header_sent=visit.state == "gpc" and bool(visit.pages),
        error=visit.error or visit.skipped,
        seconds=visit.seconds,
    )
    if session is not None and session.action is not None:
        observation.answered = bool(session.result) if session.cmp else None
        observation.action = session.describe()
    observation.vendors = _vendors(visit.pages, first_party, vendors, essentials)
    observation.cookies = _cookies(visit.pages, first_party, vendors, essentials)
    return observation


def _vendors(
    pages: list[Page], first_party: FirstParty, vendors: VendorDB, essentials: Essentials
) -> list[ConsentVendor]:
    found: dict[str, ConsentVendor] = {}
    for page in pages:
        for request in page.requests:
            if first_party.is_first_party(request.url):
                continue
            host = host_of(request.url)
            name, category = _vendor_key(host, vendors)
            entry = found.get(name)
            if entry is None:
                essential = category not in NON_ESSENTIAL_CATEGORIES or essentials.listed(
                    name, host, registrable_domain(host)
                )
                entry = found[name] = ConsentVendor(
                    name=name, category=category, essential=essential, example=request.url[:300]
                )
            entry.requests += 1
    return sorted(found.values(), key=lambda v: (v.essential, v.name.lower()))


def _cookies(
    pages: list[Page], first_party: FirstParty, vendors: VendorDB, essentials: Essentials
) -> list[ConsentCookie]:
    found: dict[tuple[str, str], ConsentCookie] = {}
    for page in pages:
        for cookie in page.cookies:
            domain = cookie.domain.lstrip(".")
            key = (cookie.name, domain)
            if key in found:
                continue
            vendor = vendors.lookup(domain) if cookie.third_party else None
            if vendor is None and cookie.set_by and not first_party.is_first_party(cookie.set_by):
                vendor = vendors.lookup(cookie.set_by)  # a first-party cookie a vendor's script set
            category = essentials.declared_category(cookie.name) or (
                vendor.category if vendor else None
            )
            essential = category not in NON_ESSENTIAL_CATEGORIES or essentials.listed(
                cookie.name, vendor.name if vendor else None, domain
            )
            found[key] = ConsentCookie(
                name=cookie.name[:200],
                domain=domain[:200],
                third_party=cookie.third_party,
                vendor=vendor.name if vendor else None,
                category=category,
                essential=essential,
            )
    return sorted(found.values(), key=lambda c: (c.essential, c.domain, c.name))
