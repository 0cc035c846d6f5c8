"""Beacons: third-party requests that carry information about the visit.

A request is a beacon when it goes to another site *and* carries something about this visit. The
kinds, checked in this order (the first that fits names it):

- `sendbeacon` / `ping`: the browser's own reporting channels (navigator.sendBeacon, `<a ping>`);
- `pixel`: an image request to a tracking vendor with a query, or to a pixel path (`/tr`,
  `/collect`, `/p.gif`, `/__utm.gif`, ...), or whose query carries visit identifiers;
- `analytics-endpoint`: a call to an analytics, advertising or session-recording vendor's host
  that sends data in its query or body;
- `query-ids`: any other request whose query or body carries visit identifiers (client, user or
  session ids, `_ga`, `fbp`) or the page's own URL or referrer;
- `websocket`: a WebSocket to another site over which the page sent messages;
- `data-upload`: any other request that sends a body (POST, PUT, PATCH: an error tracker's
  envelope, a recorder's upload, a keepalive fetch on unload), whoever receives it.

Every beacon names a recipient (`vendor`): the vendor of its destination host; else the vendor
of the script that sent it (not a CDN or host: they only serve the script); else
"unknown recipient <site>", a party no vendor list knows, which the rules treat as undisclosed
like any other (`vendor_source` says which of the three).

A font, a stylesheet or a vendor's script fetched without visit data is not a beacon, and a
first-party request never is. Requests that failed are kept: the page still tried to send them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from scanner.model import Beacon, Cookie, Page, Request
from scanner.parties.domains import FirstParty, host_of, registrable_domain
from scanner.parties.vendors import TRACKING_CATEGORIES, Vendor, VendorDB

MAX_VALUE: Final = 200
"""Longest parameter value kept in Beacon.params."""

MAX_PARAMS: Final = 200
"""Most parameters kept per beacon (a batch body can hold thousands)."""

VISIT_ID_KEYS: Final = frozenset(
    {
        "cid",
        "uid",
        "client_id",
        "clientid",
        "user_id",
        "userid",
        "_ga",
        "_gid",
        "ga",
        "fbp",
        "_fbp",
        "fbc",
        "_fbc",
        "sid",
        "session_id",
        "sessionid",
        "vid",
        "visitor_id",
        "visitorid",
        "anonymous_id",
        "anonymousid",
        "anon_id",
        "device_id",
        "deviceid",
        "did",
        "uuid",
        "guid",
        "_pk_id",
        "ecid",
        "mid",
        "gclid",
        "fbclid",
        "msclkid",
        "ttclid",
        "twclid",
        "li_fat_id",
        "_hjsessionuserid",
        "_hjsessionid",
    }
)
"""Parameter names (lower-case, after the last `.` of a flattened JSON path) that identify a
browser, user or session."""

PAGE_KEYS: Final = frozenset(
    {
        "dl",
        "dr",
        "dp",
        "url",
        "u",
        "page",
        "page_url",
        "pageurl",
        "page_location",
        "page_referrer",
        "location",
        "href",
        "ref",
        "referrer",
        "referer",
        "source_url",
        "event_source_url",
        "current_url",
        "$current_url",
        "$referrer",
    }
)
"""Parameter names that carry the page's URL or referrer (when their value is a URL)."""

_PIXEL_PATH: Final = re.compile(
    r"/(tr|collect|g/collect|j/collect|r/collect|pixel|px|p|b|t|i|beacon|track|event|events"
    r"|hit|log|__utm|1x1|spacer|clear|blank|trans|pixel\.gif|__utm\.gif|p\.gif|b\.gif|t\.gif"
    r"|i\.gif|px\.gif|1x1\.gif|spacer\.gif|clear\.gif|blank\.gif|utm\.gif|pixel\.png|p\.png)"
    r"/?$",
    re.IGNORECASE,
)
"""Paths that exist to receive tracking pixels."""

