"""A decoder of IAB GPP strings (Global Privacy Platform, "DBABzYA~1YNN~CVQpAAAAAABA.YA").

The layout is the IAB Tech Lab's "GPP String" specification (version 1): a header (type 3, the
GPP version, then the ids of the sections that follow as a Fibonacci-coded range), then one
part per section, in the header's order, separated by "~". Read here: section 2 (EU TCF v2, by
scanner/consent/tcf.py's decoder), 6 (the US Privacy string "1YNN"), 7 (US national) and 8
(California): their core segments and GPC subsections. Any other section is listed by its id
and left undecoded, never guessed. A string comes from the scanned site: anything malformed is
an error message, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scanner.consent.model import GppConsent, GppSection, GppUsSection, UsPrivacy
from scanner.consent.tcf import MAX_STRING, BitReader, decode_tc_string

GPP_HEADER_TYPE = 3
MAX_SECTIONS = 50
_BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_USP = re.compile(r"([1-9])([YN-])([YN-])([YN-])")
GPC_SUBSECTION = 1
"""A US section's subsection type that carries the GPC flag."""

SECTION_NAMES = {
    1: "EU TCF v1",
    2: "EU TCF v2",
    4: "signal integrity",
    5: "Canadian TCF",
    6: "US Privacy",
    7: "US national",
    8: "US California",
    9: "US Virginia",
    10: "US Colorado",
    11: "US Utah",
    12: "US Connecticut",
}
"""The IAB's section ids (its "Section Information" table), for naming what is listed."""


class _GppBits(BitReader):
    """A base64url segment's bits (six a character), with GPP's Fibonacci-coded integers."""

    @classmethod
    def of(cls, segment: str) -> _GppBits:
        if not _BASE64URL.fullmatch(segment):
            raise ValueError("not base64url")
        reader = cls(b"")
        reader.bits = "".join(f"{_BASE64URL_ALPHABET.index(c):06b}" for c in segment)
        return reader

    def fibonacci(self) -> int:
        """A Fibonacci-coded integer: a 1 bit per Fibonacci number (1, 2, 3, 5, ...) in the
        sum, ended by a second 1 in a row."""
        value, weight, following, previous = 0, 1, 2, 0
        while True:
            bit = self.number(1)
            if bit and previous:
                return value
            value += weight if bit else 0
            previous = bit
            weight, following = following, weight + following
            if weight > 1 << 31:
                raise ValueError("a Fibonacci number does not end")

    def fibonacci_range(self) -> list[int]:
        """A Range(Fibonacci): a count, then per entry a single id or a group, each id an
        offset from the last one seen and a group's end an offset from its start."""
        ids: list[int] = []
        last = 0
        for _ in range(self.number(12)):
            group = self.number(1)
            start = last + self.fibonacci()
            last = start + self.fibonacci() if group else start
            ids.extend(range(start, last + 1))
            if len(ids) > MAX_SECTIONS:
                raise ValueError(f"more than {MAX_SECTIONS} sections")
        return ids


# A US section's core segment, field by field: (attribute, count): count None is one Int(2),
# a number is an N-Bitfield(2, count). Per section id, per section version.
_Layout = tuple[tuple[str, int | None], ...]
_MSPA: _Layout = (
    ("personal_data_consents", None),
    ("mspa_covered_transaction", None),
    ("mspa_opt_out_option_mode", None),
    ("mspa_service_provider_mode", None),
)


def _usnat(sensitive: int, child: int) -> _Layout:
    return (
        ("sharing_notice", None),
        ("sale_opt_out_notice", None),
        ("sharing_opt_out_notice", None),
        ("targeted_advertising_opt_out_notice", None),
        ("sensitive_data_processing_opt_out_notice", None),
        ("sensitive_data_limit_use_notice", None),
        ("sale_opt_out", None),
        ("sharing_opt_out", None),
        ("targeted_advertising_opt_out", None),
        ("sensitive_data_processing", sensitive),
        ("known_child_sensitive_data_consents", child),
        *_MSPA,
    )


_US_LAYOUTS: dict[int, dict[int, _Layout]] = {
    7: {1: _usnat(12, 2), 2: _usnat(16, 3)},
    8: {
        1: (
            ("sale_opt_out_notice", None),
            ("sharing_opt_out_notice", None),
            ("sensitive_data_limit_use_notice", None),
            ("sale_opt_out", None),
            ("sharing_opt_out", None),
            ("sensitive_data_processing", 9),
            ("known_child_sensitive_data_consents", 2),
            *_MSPA,
        )
    },
}


