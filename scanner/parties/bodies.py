"""Every readable form of a request body, for the leak search.

Scripts rarely send what a visitor typed as it was typed. Session recorders batch their events
as JSON, compress them (gzip or zlib deflate through fflate or pako, the browser's
CompressionStream, or LZ-string) and often base64 the result, then put that inside a JSON
envelope, a form field or a multipart part. Sentry's envelope is a few JSON lines followed by
raw zlib bytes; PostHog posts gzip, or `data=<base64 of JSON>`; rrweb-based uploads put
base64'd gzip into a JSON field.

`body_views` unwraps all of that, layer by layer, and yields each text it reaches with the
chain of decodings that led there ("base64, gzip"). It never fails on hostile input: a layer
that does not decode is skipped. It is bounded: at most `MAX_DEPTH` layers deep, `MAX_RUNS`
embedded base64 runs per text, and `MAX_DECODED` characters of decoded text per body in all
and `MAX_DECODED_PER_PAGE` for all of a page's bodies (documented in docs/parties.md), so a
decompression bomb costs a bounded amount of work.

How a request's body reaches us: text as sent when it is text, else (binary bodies) the bytes as
latin-1 text or base64 of the bytes; every form is tried.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterator
from typing import Final
from urllib.parse import unquote

import brotli  # type: ignore[import-untyped]

MAX_DEPTH: Final = 4
"""Layers of encoding unwrapped at most (base64 of gzip of JSON is three)."""

MAX_DECODED: Final = 16 * 1024 * 1024
"""Characters of decoded text produced per body at most, all layers together."""

MAX_DECODED_PER_PAGE: Final = 64 * 1024 * 1024
"""Characters of decoded text produced for all the bodies of one page's visit at most."""

MAX_RUNS: Final = 64
"""Embedded base64 runs decoded per text at most (a replay batch holds a few)."""

_BASE64_RUN: Final = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_BASE64URL_RUN: Final = re.compile(r"[A-Za-z0-9_-]{16,}={0,2}")
_LZ_URI_RUN: Final = re.compile(r"[A-Za-z0-9+$-]{16,}")

MAX_LZ_RUN: Final = 512 * 1024
"""Longest run tried as LZ-string (pure Python: ~1 s per MiB; its batches are smaller)."""
"""Runs of 16 characters or more (12 bytes; every canary is longer) are worth decoding."""
_PERCENT: Final = re.compile(r"%[0-9A-Fa-f]{2}")
_JSON_ESCAPE: Final = re.compile(r"\\u([0-9a-fA-F]{4})|\\([\"\\/bfnrt])")
_SIMPLE_ESCAPES: Final = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

_COMPRESSED_MAGIC: Final = (
    (b"\x1f\x8b\x08", "gzip", 31),
    (b"\x78\x9c", "deflate", 15),
    (b"\x78\xda", "deflate", 15),
    (b"\x78\x01", "deflate", 15),
    (b"\x78\x5e", "deflate", 15),
)
"""Headers of gzip and zlib streams, with the zlib wbits that reads them."""

_MAX_STREAMS: Final = 16
"""Compressed streams tried per body layer at most (a Sentry envelope carries one or two)."""


def body_views(body: str, page_budget: DecodeBudget | None = None) -> Iterator[tuple[str, str]]:
    """(how it was decoded, text) for the body itself ("" = as sent) and each form under it.

    At most MAX_DECODED characters are decoded from one body, and no more than `page_budget`
    has left when one is shared by all the bodies of a page (MAX_DECODED_PER_PAGE)."""
    budget = DecodeBudget(MAX_DECODED, page_budget)
    seen: set[int] = set()
    yield from _views(body, (), budget, seen)


class DecodeBudget:
    """Characters of decoded text still allowed, drawn from a parent budget too when given."""

    def __init__(self, chars: int, parent: DecodeBudget | None = None) -> None:
        self.left = chars
        self.parent = parent

    def exhausted(self) -> bool:
        """True when nothing more may be decoded."""
        return self.left <= 0 or (self.parent is not None and self.parent.exhausted())

    def take(self, text: str) -> bool:
        """Spend len(text); False when this budget (or its parent) is exhausted."""
        self.left -= len(text)
        parent_ok = self.parent.take(text) if self.parent is not None else True
        return self.left >= 0 and parent_ok


def _views(
    text: str, chain: tuple[str, ...], budget: DecodeBudget, seen: set[int]
) -> Iterator[tuple[str, str]]:
    key = hash(text)
    if key in seen:
        return
    seen.add(key)
    yield ", ".join(chain), text
    if len(chain) >= MAX_DEPTH or budget.exhausted():
        return
    for name, decoded in _decodings(text):
        if not decoded or not budget.take(decoded):
            continue
        yield from _views(decoded, (*chain, name), budget, seen)


def _decodings(text: str) -> Iterator[tuple[str, str]]:
    """One layer down: each way `text` may have been encoded, undone."""
    if _PERCENT.search(text):
        yield "url-decoded", unquote(text)
    if "\\" in text:
        yield "json-unescaped", _json_unescape(text)
    raw = _as_bytes(text)
    if raw is not None:
        yield from _decompressed(raw)
    if "content-disposition" in text[:4096].lower():
        yield from (("multipart", part) for part in _multipart_parts(text))
    yield from _base64_runs(text)


