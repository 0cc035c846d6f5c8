"""Cookie rules: are cookies protected, and does the statement disclose who sets them?"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.checks.base import CheckContext
from scanner.model import Cookie, Finding
from scanner.parties.cookies import is_public_suffix_attempt


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
