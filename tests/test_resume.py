"""A scan killed hard (SIGKILL) and resumed, and a scan interrupted with Ctrl-C: what a user of a
nightly scan relies on when the runner dies halfway."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.demo.server import Host, Incoming, Response

pytestmark = pytest.mark.browser

PAGES = [f"/p{i}" for i in range(1, 12)]
"""The start page links to these eleven: twelve pages in all."""


def slow_site(slow: dict[str, float]) -> list[Host]:
    """Twelve pages, each answering after `slow["delay"]` seconds (changeable mid-test)."""

    def page(body: str) -> Any:
        return lambda incoming: Response(body, delay=slow["delay"])

    links = "".join(f'<a href="{p}">{p}</a> ' for p in PAGES)
    routes: dict[str, Any] = {"/": page(f"<!doctype html><title>Home</title>{links}")}
    for path in PAGES:
        routes[path] = page(f"<!doctype html><title>{path}</title><a href='/'>home</a>")
    return [Host("www.slow.test", routes=routes)]


def start_scan(server: Any, out: Path, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    """`complyscan scan` in its own session (so the whole group, browser too, can be killed)."""
    resolve = [a for rule in server.resolve_rules() for a in ("--resolve", rule)]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scanner.cli",
            "scan",
            server.url("www.slow.test", "/"),
            *resolve,
            "--only-resolved",
            "--ca-bundle",
            server.ca_pem,
            "--out",
            str(out),
            "--workers",
            "1",
            "--format",
            "json",
            "--no-consent",  # the consent states visit pages again, on purpose
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # The browser's private profile lands under `tmp`, so leftovers can be found by path
        # (a short path: Chromium's sockets live there too).
        env={**os.environ, "CI": "1", "TMPDIR": str(tmp)},
    )


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {count} lines")


def kill_leftovers(marker: Path) -> None:
    """End browser processes of a killed scan (found by their profile path), by pid."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(marker).encode() in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


def kill_after(server: Any, out: Path, tmp: Path, lines: int) -> None:
    """Start a scan and SIGKILL it (browser too) once pages.jsonl has `lines` pages."""
    proc = start_scan(server, out, tmp)
    try:
        wait_for_lines(out / "pages.jsonl", lines, proc, timeout=60)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        kill_leftovers(tmp)


def document_fetches(received: list[Incoming]) -> Counter[str]:
    """How often the browser fetched each page as a document (not httpx, not subresources)."""
    return Counter(r.path for r in received if r.headers.get("sec-fetch-dest") == "document")


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cs-"))
    yield path
    kill_leftovers(path)
    shutil.rmtree(path, ignore_errors=True)


def test_a_killed_scan_resumes_without_visiting_a_page_twice(
    site: Any, tmp_path: Path, short_tmp: Path
) -> None:
    slow = {"delay": 0.4}
    server = site(slow_site(slow))
    out = tmp_path / "out"
    kill_after(server, out, short_tmp, lines=4)
    first_run = list(server.requests_to())
    kept = [json.loads(line)["url"] for line in (out / "pages.jsonl").read_text().splitlines()]
    assert len(kept) >= 4

    slow["delay"] = 0.0
    proc = start_scan(server, out, short_tmp, "--resume")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), stdout + stderr

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    urls = [p["url"] for p in report["pages"]]
    expected = [server.url("www.slow.test", p) for p in ["/", *PAGES]]
    assert sorted(urls) == sorted(expected)  # every page, each exactly once
    assert report["complete"] is True
    assert any(n.startswith("Resumed:") for n in report["notes"])

    # Pages kept from the killed run were never fetched again; at most the one page in flight
    # at kill time (fetched, not yet written) was fetched by both runs.
    fetches = document_fetches(server.requests_to())
    assert set(fetches) == {"/", *PAGES}
    twice = [path for path, n in fetches.items() if n > 1]
    assert len(twice) <= 1 and all(n <= 2 for n in fetches.values()), fetches
    kept_paths = {"/" + u.split("/", 3)[-1] for u in kept}
    assert not kept_paths & set(twice)
    in_flight = set(document_fetches(first_run)) - kept_paths
    assert set(twice) <= in_flight


def test_ctrl_c_writes_a_partial_report_and_exits_3(
    site: Any, tmp_path: Path, short_tmp: Path
) -> None:
    server = site(slow_site({"delay": 0.4}))
    out = tmp_path / "out"
    proc = start_scan(server, out, short_tmp)
    try:
        wait_for_lines(out / "pages.jsonl", 2, proc, timeout=60)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        kill_leftovers(short_tmp)
    assert proc.returncode == 3, stdout + stderr
    assert "Traceback" not in stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["complete"] is False
    assert "interrupted" in report["incomplete_reason"]
    assert 2 <= len(report["pages"]) < 12
    assert report["summary"]["pages"] == len(report["pages"])


def test_a_kill_while_resume_reads_the_pages_keeps_every_page(
    site: Any, tmp_path: Path, short_tmp: Path
) -> None:
    """Issue 13 item 11: --resume once rewrote pages.jsonl in place, and a kill during the
    rewrite emptied it. Now the file is only appended to: a kill at any moment keeps it all."""
    from scanner.config import ScanConfig
    from scanner.model import Page
    from scanner.outdir import PAGES_FILE, start_pages_file

    server = site(slow_site({"delay": 0.4}))
    out = tmp_path / "out"
    out.mkdir()
    start = server.url("www.slow.test", "/")
    start_pages_file(
        ScanConfig(url=start, out=out, resolve=server.resolve_rules(), only_resolved=True)
    )
    filler = "x" * 10_000
    lines = [
        Page(url=f"{start}kept/{i}", status=200, title=filler).model_dump_json()
        for i in range(3000)
    ]
    path = out / PAGES_FILE
    path.write_text("\n".join(lines) + '\n{"url": "half a li', encoding="utf-8")
    size = path.stat().st_size

    proc = start_scan(server, out, short_tmp, "--resume")
    try:
        # Kill the moment the file shrinks (a rewrite began), or once a new page is appended.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            now = path.stat().st_size if path.exists() else 0
            if now != size:
                break
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        kill_leftovers(short_tmp)
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            kept.append(Page.model_validate_json(line).url)
    assert kept[:3000] == [f"{start}kept/{i}" for i in range(3000)]


def test_max_pages_counts_the_pages_of_the_killed_scan(
    site: Any, tmp_path: Path, short_tmp: Path
) -> None:
    slow = {"delay": 0.4}
    server = site(slow_site(slow))
    out = tmp_path / "out"
    kill_after(server, out, short_tmp, lines=3)
    kept = len((out / "pages.jsonl").read_text().splitlines())
    assert 3 <= kept < 6
    slow["delay"] = 0.0
    proc = start_scan(server, out, short_tmp, "--resume", "--max-pages", "6")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), stdout + stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["pages"]) == 6
    assert any("max-pages (6) reached" in n for n in report["notes"])
