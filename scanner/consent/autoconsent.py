"""DuckDuckGo's autoconsent in the page: find the consent manager and answer it by its rules.

autoconsent (MPL-2.0) carries maintained rules for hundreds of consent managers, opt-out and
opt-in. Its Playwright build (`dist/autoconsent.playwright.js`) is injected into every frame
and talks to us over one exposed binding (`autoconsentSendMessage`): it asks for its rules
(`init`), for code to run in the frame (`eval`, snippets of its own rules), and tells what it
found (`cmpDetected`, `popupFound`) and did (`optOutResult`, `optInResult`, `autoconsentDone`).

The code comes from the npm registry, never from this repository: `make setup` runs `npm ci`
in scanner/consent/js/ (committed package.json and package-lock.json). An installed complyscan
looks for it in `[consent] autoconsent_dir`, `$COMPLYSCAN_AUTOCONSENT`, the checkout's
scanner/consent/js/ and ~/.local/share/complyscan/autoconsent/ (README: "Consent").

Messages arrive from the scanned page (a page can call the binding itself): they are checked
and cut to size, and they can only make us run code in that page's own frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import BrowserContext, Frame
from playwright.async_api import Error as PlaywrightError

log = logging.getLogger(__name__)

NOT_INSTALLED = "consent manager not evaluated: autoconsent not installed"
PACKAGE = Path("node_modules") / "@duckduckgo" / "autoconsent"
_CHECKOUT = Path(__file__).resolve().parent / "js"
_USER_DIR = Path.home() / ".local" / "share" / "complyscan" / "autoconsent"

Action = Literal["optOut", "optIn"]


@dataclass(frozen=True)
class AutoconsentBundle:
    """The content script and the rules of one installed @duckduckgo/autoconsent."""

    script: str
    rules_json: str
    version: str
    path: Path


def _package_dir(directory: Path) -> Path | None:
    for candidate in (directory, directory / PACKAGE):
        if (candidate / "dist" / "autoconsent.playwright.js").is_file() and (
            candidate / "rules" / "rules.json"
        ).is_file():
            return candidate
    return None


def find_autoconsent(configured: Path | None = None) -> AutoconsentBundle | None:
    """The installed autoconsent (configured directory first), or None when there is none."""
    env = os.environ.get("COMPLYSCAN_AUTOCONSENT")
    candidates = [configured, Path(env) if env else None, _CHECKOUT, _USER_DIR]
    for directory in candidates:
        if directory is None:
            continue
        package = _package_dir(directory)
        if package is None:
            continue
        try:
            meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
            rules = json.loads((package / "rules" / "rules.json").read_text(encoding="utf-8"))
            script = (package / "dist" / "autoconsent.playwright.js").read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            log.warning("autoconsent in %s cannot be read: %s", package, exc)
            continue
        return AutoconsentBundle(
            script=script,
            rules_json=json.dumps({"autoconsent": rules.get("autoconsent", [])}),
            version=str(meta.get("version", "")),
            path=package,
        )
    return None


def _text(value: Any, limit: int = 200) -> str | None:
    return str(value)[:limit] if isinstance(value, str | int | float | bool) else None


@dataclass
class AutoconsentSession:
    """One browser context's autoconsent: what it found and what it did there.

    `action` None leaves the banner alone (detection only): the "no choice" and GPC states.
    """

    bundle: AutoconsentBundle
    action: Action | None
    cmp: str | None = None
    popup: str | None = None
    result: bool | None = None
    """The rule's opt-out / opt-in result; None when it did not act."""
    cosmetic: bool = False
    heuristic: list[str] = field(default_factory=list)
    """Banner-like text autoconsent's heuristics saw (kept when no rule recognises the CMP)."""
    errors: list[str] = field(default_factory=list)
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the rule answered (or failed to), or found nothing to answer."""
    active: bool = True
    """False once the start page is done: pages after it get no rules (autoconsent then stays
    idle there), which saves the rules' size and the detection's polling on every page."""

    def _config(self) -> str:
        return json.dumps(
            {
                "enabled": True,
                "autoAction": self.action,
                "disabledCmps": [],
                "enablePrehide": False,
                # A cosmetic rule hides a banner instead of answering it: not a choice.
                "enableCosmeticRules": False,
                "enableGeneratedRules": True,
                "enableHeuristicDetection": True,
                "heuristicMode": "off",
                "detectRetries": 8,
                "isMainWorld": False,
                "visualTest": False,
                "logs": {"errors": False},
            }
        )

    async def attach(self, context: BrowserContext) -> None:
        """Expose the binding and inject the content script into every frame of the context."""
        await context.expose_binding("autoconsentSendMessage", self._on_message)
        await context.add_init_script(self.bundle.script)

    async def _send(self, frame: Frame, expression: str, arg: Any = None) -> None:
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(frame.evaluate(expression, arg), timeout=10)

    async def _on_message(self, source: dict[str, Any], message: Any) -> None:
        frame = source.get("frame")
        if not isinstance(message, dict) or not isinstance(frame, Frame):
            return
        kind = message.get("type")
        cmp = _text(message.get("cmp"), 100)
        if kind == "init" and self.active:
            await self._send(
                frame,
                f"autoconsentReceiveMessage({{type: 'initResp', config: {self._config()}, "
                f"rules: {self.bundle.rules_json}}})",
            )
        elif kind == "eval":
            await self._eval(frame, message)
        elif kind == "cmpDetected" and cmp:
            self.cmp = self.cmp or cmp
        elif kind == "popupFound" and cmp:
            self.popup = self.popup or cmp
            if self.action is None:
                self.settled.set()
        elif kind in ("optOutResult", "optInResult"):
            self.result = bool(message.get("result"))
            if not self.result:
                self.settled.set()
        elif kind == "autoconsentDone":
            self.cosmetic = bool(message.get("isCosmetic"))
            self.settled.set()
        elif kind == "report":
            self._report(message, frame)
        elif kind == "autoconsentError":
            self.errors.append(json.dumps(message.get("details"))[:300])

    def _report(self, message: dict[str, Any], frame: Frame) -> None:
        state = message.get("state")
        if not isinstance(state, dict):
            return
        snippets = state.get("heuristicSnippets")
        if isinstance(snippets, list) and frame.parent_frame is None:
            for snippet in snippets[:3]:
                text = _text(snippet)
                if text and text not in self.heuristic:
                    self.heuristic.append(text)
        if state.get("lifecycle") == "nothingDetected" and frame.parent_frame is None:
            self.settled.set()

    async def _eval(self, frame: Frame, message: dict[str, Any]) -> None:
        code, request_id = message.get("code"), _text(message.get("id"), 100)
        if not isinstance(code, str) or request_id is None:
            return
        result: Any = False
        with contextlib.suppress(PlaywrightError, TimeoutError):
            result = await asyncio.wait_for(frame.evaluate(code), timeout=5)
        if not isinstance(result, bool | int | float | str | type(None)):
            result = bool(result)
        await self._send(
            frame,
            "([id, result]) => autoconsentReceiveMessage({id, type: 'evalResp', result})",
            [request_id, result],
        )

    def describe(self) -> str | None:
        """How the consent manager was answered, in words; None when it was not."""
        if self.action is None or self.cmp is None:
            return None
        verb = "reject all (opt-out)" if self.action == "optOut" else "accept all (opt-in)"
        if self.popup is None:
            return f"not answered: rule {self.cmp!r} found no open banner"
        if self.result:
            return f"{verb} by autoconsent rule {self.cmp!r}"
        return f"{verb} by autoconsent rule {self.cmp!r} failed"
