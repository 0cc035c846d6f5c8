"""Transport rules: is personal information protected in transit, as the statement promises?"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from scanner.checks.base import CheckContext
from scanner.model import Claim, ClaimKind, Finding, Form, HostSecurity, Page

PROMISE: tuple[ClaimKind, ...] = ("transport-encryption",)
LEGACY = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1")
PI_ROLES = {"serves-pi-form", "receives-pi-form"}
ONE_YEAR = 31_536_000


def _form_evidence(form: Form) -> dict[str, object]:
    return {
        "form": form.selector,
        "action": form.action,
        "method": form.method,
        "pi_kinds": list(form.pi_kinds),
        "fields": [f.name or f.id or f.label for f in form.fields if f.pi_kind],
    }


def _pi_forms(page: Page) -> Iterator[Form]:
    return (f for f in page.forms if f.collects_pi)


def check_pi_form_over_http(ctx: CheckContext) -> Iterator[Finding]:
    """pi-form-over-http: a page with a PI form is served over plain HTTP."""
    claim = ctx.claim(PROMISE)
    for page in ctx.pi_pages():
        url = page.final_url or page.url
        if not url.startswith("http:"):
            continue
        forms = list(_pi_forms(page))
        kinds = sorted({k for f in forms for k in f.pi_kinds})
        yield ctx.finding(
            "pi-form-over-http",
            f"{url} collects {', '.join(kinds)} over plain HTTP.",
            location=url,
            page_url=url,
            host=urlsplit(url).hostname,
            evidence={
                "url": url,
                "status": page.status,
                "forms": [_form_evidence(f) for f in forms],
            },
            claim=claim,
        )


def check_pi_form_posts_to_http(ctx: CheckContext) -> Iterator[Finding]:
    """pi-form-posts-to-http: a PI form submits to an http:// URL."""
    claim = ctx.claim(PROMISE)
    for page in ctx.pi_pages():
        for form in _pi_forms(page):
            for target in [form.action, *form.other_actions]:
                if not target.startswith("http:"):
                    continue
                in_url = " in the URL itself, as a GET form" if form.method == "get" else ""
                yield ctx.finding(
                    "pi-form-posts-to-http",
                    f"The form {form.selector} on {page.url} sends {', '.join(form.pi_kinds)} "
                    f"unencrypted to {target}{in_url}.",
                    location=f"{page.url} -> {target}",
                    page_url=page.url,
                    host=urlsplit(target).hostname,
                    evidence=_form_evidence(form) | {"target": target},
                    claim=claim,
                )


def check_mixed_content_on_pi_page(ctx: CheckContext) -> Iterator[Finding]:
    """mixed-content-on-pi-page: an HTTPS PI page loads subresources over HTTP."""
    claim = ctx.claim(PROMISE)
    for page in ctx.pi_pages():
        if not (page.final_url or page.url).startswith("https:"):
            continue
        insecure = list(page.mixed_content)
        insecure += [
            f"{r.resource_type} {r.url}"
            for r in page.requests
            if r.url.startswith("http:") and r.resource_type != "document"
        ]
        insecure = list(dict.fromkeys(insecure))
        if not insecure:
            continue
        yield ctx.finding(
            "mixed-content-on-pi-page",
            f"{page.url} collects personal information and loads {len(insecure)} "
            f"subresource(s) over plain HTTP.",
            location=page.url,
            page_url=page.url,
            host=urlsplit(page.url).hostname,
            evidence={"subresources": insecure[:50]},
            claim=claim,
        )


def _checked_hosts(ctx: CheckContext, pi_only: bool) -> Iterator[HostSecurity]:
    for host in ctx.result.hosts:
        if host.tls is None or not host.tls.reachable:
            continue
        if pi_only and not (PI_ROLES & set(host.roles) or "all" in host.roles):
            continue
        yield host


def _where(host: HostSecurity) -> str:
    return f"{host.host}:{host.port}"


