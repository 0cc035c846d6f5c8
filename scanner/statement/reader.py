"""Reading a privacy statement (a fetched page, a file, a URL) into a `Statement` with its claims.

The scan's statement stage calls `read_statement` with the page it fetched; the
`complyscan statement FILE|URL` command calls `load_statement_source` and prints `format_claims`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from scanner.model import Claim, DeclaredCookie, Statement, StatementDocument
from scanner.parties.vendors import VendorDB, load_vendors
from scanner.statement.claims import CLAIM_KINDS, extract_claims
from scanner.statement.declaration import parse_declaration
from scanner.statement.readable import binary_reason, reading_of, unread_message
from scanner.statement.text import html_to_text

DocumentKind = Literal["privacy-policy", "cookie-policy"]

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".php", ".asp", ".aspx", ".jsp"}
_TEXT_SUFFIXES = {".txt", ".text", ".md"}
_LOOKS_LIKE_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|main|article|h[1-6])\b", re.I)
_URL = re.compile(r"^https?://", re.I)
# Tried in order for a file: UTF-8 (with or without BOM), then the usual Japanese Windows code page.
_FILE_ENCODINGS = ("utf-8-sig", "cp932")


class StatementSourceError(ValueError):
    """A statement that cannot be read (no such file, fetch failed): one line for the user."""


def read_statement(
    url: str, html_or_text: str, *, vendors: VendorDB, is_html: bool = True
) -> Statement:
    """The statement published at `url`: its text, hash, language and claims.

    With is_html (the default) markup is read as a page (chrome dropped, one line per block);
    content with no markup at all is read as plain text either way. `vendors` is the scan's
    vendor database: a vendor that complyscan.toml adds counts as named when the text names it.
    """
    document, claims, declared = read_document(url, html_or_text, vendors=vendors, is_html=is_html)
    return Statement(
        url=url,
        sha256=document.sha256,
        text=document.text,
        language=document.language,
        supported=document.supported,
        unread=document.unread,
        https=document.https,
        claims=claims,
        documents=[document],
        cookies_declared=declared,
    )


def read_document(
    url: str,
    html_or_text: str,
    *,
    vendors: VendorDB,
    is_html: bool = True,
    kind: DocumentKind = "privacy-policy",
) -> tuple[StatementDocument, list[Claim], list[DeclaredCookie]]:
    """One document of the statement: its text and hash, its claims (citing it by URL, vendors
    matched against the scan's `vendors`) and the cookies its tables declare."""
    html = is_html and bool(_LOOKS_LIKE_HTML.search(html_or_text))
    text = html_to_text(html_or_text)[0] if html else plain_text(html_or_text)
    reading = reading_of(text)
    document = StatementDocument(
        url=url,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        kind=kind,
        language=reading.language,
        supported=reading.supported,
        unread=reading.unread,
        https=urlsplit(url).scheme.lower() == "https",
        text=text,
    )
    # A text in a language without patterns is not read with another language's patterns.
    found = [] if reading.unread else extract_claims(text, reading.language, vendors=vendors)
    claims = [c.model_copy(update={"document": url}) for c in found]
    declared = parse_declaration(html_or_text, url) if html else []
    return document, claims, declared


def load_statement_source(
    path_or_url: str,
    fetch: Callable[[str], str] | None = None,
    vendors: VendorDB | None = None,
) -> Statement:
    """A statement from a local file or an http(s) URL (fetched with `fetch`).

    Vendors are matched against `vendors`, by default the bundled vendor data.

    Raises StatementSourceError when the file is missing, unreadable or not text (a PDF), when
    its claims cannot be read (no text, a language without claim patterns), or when a URL is given
    without a `fetch`; errors `fetch` raises pass through.
    """
    vendors = vendors or load_vendors()
    if _URL.match(path_or_url):
        if fetch is None:
            raise StatementSourceError(f"{path_or_url}: cannot fetch URLs here; give a file")
        return _readable(
            path_or_url, read_statement(path_or_url, fetch(path_or_url), vendors=vendors)
        )
    path = Path(path_or_url)
    if not path.is_file():
        raise StatementSourceError(f"{path_or_url}: no such file")
    content = _read_file(path)
    suffix = path.suffix.lower()
    is_html = suffix in _HTML_SUFFIXES or (
        suffix not in _TEXT_SUFFIXES and bool(_LOOKS_LIKE_HTML.search(content))
    )
    return _readable(
        path_or_url,
        read_statement(path.resolve().as_uri(), content, vendors=vendors, is_html=is_html),
    )


def _readable(source: str, statement: Statement) -> Statement:
    """The statement, or StatementSourceError saying why its claims cannot be read."""
    if statement.unread:
        raise StatementSourceError(f"{source}: {unread_message(statement.unread)}")
    return statement


def plain_text(content: str) -> str:
    """A text file's content with line endings, trailing spaces and blank edges made uniform."""
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n").lstrip("\ufeff")


def format_claims(statement: Statement) -> str:
    """The claims as plain text: `kind (polarity): "quote"` per line, grouped by kind."""
    count = len(statement.claims)
    lines = [
        f"{statement.url} ({statement.language}, {count} claim{'s' if count != 1 else ''})",
    ]
    missing: list[str] = []
    for kind in CLAIM_KINDS:
        claims = [c for c in statement.claims if c.kind == kind]
        if not claims:
            missing.append(kind)
            continue
        lines.append("")
        for claim in claims:
            polarity = f"{claim.polarity}, {claim.vendor}" if claim.vendor else claim.polarity
            lines.append(f'{kind} ({polarity}): "{claim.quote}"')
    if missing:
        lines += ["", f"not stated: {', '.join(missing)}"]
    return "\n".join(lines)


def _read_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StatementSourceError(f"{path}: {error.strerror or error}") from None
    if reason := binary_reason(data):
        raise StatementSourceError(f"{path}: {reason}")
    for encoding in _FILE_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementSourceError(f"{path}: not text in UTF-8 or Shift_JIS (cp932)")
