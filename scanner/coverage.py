"""Did the scan look? The checks that keep the gate from passing blind (issue 13).

A scan that could not load its start URL, or could not read a page in time (a script that never
yields, 10k forms, 100k links, no answer), does not know what those pages hold: a form posting
personal information over HTTP may be there. Such a scan is incomplete (exit 3) unless the user
accepts unread pages (`--allow-unread-pages`); either way the report names each page and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import Page
from scanner.scope import normalise_url

START_URL_PROBLEM = "the start URL could not be loaded"
"""How the incomplete reason begins when the start URL failed (no checks are run then)."""

SHOWN_IN_REASON = 3
"""Unread pages named in the one-line incomplete reason (all are in the notes and report.json)."""


def start_url_problem(start_url: str, pages: Sequence[Page]) -> str | None:
    """Why the start URL itself could not be loaded, or None when it was.

    The start page is found by its URL, never by finishing first: a fast sitemap page must not
    stand in for a start URL that timed out, nor a fast-failing one condemn a healthy site.
    """
    key = normalise_url(start_url)
    start = next((p for p in pages if normalise_url(p.url) == key), None)
    if start is None:
        return f"{START_URL_PROBLEM}: nothing was crawled"
    if start.error and not start.status:
        return f"{START_URL_PROBLEM}: {start.error}"
    if start.unread and not start.status:
        return f"{START_URL_PROBLEM}: {start.unread}"
    return None


def unread_pages(pages: Sequence[Page]) -> list[Page]:
    """The pages whose content is unknown: they could not be read in time."""
    return [p for p in pages if p.unread]


def unread_notes(pages: Sequence[Page]) -> list[str]:
    """One note per unread page, for every report."""
    return [f"Not read: {p.url} ({p.unread})" for p in unread_pages(pages)]


def unread_reason(pages: Sequence[Page], allowed: bool) -> str | None:
    """Why the scan is incomplete because of unread pages (None when none, or allowed)."""
    unread = unread_pages(pages)
    if not unread or allowed:
        return None
    shown = "; ".join(f"{p.url} ({p.unread})" for p in unread[:SHOWN_IN_REASON])
    more = f"; and {len(unread) - SHOWN_IN_REASON} more" if len(unread) > SHOWN_IN_REASON else ""
    return (
        f"{len(unread)} page(s) could not be read, so their forms and links are unknown: "
        f"{shown}{more} (--allow-unread-pages accepts this)"
    )