def check_tls_legacy_protocol(ctx: CheckContext) -> Iterator[Finding]:
    """tls-legacy-protocol: a PI host accepts SSL 2/3, TLS 1.0 or 1.1."""
    claim = ctx.claim(PROMISE)
    for host in _checked_hosts(ctx, pi_only=True):
        assert host.tls is not None
        legacy = [p for p in LEGACY if host.tls.protocols.get(p)]
        if legacy:
            yield ctx.finding(
                "tls-legacy-protocol",
                f"{_where(host)} ({', '.join(host.roles)}) accepts {', '.join(legacy)}.",
                location=_where(host),
                host=host.host,
                evidence={"protocols": host.tls.protocols, "roles": host.roles},
                claim=claim,
            )


def check_tls_weak_cipher(ctx: CheckContext) -> Iterator[Finding]:
    """tls-weak-cipher: a PI host accepts broken or non-forward-secret suites."""
    claim = ctx.claim(PROMISE)
    for host in _checked_hosts(ctx, pi_only=True):
        assert host.tls is not None
        if host.tls.weak_cipher_suites:
            weak = host.tls.weak_cipher_suites
            yield ctx.finding(
                "tls-weak-cipher",
                f"{_where(host)} accepts {len(weak)} weak cipher suite(s), e.g. {weak[0]}.",
                location=_where(host),
                host=host.host,
                evidence={"weak_cipher_suites": weak},
                claim=claim,
            )


def check_tls_profile_noncompliant(ctx: CheckContext) -> Iterator[Finding]:
    """tls-profile-noncompliant: a PI host fails the chosen Mozilla profile."""
    claim = ctx.claim(PROMISE)
    for host in _checked_hosts(ctx, pi_only=True):
        assert host.tls is not None
        issues = _profile_issues_of_its_own(host)
        if host.tls.profile_compliant is False and issues:
            yield ctx.finding(
                "tls-profile-noncompliant",
                f"{_where(host)} does not meet the Mozilla {host.tls.profile} profile "
                f"({len(issues)} issue(s)).",
                location=_where(host),
                host=host.host,
                evidence={
                    "profile": host.tls.profile,
                    "profile_version": host.tls.profile_version,
                    "issues": issues,
                },
                claim=claim,
            )


def _profile_issues_of_its_own(host: HostSecurity) -> list[str]:
    """The profile's issues less its certificate path validation when tls-cert-invalid reports
    the same certificate: one expired certificate is one finding, not two."""
    assert host.tls is not None
    cert = host.tls.certificate
    if cert is None or not cert.validation_errors:
        return list(host.tls.profile_issues)
    return [i for i in host.tls.profile_issues if not i.startswith("certificate_path_validation")]


def check_tls_cert_invalid(ctx: CheckContext) -> Iterator[Finding]:
    """tls-cert-invalid: expired, not yet valid, wrong host, untrusted or self-signed."""
    claim = ctx.claim(PROMISE)
    for host in _checked_hosts(ctx, pi_only=False):
        assert host.tls is not None
        cert = host.tls.certificate
        if cert is None or not cert.validation_errors:
            continue
        yield ctx.finding(
            "tls-cert-invalid",
            f"{_where(host)} presents a certificate that is "
            f"{', '.join(cert.validation_errors)} (subject {cert.subject}).",
            location=_where(host),
            host=host.host,
            evidence={
                "validation_errors": cert.validation_errors,
                "subject": cert.subject,
                "issuer": cert.issuer,
                "san": cert.san,
                "not_before": cert.not_before.isoformat() if cert.not_before else None,
                "not_after": cert.not_after.isoformat() if cert.not_after else None,
                "roles": host.roles,
            },
            claim=claim if PI_ROLES & set(host.roles) else None,
        )


