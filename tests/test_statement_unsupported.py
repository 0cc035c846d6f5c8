"""A statement complyscan cannot read (German, French, empty, a PDF) says so: `complyscan
statement` exits 2 with one line, and a scan reports "statement language not supported" instead
of turning every contradiction into a disclosure gap."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from scanner.demo.server import Host, Response, SiteServer
from scanner.model import ScanResult
from scanner.parties.vendors import load_vendors
from scanner.report.html import HtmlWriter
from scanner.report.markdown import MarkdownWriter
from scanner.statement.find import is_statement_link
from scanner.statement.readable import identify, reading_of, supported_languages
from scanner.statement.reader import read_statement
from scanner.terminal import summary_lines
from tests.conftest import scan_loopback
from tests.test_cli import complyscan

FIXTURES = Path(__file__).parent / "fixtures"
GERMAN = FIXTURES / "unsupported" / "de-teeladen.html"
FRENCH = FIXTURES / "unsupported" / "fr-boulangerie.txt"
TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF\n"

# A sentence or two of each script-identified language, in our own words.
SAMPLES = {
    "zh": "我们不会将您的个人信息出售给任何第三方。本网站使用Cookie来记住您的购物车。",
    "ko": "당사는 귀하의 개인 정보를 제3자에게 판매하지 않습니다. 이 사이트는 쿠키를 사용합니다.",
    "ru": "Мы не передаём ваши персональные данные третьим лицам. Сайт использует файлы cookie.",
    "uk": "Ми не передаємо ваші персональні дані третім особам. Сайт використовує файли cookie.",
    "el": "Δεν πωλούμε τα προσωπικά σας δεδομένα σε τρίτους. Ο ιστότοπος χρησιμοποιεί cookies.",
    "es": "No compartimos sus datos personales con terceros y no los vendemos a nadie.",
    "it": "Non condividiamo i suoi dati personali con terzi e non li vendiamo a nessuno.",
    "nl": "Wij delen uw persoonsgegevens niet met derden en wij verkopen ze niet.",
    "pl": "Nie przekazujemy danych osobowych podmiotom trzecim i nie sprzedajemy ich.",
}


# -- identification ----------------------------------------------------------------------------


def test_every_statement_of_the_corpus_is_in_a_language_complyscan_reads() -> None:
    for path in sorted((FIXTURES / "statements").glob("*.*")):
        if path.suffix in (".txt", ".html"):
            expected = path.name.split("-", 1)[0]
            assert identify(path.read_text(encoding="utf-8")) == expected, path.name


def test_german_and_french_statements_are_told_from_english() -> None:
    assert identify(GERMAN.read_text(encoding="utf-8")) == "de"
    assert identify(FRENCH.read_text(encoding="utf-8")) == "fr"
    assert identify("Wir geben Ihre Daten nicht an Dritte weiter.") == "de"
    assert identify("Nous ne partageons pas vos données.") == "fr"


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_other_scripts_and_languages_are_named(language: str) -> None:
    assert identify(SAMPLES[language]) == language


def test_short_english_and_empty_text() -> None:
    assert identify("We use cookies.") == "en"
    assert identify("SSL") == "en"
    assert identify("") == identify(" \n---\n") == "und"


def test_only_languages_with_patterns_are_supported() -> None:
    assert {"en", "ja"} <= set(supported_languages()) and "de" not in supported_languages()
    assert reading_of("We never sell your data.").unread is None
    assert reading_of("当社はCookieを使用していません。").unread is None
    german = reading_of("Wir verkaufen Ihre Daten niemals an Dritte.")
    assert (german.language, german.supported) == ("de", False)
    assert german.unread == "statement language not supported (de)"
    assert reading_of("").unread == "statement has no text to read"


def test_identification_is_fast_on_a_long_statement() -> None:
    text = (FIXTURES / "statements" / "en-saas.txt").read_text(encoding="utf-8") * 50
    started = time.perf_counter()
    identify(text)
    assert time.perf_counter() - started < 0.5


# -- the reader --------------------------------------------------------------------------------


def test_a_german_statement_is_not_read_with_english_patterns() -> None:
    statement = read_statement(
        "https://www.teeladen.test/datenschutz",
        GERMAN.read_text(encoding="utf-8"),
        vendors=load_vendors(),
    )

    assert (statement.language, statement.supported) == ("de", False)
    assert statement.unread == "statement language not supported (de)"
    assert statement.claims == []
    assert statement.documents[0].unread == statement.unread
    assert "Wir geben Ihre personenbezogenen Daten nicht an Dritte weiter" in statement.text


# -- complyscan statement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("de.html", GERMAN.read_bytes(), "statement language not supported (de)"),
        ("fr.txt", FRENCH.read_bytes(), "statement language not supported (fr)"),
        ("empty.txt", b"", "statement has no text to read"),
        ("rules.txt", b"\n  ----  \n * \n", "statement has no text to read"),
        ("policy.pdf", TINY_PDF, "a PDF, not text"),
        ("policy.txt", TINY_PDF, "a PDF, not text"),
        ("logo.bin", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "binary data, not text"),
    ],
)
def test_the_statement_command_says_what_it_cannot_read(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)

    done = complyscan("statement", str(source))

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"complyscan: error: {source}: {message}")
    assert "not stated" not in done.stderr


def test_the_statement_command_names_the_languages_it_reads(tmp_path: Path) -> None:
    done = complyscan("statement", str(GERMAN), "--json")

    assert done.returncode == 2 and done.stdout == ""
    assert "complyscan reads claims in en, ja" in done.stderr


def test_a_pdf_at_a_url_is_refused(pki: Any) -> None:
    pdf = Response(TINY_PDF, content_type="application/pdf")
    with SiteServer([Host("www.teeladen.test", routes={"/datenschutz.pdf": pdf})], pki) as server:
        args = [f"--resolve={rule}" for rule in server.resolve_rules()]
        done = complyscan(
            "statement",
            server.url("www.teeladen.test", "/datenschutz.pdf"),
            *args,
            "--ca-bundle",
            str(server.ca_pem),
        )

    assert done.returncode == 2 and done.stdout == ""
    assert "content type application/pdf is not HTML or text" in done.stderr


# -- a scan --------------------------------------------------------------------------------------

FOOTER = '<footer><a href="/datenschutz">Datenschutzerklärung</a></footer>'
HOME = Response(
    f"""<!doctype html><html lang="de"><title>Teeladen</title><h1>Frischer Tee</h1>
