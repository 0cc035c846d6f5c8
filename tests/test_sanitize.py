"""Site text in every output, read the way each output's consumer reads it: report.md rendered as
GitHub renders a PR comment, SARIF messages as GitHub reads embedded links, JUnit by an XML
parser, the terminal summary as a terminal would take the bytes."""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from scanner.cli import main
from scanner.config import ConfigError, ScanConfig, build_config
from scanner.gate import evaluate
from scanner.model import ClaimRef, Cookie, ScanResult
from scanner.report import write_reports
from scanner.report.markdown import TOP_FINDINGS, MarkdownWriter
from scanner.report.sarif import SarifWriter
from scanner.sanitize import (
    TerminalLogFormatter,
    for_sarif,
    for_terminal,
    for_terminal_json,
    for_xml,
    markdown_code,
    no_surrogates,
    redact_url,
    scrub_surrogates,
)
from scanner.terminal import Console
from tests.fixtures.results.hostile import build_result

# Hostile values, in our own words: what a site could put in a title, a cookie name, a sentence.
CLEAR_SCREEN = "\x1b[2J\x1b[H"
OSC_TITLE = "\x1b]0;owned\x07"
C1_CSI = "\x9b31m"
BIDI = "\u202egnp.exe\u202c"
LINK = "[click](http://evil.test)"
IMAGE = "![pixel](http://evil.test/p.png)"
TAG = "<img src=x onerror=alert(1)>"
MENTION = "@org/team"
REFERENCE = "#12"
BARE = "www.evil.test and https://evil.test/x and ops@evil.test"
SURROGATE = "A\ud800B"
HOSTILE = " ".join(
    [CLEAR_SCREEN, OSC_TITLE, C1_CSI, BIDI, LINK, IMAGE, TAG, MENTION, REFERENCE, BARE]
)

_CONTROL_BYTES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def hostile_result() -> ScanResult:
    """The hostile fixture with these values in titles, messages, quotes, cookie names, URLs."""
    result = build_result()
    for finding in result.findings:
        finding.title += f" {HOSTILE}"
        finding.message += f" {HOSTILE} {SURROGATE}"
        if finding.claim is not None:
            finding.claim = ClaimRef(kind=finding.claim.kind, quote=f"{HOSTILE} {SURROGATE}")
    result.findings[0].page_url = f"https://shop.example/{LINK}|{TAG}`x``"
    result.pages[0].title = f"{SURROGATE} {HOSTILE}"
    result.cookies.append(Cookie(name=f"{CLEAR_SCREEN}{OSC_TITLE}{SURROGATE}", value="1"))
    result.notes.append(f"note {HOSTILE} {SURROGATE}")
    result.incomplete_reason = f"reason {HOSTILE}"
    return result


# -- the functions ---------------------------------------------------------------------------


def test_terminal_text_has_every_control_sequence_shown_not_sent() -> None:
    text = for_terminal(f"cookie {CLEAR_SCREEN}{OSC_TITLE}{C1_CSI} {BIDI}\x7f\r\nnext {SURROGATE}")

    assert not _CONTROL_BYTES.search(text) and "\n" not in text and "\r" not in text
    assert "\\x1b[2J" in text and "\\x07" in text and "\\x9b" in text and "\\u202e" in text
    assert text.endswith("A\\ud800B")
    block = for_terminal("line one\n\tline \x1b[31mtwo", multiline=True)
    assert block == "line one\n\tline \\x1b[31mtwo"


def test_terminal_json_is_the_same_json_without_control_characters() -> None:
    value = {"name": f"{C1_CSI}{BIDI}\x7f{CLEAR_SCREEN}", "n": 1}
    text = for_terminal_json(json.dumps(value, ensure_ascii=False))

    assert not _CONTROL_BYTES.search(text)
    assert json.loads(text) == value


def test_sarif_text_escapes_brackets_so_no_embedded_link_forms() -> None:
    assert for_sarif(f"see {LINK} \\ ok") == "see \\[click\\](http://evil.test) \\\\ ok"


def test_xml_text_drops_what_xml_forbids() -> None:
    assert for_xml("a\x00b\x1bc\ud800d\ufffe\tok\n") == "a\ufffdb\ufffdc\ufffdd\ufffd\tok\n"


