"""Third-party analytics named by the vendor rather than described.

"We use Plausible to understand our visitors" says what "an outside service measures our traffic"
says, but only the vendor data knows that Plausible is an analytics company. A sentence that uses
(or is measured by) a vendor whose category is analytics or session recording makes a
third-party-analytics claim, unless its paragraph says the tool runs on the site's own servers
("a self-hosted instance", "we host our own"), or the statement is the vendor's own ("At Acme,
we..."): then the vendor's software is not a third party.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final

from scanner.parties.vendors import VendorDB

MEASURING: Final = frozenset({"analytics", "session-recording"})

# The site uses the vendor: "we use X", "via X", "powered by X"; "Xを利用", "Xによる".
_USED_BEFORE = re.compile(
    r"\b(?:use[sd]?|using|via|through|powered by|provided by|operated by|run by)\s+"
    r"(?:[\w-]+\s+){0,2}[\"'「(]?$",
    re.IGNORECASE,
)
_USED_AFTER = re.compile(
    r"^[\"'」)]?\s*(?:(?:\w+\s+){0,2}(?:collects?|counts?|measures?|tracks?|records?|analy[sz]es?)\b"
    r"|(?:を|という\S{0,6}を)(?:利用|使用|導入)|による|によって|で(?:計測|解析|分析))",
    re.IGNORECASE,
)
# A name the sentence itself calls an analytics tool ("uses Acme, a privacy-friendly analytics
# tool", "uses Acme for analytics", "tracks visits via Acme"): the vendor data need not know it.
_NAMED_AS_ANALYTICS = re.compile(
    r"\b(?:use[sd]?|using|via|through)\s+(?-i:[A-Z][\w.-]+(?: [A-Z][\w.-]+)?)"
    r"(?:,? (?:an?|the|our) (?:[\w-]+,? ){0,4}(?:web )?analytics (?:tool|service|platform|software)"
    r"| (?:for|as) (?:our )?(?:[\w-]+ ){0,2}(?:web )?(?:analytics|visitor statistics)\b)"
    r"|\b(?:track|count|measur|monitor)\w* (?:\w+ ){0,2}"
    r"(?:visits|visitors|page ?views|traffic|usage) (?:via|with|using|through) (?-i:[A-Z])",
    re.IGNORECASE,
)
_OWN_SERVERS = re.compile(
    r"self[- ]hosted|\bhost(?:s|ed)? (?:our|its) own\b|\bour own (?:\w+ )?(?:instance|server)"
    r"|\bfirst[- ]party\b|自社(?:の)?サーバー?|セルフホスト",
    re.IGNORECASE,
)


def measured_by_vendor(
    text: str, spans: list[tuple[int, int]], vendors: VendorDB
) -> list[tuple[int, int]]:
    """The sentences (start, end) that use an analytics vendor hosted by that vendor: one the vendor
    data knows, or a name the sentence calls an analytics tool."""
    starts = [start for start, _ in spans]
    found = [
        (start, end)
        for start, end in spans
        if _NAMED_AS_ANALYTICS.search(text, start, end)
        and not _OWN_SERVERS.search(_paragraph(text, start, end))
    ]
    for vendor, mention_start, mention_end in vendors.find_in_text(text):
        if vendor.category not in MEASURING:
            continue
        index = bisect_right(starts, mention_start) - 1
        if index < 0 or mention_start >= spans[index][1]:
            continue
        start, end = spans[index]
        used = _USED_BEFORE.search(text, start, mention_start) or _USED_AFTER.match(
            text[mention_end:end]
        )
        paragraph = _paragraph(text, start, end)
        ours = re.search(rf"\bAt {re.escape(text[mention_start:mention_end])}(?: \w+)?, we\b", text)
        if used and not ours and not _OWN_SERVERS.search(paragraph) and (start, end) not in found:
            found.append((start, end))
    return found


def _paragraph(text: str, start: int, end: int) -> str:
    """The line (paragraph, list item) that holds text[start:end]."""
    line_end = text.find("\n", end)
    return text[text.rfind("\n", 0, start) + 1 : line_end if line_end >= 0 else len(text)]
