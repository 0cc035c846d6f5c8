"""The Chromium a crawl runs: quiet flags, a private HOME and profile, the CA bundle trusted."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from scanner.browser import visitor
from scanner.net import Trust

log = logging.getLogger(__name__)

QUIET_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--no-default-browser-check",
    # One renderer per tab: a cross-site frame's requests then reach the tab's own CDP session
    # (its network log and its address guard) instead of an out-of-process frame's target.
    # A crawl never goes back, so the back-forward cache would only keep old pages in memory.
    "--disable-site-isolation-trials",
    "--disable-features=Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,"
    "IsolateOrigins,site-per-process,BackForwardCache",
]


def _spki_b64(pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(pem)
    der = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return base64.b64encode(digest.finalize()).decode()


class BrowserEnvironment:
    """A private HOME and profile for Chromium: trusted CAs and cookie settings of our own.

    Third-party cookies are allowed (`cookie_controls_mode: 0`), as in an ordinary user's
    browser, so the scan sees what such a visitor gets. A --ca-bundle is trusted through an NSS
    database in the private HOME (certutil), which still reports expired or wrong-host
    certificates; without certutil, errors are ignored for chains that contain the bundle's keys.
    """

    def __init__(self, trust: Trust) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="complyscan-browser-"))
        self.home = self.root / "home"
        self.profile = self.root / "profile"
        (self.profile / "Default").mkdir(parents=True)
        (self.profile / "Default" / "Preferences").write_text(
            json.dumps({"profile": {"cookie_controls_mode": 0}}), encoding="utf-8"
        )
        self.home.mkdir()
        self.extra_args: list[str] = []
        self._trust = trust

    def prepare(self) -> None:
        """Trust the CA bundle (certutil runs take a while: done beside Playwright's start)."""
        pems = self._trust.bundle_pems()
        if pems and not self._trust_with_nss(pems):
            spkis = ",".join(_spki_b64(p) for p in pems)
            self.extra_args.append(f"--ignore-certificate-errors-spki-list={spkis}")

    def _trust_with_nss(self, pems: list[bytes]) -> bool:
        certutil = shutil.which("certutil")
        if certutil is None:
            return False
        nssdb = self.home / ".pki" / "nssdb"
        nssdb.mkdir(parents=True)
        db = f"sql:{nssdb}"
        try:
            subprocess.run(
                [certutil, "-d", db, "-N", "--empty-password"], check=True, capture_output=True
            )
            for index, pem in enumerate(pems):
                path = self.root / f"ca-{index}.pem"
                path.write_bytes(pem)
                subprocess.run(
                    [certutil, "-d", db, "-A", "-t", "C,,", "-n", f"ca-{index}", "-i", str(path)],
                    check=True,
                    capture_output=True,
                )
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("could not trust the CA bundle through NSS: %s", exc)
            return False
        return True

    def env(self) -> dict[str, str | float | bool]:
        """The environment Chromium runs with."""
        return {**os.environ, **visitor.environment(), "HOME": str(self.home)}

    def cleanup(self) -> None:
        """Remove the private HOME and profile, in a thread of its own: the scan need not wait
        (half a second for a profile), the process does before it exits."""
        threading.Thread(target=shutil.rmtree, args=(self.root, True), name="cleanup").start()
