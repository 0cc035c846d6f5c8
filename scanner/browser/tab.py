"""One browser tab a worker keeps and navigates, with its network log and what its page did."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import CDPSession, Dialog
from playwright.async_api import Page as PwPage

from scanner.browser.lifecycle import PageLife
from scanner.browser.network import NetworkLog
from scanner.sanitize import no_surrogates


@dataclass
class Tab:
    """One worker's page and its network recorder."""

    page: PwPage
    cdp: CDPSession
    net: NetworkLog
    popups: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    crashed: bool = False
    """The renderer died (out of memory, say): the page is gone and the tab must be replaced."""
    hung: bool = False
    """A navigation timed out or the page stopped answering: replace the tab before the next
    page, or the old load (or a script that never yields) would spill into it."""
    unresponsive: bool = False
    """A call into the page timed out: make no more calls into it."""
    read: bool = False
    """The current page's frames were read (its forms and links are known)."""
    life: PageLife | None = None
    """The current page's page time and leaving (scanner.browser.lifecycle)."""

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run a handler's work in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def dismiss(self, dialog: Dialog) -> None:
        """Alerts, confirms and prompts are dismissed, and a page that asks to stay is left:
        nothing waits for a person."""
        self.dialogs.append(no_surrogates(f"{dialog.type}: {dialog.message[:200]}"))
        self.spawn(dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())

    def reset(self) -> None:
        """A new page begins."""
        self.net.reset()
        self.read = False
        self.popups.clear()
        self.dialogs.clear()
