"""A site's cookie declaration: the cookie tables of its cookie policy, read into DeclaredCookies.

Sites declare their cookies in HTML tables (a header row naming the columns: name, provider,
purpose, category, duration or expiry, in English or Japanese), in definition lists (one <dl>
per cookie: <dt>Name</dt><dd>_ga</dd>...), and in consent managers' declarations, which are the
same tables under a heading that gives the category ("Necessary (4)", "Statistics"). A name may
carry a wildcard: `_ga_*`, `_ga_<container-id>`, `_gac_[id]`, `_hjSession_{id}`.

Everything here came from the scanned site: untrusted text, kept short and never evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.model import Cookie, CookieCategory, DeclaredCookie

if TYPE_CHECKING:
    from bs4 import Tag

_MAX_FIELD = 300
_MAX_COOKIES = 2000

# Column headers, by what the column holds. The first column whose header matches wins.
_COLUMNS: dict[str, re.Pattern[str]] = {
    "name": re.compile(
        r"^(?:cookie\s*)?(?:name|names|key|identifier|cookie)s?$|^cookie\s*(?:name|id)$"
        r"|^(?:cookie|クッキー)?\s*(?:名|名前|名称)$|^名前$|^名称$",
        re.I,
    ),
    "provider": re.compile(
        r"provider|domain|host|set by|vendor|company|party"
        r"|提供(?:者|元|会社)|発行(?:者|元)|ドメイン|事業者",
        re.I,
    ),
    "purpose": re.compile(
        r"purpose|description|used (?:for|to)|function|目的|用途|説明|内容", re.I
    ),
    "category": re.compile(r"category|type|classification|group|カテゴリ|種類|分類|種別", re.I),
    "duration": re.compile(
        r"duration|expir|retention|lifetime|life span|lifespan|max[- ]?age|storage period"
        r"|保存期間|有効期限|有効期間|保持期間|期間|期限",
        re.I,
    ),
}

# Category words -> our categories (the order matters: "non-necessary" is not necessary).
_CATEGORIES: tuple[tuple[CookieCategory, re.Pattern[str]], ...] = (
    ("advertising", re.compile(r"advertis|marketing|targeting|retarget|広告|マーケティング", re.I)),
    (
        "analytics",
        re.compile(
            r"analytic|statistic|performance|measurement|分析|解析|統計|計測|パフォーマンス", re.I
        ),
    ),
    ("functional", re.compile(r"functional|preference|personali[sz]|機能|設定", re.I)),
    (
        "necessary",
        re.compile(
            r"(?<!non-)(?<!un)(?:strictly )?(?:necessary|essential|required)|必須|必要", re.I
        ),
    ),
)

_WILDCARD = re.compile(r"<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}|\*|\bxxx+\b|#+$", re.I)
_DURATION_UNITS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:years?|yrs?|年)", re.I), 365 * 86400),
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:months?|mos?|か月|ヶ月|カ月|ヵ月|箇月)", re.I), 30 * 86400),
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:weeks?|週間?)", re.I), 7 * 86400),
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:days?|日間?)", re.I), 86400),
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h\b|時間)", re.I), 3600),
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:minutes?|mins?|分間?)", re.I), 60),
    (re.compile(r"(\d+(?:\.\d+)?)\s*(?:seconds?|secs?|秒)", re.I), 1),
)
_SESSION = re.compile(r"\bsession\b|セッション|ブラウザ(?:を)?(?:閉じる|終了)", re.I)
_PERSISTENT = re.compile(r"persistent|永続|無期限", re.I)


def parse_declaration(html: str, document_url: str) -> list[DeclaredCookie]:
    """Every cookie the page's tables and definition lists declare, in document order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found: list[DeclaredCookie] = []
    for element in soup.find_all(["table", "dl"]):
        rows = _table_rows(element) if element.name == "table" else _definition_rows(element)
        for fields in rows:
            # One cell may list several cookies: "_ga, _gid".
            for name in re.split(r"\s*[,、]\s*", fields.get("name", "")):
                cookie = _declared(
                    {**fields, "name": name}, _category_heading(element), document_url
                )
                if cookie is not None:
                    found.append(cookie)
            if len(found) >= _MAX_COOKIES:
                return found[:_MAX_COOKIES]
    return found