def _as_bytes(text: str) -> bytes | None:
    """The body's bytes when it is binary carried as latin-1 text; None when it is not."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        # Text with wider characters: a binary part may still sit inside it as latin-1 runs,
        # but a JSON or form body is the common case; its compressed parts are base64 runs.
        return None


def _decompressed(raw: bytes) -> Iterator[tuple[str, str]]:
    tried = 0
    for magic, name, wbits in _COMPRESSED_MAGIC:
        start = raw.find(magic)
        while start != -1 and tried < _MAX_STREAMS:
            tried += 1
            out = _inflate(raw[start:], wbits)
            if out is not None:
                yield name, _text(out)
            start = raw.find(magic, start + 1)
    if _mostly_text(raw):
        return
    # Raw deflate (no header) and brotli have no magic: tried on a body that is not text.
    out = _inflate(raw, -15)
    if out is not None and _mostly_text(out):
        yield "deflate-raw", _text(out)
    try:
        out = brotli.Decompressor().process(raw, output_buffer_limit=MAX_DECODED)
    except brotli.error:
        out = b""
    if out and _mostly_text(out):
        yield "brotli", _text(out)


def _inflate(data: bytes, wbits: int) -> bytes | None:
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(data, MAX_DECODED)
    except zlib.error:
        return None
    return out or None


def _base64_runs(text: str) -> Iterator[tuple[str, str]]:
    runs = 0
    for pattern, name in ((_BASE64_RUN, "base64"), (_BASE64URL_RUN, "base64url")):
        for match in pattern.finditer(text):
            run = match[0]
            if name == "base64url" and "-" not in run and "_" not in run:
                continue  # the plain alphabet's run, already decoded
            if runs >= MAX_RUNS:
                return
            runs += 1
            raw = _b64decode(run, url=name == "base64url")
            if raw is None:
                continue
            if _mostly_text(raw):
                yield name, _text(raw)
                continue
            inflated = list(_decompressed(raw))
            for inner, out in inflated:
                yield f"{name}, {inner}", out
            if not inflated and name == "base64" and len(run) <= MAX_LZ_RUN:
                unpacked = lz_string_decompress(run, _LZ_BASE64)
                if unpacked and _mostly_text(unpacked.encode("utf-8", "replace")):
                    yield "lz-string", unpacked
    for match in _LZ_URI_RUN.finditer(text):
        uri_run = match[0]
        if ("$" not in uri_run and "-" not in uri_run) or len(uri_run) > MAX_LZ_RUN:
            continue  # the plain alphabet's runs were tried above
        if runs >= MAX_RUNS:
            return
        runs += 1
        decoded = lz_string_decompress(uri_run, _LZ_URI)
        if decoded and _mostly_text(decoded.encode("utf-8", "replace")):
            yield "lz-string", decoded


_LZ_BASE64: Final = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
}
_LZ_URI: Final = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$")
}


def lz_string_decompress(text: str, alphabet: dict[str, int]) -> str | None:
    """LZ-string's decompressFromBase64 (`_LZ_BASE64`) or decompressFromEncodedURIComponent
    (`_LZ_URI`): some SDKs pack their batches with it. None when `text` is not LZ-string; never
    more than MAX_DECODED characters."""
    values = [alphabet.get(c, 0) for c in text]
    length = len(values)
    position, index, value = 32, 1, values[0] if values else 0

    def read(bits: int) -> int:
        nonlocal position, index, value
        out = 0
        for power in range(bits):
            bit = value & position
            position >>= 1
            if position == 0:
                position = 32
                value = values[index] if index < length else 0
                index += 1
            if bit:
                out |= 1 << power
        return out

    first = read(2)
    if first == 2:
        return ""
    if first > 2:
        return None
    word = chr(read(8 if first == 0 else 16))
    dictionary: dict[int, str] = {0: "", 1: "", 2: "", 3: word}
    size, bits, enlarge_in = 4, 3, 4
    result = [word]
    total = len(word)
    while index <= length:
        code = read(bits)
        if code in (0, 1):
            dictionary[size] = chr(read(8 if code == 0 else 16))
            code = size
            size += 1
            enlarge_in -= 1
        elif code == 2:
            return "".join(result)
        if enlarge_in == 0:
            enlarge_in = 1 << bits
            bits += 1
        if code in dictionary and code > 2:
            entry = dictionary[code]
        elif code == size:
            entry = word + word[0]
        else:
            return None
        total += len(entry)
        if total > MAX_DECODED:
            return None
        result.append(entry)
        dictionary[size] = word + entry[0]
        size += 1
        enlarge_in -= 1
        word = entry
        if enlarge_in == 0:
            enlarge_in = 1 << bits
            bits += 1
    return None


def _b64decode(run: str, *, url: bool) -> bytes | None:
    run = run.rstrip("=")
    run = run[: len(run) - len(run) % 4] if len(run) % 4 == 1 else run
    padded = run + "=" * (-len(run) % 4)
    try:
        if url:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _mostly_text(raw: bytes) -> bool:
    """True when the bytes read as UTF-8 text (a few bad bytes at a cut edge allowed)."""
    sample = raw[:4096]
    decoded = sample.decode("utf-8", "replace")
    bad = decoded.count("\ufffd") + sum(1 for c in decoded if c < " " and c not in "\t\n\r")
    return bad * 20 <= len(decoded)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _json_unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match[1]:
            return chr(int(match[1], 16))
        return _SIMPLE_ESCAPES.get(match[2], match[2])

    return _JSON_ESCAPE.sub(replace, text)


def _multipart_parts(text: str) -> Iterator[str]:
    """The bodies of a multipart message's parts (the boundary read from its first line)."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if not first.startswith("--") or len(first) < 3:
        return
    for part in text.split(first):
        _, sep, body = part.partition("\r\n\r\n")
        if not sep:
            _, sep, body = part.partition("\n\n")
        if sep and body.strip() and body.strip() != "--":
            yield body.rstrip("\r\n")
