"""The checks: one function per rule id, registered in one visible table.

A check reads the scan's observations (CheckContext) and yields Findings; its words live in
rules/catalogue.yaml. To change a rule, open its area's module; to add one, add its catalogue
entry, its function, and one line here.
"""

from __future__ import annotations

from scanner.checks import consent, cookies, parties, statement, transport
from scanner.checks.base import Check, CheckContext, Declaration
from scanner.model import Finding, Severity

CHECKS: dict[str, Check] = {
    "pi-form-over-http": transport.check_pi_form_over_http,
    "pi-form-posts-to-http": transport.check_pi_form_posts_to_http,
    "mixed-content-on-pi-page": transport.check_mixed_content_on_pi_page,
    "tls-legacy-protocol": transport.check_tls_legacy_protocol,
    "tls-weak-cipher": transport.check_tls_weak_cipher,
    "tls-profile-noncompliant": transport.check_tls_profile_noncompliant,
    "tls-cert-invalid": transport.check_tls_cert_invalid,
    "tls-cert-expiring": transport.check_tls_cert_expiring,
    "tls-scan-failed": transport.check_tls_scan_failed,
    "hsts-missing": transport.check_hsts_missing,
    "http-not-redirected": transport.check_http_not_redirected,
    "cookie-not-secure": cookies.check_cookie_not_secure,
    "pi-form-posts-to-third-party": parties.check_pi_form_posts_to_third_party,
    "pi-sent-to-third-party": parties.check_pi_sent_to_third_party,
    "beacon-undisclosed-vendor": parties.check_beacon_undisclosed_vendor,
    "beacons-not-disclosed": parties.check_beacons_not_disclosed,
    "advertising-tracker": parties.check_advertising_tracker,
    "third-party-cookie-undisclosed": cookies.check_third_party_cookie_undisclosed,
    "cookies-not-disclosed": cookies.check_cookies_not_disclosed,
    "cookie-undeclared": cookies.check_cookie_undeclared,
    "cookie-lifetime-exceeds-declared": cookies.check_cookie_lifetime_exceeds_declared,
    "cookie-category-mismatch": cookies.check_cookie_category_mismatch,
    "statement-not-found": statement.check_statement_not_found,
    "statement-not-linked": statement.check_statement_not_linked,
    "statement-over-http": statement.check_statement_over_http,
    "statement-not-read": statement.check_statement_not_read,
    "statement-changed": statement.check_statement_changed,
    "tracking-before-consent": consent.check_tracking_before_consent,
    "tracking-after-reject": consent.check_tracking_after_reject,
    "consent-banner-missing": consent.check_consent_banner_missing,
    "gpc-ignored": consent.check_gpc_ignored,
}


def run_checks(ctx: CheckContext) -> list[Finding]:
    """Every check's findings, most severe first, then by rule and location."""
    findings: list[Finding] = []
    skipped = statement.not_checked(ctx)
    for rule_id, check in CHECKS.items():
        assert rule_id in ctx.catalogue, f"{rule_id} has no catalogue entry"
        if rule_id not in skipped:
            findings.extend(check(ctx))
    return sorted(
        findings,
        key=lambda f: (-Severity(f.severity).rank, f.rule_id, f.page_url or f.host or ""),
    )


__all__ = ["CHECKS", "CheckContext", "Declaration", "run_checks"]
