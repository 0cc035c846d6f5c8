"""The leak probe's pure half: canary values, their encodings, and finding them in requests.

The crawler types a unique, recognisable canary into each personal-information field of a form
(never submitting it), lets the page's scripts react, and hands the requests it saw to
`find_leaks`. A canary found in a third party's URL, body or headers, plain, URL-encoded,
base64'd or hashed the way ad platforms hash e-mail addresses and phone numbers, is personal
information that left for a third party without the visitor sending the form. Bodies are searched
whole and in every form `scanner.parties.bodies.body_views` unwraps (compressed, base64'd,
escaped, multipart), so a session recorder's upload is searched as the recorder wrote it; a
recorder that masks what was typed (`***`) sends no canary and is no leak.

`find_pi_in_urls` needs no probe: it finds e-mail addresses already in the query strings (or
Referer) of third-party requests, as when a page's URL carries `?email=...`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, cast
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

from scanner.model import Leak, PIKind, Request
from scanner.parties.bodies import MAX_DECODED_PER_PAGE, DecodeBudget, body_views
from scanner.parties.domains import FirstParty

# ---------------------------------------------------------------------------------------------
# Canaries
# ---------------------------------------------------------------------------------------------

_CONSONANTS: Final = "bcdfghjklmnprstvz"
_VOWELS: Final = "aeiou"


def make_canaries(kinds: Iterable[PIKind], seed: str) -> dict[PIKind, str]:
    """One unique, recognisable, harmless value per kind, the same for the same seed.

    E-mail addresses are on the reserved `.invalid` TLD, phone numbers in the 555-01xx range
    reserved for fiction, the card number is a Luhn-valid 4111 11… test number and the
    government id starts with 9 (never issued as an SSN).
    """
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()
    digits = "".join(str(int(c, 16) % 10) for c in digest)
    token = digest[:10]
    canaries: dict[PIKind, str] = {}
    for kind in kinds:
        canaries[kind] = _canary(kind, token, digits, digest)
    return canaries


def _canary(kind: PIKind, token: str, digits: str, digest: str) -> str:
    if kind == "name":
        return f"Canary {_word(digest[10:20]).capitalize()}"
    if kind == "email":
        return f"cs-{token}@example.invalid"
    if kind == "phone":
        return f"+1 {2 + int(digits[0]) % 8}{digits[1:3]}-555-01{digits[3:5]}"
    if kind == "postal_address":
        return f"{1 + int(digits[5:9])} {_word(digest[20:30]).capitalize()} Lane, Testville"
    if kind == "payment_card":
        body = "411111" + digits[9:18]
        return body + _luhn_digit(body)
    if kind == "birth_date":
        year, month, day = (
            1930 + int(digits[18:20]),
            1 + int(digits[20:22]) % 12,
            1 + int(digits[22:24]) % 28,
        )
        return f"{year}-{month:02d}-{day:02d}"
    if kind == "password":
        return f"Cs!{token}#Pw"
    if kind == "government_id":
        return f"9{digits[24:26]}-{digits[26:28]}-{digits[28:32]}"
    raise ValueError(f"unknown personal-information kind {kind!r}")


def _word(hex_text: str) -> str:
    """A pronounceable made-up word from hex digits ("Kobajide"): unique, but reads as a name."""
    letters = []
    for i, char in enumerate(hex_text[:8]):
        value = int(char, 16)
        letters.append(_CONSONANTS[value % len(_CONSONANTS)] if i % 2 == 0 else _VOWELS[value % 5])
    return "".join(letters)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        value = int(char)
        if i % 2 == 0:  # doubled: these sit at odd positions once the check digit is appended
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------

_PHONE_LIKE: Final = re.compile(r"^\+?[\d\s().-]{7,}$")


def normalise(value: str) -> str:
    """The form ad platforms hash: e-mail trimmed and lower-cased, phone digits only."""
    value = value.strip()
    if _PHONE_LIKE.match(value):
        return re.sub(r"\D", "", value)
    return value.lower()


def encodings(value: str) -> dict[str, str]:
    """The ways a page's scripts commonly write a value into a request, by name.

    plain, url-encoded (%20), url-encoded-plus (+), url-encoded-twice, base64 and base64url
    (unpadded; base64 is reported when the two are the same text), lower-case (searched with
    case ignored), md5 / sha1 / sha256 hex of the normalised value (see `normalise`),
    and for phone-like values digits and sha256-e164 (of "+" and the digits).
    """
    raw = value.encode("utf-8")
    normal = normalise(value).encode("utf-8")
    found = {
        "plain": value,
        "url-encoded": quote(value, safe=""),
        "url-encoded-plus": quote_plus(value, safe=""),
        "url-encoded-twice": quote(quote(value, safe=""), safe=""),
        "base64": base64.b64encode(raw).decode("ascii").rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="),
        "lower-case": value.lower(),
        "md5": hashlib.md5(normal).hexdigest(),
        "sha1": hashlib.sha1(normal).hexdigest(),
        "sha256": hashlib.sha256(normal).hexdigest(),
    }
    if _PHONE_LIKE.match(value.strip()):
        found["digits"] = normalise(value)
        # Google's enhanced conversions hash a phone number in E.164 form.
        found["sha256-e164"] = hashlib.sha256(b"+" + normal).hexdigest()
    return found


_CASE_INSENSITIVE: Final = frozenset({"lower-case", "md5", "sha1", "sha256", "sha256-e164"})


def _needles(value: str) -> Iterator[tuple[str, str]]:
    """(encoding, text to search) in the order a leak is reported; duplicates dropped.

    Needles of _CASE_INSENSITIVE encodings are lower-case and searched in lower-cased text, so
    "lower-case" also finds an upper-cased value.
    """
    seen: set[tuple[str, bool]] = set()

    def fresh(encoding: str, needle: str) -> bool:
        key = (needle, encoding in _CASE_INSENSITIVE)
        if len(needle) < 6 or key in seen:
            return False
        seen.add(key)
        return True

    for encoding, needle in encodings(value).items():
        if encoding in _CASE_INSENSITIVE:
            needle = needle.lower()
        if fresh(encoding, needle):
            yield encoding, needle
        if encoding.startswith("base64"):
            # Inside a longer base64 text the value can start at any byte offset modulo 3.
            for shifted in _shifted_base64(value.encode("utf-8"), url=encoding == "base64url"):
                if fresh(encoding, shifted):
                    yield encoding, shifted
    if " " in value.strip():
        # A name may be split into first and last fields: its made-up last word is unique too.
        last = value.split()[-1]
        if len(last) >= 6:
            yield "plain-part", last


def _shifted_base64(raw: bytes, *, url: bool) -> Iterator[str]:
    encode = base64.urlsafe_b64encode if url else base64.b64encode
    for offset in (0, 1, 2):
        text = encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
        # Drop the first group when it mixes in unknown leading bytes, and a last group that
        # would mix in the bytes that follow.
        middle = text[4:] if offset else text
        tail = (offset + len(raw)) % 3
        if tail:
            middle = middle[: -(tail + 1)]
        yield middle


# ---------------------------------------------------------------------------------------------
# Searching requests
# ---------------------------------------------------------------------------------------------


def find_leaks(
    requests: Iterable[Request],
    canaries: Mapping[PIKind, str] | Mapping[str, str],
    first_party: FirstParty | None = None,
) -> list[Leak]:
    """Every canary found in the URL, body or a header of each request: one Leak per canary,
    request and place, with the first encoding (in `encodings` order) that matched.

    `canaries` maps a kind to its value (as `make_canaries` returns). `third_party` comes from
    `first_party` when given, else from the request's own flag. `requests` are one page's: their
    bodies share one decoding budget (MAX_DECODED_PER_PAGE).
    """
    needles: dict[str, list[tuple[str, str]]] = {
        str(kind): list(_needles(value)) for kind, value in canaries.items() if value
    }
    page_budget = DecodeBudget(MAX_DECODED_PER_PAGE)
    leaks: list[Leak] = []
    for request in requests:
        third_party = (
            first_party.is_third_party(request.url) if first_party else request.third_party
        )
        found: set[tuple[str, str]] = set()
        for where, decoded, text in _places(request, page_budget):
            lowered = text.lower()
            for kind, kind_needles in needles.items():
                if (kind, where) in found:
                    continue  # one leak per kind and place: the outermost form that shows it
                for encoding, needle in kind_needles:
                    haystack = lowered if encoding in _CASE_INSENSITIVE else text
                    if needle in haystack:
                        found.add((kind, where))
                        leaks.append(_leak(request, kind, encoding, where, third_party, decoded))
                        break
    return leaks


def _places(request: Request, page_budget: DecodeBudget) -> Iterator[tuple[str, str, str]]:
    """(where, how it was decoded, text) for the URL, each view of the body, and each header."""
    yield "url", "", request.url
    if request.post_data:
        for decoded, text in body_views(request.post_data, page_budget):
            yield "body", decoded, text
    for name, value in request.headers.items():
        if value:
            yield f"header:{name.lower()}", "", value


def _leak(
    request: Request, kind: str, encoding: str, where: str, third_party: bool, decoded: str = ""
) -> Leak:
    return Leak(
        kind=cast(PIKind, kind),
        encoding=encoding,
        where=where,
        request_url=request.url,
        third_party=third_party,
        method=request.method,
        initiator=request.initiator,
        decoded=decoded,
    )


_EMAIL: Final = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+([A-Za-z]{2,24})(?![\w-])"
)
_NOT_A_TLD: Final = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "js", "mjs", "css", "map"}
    | {"json", "html", "htm", "xml", "woff", "woff2", "ttf"}
)
"""Endings that make `name@2x.png` a file name rather than an address."""


def find_pi_in_urls(
    requests: Iterable[Request], first_party: FirstParty | None = None
) -> list[Leak]:
    """E-mail addresses in the query string (or Referer) of third-party requests."""
    leaks: list[Leak] = []
    for request in requests:
        third_party = (
            first_party.is_third_party(request.url) if first_party else request.third_party
        )
        if not third_party:
            continue
        places = [("url", request.url)]
        places += [
            (f"header:{name.lower()}", value)
            for name, value in request.headers.items()
            if name.lower() == "referer"
        ]
        for where, url in places:
            encoding = _email_in_query(url)
            if encoding is not None:
                leaks.append(_leak(request, "email", encoding, where, True))
    return leaks


def _email_in_query(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    query = "&".join(filter(None, (parts.query, parts.fragment)))
    if not query:
        return None
    for encoding, text in (
        ("plain", query),
        ("url-encoded", unquote_plus(query)),
        ("url-encoded-twice", unquote_plus(unquote_plus(query))),
    ):
        for match in _EMAIL.finditer(text):
            if match[1].lower() not in _NOT_A_TLD:
                return encoding
    return None
