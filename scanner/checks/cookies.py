"""Cookie rules: are cookies protected, and does the statement disclose who sets them?"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.checks.base import CheckContext
from scanner.model import Cookie, Finding
from scanner.parties.cookies import is_public_suffix_attempt
from scanner.parties.vendors import Vendor
from scanner.statement.declaration import declared_entry


def _cookie_evidence(cookie: Cookie) -> dict[str, object]:
    return {
        "name": cookie.name,
        "domain": cookie.domain,
        "path": cookie.path,
        "secure": cookie.secure,
        "http_only": cookie.http_only,
        "same_site": cookie.same_site,
        "set_by": cookie.set_by,
        "stored": cookie.stored,
        "blocked_reasons": cookie.blocked_reasons,
        "vendor_source": cookie.vendor_source,
        "shared_with": cookie.shared_with,
    }


def check_cookie_not_secure(ctx: CheckContext) -> Iterator[Finding]:
    """cookie-not-secure: a first-party cookie set on an HTTPS PI page lacks Secure."""
    claim = ctx.claim(("transport-encryption",))
    seen: set[tuple[str, str]] = set()
    for page in ctx.pi_pages():
        if not (page.final_url or page.url).startswith("https:"):
            continue
        for cookie in page.cookies:
            key = (cookie.name, cookie.domain)
            if cookie.third_party or cookie.secure or key in seen:
                continue
            if is_public_suffix_attempt(cookie):  # refused by the browser: never set
                continue
            seen.add(key)
            yield ctx.finding(
                "cookie-not-secure",
                f"Cookie {cookie.name!r} ({cookie.domain}) is set on {page.url} without Secure.",
                location=f"{cookie.domain}/{cookie.name}",
                page_url=page.url,
                host=cookie.domain,
                evidence=_cookie_evidence(cookie),
                claim=claim,
            )


def check_third_party_cookie_undisclosed(ctx: CheckContext) -> Iterator[Finding]:
    """third-party-cookie-undisclosed: a third party sets a cookie and is not disclosed."""
    by_party: dict[str, list[Cookie]] = {}
    for cookie in ctx.result.cookies:
        # A vendor's SDK writing on the site's own domain is a third party setting a cookie too;
        # a probe on a public suffix (always refused) is nobody's cookie.
        if not (cookie.third_party or cookie.vendor) or is_public_suffix_attempt(cookie):
            continue
        if ctx.is_disclosed(cookie.vendor, cookie.domain.lstrip(".")):
            continue
        by_party.setdefault(cookie.vendor or cookie.domain.lstrip("."), []).append(cookie)
    claim = ctx.claim(("cookies",), "denies")
    for party, cookies in sorted(by_party.items()):
        names = sorted({c.name for c in cookies})
        blocked = [c for c in cookies if not c.stored]
        note = f" ({len(blocked)} blocked by the browser)" if blocked else ""
        if not any(c.third_party for c in cookies):
            note += " on the site's own domain"
        shared = sorted({s for c in cookies for s in c.shared_with})
        if shared:
            note += f", with an identifier sent to {', '.join(shared)}"
        yield ctx.finding(
            "third-party-cookie-undisclosed",
            f"{party} sets cookie(s) {', '.join(names)}{note}, and the statement does not "
            f"disclose it.",
            location=party,
            page_url=cookies[0].page_url,
            host=cookies[0].domain.lstrip("."),
            evidence={"party": party, "cookies": [_cookie_evidence(c) for c in cookies[:20]]},
            claim=claim,
        )


def check_cookies_not_disclosed(ctx: CheckContext) -> Iterator[Finding]:
    """cookies-not-disclosed: cookies are set but the statement never mentions cookies."""
    stored = [c for c in ctx.result.cookies if c.stored]
    if not stored or ctx.statement is None or ctx.claim(("cookies",)) is not None:
        return
    denial = ctx.claim(("cookies",), "denies")
    names = sorted({f"{c.name} ({c.domain})" for c in stored})
    yield ctx.finding(
        "cookies-not-disclosed",
        f"The site sets {len(names)} cookie(s) but the statement "
        + ("says it uses none." if denial else "never mentions cookies."),
        location=ctx.statement.url,
        page_url=stored[0].page_url,
        evidence={"cookies": names[:50]},
        claim=denial,
    )


# Cookies whose name says which vendor's script set them, though they sit on the site's own
# domain (set_by is then the tag manager or the site): name (with `*` wildcards) -> vendor.
_NOT_NECESSARY = frozenset({"analytics", "advertising", "session-recording", "social"})
# A declared lifetime is read generously: 10 % or an hour, whichever is more, plus the scan's
# own length (a cookie's expiry is measured from the scan's start).
_LIFETIME_SLACK = 0.1
_LIFETIME_MIN_SLACK = 3600


def check_cookie_undeclared(ctx: CheckContext) -> Iterator[Finding]:
    """cookie-undeclared: a cookie observed but absent from the site's cookie declaration."""
    declared = ctx.statement.cookies_declared if ctx.statement else []
    if not declared:
        return
    for cookie in _distinct(ctx.result.cookies):
        if declared_entry(declared, cookie) is not None:
            continue
        yield _declaration_finding(
            ctx,
            "cookie-undeclared",
            cookie,
            f"Cookie {cookie.name!r} ({cookie.domain}) is set but the cookie declaration at "
            f"{declared[0].document_url} does not list it.",
            {"declaration": declared[0].document_url},
        )