def test_lone_surrogates_become_replacement_characters_everywhere_in_a_model() -> None:
    assert no_surrogates({"k\udc00": [SURROGATE, 1]}) == {"k\ufffd": ["A\ufffdB", 1]}
    result = hostile_result()
    scrub_surrogates(result)

    text = result.model_dump_json()  # raised PydanticSerializationError before

    assert "\\ud800" not in text and "A\ufffdB" in result.pages[0].title
    assert result.cookies[-1].name.endswith("A\ufffdB")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pw@www.example.com:8443/a?b=1", "https://www.example.com:8443/a?b=1"),
        ("https://token@www.example.com/", "https://www.example.com/"),
        ("https://www.example.com/@x", "https://www.example.com/@x"),
        ("not a url", "not a url"),
    ],
)
def test_credentials_are_cut_from_urls(url: str, expected: str) -> None:
    assert redact_url(url) == expected


# -- report.md, rendered as GitHub renders a comment ----------------------------------------------


def _renderer() -> MarkdownIt:
    """CommonMark + GFM tables, strikethrough, raw HTML and autolinks (linkify): what GitHub and
    GitLab do with a comment. GitHub links `www.` names on any TLD, so .test and .example too."""
    md = MarkdownIt("gfm-like", {"linkify": True})
    md.linkify.tlds(["test", "example"], True)
    return md


