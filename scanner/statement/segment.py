"""Splitting a statement's text into the sentences that claims quote.

Every line (a heading, a list item, a paragraph of html_to_text's output) is split on its own, so
a heading is never glued to the sentence after it. Inside a line, English sentences end at . ! ?
followed by a space and a capital letter, unless the word before is an abbreviation (e.g., Inc.,
etc.) or an initial; Japanese sentences end at 。！？ wherever they stand. URLs, email addresses
and decimals never split because nothing but a space may follow the stop.
"""

from __future__ import annotations

import re

_LINES = re.compile(r"[^\r\n\u2028\u2029]+")
_JAPANESE_END = re.compile(r"[。！？!?]+[」』）)\]]*")
_ENGLISH_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z])")
_ABBREVIATION_WORDS = """
e.g. i.e. inc. etc. co. ltd. corp. llc. plc. mr. mrs. ms. dr. prof. st. no. nos. vs. approx.
dept. fig. art. sec. para. jr. sr. u.s. u.k. e.u. ca. cf. viz. al.
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
# A word at the start of a line that numbers a list item or section: "1." "2.3." "iv." "a."
_ITEM_NUMBER = re.compile(r"(?:\d+\.)+|[ivxlc]+\.|[a-z]\.", re.IGNORECASE)
# Bullets that are a list's decoration, not part of its sentence.
_LEADING_BULLET = re.compile(r"(?:[•・●○■□◆◇▪▸►]\s*|[-*–—]\s+)+")
_HAS_WORD = re.compile(r"\w")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, heading and list item; text[start:end] is the quote."""
    spans: list[tuple[int, int]] = []
    for line in _LINES.finditer(text):
        start = line.start()
        for end in [*_breaks(text, line.start(), line.end()), line.end()]:
            span = _trimmed(text, start, end)
            if span is not None:
                spans.append(span)
            start = end
    return spans


def _breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets inside one line where a sentence ends (just after its stop)."""
    found = [m.end() for m in _JAPANESE_END.finditer(text, start, end) if _is_japanese_end(m)]
    found += [m.end() for m in _ENGLISH_END.finditer(text, start, end) if _ends_sentence(text, m)]
    return sorted(set(found))


def _is_japanese_end(match: re.Match[str]) -> bool:
    """。！？ always end; ASCII ! ? end only in the Japanese way, right after a Japanese letter."""
    if match.group()[0] in "。！？":
        return True
    before = match.string[match.start() - 1] if match.start() else ""
    return bool(before) and "\u3040" <= before <= "\u9fff"


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """False when the stop belongs to an abbreviation, an initial or a list item's number."""
    if "." not in match.group() or match.group()[0] != ".":
        return True
    line_start = max(text.rfind("\n", 0, match.start()), text.rfind("\r", 0, match.start())) + 1
    before = text[line_start : match.start() + 1]
    word = before.split()[-1].lstrip("\"'“‘([") if before.split() else ""
    lowered = word.lower()
    if lowered in _ABBREVIATIONS:
        return False
    if len(word) == 2 and word[0].isupper():
        return False  # an initial: "J. Smith"
    only_word = before.strip() == word
    return not (only_word and _ITEM_NUMBER.fullmatch(word))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding spaces and leading bullets; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    bullet = _LEADING_BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    if not _HAS_WORD.search(text, start, end):
        return None
    return start, end
