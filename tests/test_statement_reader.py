"""read_statement / load_statement_source / format_claims, and the seed statement end to end."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scanner.parties.vendors import load_vendors
from scanner.statement.claims import CLAIM_KINDS
from scanner.statement.reader import (
    StatementSourceError,
    format_claims,
    load_statement_source,
    read_statement,
)

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "statement.txt"
CORPUS = Path(__file__).parent / "fixtures" / "statements"

PAGE = (
    "<html><head><title>Privacy</title></head><body><nav>Home</nav><main>"
    "<h1>Privacy</h1><p>Our forms are protected by TLS.</p><p>We do not use cookies.</p>"
    "</main><footer>Contact us at shop@example.org</footer></body></html>"
)


def test_read_statement_from_a_page() -> None:
    statement = read_statement("https://shop.example/privacy", PAGE, vendors=load_vendors())

    assert statement.text == "Privacy\nOur forms are protected by TLS.\nWe do not use cookies."
    assert statement.sha256 == hashlib.sha256(statement.text.encode()).hexdigest()
    assert statement.https is True
    assert statement.language == "en"
    assert [(c.kind, c.polarity) for c in statement.claims] == [
        ("transport-encryption", "affirms"),
        ("cookies", "denies"),
    ]


def test_plain_text_and_plain_http() -> None:
    text = "We never sell your personal data.\r\nWrite to privacy@example.org.\r\n"

    as_text = read_statement(
        "http://shop.example/privacy.txt", text, vendors=load_vendors(), is_html=False
    )
    sniffed = read_statement(
        "http://shop.example/privacy.txt", text, vendors=load_vendors()
    )  # no markup: read as text

    assert as_text.text == sniffed.text == text.replace("\r\n", "\n").strip()
    assert as_text.https is False
    assert {c.kind for c in as_text.claims} == {"no-third-party-sharing", "no-sale", "contact"}


def test_same_page_same_hash() -> None:
    first = read_statement("https://a.example/p", PAGE, vendors=load_vendors())
    again = read_statement(
        "https://a.example/p",
        PAGE.replace("<nav>Home</nav>", "<nav>Shop</nav>"),
        vendors=load_vendors(),
    )

    assert first.sha256 == again.sha256  # navigation changes are not statement changes


def test_load_a_file_an_html_file_and_a_url(tmp_path: Path) -> None:
    page = tmp_path / "privacy.html"
    page.write_text(PAGE, encoding="utf-8")
    shift_jis = tmp_path / "kojin.txt"
    shift_jis.write_bytes("当社はCookieを使用していません。".encode("cp932"))

    from_html = load_statement_source(str(page))
    from_sjis = load_statement_source(str(shift_jis))
    from_url = load_statement_source("https://shop.example/privacy", lambda url: PAGE)

    assert from_html.url == page.resolve().as_uri()
    assert from_html.text == from_url.text
    assert from_url.url == "https://shop.example/privacy" and from_url.https
    assert from_sjis.language == "ja"
    assert [(c.kind, c.polarity) for c in from_sjis.claims] == [("cookies", "denies")]


def test_load_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(StatementSourceError, match="no such file"):
        load_statement_source(str(tmp_path / "missing.txt"))
    with pytest.raises(StatementSourceError, match="cannot fetch"):
        load_statement_source("https://shop.example/privacy", None)
    binary = tmp_path / "logo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x81\xff")
    with pytest.raises(StatementSourceError, match="not text"):
        load_statement_source(str(binary))


def test_format_claims_groups_by_kind() -> None:
    statement = load_statement_source(str(CORPUS / "en-bookshop.txt"))

    lines = format_claims(statement).splitlines()

    assert lines[0].endswith("en-bookshop.txt (en, 9 claims)")
    assert 'transport-encryption (affirms): "Every page of the shop is served over SSL,' in (
        "\n".join(lines)
    )
    assert (
        'named-third-parties (affirms, Google Analytics): "We use Google Analytics to count how '
        'many people visit each page."'
    ) in lines
    kinds = [line.split(" (")[0] for line in lines[1:] if line and not line.startswith("not ")]
    runs = [kind for i, kind in enumerate(kinds) if i == 0 or kinds[i - 1] != kind]
    assert len(runs) == len(set(runs))  # each kind's lines are together
    assert lines[-1] == (
        "not stated: web-beacons, access-logs, processors, consent-required, "
        "consent-withdrawal, honours-gpc, do-not-track, no-sale"
    )


# It names no vendor, and predates consent banners, GPC and "sale" wording.
SEED_KINDS = set(CLAIM_KINDS) - {"named-third-parties", "consent-required", "consent-withdrawal"}
SEED_KINDS -= {"honours-gpc", "do-not-track", "no-sale"}


@pytest.mark.skipif(not SEED.is_file(), reason="the seed statement is not beside this checkout")
def test_seed_statement_makes_every_claim_it_should() -> None:
    statement = load_statement_source(str(SEED))

    affirmed = {c.kind for c in statement.claims if c.polarity == "affirms"}
    assert affirmed >= SEED_KINDS
    assert not [c for c in statement.claims if c.polarity == "denies"]
    first = {c.kind: c.quote for c in reversed(statement.claims)}
    assert "Secure Socket Layer (SSL)" in first["transport-encryption"]
    assert "in no way disclose or provide" in first["no-third-party-sharing"]
    assert "privacy@justsystem.co.jp" in "".join(
        c.quote for c in statement.claims if c.kind == "contact"
    )


def test_a_vendor_from_complyscan_toml_counts_as_named() -> None:
    """The statement stage matches vendor names against the scan's database, not the bundled one."""
    from scanner.config import ScanConfig, VendorEntry
    from scanner.engine import Scan

    config = ScanConfig(
        url="https://shop.example/",
        vendors=[VendorEntry(name="Quillfeather Metrics", domains=["quillfeather.example"])],
    )
    page = "<main><p>We use Quillfeather Metrics to count visits to our pages.</p></main>"

    statement = read_statement("https://shop.example/privacy", page, vendors=Scan(config).vendors)

    named = [c.vendor for c in statement.claims if c.kind == "named-third-parties"]
    assert named == ["Quillfeather Metrics"]