def duration_seconds(text: str) -> int | None:
    """A declared duration in seconds: "2 years" -> 63072000, "13か月" -> 33696000.

    0 for a session cookie; None when the text gives no duration we can read ("persistent").
    """
    if _SESSION.search(text) and not any(r.search(text) for r, _ in _DURATION_UNITS):
        return 0
    total = 0.0
    for regex, unit in _DURATION_UNITS:
        match = regex.search(text)
        if match:
            total += float(match.group(1)) * unit
    return int(total) if total else None


def category_of(text: str) -> CookieCategory | None:
    """Our category for a declared category or heading ("Strictly necessary" -> necessary)."""
    for category, regex in _CATEGORIES:
        if regex.search(text):
            return category
    return None


def name_matches(declared: str, observed: str) -> bool:
    """Does the declared name (maybe with a wildcard) cover the observed cookie's name?"""
    declared, observed = declared.strip().lower(), observed.strip().lower()
    if declared == observed:
        return True
    parts = _WILDCARD.split(declared)
    if len(parts) == 1:
        return False
    return re.fullmatch(".+".join(re.escape(part) for part in parts), observed) is not None


def _table_rows(table: Tag) -> Iterator[dict[str, str]]:
    """Rows of a cookie table as {column: text}; nothing when its header names no cookie."""
    rows = [r for r in table.find_all("tr") if r.find_parent("table") is table]
    if not rows:
        return
    header = [_text(cell) for cell in rows[0].find_all(["th", "td"])]
    columns = _columns_of(header)
    if "name" not in columns or len(columns) < 2:
        return
    for row in rows[1:]:
        cells = [_text(cell) for cell in row.find_all(["td", "th"])]
        yield {column: cells[index] for column, index in columns.items() if index < len(cells)}


def _definition_rows(dl: Tag) -> Iterator[dict[str, str]]:
    """A <dl> of one cookie (dt: column header, dd: value) as one row."""
    fields: dict[str, str] = {}
    for term in dl.find_all("dt"):
        value = term.find_next_sibling("dd")
        column = _column_of(_text(term))
        if column and value is not None and column not in fields:
            fields[column] = _text(value)
    if "name" in fields and len(fields) >= 2:
        yield fields


def _columns_of(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _column_of(cell)
        if column and column not in columns:
            columns[column] = index
    return columns


def _column_of(header: str) -> str | None:
    words = header.strip().rstrip(":：").strip()
    return next((column for column, regex in _COLUMNS.items() if regex.search(words)), None)


def _category_heading(element: Tag) -> CookieCategory | None:
    """The category a consent manager's heading or a caption gives the whole table."""
    caption = element.find("caption")
    if caption is not None:
        category = category_of(_text(caption))
        if category:
            return category
    heading = element.find_previous(["h1", "h2", "h3", "h4", "h5", "h6", "summary", "button"])
    return category_of(_text(heading)) if heading is not None else None


def _declared(
    fields: dict[str, str], heading: CookieCategory | None, url: str
) -> DeclaredCookie | None:
    name = fields.get("name", "").strip()
    if not name or len(name) > 200 or " " in name.strip("<>[]{}* "):
        return None  # a sentence in a name column is not a cookie name
    stated = fields.get("category")
    duration = fields.get("duration")
    return DeclaredCookie(
        name=name,
        provider=fields.get("provider") or None,
        purpose=fields.get("purpose") or None,
        category=(category_of(stated) if stated else None) or heading,
        category_text=stated or None,
        duration=duration or None,
        max_age_seconds=duration_seconds(duration) if duration else None,
        document_url=url,
    )


def _text(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())[:_MAX_FIELD]


def declared_entry(declared: list[DeclaredCookie], cookie: Cookie) -> DeclaredCookie | None:
    """The declaration's entry for an observed cookie: an exact name first, then a wildcard;
    among several, the one whose provider names the cookie's domain."""
    exact = [d for d in declared if d.name.strip().lower() == cookie.name.lower()]
    matches = exact or [d for d in declared if name_matches(d.name, cookie.name)]
    site = cookie.domain.lstrip(".").lower()
    by_domain = [d for d in matches if d.provider and d.provider.lower().lstrip(".") in site]
    chosen = by_domain or matches
    return chosen[0] if chosen else None
