"""A small decoder of IAB TCF v2 consent strings (the core segment: purposes and vendors).

The bit layout is the IAB's "TC String" specification (v2.0-v2.2). Only what the report shows
is read: who made the string, the purposes and the vendors consented to (or claimed under
legitimate interest). Publisher restrictions and the other segments are left alone. A string
comes from the scanned site: anything malformed is an error message, never an exception.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from scanner.consent.model import TcfConsent

MAX_STRING = 4000
MAX_VENDORS = 2000
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class BitReader:
    """Big-endian bits, read as numbers, flags and letters (shared with the GPP decoder)."""

    def __init__(self, data: bytes) -> None:
        self.bits = "".join(f"{byte:08b}" for byte in data)
        self.at = 0

    def number(self, width: int) -> int:
        if self.at + width > len(self.bits):
            raise ValueError("the string ends early")
        value = int(self.bits[self.at : self.at + width], 2)
        self.at += width
        return value

    def flags(self, width: int) -> list[int]:
        """The 1-based positions of the set bits among the next `width` bits."""
        return [i + 1 for i in range(width) if self.number(1)]

    def letters(self, count: int) -> str:
        return "".join(chr(ord("A") + self.number(6)) for _ in range(count))


def _vendor_section(bits: BitReader) -> list[int]:
    max_id = bits.number(16)
    if not bits.number(1):  # a bit field
        return bits.flags(max_id)[:MAX_VENDORS]
    vendors: list[int] = []
    for _ in range(bits.number(12)):
        ranged = bits.number(1)
        start = bits.number(16)
        end = bits.number(16) if ranged else start
        if end < start or end > max_id:
            raise ValueError("a vendor range is out of order")
        vendors.extend(range(start, min(end, start + MAX_VENDORS) + 1))
        if len(vendors) >= MAX_VENDORS:
            break
    return sorted(set(vendors))[:MAX_VENDORS]


def decode_tc_string(tc_string: str, gdpr_applies: bool | None = None) -> TcfConsent:
    """The core segment of a TC string, decoded (an `error` says why when it cannot be)."""
    tc_string = tc_string.strip()[:MAX_STRING]
    result = TcfConsent(tc_string=tc_string, gdpr_applies=gdpr_applies)
    core = tc_string.split(".")[0]
    if not _BASE64URL.fullmatch(core):
        result.error = "not a TC string (base64url expected)"
        return result
    try:
        data = base64.urlsafe_b64decode(core + "=" * (-len(core) % 4))
        bits = BitReader(data)
        version = bits.number(6)
        if version != 2:
            result.error = f"TCF version {version}: only version 2 is decoded"
            return result
        bits.number(36)  # created
        bits.number(36)  # last updated
        result.cmp_id = bits.number(12)
        result.cmp_version = bits.number(12)
        bits.number(6)  # consent screen
        bits.letters(2)  # consent language
        result.vendor_list_version = bits.number(12)
        result.policy_version = bits.number(6)
        bits.number(1)  # is service specific
        bits.number(1)  # use non-standard texts
        bits.number(12)  # special feature opt-ins
        result.purposes_consent = bits.flags(24)
        result.purposes_legitimate_interest = bits.flags(24)
        bits.number(1)  # purpose one treatment
        result.publisher_cc = bits.letters(2)
        result.vendors_consent = _vendor_section(bits)
        result.vendors_legitimate_interest = _vendor_section(bits)
    except (ValueError, TypeError) as exc:
        result.error = f"not a TC string the decoder can read ({exc})"
    return result


def tcf_from_api(data: Any) -> TcfConsent | None:
    """What `__tcfapi('getTCData')` returned in the page, decoded; None without a string."""
    if not isinstance(data, dict):
        return None
    tc_string = data.get("tcString")
    if not isinstance(tc_string, str) or not tc_string:
        return None
    applies = data.get("gdprApplies")
    return decode_tc_string(tc_string, applies if isinstance(applies, bool) else None)