def _us_section(section_id: int, text: str) -> GppUsSection:
    core, *subsections = text.split(".")
    bits = _GppBits.of(core)
    version = bits.number(6)
    layout = _US_LAYOUTS[section_id].get(version)
    if layout is None:
        raise ValueError(f"version {version} of this section is not decoded")
    fields: dict[str, Any] = {"version": version}
    for name, count in layout:
        fields[name] = bits.number(2) if count is None else [bits.number(2) for _ in range(count)]
    for subsection in subsections:
        sub = _GppBits.of(subsection)
        if sub.number(2) == GPC_SUBSECTION:
            fields["gpc"] = bool(sub.number(1))
    return GppUsSection(**fields)


def _us_privacy(text: str) -> UsPrivacy:
    match = _USP.fullmatch(text)
    if match is None:
        raise ValueError("not a US Privacy string (like 1YNN)")
    version, notice, opt_out_sale, lspa = match.groups()
    return UsPrivacy(
        usp_string=text,
        version=int(version),
        notice=notice,
        opt_out_sale=opt_out_sale,
        lspa_covered=lspa,
    )


def _tcf(text: str) -> GppSection:
    tcf = decode_tc_string(text)
    return GppSection(
        id=2, name=SECTION_NAMES[2], decoded=tcf.error is None, tcf=tcf, error=tcf.error
    )


_DECODERS: dict[int, Callable[[str], GppSection]] = {
    2: _tcf,
    6: lambda text: GppSection(
        id=6, name=SECTION_NAMES[6], decoded=True, us_privacy=_us_privacy(text)
    ),
    7: lambda text: GppSection(id=7, name=SECTION_NAMES[7], decoded=True, us=_us_section(7, text)),
    8: lambda text: GppSection(id=8, name=SECTION_NAMES[8], decoded=True, us=_us_section(8, text)),
}


def _section(section_id: int, text: str) -> GppSection:
    name = SECTION_NAMES.get(section_id, f"section {section_id}")
    decoder = _DECODERS.get(section_id)
    if decoder is None:
        return GppSection(id=section_id, name=name)
    try:
        return decoder(text)
    except (ValueError, TypeError) as exc:
        return GppSection(id=section_id, name=name, error=f"not decoded ({exc})")


def decode_gpp_string(gpp: GppConsent) -> GppConsent:
    """`gpp` with its string's header and sections decoded (`error` says why when the string
    cannot be read; a section that cannot be read has its own `error`)."""
    text = (gpp.gpp_string or "").strip()
    if not text:
        return gpp
    header, *parts = text.split("~")
    try:
        bits = _GppBits.of(header)
        kind = bits.number(6)
        if kind != GPP_HEADER_TYPE:
            raise ValueError(f"the header's type is {kind}, not {GPP_HEADER_TYPE}")
        version = bits.number(6)
        section_ids = bits.fibonacci_range()
    except ValueError as exc:
        gpp.error = f"not a GPP string the decoder can read ({exc})"
        return gpp
    gpp.version, gpp.section_ids = version, section_ids
    if len(parts) != len(section_ids):
        gpp.error = f"the header lists sections {section_ids}, the string has {len(parts)} parts"
    gpp.sections = [
        _section(section_id, part) for section_id, part in zip(gpp.section_ids, parts, strict=False)
    ]
    return gpp


def gpp_from_api(data: Any) -> GppConsent | None:
    """What `__gpp('ping')` returned in the page, its string decoded; None when there is no
    GPP API."""
    if not isinstance(data, dict):
        return None
    sections = data.get("applicableSections")
    apis = data.get("supportedAPIs")
    gpp_string = data.get("gppString")
    status = data.get("cmpStatus")
    return decode_gpp_string(
        GppConsent(
            gpp_string=gpp_string[:MAX_STRING] if isinstance(gpp_string, str) else None,
            applicable_sections=[s for s in sections if isinstance(s, int)][:50]
            if isinstance(sections, list)
            else [],
            supported_apis=[str(a)[:100] for a in apis][:50] if isinstance(apis, list) else [],
            cmp_status=str(status)[:50] if status is not None else None,
        )
    )


US_OPT_OUTS = {
    "sale_opt_out": "sale",
    "sharing_opt_out": "sharing",
    "targeted_advertising_opt_out": "targeted advertising",
}
"""The US sections' opt-outs, by what the visitor opts out of."""
DID_NOT_OPT_OUT = 2
"""A US section's opt-out value: the visitor did not opt out."""


def not_opted_out(gpp: GppConsent | None) -> dict[str, list[str]]:
    """Per decoded US section (by name), the opt-outs its string says the visitor did NOT make
    (US Privacy's "N" for the sale included): evidence that a GPC signal was not applied."""
    found: dict[str, list[str]] = {}
    for section in gpp.sections if gpp else []:
        if section.us is not None:
            values = section.us.model_dump()
            refused = [word for key, word in US_OPT_OUTS.items() if values[key] == DID_NOT_OPT_OUT]
        elif section.us_privacy is not None:
            refused = ["sale"] if section.us_privacy.opt_out_sale == "N" else []
        else:
            continue
        if refused:
            found[section.name] = refused
    return found