<img src="https://www.facebook.com/tr?id=7&ev=PageView" alt="">
<form action="/bestellen" method="post"><label>E-Mail <input type="email" name="email"></label>
</form>{FOOTER}""",
    headers=[("Set-Cookie", "warenkorb=1; Path=/; Secure; Max-Age=86400")],
)
PIXEL = Response(
    b"GIF89a",
    content_type="image/gif",
    headers=[("Set-Cookie", "fr=1; Path=/; Domain=.facebook.com; Secure; SameSite=None")],
)
DISCLOSURE_RULES = {
    "beacon-undisclosed-vendor",
    "beacons-not-disclosed",
    "advertising-tracker",
    "third-party-cookie-undisclosed",
    "cookies-not-disclosed",
}


@pytest.fixture(scope="module")
def scanned(pki: Any, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    hosts = [
        Host(
            "www.teeladen.test",
            routes={
                "/": HOME,
                "/datenschutz": Response(GERMAN.read_text(encoding="utf-8")),
                "/bestellen": Response(b"", status=204),
            },
        ),
        Host("www.facebook.com", routes={"/tr": PIXEL}),
    ]
    with SiteServer(hosts, pki) as server:
        return scan_loopback(server, "www.teeladen.test", tmp_path_factory.mktemp("unsupported"))


@pytest.mark.browser
def test_a_scan_of_a_german_site_says_its_statement_was_not_read(scanned: ScanResult) -> None:
    statement = scanned.statement
    assert statement is not None and statement.url.endswith("/datenschutz")
    assert (statement.language, statement.supported) == ("de", False)
    assert statement.claims == []
    assert any(
        n.startswith("Statement not read: statement language not supported (de)")
        for n in scanned.notes
    )
    (finding,) = [f for f in scanned.findings if f.rule_id == "statement-not-read"]
    assert finding.message.startswith("statement language not supported (de)")
    assert "Facebook" in finding.evidence["third_parties_seen"]


@pytest.mark.browser
def test_no_finding_says_the_unread_statement_lacks_something(scanned: ScanResult) -> None:
    assert scanned.beacons, "the pixel must be seen, or this test proves nothing"
    fired = {f.rule_id for f in scanned.findings}
    assert not fired & DISCLOSURE_RULES
    assert all(f.claim is None for f in scanned.findings)
    lacking = re.compile(r"statement (?:does not|never)|neither the statement", re.I)
    assert [f.message for f in scanned.findings if lacking.search(f.message)] == []


@pytest.mark.browser
def test_every_output_says_so_in_a_line(scanned: ScanResult) -> None:
    line = "statement language not supported (de): its claims were not read"

    html = HtmlWriter().render(scanned)
    markdown = MarkdownWriter().render(scanned)
    terminal = "\n".join(text for text, _ in summary_lines(scanned, {}))

    assert line in html
    assert 'class="tag tag-gap"' not in html and "<h3>Disclosure gaps</h3>" not in html
    assert "statement not read</span>" in html  # a finding whose rule tests a claim
    rendered = MarkdownIt("gfm-like").render(markdown)  # as a PR comment shows it
    assert f"<blockquote>\n<p><strong>Statement not read:</strong> {line}" in rendered
    assert "(disclosure gap)" not in rendered
    assert f"statement not read: {line}" in terminal


@pytest.mark.parametrize(
    ("href", "text"),
    [
        ("/confidentialite", "Politique de confidentialité"),
        ("/impressum#datenschutz", "Datenschutzerklärung"),
        ("/aviso", "Política de privacidad"),
    ],
)
def test_a_statement_named_in_another_language_is_found(href: str, text: str) -> None:
    """Found, so that a scan says it cannot read it rather than that there is none."""
    assert is_statement_link(href, text) > 0
