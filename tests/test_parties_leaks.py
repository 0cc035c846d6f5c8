"""Canaries, their encodings, and finding them (or e-mail addresses) in requests."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, get_args
from urllib.parse import quote

import pytest

from scanner.model import PIKind, Request
from scanner.parties.domains import FirstParty
from scanner.parties.leaks import encodings, find_leaks, find_pi_in_urls, make_canaries

ALL_KINDS: list[PIKind] = list(get_args(PIKind))
FIRST = FirstParty("https://www.shop.test/")


def _request(url: str, **fields: Any) -> Request:
    # model_validate: mypy (without the pydantic plugin) cannot see Request's defaults.
    return Request.model_validate({"url": url, **fields})


def test_canaries_are_stable_unique_and_harmless() -> None:
    canaries = make_canaries(ALL_KINDS, "scan-1")
    assert set(canaries) == set(ALL_KINDS)
    assert canaries == make_canaries(ALL_KINDS, "scan-1")
    other = make_canaries(ALL_KINDS, "scan-2")
    assert all(canaries[k] != other[k] for k in ALL_KINDS)
    assert canaries["email"].endswith("@example.invalid")
    assert "-555-01" in canaries["phone"]
    assert canaries["government_id"].startswith("9")
    assert canaries["name"].startswith("Canary ")


def test_card_canary_is_a_luhn_valid_test_number() -> None:
    card = make_canaries(["payment_card"], "seed")["payment_card"]
    assert card.startswith("411111") and len(card) == 16 and card.isdigit()
    total = 0
    for i, char in enumerate(reversed(card)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    assert total % 10 == 0


def test_encodings_of_an_email() -> None:
    value = " CS-Abc123@Example.invalid"
    found = encodings(value)
    assert found["plain"] == value
    assert found["url-encoded"] == "%20CS-Abc123%40Example.invalid"
    assert found["url-encoded-plus"] == "+CS-Abc123%40Example.invalid"
    assert found["lower-case"] == value.lower()
    normal = b"cs-abc123@example.invalid"  # trimmed, lower-cased
    assert found["sha256"] == hashlib.sha256(normal).hexdigest()
    assert found["md5"] == hashlib.md5(normal).hexdigest()
    assert found["sha1"] == hashlib.sha1(normal).hexdigest()
    assert found["base64"] == base64.b64encode(value.encode()).decode().rstrip("=")


def test_encodings_of_a_phone_hash_its_digits() -> None:
    found = encodings("+1 486-555-0137")
    assert found["digits"] == "14865550137"
    assert found["sha256"] == hashlib.sha256(b"14865550137").hexdigest()
    assert found["sha256-e164"] == hashlib.sha256(b"+14865550137").hexdigest()


EMAIL = make_canaries(["email"], "leak-test")["email"]
CANARIES: dict[str, str] = {"email": EMAIL}
SHA1_UPPER = hashlib.sha1(EMAIL.encode()).hexdigest().upper()


def _blob(value: str, prefix: str) -> str:
    return base64.b64encode(json.dumps({"p": prefix, "e": value, "z": 1}).encode()).decode()


@pytest.mark.parametrize(
    ("encoding", "url", "body"),
    [
        ("plain", "https://t.tracker.test/c", f"email={EMAIL}"),
        ("url-encoded", f"https://t.tracker.test/c?em={quote(EMAIL, safe='')}", None),
        ("url-encoded-twice", f"https://t.tracker.test/c?u={quote(quote(EMAIL, safe=''))}", None),
        ("base64", "https://t.tracker.test/c", _blob(EMAIL, "")),
        ("base64", "https://t.tracker.test/c", _blob(EMAIL, "a")),
        ("base64", "https://t.tracker.test/c", _blob(EMAIL, "ab")),
        ("lower-case", "https://t.tracker.test/c", json.dumps({"email": EMAIL.upper()})),
        (
            "sha256",
            "https://t.tracker.test/tr?ud[em]=" + hashlib.sha256(EMAIL.encode()).hexdigest(),
            None,
        ),
        ("md5", "https://t.tracker.test/c?h=" + hashlib.md5(EMAIL.encode()).hexdigest(), None),
        ("sha1", "https://t.tracker.test/c", "h=" + SHA1_UPPER),
    ],
)
def test_each_encoding_is_found(encoding: str, url: str, body: str | None) -> None:
    request = _request(url, method="POST" if body else "GET", post_data=body)
    leaks = find_leaks([request], CANARIES, FIRST)
    assert [(leak.kind, leak.encoding, leak.third_party) for leak in leaks] == [
        ("email", encoding, True)
    ]
    assert leaks[0].where == ("body" if body else "url")
    assert leaks[0].request_url == url


def test_base64url_is_found() -> None:
    # A value whose base64 holds "+" or "/", so that base64url writes it differently.
    value = "cs->>>?@example.invalid"
    assert encodings(value)["base64"] != encodings(value)["base64url"]
    for prefix in (b"", b"\xff", b"\xff\xfe"):
        blob = base64.urlsafe_b64encode(prefix + value.encode() + b"}").decode()
        (leak,) = find_leaks([_request(f"https://t.tracker.test/c?d={blob}")], {"email": value})
        assert leak.encoding == "base64url"


def test_hashed_email_is_found_after_normalising() -> None:
    # A page lower-cases and trims what the visitor typed before hashing it, as ad pixels do.
    typed = "  " + EMAIL.upper() + " "
    hashed = hashlib.sha256(typed.strip().lower().encode()).hexdigest()
    request = _request(f"https://www.facebook.com/tr?id=1&ev=Lead&udff[em]={hashed}")
    (leak,) = find_leaks([request], {"email": typed}, FIRST)
    assert leak.encoding == "sha256"


def test_leak_in_a_header_and_first_party_flag() -> None:
    first_party_request = _request(
        "https://www.shop.test/api/check",
        headers={"Referer": f"https://www.shop.test/signup?email={quote(EMAIL)}"},
    )
    (leak,) = find_leaks([first_party_request], CANARIES, FIRST)
    assert (leak.where, leak.third_party, leak.encoding) == ("header:referer", False, "url-encoded")


def test_name_split_into_fields_is_found_by_its_unique_part() -> None:
    name = make_canaries(["name"], "n")["name"]
    surname = name.split()[-1]
    (leak,) = find_leaks([_request(f"https://t.tracker.test/c?ln={surname}")], {"name": name})
    assert leak.encoding == "plain-part"


def test_phone_digits_are_found() -> None:
    phone = make_canaries(["phone"], "p")["phone"]
    digits = "".join(c for c in phone if c.isdigit())
    (leak,) = find_leaks([_request(f"https://t.tracker.test/c?ph={digits}")], {"phone": phone})
    assert leak.encoding == "digits"


def test_no_false_hit_on_unrelated_data() -> None:
    canaries = make_canaries(ALL_KINDS, "scan-1")
    unrelated = [
        _request(
            "https://www.google-analytics.com/g/collect?v=2&tid=G-1&cid=1.2&dl=https%3A%2F%2F"
            "www.shop.test%2F&_p=123456789&sr=1920x1080",
        ),
        _request(
            "https://t.tracker.test/batch",
            method="POST",
            post_data=json.dumps(
                {
                    "events": [{"name": "view", "ts": 1700000000000}],
                    "hash": hashlib.sha256(b"someone@example.com").hexdigest(),
                    "blob": base64.b64encode(b"other@example.invalid + 4111111111111111").decode(),
                    "date": "2024-05-06",
                    "email": "cs-0000000000@example.invalid",
                }
            ),
            headers={"User-Agent": "Mozilla/5.0", "Referer": "https://www.shop.test/"},
        ),
    ]
    assert find_leaks(unrelated, canaries, FIRST) == []


def test_find_pi_in_urls_only_third_party_emails() -> None:
    requests = [
        _request("https://t.tracker.test/p.gif?dl=https%3A%2F%2Fshop.test%2F%3Femail%3Da%40b.com"),
        _request("https://t.tracker.test/p.gif?em=jane.doe@mail.example.com"),
        _request("https://cdn.tracker.test/img/logo@2x.png?v=1&f=icon@3x.webp"),
        _request("https://www.shop.test/account?email=jane@example.com"),  # first party
        _request(
            "https://t.tracker.test/p.gif?x=1",
            headers={"Referer": "https://www.shop.test/thanks?email=jane%40example.com"},
        ),
    ]
    leaks = find_pi_in_urls(requests, FIRST)
    assert [(leak.request_url[-20:], leak.encoding, leak.where) for leak in leaks] == [
        (requests[0].url[-20:], "url-encoded", "url"),
        (requests[1].url[-20:], "plain", "url"),
        (requests[4].url[-20:], "url-encoded", "header:referer"),
    ]
