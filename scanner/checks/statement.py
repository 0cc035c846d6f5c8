"""Statement rules: is there a statement, is it linked, protected, and did it change?"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from scanner.checks.base import CheckContext
from scanner.model import Finding, Statement, StatementDocument
from scanner.scope import normalise_url
from scanner.statement.notes import REJECTED_NOTE
from scanner.statement.readable import supported_languages

DISCLOSURE_RULES = (
    "beacon-undisclosed-vendor",
    "beacons-not-disclosed",
    "advertising-tracker",
    "third-party-cookie-undisclosed",
    "cookies-not-disclosed",
)
"""Rules whose finding is that the statement does not say something. When its claims could not
be read (a language without patterns, no text) that cannot be told: they are not checked, and
statement-not-read says so."""


def check_statement_not_found(ctx: CheckContext) -> Iterator[Finding]:
    """statement-not-found: no privacy statement can be found."""
    if ctx.statement is not None or not ctx.result.pages:
        return
    yield ctx.finding(
        "statement-not-found",
        f"No privacy statement was found on {ctx.result.target}: none configured, none linked "
        f"from {len(ctx.result.pages)} page(s), none at the common paths.",
        location=ctx.result.target,
        page_url=ctx.result.target,
        evidence={
            "pages_crawled": len(ctx.result.pages),
            "not_accepted": [n for n in ctx.result.notes if n.startswith(REJECTED_NOTE)][:20],
        },
    )


def check_statement_not_linked(ctx: CheckContext) -> Iterator[Finding]:
    """statement-not-linked: a page with a PI form has no link to the statement."""
    statement = ctx.statement
    target = normalise_url(statement.url) if statement else None
    for page in ctx.pi_pages():
        links = {normalise_url(u) for u in page.statement_links}
        if target is not None and (target in links or normalise_url(page.url) == target):
            continue
        if target is None and page.has_statement_link:
            continue
        yield ctx.finding(
            "statement-not-linked",
            f"{page.url} collects personal information but does not link the privacy statement.",
            location=page.url,
            page_url=page.url,
            host=urlsplit(page.url).hostname,
            evidence={"statement_url": statement.url if statement else None},
        )


def check_statement_over_http(ctx: CheckContext) -> Iterator[Finding]:
    """statement-over-http: the statement itself is served over plain HTTP."""
    statement = ctx.statement
    if statement is None or statement.url.startswith("https:"):
        return
    yield ctx.finding(
        "statement-over-http",
        f"The privacy statement is served over plain HTTP at {statement.url}.",
        location=statement.url,
        page_url=statement.url,
        host=urlsplit(statement.url).hostname,
        evidence={"url": statement.url},
        claim=ctx.claim(("transport-encryption",)),
    )


def not_checked(ctx: CheckContext) -> tuple[str, ...]:
    """The rules not to run on this scan: DISCLOSURE_RULES when the statement was not read."""
    return DISCLOSURE_RULES if ctx.statement is not None and ctx.statement.unread else ()


def check_statement_not_read(ctx: CheckContext) -> Iterator[Finding]:
    """statement-not-read: the statement was found, but its claims could not be read."""
    statement = ctx.statement
    if statement is None or not statement.unread:
        return
    parties = sorted({b.vendor or urlsplit(b.url).hostname or "" for b in ctx.result.beacons})
    yield ctx.finding(
        "statement-not-read",
        f"{statement.unread}: complyscan could not read the claims of the privacy statement at "
        f"{statement.url}, so it cannot tell what the statement discloses; "
        f"{len(DISCLOSURE_RULES)} rules that test disclosure were not checked.",
        location=statement.url,
        page_url=statement.url,
        evidence={
            "url": statement.url,
            "language": statement.language,
            "languages_read": supported_languages(),
            "not_checked": list(DISCLOSURE_RULES),
            "third_parties_seen": parties[:20],
            "cookies_seen": sum(1 for c in ctx.result.cookies if c.stored),
        },
    )


def check_statement_changed(ctx: CheckContext) -> Iterator[Finding]:
    """statement-changed: a document of the statement (the privacy policy, the cookie policy)
    changed since the previous scan; one finding per changed document."""
    if ctx.previous_statement is None or ctx.statement is None:
        return
    earlier = _documents(ctx.previous_statement)
    import difflib

    for kind, now in _documents(ctx.statement).items():
        before = earlier.get(kind)
        if before is None or before.sha256 == now.sha256:
            continue
        diff = list(
            difflib.unified_diff(
                before.text.splitlines(), now.text.splitlines(), "before", "now", lineterm="", n=1
            )
        )
        name = "privacy statement" if kind == "privacy-policy" else "cookie policy"
        yield ctx.finding(
            "statement-changed",
            f"The {name} at {now.url} changed since the previous scan "
            f"({sum(1 for d in diff if d.startswith(('+', '-')) and d[:3] not in ('+++', '---'))} "
            f"line(s)).",
            location=now.url,
            page_url=now.url,
            evidence={
                "document": kind,
                "before_sha256": before.sha256,
                "sha256": now.sha256,
                "diff": diff[:200],
            },
        )


def _documents(statement: Statement) -> dict[str, StatementDocument]:
    """The statement's documents by kind; reports from before `documents` have only the policy."""
    documents: dict[str, StatementDocument] = {d.kind: d for d in statement.documents}
    documents.setdefault(
        "privacy-policy",
        StatementDocument(url=statement.url, sha256=statement.sha256, text=statement.text),
    )
    return documents
