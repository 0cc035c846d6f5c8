"""One real scan (the real Chromium, a loopback HTTPS site, the command line as CI runs it) of a
page whose title and cookie name hold a lone UTF-16 surrogate and terminal escape sequences,
started from a URL with credentials and with a webhook whose URL is a token.

Every report is written and parses, the exit code is the gate's, and neither the credentials nor
the webhook URL reach any file, the history store, the webhook's payload, stdout or stderr."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Response, SiteServer
from tests.test_cli import complyscan
from tests.test_webhook import Receiver, running_receiver

pytestmark = pytest.mark.browser

PASSWORD = "pa55-w0rd-in-url"
USER = "deploy-bot"
TOKEN = "T0K3N-hook-secret"

# JavaScript escapes: the page itself makes the lone surrogate and the control characters.
PAGE = r"""<!doctype html><html><head><title>start</title>
<script>
document.title = 'A\ud800B [click](http://evil.test) <img src=x onerror=alert(1)> @org/team '
  + 'www.evil.test #12 \x1b[2J\x1b]0;owned\x07';
document.cookie = '\x1b[2J\x1b[31m\x07c\ud800k=1; path=/';
</script></head><body>
<form action="http://www.shop.test/join" method="post">
<label>E-mail <input type="email" name="email"></label><button>Join</button></form>
</body></html>"""

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


@pytest.fixture(scope="module")
def scanned(
    pki: TestPKI, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Path, str]]:
    out = tmp_path_factory.mktemp("hostile-scan")
    hosts = [Host("www.shop.test", routes={"/": Response(PAGE)})]
    with SiteServer(hosts, pki) as server:
        start = server.url("www.shop.test").replace("https://", f"https://{USER}:{PASSWORD}@")
        hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook/{TOKEN}"
        args = ["-v", "scan", start, "--only-resolved", "--ca-bundle", server.ca_pem]
        for rule in server.resolve_rules():
            args += ["--resolve", rule]
        args += ["--out", str(out), "--db", str(out / "history.sqlite"), "--webhook", hook]
        args += ["--format", "json,html,sarif,junit,md", "--max-pages", "2", "--workers", "1"]
        done = complyscan(*args, timeout=240)
    yield done, out, start


def test_a_lone_surrogate_and_escapes_from_the_page_still_give_every_report(
    scanned: tuple[Any, Path, str],
) -> None:
    done, out, _ = scanned
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["complete"], report["incomplete_reason"]
    assert done.returncode == {"passed": 0, "failed": 1}[report["summary"]["gate"]]
    home = report["pages"][0]
    assert home["title"].startswith("A\ufffdB [click](http://evil.test)")
    names = [c["name"] for c in report["cookies"]]
    assert "\x1b[2J\x1b[31m\x07c\ufffdk" in names
    ET.parse(out / "report.junit.xml")
    json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    for name in ("report.html", "report.md"):
        assert "A\ufffdB" in (out / name).read_text(encoding="utf-8") or name == "report.md"
    with sqlite3.connect(out / "history.sqlite") as db:
        assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 1


def test_the_terminal_gets_no_control_characters_from_the_site(
    scanned: tuple[Any, Path, str],
) -> None:
    done, _, _ = scanned
    assert not _CONTROL.search(done.stdout + done.stderr)


def test_credentials_and_the_webhook_url_are_in_no_output(
    scanned: tuple[Any, Path, str], receiver: Receiver
) -> None:
    done, out, start = scanned
    secrets = (PASSWORD, f"{USER}:", TOKEN)
    texts = {"stdout": done.stdout, "stderr": done.stderr}
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".sqlite":
            texts[path.name] = path.read_bytes().decode("utf-8", "replace")
    with sqlite3.connect(out / "history.sqlite") as db:
        for target, blob in db.execute("SELECT target, report FROM scans"):
            texts["history target"] = target
            texts["history report"] = zlib.decompress(blob).decode("utf-8")
    assert receiver.bodies, "the webhook was not called"
    texts["webhook payload"] = json.dumps(receiver.bodies)
    assert {"report.json", "report.html", "report.md", "report.sarif", "pages.jsonl"} <= set(texts)

    leaks = [(where, s) for where, text in texts.items() for s in secrets if s in text]
    assert leaks == []
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["target"] == start.replace(f"{USER}:{PASSWORD}@", "")
    assert report["config"]["webhook"] == "[redacted]"
    assert any("Credentials in the URL were removed" in n for n in report["notes"])
