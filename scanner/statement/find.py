"""Finding a site's privacy statement among the links of its pages.

The crawler scores each link with `is_statement_link`; the engine ranks the links it collected
with `pick_statement_url` and falls back to `COMMON_PATHS`. A link's words count more than its
URL (a link reading "Privacy Policy" is the statement wherever it points), and a footer link more
than one in the body, because that is where sites put their statement.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urldefrag

COMMON_PATHS = [
    "/privacy",
    "/privacy-policy",
    "/privacy.html",
    "/legal/privacy",
    "/privacy-statement",
    "/privacypolicy",
    "/policy/privacy",
    "/privacy/",
]
"""Where statements usually live, tried in this order when no page links to one."""

# The statement's own names: "Privacy Policy", "Data Protection Notice", "個人情報保護方針".
_NAMED = re.compile(
    r"privacy\s*(?:policy|notice|statement|information|charter|pledge)"
    r"|data\s*protection\s*(?:policy|notice|statement|declaration|information)"
    r"|personal\s*information\s*(?:policy|protection|handling)"
    r"|プライバシー\s*(?:ポリシー|ステートメント|ノーティス|に関する|について)"
    r"|個人情報\s*(?:保護方針|保護ポリシー|の(?:取り?扱い|保護)|取り?扱い|保護)",
    re.IGNORECASE,
)
# Words that point at the statement without naming it.
_TOPIC = re.compile(
    r"privacy|data\s*protection|personal\s*(?:information|data)|プライバシー|個人情報"
    # The statement's name in other European languages: found, then reported as not read.
    r"|datenschutz|confidentialit|privacidad|privacidade|riservatezza|privacybeleid"
    r"|integritetspolicy|personvern|tietosuoja|prywatno|gizlilik",
    re.I,
)
# A cookie policy is sometimes the only statement, but usually a page beside it.
_COOKIE_POLICY = re.compile(
    r"cookie\s*(?:policy|notice|statement)|(?:クッキー|cookie)\s*(?:ポリシー|について)", re.I
)
# Consent managers and opt-out forms: about privacy, not the statement.
_CONTROLS = re.compile(
    r"settings|preferences|choices|manage|do\s*not\s*sell|opt[- ]?out|consent|設定", re.I
)
_URL_NAMED = re.compile(
    r"privacy[-_]?(?:policy|notice|statement)|privacypolicy|data[-_]?protection|datenschutz"
    r"|personal[-_]?information|kojin[-_]?joho|/privacy(?:[./_-]|$)",
    re.I,
)
_URL_TOPIC = re.compile(
    r"privacy|kojin|個人情報|プライバシー|confidentialit|privacidad|privacidade|riservatezza", re.I
)
_URL_COOKIE = re.compile(r"cookie[-_]?(?:policy|notice|statement)|/cookies?(?:[./_-]|$)", re.I)
_NOT_A_PAGE = re.compile(r"^\s*(?:mailto:|tel:|javascript:|data:)", re.I)

# Points for the first (strongest) tier that matches, in the link's words and in its URL.
_TEXT_POINTS = ((_NAMED, 10), (_TOPIC, 6), (_COOKIE_POLICY, 3))
_URL_POINTS = ((_URL_NAMED, 5), (_URL_TOPIC, 3), (_URL_COOKIE, 1))


def is_statement_link(href: str, text: str, *, in_footer: bool = False) -> int:
    """How much a link looks like the privacy statement's: 0 not at all, higher is likelier."""
    if _NOT_A_PAGE.match(href):
        return 0
    url = unquote(urldefrag(href)[0])
    words = " ".join(text.split())
    score = _points(words, _TEXT_POINTS) + _points(url, _URL_POINTS)
    if score and _CONTROLS.search(words):
        return 1  # "Privacy settings", "Do not sell my personal information"
    if score and in_footer:
        score += 3
    return score


def is_cookie_policy_link(href: str, text: str) -> bool:
    """Does the link point at a cookie policy ("Cookie Policy", "/cookies", "クッキーについて")?"""
    if _NOT_A_PAGE.match(href) or _CONTROLS.search(" ".join(text.split())):
        return False
    url = unquote(urldefrag(href)[0])
    return bool(_COOKIE_POLICY.search(text) or _URL_COOKIE.search(url))


def _points(value: str, tiers: tuple[tuple[re.Pattern[str], int], ...]) -> int:
    return next((points for regex, points in tiers if regex.search(value)), 0)


def pick_statement_url(candidates: list[tuple[str, str, bool]]) -> str | None:
    """The likeliest statement among (href, link text, in footer) links, fragment dropped.

    Best single score wins; then the link seen most often; then the earliest seen.
    """
    best: dict[str, tuple[int, int, int]] = {}
    for order, (href, text, in_footer) in enumerate(candidates):
        score = is_statement_link(href, text, in_footer=in_footer)
        if not score:
            continue
        url = urldefrag(href)[0] or href
        top, seen, first = best.get(url, (0, 0, order))
        best[url] = (max(top, score), seen + 1, first)
    if not best:
        return None
    return min(best, key=lambda u: (-best[u][0], -best[u][1], best[u][2]))