def check_cookie_lifetime_exceeds_declared(ctx: CheckContext) -> Iterator[Finding]:
    """cookie-lifetime-exceeds-declared: a cookie lives longer than its declared duration."""
    declared = ctx.statement.cookies_declared if ctx.statement else []
    seen_at = ctx.result.started_at.timestamp()
    scan_seconds = (ctx.result.finished_at.timestamp() - seen_at) if ctx.result.finished_at else 0.0
    for cookie in _distinct(ctx.result.cookies):
        entry = declared_entry(declared, cookie)
        if entry is None or entry.max_age_seconds is None or cookie.expires is None:
            continue
        lifetime = cookie.expires - seen_at
        allowed = entry.max_age_seconds
        slack = max(allowed * _LIFETIME_SLACK, _LIFETIME_MIN_SLACK) + scan_seconds
        if allowed and lifetime <= allowed + slack:
            continue
        said = f"gives it {entry.duration}" if allowed else "declares it a session cookie"
        yield _declaration_finding(
            ctx,
            "cookie-lifetime-exceeds-declared",
            cookie,
            f"Cookie {cookie.name!r} ({cookie.domain}) lives {_days(lifetime)}; the cookie "
            f"declaration {said}.",
            {"lifetime_seconds": int(lifetime), "declared": entry.model_dump()},
        )


def check_cookie_category_mismatch(ctx: CheckContext) -> Iterator[Finding]:
    """cookie-category-mismatch: declared necessary, set by an analytics or advertising vendor."""
    declared = ctx.statement.cookies_declared if ctx.statement else []
    for cookie in _distinct(ctx.result.cookies):
        entry = declared_entry(declared, cookie)
        if entry is None or entry.category != "necessary":
            continue
        vendor = _vendor_of(ctx, cookie)
        if vendor is None or vendor.category not in _NOT_NECESSARY:
            continue
        yield _declaration_finding(
            ctx,
            "cookie-category-mismatch",
            cookie,
            f"Cookie {cookie.name!r} ({cookie.domain}) is declared strictly necessary, but it "
            f"belongs to {vendor.name}, a {vendor.category} vendor.",
            {
                "vendor": vendor.name,
                "vendor_category": vendor.category,
                "declared": entry.model_dump(),
            },
        )


def _declaration_finding(
    ctx: CheckContext, rule_id: str, cookie: Cookie, message: str, evidence: dict[str, object]
) -> Finding:
    """A finding about one observed cookie against the declaration, citing the cookies claim."""
    return ctx.finding(
        rule_id,
        message,
        location=f"{cookie.domain.lstrip('.')}/{cookie.name}",
        page_url=cookie.page_url,
        host=cookie.domain.lstrip("."),
        evidence={"cookie": _cookie_evidence(cookie), **evidence},
        claim=ctx.claim(("cookies",)),
    )


def _vendor_of(ctx: CheckContext, cookie: Cookie) -> Vendor | None:
    if cookie.vendor and (vendor := ctx.vendors.by_name(cookie.vendor)) is not None:
        return vendor
    # The cookie names vendors' SDKs write: rules/vendors/overrides.yaml `cookies:`.
    by_name = ctx.vendors.by_cookie_name(cookie.name)
    if by_name is not None:
        return by_name
    return ctx.vendors.lookup(cookie.domain.lstrip(".")) if cookie.third_party else None


def _distinct(cookies: list[Cookie]) -> list[Cookie]:
    """One cookie per (name, domain), stored ones before blocked ones; a probe on a public
    suffix (never stored by any browser) is no cookie of the site's."""
    chosen: dict[tuple[str, str], Cookie] = {}
    for cookie in sorted(cookies, key=lambda c: not c.stored):
        if is_public_suffix_attempt(cookie):
            continue
        chosen.setdefault((cookie.name, cookie.domain.lstrip(".")), cookie)
    return list(chosen.values())


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:.0f} days" if days >= 2 else f"{seconds / 3600:.0f} hours"
