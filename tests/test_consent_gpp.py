"""The GPP string decoder (scanner/consent/gpp.py): strings built bit by bit here, strings made
by the IAB's own GPP library (@iabgpp/cmpapi, from the npm registry), and broken ones."""

from __future__ import annotations

import json
import subprocess

import pytest

from scanner.consent.gpp import decode_gpp_string, gpp_from_api
from scanner.consent.model import GppConsent
from tests.consent_sites import sites

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Made by @iabgpp/cmpapi 3.2.0 (GppModel.encode() in node; the script is in
# test_the_iab_library_s_strings_decode_as_it_encoded_them): US Privacy "1YNN"; US national
# version 2 with sale and sharing not opted out, targeted advertising opted out, GPC on;
# California with sale and sharing opted out, GPC off.
LIBRARY_US = "DBABzYA~1YNN~CVQpAAAAAABA.YA~BQUAAACA.QA"
# EU TCF v2 (CMP 300, purposes 1-3, vendors 755 and 1126), US national, and US Virginia (9).
LIBRARY_TCF_USNAT_USVA = (
    "DBADMMw~CQuf10AQuf10AEsADAENAAFgAOAAAAAAAAAAIzQAgF5gRmAAAAAA.IAAA.YAAAAAAAAAAA"
    "~CFAoYAAAAhhA.YA~BAQAABA"
)


# ---- a small GPP encoder, bit by bit (the test's own, from the specification's words) ----


def fibonacci(n: int) -> str:
    """n >= 1 in Fibonacci coding: a 1 per Fibonacci number (1, 2, 3, 5, ...) of its
    Zeckendorf sum, smallest first, then a closing 1."""
    numbers = [1, 2]
    while numbers[-1] <= n:
        numbers.append(numbers[-1] + numbers[-2])
    bits = ["0"] * len(numbers)
    for i in range(len(numbers) - 1, -1, -1):
        if numbers[i] <= n:
            bits[i] = "1"
            n -= numbers[i]
    return "".join(bits).rstrip("0") + "1"


def integer(value: int, width: int) -> str:
    return format(value, f"0{width}b")


def base64url(bits: str) -> str:
    bits += "0" * (-len(bits) % 6)
    return "".join(ALPHABET[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def header(*entries: int | tuple[int, int]) -> str:
    """A GPP header; an entry is a single id or a (first, last) group, in ascending order."""
    bits = integer(3, 6) + integer(1, 6) + integer(len(entries), 12)
    last = 0
    for entry in entries:
        first, end = entry if isinstance(entry, tuple) else (entry, entry)
        bits += ("1" if isinstance(entry, tuple) else "0") + fibonacci(first - last)
        if isinstance(entry, tuple):
            bits += fibonacci(end - first)
        last = end
    return base64url(bits)


def two_bits(*values: int) -> str:
    return "".join(integer(v, 2) for v in values)


def gpc(flag: bool) -> str:
    return base64url("01" + ("1" if flag else "0"))


def test_the_fibonacci_codes_and_headers_of_the_specification() -> None:
    # The specification's own table and its header examples (EU TCF v2; TCF v2 and US
    # Privacy; Canadian TCF and US Privacy as a group)
    assert [fibonacci(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [
        "11",
        "011",
        "0011",
        "1011",
        "00011",
        "10011",
        "01011",
    ]
    assert header(2) == "DBABM"
    assert header(2, 6) == "DBACNY"
    assert header((5, 6)) == "DBABjw"

    for text, ids in (("DBABM", [2]), ("DBACNY", [2, 6]), ("DBABjw", [5, 6])):
        decoded = decode_gpp_string(GppConsent(gpp_string=text))
        assert (decoded.version, decoded.section_ids) == (1, ids), text


def test_a_us_national_section_of_version_1_with_its_gpc_subsection() -> None:
    # Given US national version 1: every notice given, sale NOT opted out, sharing opted out,
    # targeted advertising not opted out, 12 sensitive categories and 2 child consents, and
    # the GPC subsection saying GPC was on
    core = integer(1, 6) + two_bits(1, 1, 1, 1, 1, 1, 2, 1, 2)
    core += two_bits(*([0] * 11 + [2])) + two_bits(1, 2) + two_bits(0, 1, 2, 1)
    text = f"{header(7)}~{base64url(core)}.{gpc(True)}"

    # When it is decoded
    decoded = gpp_from_api({"gppString": text, "applicableSections": [7]})

    # Then every field is read, by its name
    assert decoded is not None and decoded.error is None and decoded.section_ids == [7]
    (section,) = decoded.sections
    assert (section.id, section.name, section.decoded) == (7, "US national", True)
    us = section.us
    assert us is not None
    assert (us.version, us.sale_opt_out, us.sharing_opt_out, us.targeted_advertising_opt_out) == (
        1,
        2,
        1,
        2,
    )
    assert us.sensitive_data_processing == [0] * 11 + [2]
    assert us.known_child_sensitive_data_consents == [1, 2]
    assert (us.personal_data_consents, us.mspa_covered_transaction) == (0, 1)
    assert (us.mspa_opt_out_option_mode, us.mspa_service_provider_mode) == (2, 1)
    assert us.gpc is True


def test_sections_follow_the_header_s_order_and_unknown_ones_are_only_listed() -> None:
    california = integer(1, 6) + two_bits(1, 1, 1, 2, 1) + two_bits(*[0] * 9)
    california += two_bits(1, 2) + two_bits(0, 2, 0, 0)
    text = f"{header(6, 8, 10)}~1YYN~{base64url(california)}.{gpc(False)}~ZZZZ"

    decoded = decode_gpp_string(GppConsent(gpp_string=text))

    assert decoded.error is None and decoded.section_ids == [6, 8, 10]
    usp, ca, other = decoded.sections
    assert usp.us_privacy is not None
    assert (usp.us_privacy.notice, usp.us_privacy.opt_out_sale, usp.us_privacy.lspa_covered) == (
        "Y",
        "Y",
        "N",
    )
    assert ca.us is not None and (ca.us.sale_opt_out, ca.us.sharing_opt_out) == (2, 1)
    assert ca.us.targeted_advertising_opt_out is None  # California has no such field
    assert ca.us.known_child_sensitive_data_consents == [1, 2] and ca.us.gpc is False
    assert (other.id, other.name, other.decoded, other.error) == (10, "US Colorado", False, None)
    assert other.us is None and other.us_privacy is None and other.tcf is None


def test_the_iab_library_s_strings_decode_as_it_encoded_them() -> None:
    sites.ensure_installed()
    script = """
const {GppModel} = require('@iabgpp/cmpapi');
const m = new GppModel();
for (const [f, v] of Object.entries({SharingNotice: 1, SaleOptOutNotice: 1,
    SharingOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1, SaleOptOut: 2, SharingOptOut: 2,
    TargetedAdvertisingOptOut: 1, MspaCoveredTransaction: 1, Gpc: true}))
  m.setFieldValue('usnat', f, v);
m.setFieldValue('uspv1', 'Notice', 'Y'); m.setFieldValue('uspv1', 'OptOutSale', 'N');
m.setFieldValue('uspv1', 'LspaCovered', 'N');
for (const [f, v] of Object.entries({SaleOptOutNotice: 1, SaleOptOut: 1, SharingOptOut: 1,
    MspaCoveredTransaction: 2}))
  m.setFieldValue('usca', f, v);
console.log(JSON.stringify({string: m.encode(), fields: m.toObject()}));
"""
    out = subprocess.run(
        ["node", "-e", script],
        cwd=sites.HERE,
        check=True,
        capture_output=True,
        text=True,
        env={"NODE_PATH": str(sites.MODULES), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    made = json.loads(out.stdout)
    assert made["string"] == LIBRARY_US  # the constant above is what the library makes

    decoded = decode_gpp_string(GppConsent(gpp_string=made["string"]))

    assert decoded.error is None and decoded.section_ids == [6, 7, 8]
    usp, usnat, usca = decoded.sections
    assert usp.us_privacy is not None and usp.us_privacy.usp_string == "1YNN"
    for section, key in ((usnat, "usnat"), (usca, "usca")):
        assert section.us is not None
        fields = made["fields"][key]
        assert section.us.version == fields["Version"]
        assert section.us.sale_opt_out == fields["SaleOptOut"]
        assert section.us.sharing_opt_out == fields["SharingOptOut"]
        assert section.us.sensitive_data_processing == fields["SensitiveDataProcessing"]
        assert section.us.mspa_covered_transaction == fields["MspaCoveredTransaction"]
        assert section.us.gpc == fields["Gpc"]
    assert usnat.us is not None and usnat.us.targeted_advertising_opt_out == 1


def test_a_library_string_with_the_eu_tcf_and_a_section_left_undecoded() -> None:
    decoded = decode_gpp_string(GppConsent(gpp_string=LIBRARY_TCF_USNAT_USVA))

    assert decoded.error is None and decoded.section_ids == [2, 7, 9]
    tcf, usnat, usva = decoded.sections
    assert tcf.decoded and tcf.tcf is not None
    assert (tcf.tcf.cmp_id, tcf.tcf.purposes_consent) == (300, [1, 2, 3])
    assert tcf.tcf.vendors_consent == [755, 1126]
    assert usnat.us is not None and usnat.us.known_child_sensitive_data_consents == [0, 1, 2]
    assert usnat.us.sensitive_data_processing == [1, 2] + [0] * 13 + [2]
    assert (usva.id, usva.name, usva.decoded) == (9, "US Virginia", False)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("CQuf10AQuf10AEsADAENCWEgAP_AAAAAAAAAIzQAgF5gRmAAAAAA", "header's type is 2"),
        ("D", "ends early"),
        ("DB~x", "ends early"),
        ("DBAB<script>", "not base64url"),
        ("D" * 3000, "more than 50 sections"),
        (f"{header(6, 7)}~1YNN", "the string has 1 parts"),
    ],
)
def test_a_malformed_string_is_an_error_never_an_exception(text: str, error: str) -> None:
    decoded = decode_gpp_string(GppConsent(gpp_string=text))

    assert decoded.error is not None and error in decoded.error


def test_a_malformed_section_is_its_own_error() -> None:
    text = f"{header(2, 6, 7, 8)}~!~1YXN~{base64url(integer(3, 6))}~B"

    decoded = decode_gpp_string(GppConsent(gpp_string=text))

    assert decoded.error is None
    errors = {s.id: s.error for s in decoded.sections}
    assert not any(s.decoded for s in decoded.sections)
    assert errors[2] == "not a TC string (base64url expected)"
    assert "US Privacy" in (errors[6] or "")
    assert "version 3 of this section is not decoded" in (errors[7] or "")
    assert "ends early" in (errors[8] or "")
