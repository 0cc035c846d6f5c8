"""The statement as a set of documents: the privacy policy, and the cookie policy beside it.

Real sites rarely say everything in one page: the cookie policy (often with the cookie table)
is linked from the privacy policy, from the footer, or from the consent manager. The engine
calls `with_cookie_policy` once it has read the privacy policy; the cookie policy's claims join
the statement's (each citing its document) and its table becomes the cookie declaration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urldefrag, urljoin

from scanner.model import Statement
from scanner.parties.vendors import VendorDB
from scanner.statement.find import is_cookie_policy_link
from scanner.statement.reader import read_document

FetchDocument = Callable[[str], Awaitable[str | None]]
"""Returns the HTML at a URL, or None when it cannot be had (the engine's safe fetch)."""


def cookie_policy_links(html: str, base_url: str) -> list[str]:
    """Links of a page (the privacy policy) that point at a cookie policy, in page order."""
    from bs4 import BeautifulSoup, Tag

    found: list[str] = []
    for anchor in BeautifulSoup(html, "html.parser").find_all("a", href=True):
        if not isinstance(anchor, Tag):
            continue
        href = urljoin(base_url, str(anchor.get("href")))
        if href.startswith(("http:", "https:")) and is_cookie_policy_link(href, anchor.get_text()):
            found.append(urldefrag(href)[0])
    return list(dict.fromkeys(found))


async def with_cookie_policy(
    statement: Statement,
    policy_html: str,
    page_links: Iterable[str],
    fetch_document: FetchDocument,
    *,
    vendors: VendorDB,
) -> Statement:
    """The statement with its cookie policy added, when the policy or the pages link one.

    Tries the privacy policy's own links first, then the pages' (footer) links; the first that
    can be fetched is read. The privacy policy itself is never read twice.
    """
    candidates = cookie_policy_links(policy_html, statement.url)
    candidates += [u for u in page_links if is_cookie_policy_link(u, "")]
    own = urldefrag(statement.url)[0]
    for url in dict.fromkeys(candidates):
        if url == own:
            continue
        html = await fetch_document(url)
        if not html:
            continue
        return add_document(statement, url, html, vendors=vendors)
    return statement


def add_document(statement: Statement, url: str, html: str, *, vendors: VendorDB) -> Statement:
    """The statement with one more document (a cookie policy) read into it."""
    document, claims, declared = read_document(url, html, vendors=vendors, kind="cookie-policy")
    return statement.model_copy(
        update={
            "documents": [*statement.documents, document],
            "claims": [*statement.claims, *claims],
            "cookies_declared": [*statement.cookies_declared, *declared],
        }
    )
