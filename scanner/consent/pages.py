"""Which pages the consent states visit (the main crawl keeps its single pass).

The start page (where a banner first shows), every page with a personal-information form, then
one page per template until the cap: a template is the host and the URL path with its last
segment and every segment holding a digit replaced by `*` (`/blog/2024/tea` and `/blog/2025/
green` are one template, `/blog/*/*`; `/about` is `/*`). With four states and the default cap of
30 pages, a 1,000-page scan visits at most 4 x 30 + 2 = 122 more pages; with each state's
browser launch and the waits for the consent manager, about 20 % more time (docs/performance.md).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scanner.model import Page

DEFAULT_MAX_PAGES = 30
PAGE_CHOICE = (
    "the start page, every page with a personal-information form, then one page per URL "
    "template (host and path with the last segment and numbered segments as *), at most {cap}"
)
_NUMBERED = re.compile(r"\d")


def url_template(url: str) -> str:
    """The template a URL belongs to: host and path, last and numbered segments as `*`."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return f"{parts.hostname}/"
    shape = ["*" if _NUMBERED.search(s) else s for s in segments[:-1]]
    return f"{parts.hostname}/{'/'.join([*shape, '*'])}"


def _readable(page: Page) -> bool:
    return not page.unread and page.status is not None and 200 <= page.status < 400


def choose_pages(start_url: str, pages: list[Page], cap: int = DEFAULT_MAX_PAGES) -> list[str]:
    """The pages the consent states visit, the start page first, at most `cap`."""
    readable = [p for p in pages if _readable(p)]
    start = next((p for p in readable if start_url in (p.url, p.final_url)), None)
    chosen: list[str] = [(start.final_url or start.url) if start else start_url]
    for page in readable:
        if any(f.collects_pi for f in page.forms):
            chosen.append(page.final_url or page.url)
    templates = {url_template(u) for u in chosen}
    for page in readable:
        url = page.final_url or page.url
        template = url_template(url)
        if template not in templates:
            templates.add(template)
            chosen.append(url)
    return list(dict.fromkeys(chosen))[:cap]
