"""Site text made safe for the medium it is written to: one function per medium.

Everything a scanned site controls (titles, cookie names, form ids, URLs, statement sentences,
certificate subjects, error text) is untrusted. Each writer passes it through the function of
its medium, right where it writes it:

- `for_terminal`: control characters (C0, C1, DEL: ESC/CSI/OSC sequences, BEL), bidi overrides
  and lone surrogates shown as visible escapes (`\\x1b`), so a cookie named "\\x1b[2J" cannot
  clear a CI log or forge a line. `for_terminal_json` does the same inside JSON text.
- `for_markdown` / `markdown_code`: Markdown that renders as the text and nothing else (no link,
  image, autolink, mention, issue reference, HTML, table cell or heading).
- `for_sarif`: SARIF `message.text`, where `[text](target)` is an embedded link (SARIF 2.1.0
  §3.11.6) that GitHub renders: brackets and backslashes escaped.
- `for_xml`: characters XML 1.0 does not allow (C0 controls but tab/LF/CR, lone surrogates,
  U+FFFE/U+FFFF) replaced, for JUnit attributes and text.
- `for_html`: what Jinja's autoescape leaves (control characters, bidi overrides) replaced.

And two rules that are not about a medium but about what may be written at all:

- `no_surrogates` / `scrub_surrogates`: a lone UTF-16 surrogate (a page's `document.title =
  'A\\ud800B'` arrives so from the browser's JSON) becomes U+FFFD, at the browser boundary and
  once more before any output is encoded (no UTF-8 encoder accepts one).
- `redact_url`: a URL without its `user:password@` part, for anything recorded or printed.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"

_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_TERMINAL_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_TERMINAL_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\ud800-\udfff]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_HTML_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_BIDI}\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~:])")
_POST_RENDER_TRIGGERS = re.compile(r"([.:@#/])(?=\S)")
"""After these, GitHub and GitLab find links, mentions and references in rendered text."""
_ZERO_WIDTH_SPACE = "\u200b"


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object, *, multiline: bool = False) -> str:
    """Text for a terminal or a CI log: every control character, bidi override and lone
    surrogate shown as a visible escape (`\\x1b`, `\\u202e`). With `multiline`, newlines and
    tabs stay (a whole block of output); otherwise they are escaped too (one field, one line)."""
    pattern = _TERMINAL_BLOCK if multiline else _TERMINAL_LINE
    return pattern.sub(_escape_char, str(text))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def for_terminal_json(text: str) -> str:
    """JSON text for a terminal: DEL, C1 controls, bidi overrides and lone surrogates written
    as `\\uXXXX` escapes (the encoder already escapes C0). Such characters can only stand inside
    JSON strings, where the escape means the same character: the JSON is unchanged for a parser."""
    return _JSON_UNSAFE.sub(_json_escape, text)


def for_markdown(text: str, limit: int = 160) -> str:
    """Site text as inert Markdown on one line: HTML-escaped, Markdown punctuation
    backslash-escaped, and a zero-width space after `.`, `:`, `@`, `#` and `/` so that neither
    the Markdown parser (www. and http:// autolinks, e-mail links) nor the filters GitHub and
    GitLab run on the rendered text (@mentions, #123 references) find anything to link."""
    text = _MARKDOWN_CONTROL.sub(REPLACEMENT, " ".join(text.split()))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _POST_RENDER_TRIGGERS.sub(rf"\1{_ZERO_WIDTH_SPACE}", text)
    text = html.escape(text, quote=False)
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def markdown_code(text: str, limit: int = 160) -> str:
    """Site text (a URL, a host) as an inline code span, literal and copyable: a code span is
    never a link, an autolink, HTML or a mention. Pipes are escaped for table cells (GFM reads
    `\\|` in a cell's code span as `|`); the fence is longer than any backtick run inside."""
    text = _MARKDOWN_CONTROL.sub(REPLACEMENT, " ".join(text.split()))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text:
        text = f" {text} "
    return f"{fence}{text}{fence}"


def for_sarif(text: str) -> str:
    """A SARIF `message.text`: controls replaced, and `\\`, `[` and `]` escaped, as SARIF
    2.1.0 §3.11.6 asks for brackets that are not an embedded link (GitHub renders those)."""
    text = _MARKDOWN_CONTROL.sub(REPLACEMENT, text)
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def for_xml(text: str) -> str:
    """Text without the characters XML 1.0 forbids (a parser refuses the whole document)."""
    return _XML_INVALID.sub(REPLACEMENT, text)


def for_html(text: str) -> str:
    """Text for an autoescaped HTML template: control characters (not allowed in HTML) and bidi
    overrides (they reorder what a reader sees around them) replaced."""
    return _HTML_UNSAFE.sub(REPLACEMENT, text)


# -- what may be written at all ----------------------------------------------------------------


def no_surrogates(value: Any) -> Any:
    """`value` (a string, or JSON-like lists and dicts of them) with each lone UTF-16 surrogate
    replaced by U+FFFD; the same object when there is none."""
    if not _has_surrogate(value):
        return value
    if isinstance(value, str):
        return _SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, list):
        return [no_surrogates(item) for item in value]
    return {no_surrogates(k): no_surrogates(v) for k, v in value.items()}


def _has_surrogate(value: Any) -> bool:
    # isascii() is a C-speed test that settles almost every string a scan holds.
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if isinstance(value, list | dict):
        try:  # lists of strings and str -> str dicts, the common case, in one test
            joined = "".join(value) + ("".join(value.values()) if isinstance(value, dict) else "")
        except TypeError:
            pass
        else:
            return _has_surrogate(joined)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in items)
    return False


def scrub_surrogates(model: BaseModel) -> None:
    """Replace lone surrogates in every string of `model`, in place (nested models, lists and
    dicts too), so that it can be encoded as UTF-8 by every writer."""
    fields = model.__dict__
    for name, value in fields.items():
        if isinstance(value, BaseModel):
            scrub_surrogates(value)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    scrub_surrogates(item)
                elif _has_surrogate(item):
                    value[index] = no_surrogates(item)
        elif _has_surrogate(value):
            fields[name] = no_surrogates(value)


def redact_url(url: str) -> str:
    """`url` without credentials: `https://user:pw@host/` -> `https://host/`. Anything that
    is not a URL with a host is returned as it is."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def has_credentials(url: str) -> bool:
    """True when `url` carries a `user[:password]@` part."""
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


class TerminalLogFormatter(logging.Formatter):
    """Log lines for stderr: a logged message may quote site text (an error from a page)."""

    def format(self, record: logging.LogRecord) -> str:
        return for_terminal(super().format(record), multiline=True)
