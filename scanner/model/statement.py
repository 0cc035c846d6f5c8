"""The privacy statement as read: its documents, claims and cookie declaration."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scanner.model.base import Model

ClaimKind = Literal[
    "transport-encryption",
    "no-third-party-sharing",
    "third-party-analytics",
    "web-beacons",
    "cookies",
    "cookie-control",
    "access-logs",
    "anonymous-analytics",
    "processors",
    "contact",
    "named-third-parties",
    "consent-required",
    "consent-withdrawal",
    "honours-gpc",
    "do-not-track",
    "no-sale",
]
"""What a statement's sentence can promise or disclose (patterns in rules/claims/<lang>.yaml)."""


class Claim(Model):
    """A promise or disclosure the statement makes, with the sentence that makes it."""

    kind: ClaimKind
    """What it promises or discloses."""
    polarity: Literal["affirms", "denies"] = "affirms"
    """affirms ("we use TLS") or denies ("we do not use cookies")."""
    quote: str = Field(description="The sentence, as it stands in the statement's text")
    start: int = Field(description="Offset of the quote in Statement.text")
    end: int
    """Offset just past the quote in Statement.text."""
    vendor: str | None = Field(None, description="For named-third-parties: the vendor named")
    document: str | None = Field(
        None,
        description=(
            "URL of the document that makes the claim (one of Statement.documents); start and "
            "end are offsets into that document's text. None: Statement.url"
        ),
    )


CookieCategory = Literal["necessary", "functional", "analytics", "advertising"]


class DeclaredCookie(Model):
    """One cookie as the site's cookie declaration (a cookie policy's table) describes it."""

    name: str = Field(description="As declared; may hold a wildcard: _ga_*, _ga_<container-id>")
    provider: str | None = Field(None, description="Who sets it, as declared")
    purpose: str | None = None
    """The declared purpose, as worded."""
    category: CookieCategory | None = Field(
        None, description="The declared category (or the heading it is listed under), normalised"
    )
    category_text: str | None = Field(None, description="The category as the site words it")
    duration: str | None = Field(None, description="The declared duration or expiry, as worded")
    max_age_seconds: int | None = Field(
        None, description="The declared duration in seconds; 0 for a session cookie"
    )
    document_url: str = Field(description="The document whose table declares it")


class StatementDocument(Model):
    """One document of the statement: the privacy policy, or a cookie policy beside it."""

    url: str
    """Where it was read (after redirects)."""
    sha256: str = Field(description="SHA-256 of `text`; statement-changed compares it per URL")
    kind: Literal["privacy-policy", "cookie-policy"] = "privacy-policy"
    """Which document of the statement this is."""
    language: str = "en"
    """Its language as detected (ISO 639-1: en, ja, de, fr…; "und" when it has no words)."""
    supported: bool = True
    """True when complyscan has claim patterns for `language` (rules/claims/<language>.yaml)."""
    unread: str | None = None
    """Why its claims were not read ("statement language not supported (de)", "statement has
    no text to read"), or None when they were."""
    https: bool = True
    """True when it was served over HTTPS."""
    text: str = ""
    """Its plain text; claims citing it have offsets into it."""


class Statement(Model):
    """The site's published privacy statement.

    url, sha256 and text are the privacy policy's (as in every schema_version 1 report);
    `documents` lists it and, when the site has one, its cookie policy, and `claims` holds the
    claims of every document (Claim.document says which).
    """

    url: str
    """Where it was read (after redirects)."""
    sha256: str
    """SHA-256 of its text, hex: a changed hash is a changed statement."""
    text: str
    """Its plain text (navigation and footers dropped); claims' offsets point into it."""
    language: str = "en"
    """The privacy policy's language as detected (ISO 639-1: en, ja, de, fr…; "und" when it has
    no words), whether or not complyscan can read it."""
    supported: bool = True
    """True when complyscan has claim patterns for `language` (rules/claims/<language>.yaml)."""
    unread: str | None = None
    """Why the privacy policy's claims were not read ("statement language not supported (de)",
    "statement has no text to read"), or None when they were. When set, `claims` holds none of
    its claims, and the rules that fire on what a statement does not say are not checked
    (statement-not-read)."""
    https: bool = True
    """True when it was served over HTTPS."""
    claims: list[Claim] = Field(default_factory=list)
    """Every claim it makes, in text order."""
    documents: list[StatementDocument] = Field(
        default_factory=list, description="The privacy policy, then a cookie policy if found"
    )
    cookies_declared: list[DeclaredCookie] = Field(
        default_factory=list,
        description="The cookie declaration read from the documents' cookie tables",
    )
