"""The page reader: what page_probe.js saw in each frame of a page, read into the Page record.

No browser here: the crawler hands over the probes' JSON (one per frame) and the cookies the
network log saw; `read_probes` fills in the record and says what else it found (fields to type a
canary into, links that look like the statement, pop-ups, requests the guard blocked). So it is
tested on recorded probe results (tests/fixtures/probes/), without Chromium.

What the reader needs from other stages (which fields collect personal information, how much a
link looks like the privacy statement, canary values) comes in as `PageJudges`: the browser
imports no stage (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scanner.browser.network import parse_set_cookie
from scanner.domains import FirstParty
from scanner.model import Cookie, Form, FormField, Page, PIKind
from scanner.scope import Scope, normalise_url


@dataclass(frozen=True)
class PageJudges:
    """The other stages' judgements the crawl needs while a page is open, passed in."""

    classify_field: Callable[[FormField], PIKind | None]
    """The personal information a form field collects, if any (scanner.parties.pi)."""
    classify_form: Callable[[list[FormField]], tuple[bool, list[PIKind]]]
    """Whether a form collects personal information, and which kinds (scanner.parties.pi)."""
    statement_link: Callable[[str, str, bool], int]
    """How much a link (href, text, in the footer) looks like the privacy statement's; 0: not
    at all (scanner.statement.find)."""
    make_canaries: Callable[[list[PIKind], str], dict[PIKind, str]]
    """A unique value per kind of personal information, seeded by the page's URL, to type into
    its fields (scanner.parties.leaks)."""


@dataclass(frozen=True)
class FrameProbe:
    """What page_probe.js returned in one frame of a page."""

    main: bool
    """True for the page's main frame."""
    data: dict[str, Any]
    """The probe's result as JSON (the page's strings, made encodable): untrusted."""


@dataclass
class PageReading:
    """What the reader found besides what went into the Page record."""

    fills: list[tuple[int, str, PIKind]] = field(default_factory=list)
    """Fields to type a canary into: (index of the frame's probe, the field's mark, kind)."""
    statement_scores: dict[str, int] = field(default_factory=dict)
    """Links of the main frame that look like the statement: normalised URL -> score."""
    popups: list[str] = field(default_factory=list)
    """Windows the page tried to open."""
    blocked: list[str] = field(default_factory=list)
    """Requests the guard kept from private addresses out of scope."""


def read_probes(
    record: Page,
    probes: list[FrameProbe],
    cookies: list[Cookie],
    *,
    scope: Scope,
    first_party: FirstParty,
    judges: PageJudges,
) -> PageReading:
    """Read the probes of a page's frames into `record` (title, mixed content, forms, links,
    statement links, storage keys, cookies); `cookies` are those the network log saw, to which
    the cookies scripts wrote are added. Returns what the crawler does with the rest."""
    reading = PageReading()
    fp = first_party
    final = record.final_url or record.url
    main_origin = next((p.data.get("origin") for p in probes if p.main), None)
    for index, frame_probe in enumerate(probes):
        probe, is_main = frame_probe.data, frame_probe.main
        prefix = "" if probe.get("origin") == main_origin else f"{probe.get('origin')} "
        for key, store in (
            ("localStorage", record.local_storage),
            ("sessionStorage", record.session_storage),
        ):
            store.extend(f"{prefix}{k}"[:300] for k in probe.get(key, []) if isinstance(k, str))
        if is_main:
            record.title = str(probe.get("title", ""))[:500]
            record.mixed_content = [str(m) for m in probe.get("mixed", [])][:200]
        for raw in probe.get("forms", []):
            form = form_of(raw, None if is_main else str(probe.get("url")), judges)
            record.forms.append(form)
            for raw_field, field_ in zip(raw.get("fields", []), form.fields, strict=False):
                if field_.pi_kind is not None:
                    reading.fills.append((index, str(raw_field.get("mark", "")), field_.pi_kind))
        for anchor in probe.get("anchors", []):
            href = str(anchor.get("href", ""))
            if not href.startswith(("http:", "https:")):
                continue
            score = judges.statement_link(href, str(anchor.get("text", "")), anchor["footer"])
            if score and is_main:
                record.has_statement_link = True
                if href not in record.statement_links:
                    record.statement_links.append(href)
                key = normalise_url(href)
                reading.statement_scores[key] = max(score, reading.statement_scores.get(key, 0))
            if scope.contains(href):
                record.links.append(href)
        for src in probe.get("frames", []):
            if scope.contains(str(src)):
                record.links.append(str(src))
        reading.popups.extend(str(u)[:2000] for u in probe.get("popups", []))
        reading.blocked.extend(str(u)[:2000] for u in probe.get("blocked", []))
        for write in probe.get("cookieWrites", []):
            attrs = parse_set_cookie(str(write.get("cookie", "")))
            if attrs["name"]:
                attrs["domain"] = attrs["domain"] or (urlsplit(str(probe["url"])).hostname or "")
                cookies.append(Cookie(**attrs, set_by=write.get("script") or probe["url"]))
    for cookie in cookies:
        cookie.page_url = final
        domain = cookie.domain.lstrip(".") or (urlsplit(cookie.set_by or final).hostname or "")
        cookie.domain = cookie.domain or domain
        cookie.third_party = not fp.is_first_party(domain)
    record.cookies = cookies
    record.links = list(dict.fromkeys(record.links))
    record.local_storage = list(dict.fromkeys(record.local_storage))[:200]
    record.session_storage = list(dict.fromkeys(record.session_storage))[:200]
    return reading


def form_of(raw: dict[str, Any], frame_url: str | None, judges: PageJudges) -> Form:
    """A form as page_probe.js described it, its fields classified."""
    fields = [
        FormField(
            tag=str(f.get("tag", "")),
            type=str(f.get("type", "")),
            name=str(f.get("name", ""))[:200],
            id=str(f.get("id", ""))[:200],
            autocomplete=str(f.get("autocomplete", ""))[:200],
            label=str(f.get("label", ""))[:200],
            pi_kind=judges.classify_field(
                FormField(
                    tag=str(f.get("tag", "")),
                    type=str(f.get("type", "")),
                    name=str(f.get("name", "")),
                    id=str(f.get("id", "")),
                    autocomplete=str(f.get("autocomplete", "")),
                    label=str(f.get("label", "")),
                )
            ),
        )
        for f in raw.get("fields", [])[:200]
    ]
    collects_pi, kinds = judges.classify_form(fields)
    actions = [str(raw.get("action", ""))] + [str(a) for a in raw.get("formactions", [])]
    return Form(
        action=actions[0],
        method=str(raw.get("method", "get")),
        selector=str(raw.get("selector", ""))[:300],
        frame_url=frame_url,
        fields=fields,
        collects_pi=collects_pi,
        pi_kinds=kinds,
        other_actions=actions[1:],
    )