def check_tls_cert_expiring(ctx: CheckContext) -> Iterator[Finding]:
    """tls-cert-expiring: the certificate expires within the warning window."""
    for host in _checked_hosts(ctx, pi_only=False):
        assert host.tls is not None
        cert = host.tls.certificate
        if cert is None or cert.days_left is None:
            continue
        if 0 <= cert.days_left <= ctx.cert_expiry_days:
            yield ctx.finding(
                "tls-cert-expiring",
                f"The certificate of {_where(host)} expires in {cert.days_left} day(s).",
                location=_where(host),
                host=host.host,
                evidence={
                    "not_after": cert.not_after.isoformat() if cert.not_after else None,
                    "days_left": cert.days_left,
                    "window_days": ctx.cert_expiry_days,
                },
            )


def check_hsts_missing(ctx: CheckContext) -> Iterator[Finding]:
    """hsts-missing: no HSTS, or max-age under a year, on a host serving PI forms."""
    claim = ctx.claim(PROMISE)
    for host in ctx.result.hosts:
        if "serves-pi-form" not in host.roles:
            continue
        answered = [c for c in host.http if c.error is None and c.url.startswith("https:")]
        if not answered:
            continue
        check = answered[0]
        if check.hsts_max_age is not None and check.hsts_max_age >= ONE_YEAR:
            continue
        what = (
            "sends no Strict-Transport-Security header"
            if check.hsts is None
            else f"sends HSTS with max-age={check.hsts_max_age}, under one year"
        )
        yield ctx.finding(
            "hsts-missing",
            f"{_where(host)} serves personal-information forms and {what}.",
            location=_where(host),
            host=host.host,
            page_url=check.url,
            evidence={"url": check.url, "strict_transport_security": check.hsts},
            claim=claim,
        )


def check_http_not_redirected(ctx: CheckContext) -> Iterator[Finding]:
    """http-not-redirected: the http:// form of a PI page answers without redirecting.

    Two ways to see it: the probe of an https PI page's http:// form (HostSecurity.http), and a
    PI page the browser itself was served over plain HTTP (a host with no HTTPS at all, or one
    that never sends visitors there): something answered over HTTP without redirecting.
    """
    claim = ctx.claim(PROMISE)
    probed: set[str] = set()
    for host in ctx.result.hosts:
        for check in host.http:
            if check.redirects_to_https is not False:
                continue
            probed.add(check.http_url or check.url)
            yield ctx.finding(
                "http-not-redirected",
                f"{check.http_url} answers {check.http_status} over plain HTTP instead of "
                f"redirecting to https.",
                location=check.http_url or check.url,
                host=host.host,
                page_url=check.url,
                evidence={
                    "http_url": check.http_url,
                    "status": check.http_status,
                    "redirect_chain": check.redirect_chain,
                },
                claim=claim,
            )
    yield from _pi_pages_served_over_http(ctx, probed, claim)


def _pi_pages_served_over_http(
    ctx: CheckContext, probed: set[str], claim: Claim | None
) -> Iterator[Finding]:
    """http-not-redirected for PI pages the crawl itself ended on over plain HTTP."""
    for page in ctx.result.pages:
        url = page.final_url or page.url
        if page.error or not url.startswith("http:") or url in probed:
            continue
        if not any(form.collects_pi for form in page.forms):
            continue
        probed.add(url)
        yield ctx.finding(
            "http-not-redirected",
            f"{url} answers {page.status} over plain HTTP instead of redirecting to https.",
            location=url,
            host=urlsplit(url).hostname,
            page_url=url,
            evidence={
                "http_url": url,
                "status": page.status,
                "redirect_chain": list(dict.fromkeys([page.url, url])),
            },
            claim=claim,
        )


def check_tls_scan_failed(ctx: CheckContext) -> Iterator[Finding]:
    """tls-scan-failed: a host that must be checked did not answer the TLS scan."""
    for host in ctx.result.hosts:
        if host.tls is None or host.tls.reachable:
            continue
        yield ctx.finding(
            "tls-scan-failed",
            f"{_where(host)} ({', '.join(host.roles)}) could not be TLS-scanned: {host.tls.error}.",
            location=_where(host),
            host=host.host,
            evidence={"error": host.tls.error, "roles": host.roles},
        )