_NO_VISIT_DATA_TYPES: Final = frozenset(
    {"script", "stylesheet", "font", "media", "document", "texttrack", "manifest", "websocket"}
)
"""Resource types that are beacons only when their URL carries visit identifiers."""

_UPLOAD_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})

_SERVES_SCRIPTS_ONLY: Final = frozenset({"cdn", "hosting"})
"""Categories of a sending script's host that say nothing about who receives the data."""

UNKNOWN_RECIPIENT: Final = "unknown recipient"
"""Prefix of the vendor name of a beacon whose recipient no vendor data knows."""


@dataclass(frozen=True)
class VendorSummary:
    """What one vendor received across the scan, for reports."""

    vendor: str
    """The vendor's name, or the site (registrable domain) when no vendor is known."""
    category: str | None
    beacons: int
    """How many beacons went to it."""
    pages: tuple[str, ...]
    """Pages whose visit sent it beacons, sorted."""
    cookies: tuple[str, ...]
    """Names of the cookies it set or tried to set, sorted."""


def detect_beacons(page: Page, first_party: FirstParty, vendors: VendorDB) -> list[Beacon]:
    """The beacons among a page's requests, in request order."""
    page_url = page.final_url or page.url
    beacons = []
    for request in page.requests:
        beacon = classify_request(request, page_url, first_party, vendors)
        if beacon is not None:
            beacons.append(beacon)
    return beacons


def classify_request(
    request: Request, page_url: str, first_party: FirstParty, vendors: VendorDB
) -> Beacon | None:
    """A Beacon when `request` is one (see the module docstring), else None."""
    if not first_party.is_third_party(request.url):
        return None
    vendor = vendors.lookup(request.url)
    params = request_params(request)
    kind = _kind(request, vendor, params, page_url)
    if kind is None:
        return None
    name, category, source = recipient(request, vendor, first_party, vendors)
    return Beacon(
        url=request.url,
        page_url=page_url,
        vendor=name,
        category=category,
        kind=kind,
        third_party=True,
        initiator=request.initiator,
        params=params,
        vendor_source=source,
    )


def recipient(
    request: Request, vendor: Vendor | None, first_party: FirstParty, vendors: VendorDB
) -> tuple[str, str | None, str]:
    """(vendor name, category, how it was decided) for data that `request` sends away."""
    if vendor is not None:
        return vendor.name, vendor.category, "destination"
    sender = request.initiator or ""
    if sender and first_party.is_third_party(sender):
        by_script = vendors.lookup(sender)
        if by_script is not None and by_script.category not in _SERVES_SCRIPTS_ONLY:
            return by_script.name, by_script.category, "initiator"
    return f"{UNKNOWN_RECIPIENT} {registrable_domain(request.url)}", None, "unknown"


def _kind(
    request: Request, vendor: Vendor | None, params: dict[str, str], page_url: str
) -> str | None:
    resource_type = request.resource_type.lower()
    headers = {k.lower(): v for k, v in request.headers.items()}
    if resource_type in {"ping", "beacon"}:
        is_anchor_ping = (
            "ping-from" in headers
            or "ping-to" in headers
            or ((request.content_type or "").startswith("text/ping"))
        )
        return "ping" if is_anchor_ping else "sendbeacon"

    tracking_vendor = vendor is not None and vendor.category in TRACKING_CATEGORIES
    carries_ids = carries_visit_data(params, page_url)
    path = urlsplit(request.url).path
    has_query = bool(urlsplit(request.url).query)

    if resource_type == "image" and (
        (has_query and (tracking_vendor or _PIXEL_PATH.search(path) is not None)) or carries_ids
    ):
        return "pixel"
    if resource_type == "websocket" and request.post_data:
        return "websocket"  # messages sent to another site over a socket
    if resource_type in _NO_VISIT_DATA_TYPES:
        return "query-ids" if carries_ids else None
    if tracking_vendor and (has_query or request.post_data or request.post_data_size):
        return "analytics-endpoint"
    if carries_ids:
        return "query-ids"
    if request.method.upper() in _UPLOAD_METHODS and (request.post_data or request.post_data_size):
        return "data-upload"
    return None


