"""A privacy statement page turned into plain text whose sentence offsets are stable.

Claims quote the statement by offsets into this text, and `statement-changed` compares its hash
between scans, so the same HTML must always give the same text: the page's chrome (navigation,
header, footer, cookie banners) is dropped, each block element becomes one line, and runs of
whitespace inside a line become one space.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # bs4 takes 0.06 s to import; a plain-text statement never needs it
    from bs4 import BeautifulSoup, Tag

# Elements that never hold statement text a visitor reads.
_INVISIBLE = ("script", "style", "noscript", "template", "svg", "iframe", "object", "head")
# Page chrome around the statement: the same on every page of the site. A header or footer inside
# an article or section belongs to that article (its heading, its date) and stays.
_CHROME = ("nav", "aside", "dialog")
_PAGE_CHROME = ("header", "footer")
_SECTIONING = ("article", "section", "main")
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}

# id/class words that mark a cookie banner or consent dialog (not a "cookies" section).
_COOKIE_BANNER = re.compile(
    r"cookie[-_ ]?(?:banner|consent|notice|bar|popup|dialog|law|message|warning|alert)"
    r"|cookieconsent|consent[-_ ]?(?:banner|manager|dialog|popup|modal)|onetrust|cookiebot"
    r"|gdpr[-_ ]?(?:banner|consent|notice)|\bcc[-_]window\b",
    re.IGNORECASE,
)

# Elements that start a new line; everything else flows inline.
_BLOCK_NAMES = """
address article blockquote body caption dd details div dl dt fieldset figcaption figure form
h1 h2 h3 h4 h5 h6 hr html legend li main ol p pre section summary table tbody td tfoot th thead
tr ul
"""
_BLOCKS = _BLOCK_NAMES.split()

# Marks a line break while the tree is flattened; NULs are removed from the input first.
_BREAK = "\x00"

_CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_INVISIBLE_CHARS = re.compile("[\u200b\u200c\u200d\ufeff]")


def html_to_text(html: str) -> tuple[str, str | None]:
    """The statement's readable text (one line per block) and the page's title, if it has one."""
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(html.replace(_BREAK, ""), "html.parser")
    title_tag = soup.find("title")
    title = _normalise_line(title_tag.get_text()) if isinstance(title_tag, Tag) else None

    for element in _elements_to_drop(soup):
        if not element.decomposed:
            element.decompose()

    root = _content_root(soup)
    for br in root.find_all("br"):
        br.replace_with(_BREAK)
    for block in root.find_all(_BLOCKS):
        block.insert(0, _BREAK)
        block.append(_BREAK)

    lines = (_normalise_line(piece) for piece in root.get_text().split(_BREAK))
    return "\n".join(line for line in lines if line), title or None


def language_of(text: str) -> Literal["ja", "en"]:
    """ "ja" when a fifth or more of the letters are Japanese (kana or kanji), else "en"."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return "en"
    return "ja" if len(_CJK_CHAR.findall(text)) / letters >= 0.2 else "en"


def _elements_to_drop(soup: BeautifulSoup) -> list[Tag]:
    """Invisible elements, page chrome, hidden elements and cookie banners."""
    from bs4 import Tag

    found: list[Tag] = list(soup.find_all([*_INVISIBLE, *_CHROME]))
    found += [e for e in soup.find_all(_PAGE_CHROME) if not e.find_parent(_SECTIONING)]
    for element in soup.find_all(True):
        if not isinstance(element, Tag) or element.attrs is None:
            continue
        role = str(element.get("role") or "").lower()
        marks = " ".join([str(element.get("id") or ""), *_classes(element)])
        if (
            role in _CHROME_ROLES
            or element.has_attr("hidden")
            or str(element.get("aria-hidden") or "").lower() == "true"
            or _COOKIE_BANNER.search(marks)
            or (role in {"dialog", "alertdialog"} and "cookie" in _label(element))
        ):
            found.append(element)
    return found


def _content_root(soup: BeautifulSoup) -> Tag:
    """<main>, else the longest <article>, else <body>, else the whole document."""
    from bs4 import Tag

    main = soup.find("main") or soup.find(role="main")
    if isinstance(main, Tag):
        return main
    articles = [a for a in soup.find_all("article") if isinstance(a, Tag)]
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


def _classes(element: Tag) -> list[str]:
    value: str | list[str] = element.get("class") or []
    return [value] if isinstance(value, str) else [str(c) for c in value]


def _label(element: Tag) -> str:
    return " ".join(
        str(element.get(name) or "") for name in ("aria-label", "id", "aria-labelledby")
    ).lower()


def _normalise_line(piece: str) -> str:
    """One line: whitespace runs become one space, none left between Japanese characters."""
    line = re.sub(r"\s+", " ", _INVISIBLE_CHARS.sub("", piece)).strip()
    return _SPACE_BETWEEN_CJK.sub("", line)
