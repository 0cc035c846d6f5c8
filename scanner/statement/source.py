"""Whether a fetched document may be read as the privacy statement.

A statement URL that answers 404 ("Not Found" read as the policy), an error page, an image or a
PDF, or nothing at all is not the statement: the scan goes on to the next candidate, and when
none is left statement-not-found fires with the reasons on record.
"""

from __future__ import annotations

from scanner.fetch import MAX_BODY, FetchResult
from scanner.statement.notes import REJECTED_NOTE as REJECTED_NOTE

READABLE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
"""Media types read as a statement; a response without a Content-Type is read as HTML."""


def rejection(status: int | None, content_type: str, body: bytes | str) -> str | None:
    """Why a response cannot be the statement, or None when it can be read as one."""
    if status is None:
        return "no response"
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if content_type and content_type not in READABLE_TYPES:
        return f"content type {content_type} is not HTML or text"
    if not body.strip():
        return "empty body"
    return None


def fetch_rejection(fetched: FetchResult) -> str | None:
    """Why a fetched URL cannot be the statement (network error, refusal, status, type, body)."""
    if fetched.error:
        return fetched.error
    return rejection(fetched.status, fetched.content_type, fetched.body)


def truncation_note(url: str) -> str:
    """The report note for a statement cut at the size cap."""
    cap = MAX_BODY // (1024 * 1024)
    return f"Statement {url} is longer than {cap} MiB: only the first {cap} MiB were read."