def carries_visit_data(params: dict[str, str], page_url: str = "") -> bool:
    """True when the parameters hold a visit identifier, or the page's URL or referrer."""
    page_host = host_of(page_url) if page_url else ""
    for key, value in params.items():
        if not value:
            continue
        name = key.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if name in VISIT_ID_KEYS:
            return True
        if _is_url(value) and (name in PAGE_KEYS or (page_host and host_of(value) == page_host)):
            return True
    return False


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//"))


def request_params(request: Request) -> dict[str, str]:
    """The query's parameters, then the body's (form-encoded, JSON or GA-style lines), decoded.

    JSON is flattened to dotted paths (`user.id`, `events[0].name`); a key already taken keeps
    its first value. Values are cut to MAX_VALUE characters, and at most MAX_PARAMS are kept.
    """
    params: dict[str, str] = {}
    body = _body_items(request.post_data, request.content_type or "") if request.post_data else ()
    for key, value in itertools.chain(_query_items(request.url), body):
        if len(params) >= MAX_PARAMS:
            break
        params.setdefault(key, value[:MAX_VALUE])
    return params


def _query_items(url: str) -> list[tuple[str, str]]:
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    return parse_qsl(query, keep_blank_values=True)


def _body_items(body: str, content_type: str) -> Iterator[tuple[str, str]]:
    text = body.strip()
    if "json" in content_type or text.startswith(("{", "[")):
        try:
            yield from _flatten(json.loads(text), "")
            return
        except ValueError:
            pass
    if "=" in text and " " not in text.split("\n", 1)[0]:
        # form-encoded, or GA4's batch of one query string per line
        for line in text.splitlines():
            yield from parse_qsl(line, keep_blank_values=True)
        return
    if text:
        yield "body", text


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{i}]")
    elif value is None:
        yield prefix or "body", ""
    elif isinstance(value, bool):
        yield prefix or "body", "true" if value else "false"
    else:
        yield prefix or "body", str(value)


def group_by_vendor(
    beacons: Iterable[Beacon], cookies: Iterable[Cookie], vendors: VendorDB | None = None
) -> list[VendorSummary]:
    """Beacons and vendors' cookies (third-party, or on the site's domain by a vendor's SDK) per
    vendor, most beacons first.

    A beacon or cookie without a vendor is grouped under its site (registrable domain). A
    cookie's vendor is its `vendor` field, else (with `vendors`) the vendor of its domain.
    """
    groups: dict[str, dict[str, Any]] = {}

    def group(name: str, category: str | None) -> dict[str, Any]:
        entry = groups.setdefault(
            name, {"category": category, "beacons": 0, "pages": set(), "cookies": set()}
        )
        if entry["category"] is None:
            entry["category"] = category
        return entry

    for beacon in beacons:
        entry = group(beacon.vendor or registrable_domain(beacon.url), beacon.category)
        entry["beacons"] += 1
        entry["pages"].add(beacon.page_url)
    for cookie in cookies:
        if not (cookie.third_party or cookie.vendor):
            continue  # the site's own cookie (a vendor SDK's on the site's domain counts)
        name, category = cookie.vendor, None
        domain = cookie.domain.lstrip(".")
        if vendors is not None:
            vendor = vendors.by_name(name) if name else vendors.lookup(domain)
            if vendor is not None:
                name, category = vendor.name, vendor.category
        entry = group(name or registrable_domain(domain), category)
        entry["cookies"].add(cookie.name)
        if cookie.page_url:
            entry["pages"].add(cookie.page_url)
    summaries = [
        VendorSummary(
            vendor=name,
            category=entry["category"],
            beacons=entry["beacons"],
            pages=tuple(sorted(entry["pages"])),
            cookies=tuple(sorted(entry["cookies"])),
        )
        for name, entry in groups.items()
    ]
    summaries.sort(key=lambda s: (-s.beacons, -len(s.cookies), s.vendor.casefold()))
    return summaries
