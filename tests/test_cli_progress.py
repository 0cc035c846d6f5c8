"""What a running scan shows: a bar with pages and hosts on a terminal, plain lines in CI, and
TLS results as they arrive rather than after the crawl."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Response, SiteServer

pytestmark = pytest.mark.browser

PAGES = {
    "/": '<a href="/a">A</a> <a href="/b">B</a><img src="{{HTTPS_ORIGIN:cdn.shop.test}}/logo.png">',
    "/a": '<a href="/b">B</a> <a href="{{HTTPS_ORIGIN:help.shop.test}}/">Help</a>'
    '<form action="{{HTTPS_ORIGIN:help.shop.test}}/send" method="post">'
    '<input type="email" name="email"></form>',
    "/b": "<p>B</p>",
}
SLOW = {"/b": 4.0}


@pytest.fixture(scope="module")
def site(pki: Any) -> Iterator[SiteServer]:
    routes = {
        path: Response(f"<!doctype html><title>{path}</title>{body}", delay=SLOW.get(path, 0))
        for path, body in PAGES.items()
    }
    hosts = [
        Host("www.shop.test", routes=dict(routes)),
        Host("help.shop.test", routes={"/": Response("<!doctype html><title>Help</title>")}),
        Host("cdn.shop.test", routes={"/logo.png": Response(b"", content_type="image/png")}),
    ]
    with SiteServer(hosts, pki, prefer_standard_ports=False) as server:
        yield server


def scan_args(server: SiteServer, out: Path) -> list[str]:
    args = [sys.executable, "-m", "scanner.cli", "scan", server.url("www.shop.test", "/")]
    for rule in server.resolve_rules():
        args += ["--resolve", rule]
    args += ["--only-resolved", "--ca-bundle", server.ca_pem, "--fail-on", "none"]
    return [*args, "--out", str(out)]


def test_plain_lines_in_ci_report_tls_as_it_finishes(site: SiteServer, tmp_path: Path) -> None:
    env = {**os.environ, "CI": "1"}
    done = subprocess.run(
        scan_args(site, tmp_path), capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert next(line for line in lines if line.startswith("page ")).startswith("page 1 (+")
    tls = [i for i, line in enumerate(lines) if re.match(r"tls \S+:\d+: ok in ", line)]
    assert len(tls) == 2  # www serves a PI form and help receives it: each once
    # A host's result is printed when its scan ends, while the crawl goes on (the slow page
    # keeps the crawl busy for 4 s): not after the crawl, when the scan waits for TLS.
    assert min(tls) < lines.index("stage: statement")


def test_a_terminal_gets_a_bar_with_pages_and_hosts(site: SiteServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(TERM="xterm-256color", COLUMNS="160")
    leader, follower = pty.openpty()
    with subprocess.Popen(
        scan_args(site, tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    ) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=120) == 0
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))
    assert re.search(r"crawl.*\d+/\d+ pages", text), text[-2000:]
    assert re.search(r"hosts [0-2]/2 TLS-scanned", text), text[-2000:]
