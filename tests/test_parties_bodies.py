"""The leak search looks inside bodies as SDKs send them: compressed, base64'd, escaped, in
multipart parts; bodies captured from the real SDKs (tests/fixtures/sdk_bodies) and bodies made
here with the same encodings."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import zlib
from pathlib import Path

import brotli  # type: ignore[import-untyped]

from scanner.model import Request
from scanner.parties.bodies import MAX_DECODED, MAX_DECODED_PER_PAGE, DecodeBudget, body_views
from scanner.parties.leaks import find_leaks, make_canaries

FIXTURES = Path(__file__).parent / "fixtures" / "sdk_bodies"
CANARIES = make_canaries(
    ["name", "email", "phone", "postal_address"], seed="complyscan sdk fixtures"
)


def post(body: str, url: str = "https://in.sessionsink.net/v1/replay") -> Request:
    return Request(url=url, method="POST", post_data=body, third_party=True)


def leaked(body: str) -> dict[str, str]:
    """kind -> how the body was unwrapped, for each canary found in it."""
    return {leak.kind: leak.decoded for leak in find_leaks([post(body)], CANARIES)}


def test_rrweb_upload_of_base64_gzip_is_searched_inside() -> None:
    body = (FIXTURES / "rrweb-upload.json").read_text(encoding="utf-8")
    assert CANARIES["email"] not in body  # nothing to see without decoding
    assert leaked(body) == {
        "name": "base64, gzip",
        "email": "base64, gzip",
        "phone": "base64, gzip",
    }


def test_the_same_upload_carried_as_base64_bytes_is_found_too() -> None:
    # CDP hands a binary body over as base64 of its bytes.
    raw = (FIXTURES / "rrweb-upload.json").read_bytes()
    twice = "base64, base64, gzip"
    assert leaked(base64.b64encode(raw).decode()) == {"name": twice, "email": twice, "phone": twice}


def test_sentry_replay_masks_input_so_its_envelope_is_no_leak() -> None:
    raw = (FIXTURES / "sentry-replay-envelope.bin").read_bytes()
    views = dict(body_views(raw.decode("latin-1")))
    recording = views["deflate"]
    assert '"type":2' in recording and "***" in recording  # the recording, read, masked
    assert leaked(raw.decode("latin-1")) == {}
    assert leaked(base64.b64encode(raw).decode()) == {}


def test_a_canary_in_a_sentry_style_envelope_is_found_after_the_json_lines() -> None:
    events = json.dumps([{"type": 3, "data": {"text": CANARIES["email"]}}]).encode()
    envelope = b'{"event_id":"1"}\n{"type":"replay_recording"}\n{"segment_id":0}\n'
    body = envelope + zlib.compress(events)
    assert leaked(body.decode("latin-1")) == {"email": "deflate"}


def test_gzip_brotli_and_raw_deflate_bodies() -> None:
    text = json.dumps({"props": {"email": CANARIES["email"]}}).encode()
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = raw_deflate.compress(text) + raw_deflate.flush()
    assert leaked(gzip.compress(text).decode("latin-1")) == {"email": "gzip"}
    squeezed = brotli.compress(text * 50).decode("latin-1")
    assert CANARIES["email"] in dict(body_views(squeezed))["brotli"]
    assert "email" in leaked(squeezed)
    assert leaked(deflated.decode("latin-1")) == {"email": "deflate-raw"}


def test_url_safe_base64_json_escapes_and_url_encoding() -> None:
    inner = json.dumps({"email": CANARIES["email"], "name": CANARIES["name"]}).encode()
    for _ in range(64):  # until the url-safe alphabet's own letters (- or _) appear in it
        urlsafe = base64.urlsafe_b64encode(gzip.compress(inner)).decode()
        if "-" in urlsafe or "_" in urlsafe:
            break
        inner += b" "
    assert leaked(f'{{"payload":"{urlsafe}"}}')["email"] == "base64url, gzip"
    unicode_at = CANARIES["email"].replace("@", "\\u0040")
    escaped = f'{{"v": "{unicode_at}"}}'
    assert leaked(escaped) == {"email": "json-unescaped"}
    assert leaked("data=" + CANARIES["email"].replace("@", "%40").replace("-", "%2D")) == {
        "email": "url-decoded"  # %2D is no encoding a needle knows: decoded, then found
    }


def test_multipart_part_holding_compressed_events() -> None:
    part = base64.b64encode(gzip.compress(CANARIES["phone"].encode())).decode()
    body = (
        '--xyz\r\nContent-Disposition: form-data; name="meta"\r\n\r\n{}\r\n'
        f'--xyz\r\nContent-Disposition: form-data; name="events"\r\n\r\n{part}\r\n--xyz--\r\n'
    )
    assert leaked(body) == {"phone": "multipart, base64, gzip"}


def test_masked_values_are_no_leak() -> None:
    masked = json.dumps({"type": 3, "data": {"source": 5, "text": "*" * 24, "alt": "•••••"}})
    assert leaked(base64.b64encode(gzip.compress(masked.encode())).decode()) == {}


def test_a_decompression_bomb_costs_a_bounded_amount() -> None:
    bomb = gzip.compress(b"A" * (4 * MAX_DECODED))
    total = sum(len(text) for _, text in body_views(bomb.decode("latin-1")))
    assert total <= MAX_DECODED + len(bomb) + 1


def test_garbage_never_raises() -> None:
    for body in ["\x1f\x8b\x08garbage", "x\x9c\x00\x01", "=" * 40, "A" * 17, "--\r\n\r\n", "\\u12"]:
        list(body_views(body))


def test_lz_string_batches_packed_by_the_real_library() -> None:
    # lz-string from npm (tests/sdk, installed by `make sdk`), as SDKs that use it pack a batch.
    batch = json.dumps(
        [{"f": "email", "v": CANARIES["email"]}, {"f": "name", "v": CANARIES["name"]}]
    )
    script = (
        "const L = require('lz-string'); const s = process.argv[1];"
        "console.log(JSON.stringify([L.compressToBase64(s), L.compressToEncodedURIComponent(s)]))"
    )
    run = subprocess.run(
        ["node", "-e", script, batch],
        cwd=Path(__file__).parent / "sdk",
        capture_output=True,
        text=True,
        check=True,
    )
    packed, uri_packed = json.loads(run.stdout)
    assert leaked(json.dumps({"d": packed})) == {"email": "lz-string", "name": "lz-string"}
    assert leaked(f"data={uri_packed}&v=1") == {"email": "lz-string", "name": "lz-string"}


def test_the_bodies_of_one_page_share_a_decoding_budget() -> None:
    # Each body decodes to MAX_DECODED characters; a page of them stops at the page's budget.
    bomb = gzip.compress(b"A" * MAX_DECODED).decode("latin-1")
    page = DecodeBudget(MAX_DECODED_PER_PAGE)
    decoded = [sum(len(text) for how, text in body_views(bomb, page) if how) for _ in range(8)]
    assert decoded[0] == MAX_DECODED
    assert sum(decoded) <= MAX_DECODED_PER_PAGE and decoded[-1] == 0
