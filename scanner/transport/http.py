"""HTTP evidence for one URL: HSTS and CSP over HTTPS, and what its http:// form does.

Fetched with scanner/fetch.py (the network policy, redirects hop by hop, caps); `fetch`,
`FetchResult` and `MAX_BODY` are re-exported here for the code that imports them from here.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

from scanner.fetch import FETCH_DEADLINE as FETCH_DEADLINE
from scanner.fetch import MAX_BODY as MAX_BODY
from scanner.fetch import MAX_REDIRECTS as MAX_REDIRECTS
from scanner.fetch import (
    TLS_FAILED,
    default_policy,
    fetch_hops,
    unverified_context,
    within_deadline,
)
from scanner.fetch import FetchResult as FetchResult
from scanner.fetch import fetch as fetch
from scanner.model import HttpCheck
from scanner.net import Resolver, Trust
from scanner.netpolicy import NetPolicy


async def check_http(
    url: str,
    resolver: Resolver,
    trust: Trust,
    *,
    timeout: float = 10.0,
    policy: NetPolicy | None = None,
    deadline: float = FETCH_DEADLINE,
) -> HttpCheck:
    """Check an https:// URL: its HSTS and CSP, and whether its http:// form redirects to https.

    The http:// form is `http://host/path`, and for a URL with a port also plain HTTP on that
    same port. `redirects_to_https` is True when the plain-HTTP answers lead to https, False when
    something answers over plain HTTP without leading there (the page or an error served over
    HTTP), and None when nothing listens: no listener is no finding.
    """
    check = HttpCheck(url=url, redirects_to_https=None, hsts=None)
    try:
        probes = _plain_http_forms(url)
    except ValueError as exc:
        check.error = str(exc)
        return check
    policy = policy or default_policy(url, resolver)
    https_task = _read_https_headers(url, policy, trust, timeout, deadline)
    probe_tasks = [
        within_deadline(
            u,
            deadline,
            fetch_hops(
                u,
                policy,
                "http-check",
                trust.ssl_context,
                "GET",
                MAX_REDIRECTS,
                timeout,
                {},
                stop=_is_https,
            ),
        )
        for u in probes
    ]
    (https, https_error), answers = await asyncio.gather(https_task, asyncio.gather(*probe_tasks))
    _record_https(check, https, https_error)
    _record_plain_http(check, probes, answers)
    return check


def parse_hsts(value: str | None) -> tuple[int | None, bool, bool]:
    """(max-age, includeSubDomains, preload) of a Strict-Transport-Security value.

    Directive names are case-insensitive and may be quoted (RFC 6797 6.1); a missing or
    unreadable max-age is None, which makes the header ineffective.
    """
    max_age: int | None = None
    include_subdomains = preload = False
    for directive in (value or "").split(";"):
        name, _, raw = directive.strip().partition("=")
        name = name.strip().lower()
        raw = raw.strip().strip('"')
        if name == "max-age" and max_age is None:
            max_age = int(raw) if raw.isdigit() else None
        elif name == "includesubdomains":
            include_subdomains = True
        elif name == "preload":
            preload = True
    return max_age, include_subdomains, preload


def csp_directives(csp: str | None) -> dict[str, str]:
    """A Content-Security-Policy's directives, name (lower-case) -> value; the first wins."""
    directives: dict[str, str] = {}
    for part in (csp or "").split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives.setdefault(name.lower(), value.strip())
    return directives


def csp_upgrades_insecure_requests(csp: str | None) -> bool:
    """True when the CSP makes browsers fetch http:// subresources over https instead."""
    return "upgrade-insecure-requests" in csp_directives(csp)


def csp_blocks_mixed_content(csp: str | None) -> bool:
    """True when the CSP carries block-all-mixed-content (deprecated, still honoured by some)."""
    return "block-all-mixed-content" in csp_directives(csp)


# ---------------------------------------------------------------------------------------------
# The HTTPS side
# ---------------------------------------------------------------------------------------------


async def _read_https_headers(
    url: str, policy: NetPolicy, trust: Trust, timeout: float, deadline: float
) -> tuple[FetchResult, str | None]:
    """The HTTPS response, and a note when it could only be read without verification.

    A host whose certificate fails is evidence too (design.md): its headers are read anyway,
    and the TLS failure stays in the error beside them.
    """
    verified = await within_deadline(
        url,
        deadline,
        fetch_hops(url, policy, "http-check", trust.ssl_context, "GET", MAX_REDIRECTS, timeout, {}),
    )
    if verified.hops or verified.error is None or not verified.error.startswith(TLS_FAILED):
        return verified, verified.error
    unverified = await within_deadline(
        url,
        deadline,
        fetch_hops(
            url, policy, "http-check", unverified_context(), "GET", MAX_REDIRECTS, timeout, {}
        ),
    )
    if not unverified.hops:
        return unverified, verified.error
    return unverified, f"{verified.error} (headers read without certificate verification)"


def _record_https(check: HttpCheck, result: FetchResult, error: str | None) -> None:
    check.error = error
    if not result.hops:
        return
    # HSTS binds the host that sent it, whatever its status: read it off the first response.
    first = result.hops[0].headers.get_list("strict-transport-security")
    if first:
        check.hsts = first[0]
        check.hsts_max_age, check.hsts_include_subdomains, check.hsts_preload = parse_hsts(first[0])
    # The policy that governs the page is the one its final response carries.
    policies = result.hops[-1].headers.get_list("content-security-policy")
    if policies:
        check.csp = "; ".join(policies)


# ---------------------------------------------------------------------------------------------
# The plain-HTTP side
# ---------------------------------------------------------------------------------------------


def _plain_http_forms(url: str) -> list[str]:
    """The http:// URLs a visitor (or an attacker) could reach the https URL's page by."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{url}: check_http needs an https:// URL")
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    path = parts.path or "/"
    forms = [urlunsplit(("http", host, path, parts.query, ""))]
    if parts.port is not None and parts.port != 443:
        forms.insert(0, urlunsplit(("http", f"{host}:{parts.port}", path, parts.query, "")))
    return forms


def _is_https(url: str) -> bool:
    return url.startswith("https:")


def _record_plain_http(check: HttpCheck, probes: list[str], answers: list[FetchResult]) -> None:
    """Pick the answer that decides the verdict: one that stays on HTTP beats one that leads to
    https, which beats silence."""
    verdicts = [
        _verdict(probe, answer, url=check.url)
        for probe, answer in zip(probes, answers, strict=True)
    ]
    decisive = next((i for i, v in enumerate(verdicts) if v is False), None)
    if decisive is None:
        decisive = next((i for i, v in enumerate(verdicts) if v is True), 0)
    answer = answers[decisive]
    check.http_url = probes[decisive]
    check.redirects_to_https = verdicts[decisive]
    if check.redirects_to_https is not None:
        check.redirect_chain = answer.redirect_chain
        check.http_status = answer.hops[0].status


def _verdict(probe: str, answer: FetchResult, *, url: str) -> bool | None:
    if not answer.hops:
        return None  # nothing speaks HTTP there
    if _is_https(answer.redirect_chain[-1]):
        return True
    same_port = urlsplit(probe).port is not None and urlsplit(probe).port == urlsplit(url).port
    if same_port and answer.hops[0].status >= 400:
        # The TLS port refusing plain HTTP ("400: plain HTTP sent to HTTPS port"): the page is
        # not served over HTTP there.
        return None
    return False


# ---------------------------------------------------------------------------------------------
# One request at a time
# ---------------------------------------------------------------------------------------------
