"""The webhook against a real HTTP receiver on loopback."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scanner.gate import evaluate
from scanner.model import Finding, ScanResult, Severity, Summary
from scanner.webhook import notify, public_form


class Receiver(ThreadingHTTPServer):
    """Records each POSTed JSON body; answers the statuses in `answers`, then 204."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[dict[str, Any]] = []
        self.answers: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.bodies.append(json.loads(self.rfile.read(length)))
        status = self.server.answers.pop(0) if self.server.answers else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A Receiver serving on loopback until the block ends."""
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


def result() -> ScanResult:
    return ScanResult(
        target="https://www.shop.test/",
        started_at=datetime(2025, 3, 1, tzinfo=UTC),
        complete=True,
        summary=Summary(gate="failed", findings={"high": 2}),
        findings=[
            Finding(
                rule_id="hsts-missing",
                severity=Severity.HIGH,
                title="t",
                message="no HSTS",
                host="www.shop.test",
                fingerprint="fp-old",
            ),
            Finding(
                rule_id="beacon-undisclosed-vendor",
                severity=Severity.HIGH,
                title="t",
                message="a new pixel",
                page_url="https://www.shop.test/",
                fingerprint="fp-new",
            ),
        ],
    )


def changes_with_new(*findings: Finding) -> dict[str, Any]:
    new = [f.model_dump(mode="json") for f in findings]
    return {"new": new}


def test_new_findings_are_posted_as_a_json_summary(receiver: Receiver, tmp_path: Path) -> None:
    scan = result()
    paths = {"json": tmp_path / "report.json", "html": tmp_path / "report.html"}

    warning = notify(receiver.url, scan, changes_with_new(scan.findings[1]), paths)

    assert warning is None
    (body,) = receiver.bodies
    assert body["site"] == "https://www.shop.test" and body["verdict"] == "failed"
    assert body["by_severity"] == {"high": 2}
    assert body["new_findings"] == [
        {
            "rule_id": "beacon-undisclosed-vendor",
            "severity": "high",
            "message": "a new pixel",
            "location": "https://www.shop.test/",
            "fingerprint": "fp-new",
            "status": "new",
            "fails_gate": True,
        }
    ]
    assert body["reports"]["html"] == str(tmp_path / "report.html")


def test_the_body_counts_what_the_gate_counted(receiver: Receiver) -> None:
    # Given a scan whose older finding is in the baseline, gated at high
    scan = result()
    baseline = ScanResult(
        target=scan.target, started_at=scan.started_at, findings=[scan.findings[0]]
    )
    outcome = evaluate(scan, "high", baseline, [], date(2025, 3, 1))
    # When its first scan posts every finding
    assert notify(receiver.url, outcome.result, None, {}) is None
    # Then the body, parsed as a receiver does, says what the gate said: one failing, one
    # baselined, and which is which
    (body,) = receiver.bodies
    assert body["verdict"] == "failed"
    assert body["headline"] == "gate failed: 1 new finding at or above high (1 baselined)"
    assert body["counts"] == {"failing": 1, "new": 1, "baselined": 1, "waived": 0}
    statuses = {f["fingerprint"]: (f["status"], f["fails_gate"]) for f in body["new_findings"]}
    assert statuses == {"fp-old": ("baselined", False), "fp-new": ("new", True)}


def test_without_a_previous_scan_every_finding_is_new(receiver: Receiver) -> None:
    assert notify(receiver.url, result(), None, {}) is None
    assert [f["fingerprint"] for f in receiver.bodies[0]["new_findings"]] == ["fp-old", "fp-new"]


def test_nothing_new_sends_nothing(receiver: Receiver) -> None:
    assert notify(receiver.url, result(), changes_with_new(), {}) is None
    assert receiver.bodies == []


def test_a_failed_delivery_is_retried_once(receiver: Receiver) -> None:
    receiver.answers = [503]
    assert notify(receiver.url, result(), None, {}) is None
    assert len(receiver.bodies) == 2


def test_a_receiver_that_keeps_failing_is_a_warning(receiver: Receiver) -> None:
    receiver.answers = [500, 500]
    warning = notify(receiver.url, result(), None, {})
    assert warning == "webhook http://127.0.0.1/…: not delivered (HTTP 500)"
    assert "/hook" not in warning  # the URL's path is the secret that lets anyone post
    assert len(receiver.bodies) == 2


def test_nobody_listening_is_a_warning_not_a_crash(receiver: Receiver) -> None:
    url = receiver.url
    receiver.shutdown()
    receiver.server_close()
    warning = notify(url, result(), None, {})
    assert warning is not None and warning.startswith("webhook http://127.0.0.1/…: not delivered (")
    assert url not in warning


def test_the_printable_form_of_a_webhook_url_keeps_only_scheme_and_host() -> None:
    assert public_form("https://hooks.chat.test/services/T0/B0/s3cr3t?k=1") == (
        "https://hooks.chat.test/…"
    )