def _walk(tokens: list[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        found.append(token)
        found += _walk(token.children or [])
    return found


def test_report_md_rendered_has_no_link_image_html_mention_or_reference_from_site_text() -> None:
    source = MarkdownWriter().render(hostile_result())
    tokens = _walk(_renderer().parse(source))

    active = [t for t in tokens if t.type in ("link_open", "image", "html_inline", "html_block")]
    active = [t for t in active if t.content != "<br>"]  # ours, between rule id and title
    assert active == [], [(t.type, t.attrs, t.content) for t in active]
    headings = [t for t in tokens if t.type == "heading_open"]
    assert len(headings) == 2  # ours: the verdict and "Top findings"
    text = " ".join(t.content for t in tokens if t.type in ("text", "code_inline"))
    prose = " ".join(t.content for t in tokens if t.type == "text")
    # What GitHub links after rendering, in text outside code: mentions, #refs, bare names.
    assert not re.search(r"@[A-Za-z0-9]", prose)
    assert not re.search(r"#\d", prose)
    assert not re.search(r"(?i)www\.\w|https?://|\w@\w", prose)
    assert LINK in text.replace("\u200b", "")  # shown as text, invisibly broken
    assert not _CONTROL_BYTES.search(source)


def test_report_md_table_rows_keep_their_cells_whatever_the_site_wrote() -> None:
    tokens = _walk(_renderer().parse(MarkdownWriter().render(hostile_result())))

    rows: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append(0)
        elif token.type in ("td_open", "th_open"):
            rows[-1] += 1
    shown = min(TOP_FINDINGS, len(hostile_result().findings))
    assert rows == [4] * 6 + [5] * (1 + shown), rows  # counts table, then top findings
    where = [t.content for t in tokens if t.type == "code_inline"]
    assert f"https://shop.example/{LINK}|{TAG}`x``" in where  # the URL, literal and whole


def test_markdown_code_spans_hold_any_backtick_run() -> None:
    rendered = _renderer().render(markdown_code("a ``` b `"))
    assert rendered.strip() == "<p><code>a ``` b `</code></p>"


# -- SARIF, JUnit, HTML, the terminal ---------------------------------------------------------

_UNESCAPED_LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*(?<!\\)\]\(")


def test_sarif_messages_carry_no_unescaped_embedded_link() -> None:
    log = json.loads(SarifWriter().render(hostile_result()))
    run = log["runs"][0]
    texts = [r["message"]["text"] for r in run["results"]]
    texts += [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]

    assert texts and all(not _UNESCAPED_LINK.search(t) for t in texts)
    assert any("\\[click\\](http://evil.test)" in t for t in texts)


def test_every_report_is_written_and_parses_with_lone_surrogates_and_controls(
    tmp_path: Path,
) -> None:
    result = hostile_result()

    paths = write_reports(result, tmp_path, ["json", "html", "sarif", "junit", "md"])

    assert set(paths) == {"json", "html", "sarif", "junit", "md"}
    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert report["pages"][0]["title"].startswith("A\ufffdB")
    json.loads(paths["sarif"].read_text(encoding="utf-8"))
    root = ET.parse(paths["junit"]).getroot()  # an XML parser takes it
    failures = " ".join(f.get("message", "") + (f.text or "") for f in root.iter("failure"))
    assert "\\x1b" not in failures and "\x1b" not in failures and LINK in failures
    html = paths["html"].read_text(encoding="utf-8")
    assert "\x1b" not in html and "\u202e" not in html and TAG not in html


def test_the_terminal_summary_sends_no_control_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    result = hostile_result()
    result.complete = False
    result.target = f"https://shop.example/{CLEAR_SCREEN}"
    scrub_surrogates(result)
    outcome: Any = evaluate(result, "high", None, [], result.started_at.date())

    Console(quiet=True).summary(result, outcome, {})

    out = capsys.readouterr().out
    assert "\\x1b[2J" in out and "INCOMPLETE" in out
    assert not _CONTROL_BYTES.search(out.replace("\n", ""))


def test_diff_and_statement_commands_print_no_control_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = hostile_result()
    scrub_surrogates(new)
    old = new.model_copy(update={"cookies": [], "findings": [], "beacons": []})
    (tmp_path / "old.json").write_text(old.model_dump_json(), encoding="utf-8")
    (tmp_path / "new.json").write_text(new.model_dump_json(), encoding="utf-8")
    statement = tmp_path / "privacy.html"
    statement.write_text(
        f"<p>We use cookies to remember you {CLEAR_SCREEN}{OSC_TITLE}{BIDI}.</p>", encoding="utf-8"
    )

    outputs = []
    for args in (["diff", "old.json", "new.json"], ["diff", "--json", "old.json", "new.json"]):
        assert (
            main([args[0], *[str(tmp_path / a) if a.endswith(".json") else a for a in args[1:]]])
            == 0
        )
        outputs.append(capsys.readouterr().out)
    assert main(["statement", str(statement)]) == 0
    outputs.append(capsys.readouterr().out)

    assert "+ cookie: \\x1b[2J" in outputs[0]
    assert any(c.startswith("\x1b[2J") for c in json.loads(outputs[1])["cookies"]["added"])
    assert "cookies" in outputs[2] and "\\x1b[2J" in outputs[2]
    for out in outputs:
        assert not _CONTROL_BYTES.search(out.replace("\n", "").replace("\t", ""))


def test_log_lines_show_control_characters_as_escapes() -> None:
    record = logging.LogRecord(
        "scanner", logging.WARNING, "", 0, "page %s failed", (HOSTILE,), None
    )
    line = TerminalLogFormatter("%(levelname)s %(message)s").format(record)

    assert line.startswith("WARNING page \\x1b[2J") and not _CONTROL_BYTES.search(line)


def test_credentials_never_reach_the_configuration_or_its_errors() -> None:
    config = ScanConfig(
        url="https://user:pw-secret@www.example.com/",
        statement_url="https://user:pw-secret@www.example.com/privacy",
        webhook="https://hooks.chat.test/services/T0/B0/hook-secret",
    )
    recorded = json.dumps(config.public_dict())

    assert config.url == "https://www.example.com/" and config.credentials_dropped
    assert "pw-secret" not in recorded and "hook-secret" not in recorded
    with pytest.raises(ConfigError) as error:
        build_config(None, {"url": "https://user:pw-secret@www.example.com:99999/"})
    assert "pw-secret" not in str(error.value) and "invalid port" in str(error.value)


def test_the_statement_command_never_prints_credentials_of_its_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Port 1 on loopback: nothing listens, the fetch fails at once.
    assert main(["statement", "https://reader:pw-secret@127.0.0.1:1/privacy"]) == 2

    err = capsys.readouterr().err
    assert "pw-secret" not in err and "reader:" not in err and "127.0.0.1" in err


def test_rendering_an_old_report_again_drops_its_credentials_and_webhook(tmp_path: Path) -> None:
    old = build_result()
    old.target = "https://user:pw-secret@shop.example/"
    old.config |= {"url": old.target, "webhook": "https://hooks.chat.test/T/B/hook-secret"}

    paths = write_reports(old, tmp_path, ["json", "html", "sarif", "junit", "md"])

    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert "pw-secret" not in text and "hook-secret" not in text, path.name
