"""What a crawl gathers from a page beyond reading it: canaries typed into its personal-information
fields (never submitted) and what then leaves the page, and screenshots of its forms."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame

from scanner.browser.session import BrowserSession
from scanner.browser.tab import Tab
from scanner.model import Page, PIKind

# An element's box in document coordinates, at most 4000 px on a side.
_BOX_JS = """e => { const r = e.getBoundingClientRect();
  return {x: r.left + scrollX, y: r.top + scrollY,
          width: Math.min(r.width, 4000), height: Math.min(r.height, 4000)}; }"""


class PageEvidence(BrowserSession):
    """The leak probe and the form screenshots (Crawler builds on it)."""

    async def _probe_leaks(
        self, tab: Tab, record: Page, fills: list[tuple[Frame, str, PIKind]]
    ) -> None:
        """Type a unique canary into each personal-information field, never submit, and keep
        every request that follows: the parties stage searches them for the canaries."""
        canaries = self.settings.judges.make_canaries(
            sorted({kind for _, _, kind in fills}), record.url
        )
        for frame, mark, kind in fills[:40]:
            field_ = frame.locator(f'[data-complyscan-field="{mark}"]').first
            with contextlib.suppress(PlaywrightError):
                await field_.fill(canaries[kind], timeout=1000)
                await field_.dispatch_event("change", timeout=1000)
                await field_.blur(timeout=1000)
        record.probe_values = {str(k): v for k, v in canaries.items()}
        # Scripts react to typing after debounce timers, and recorders flush on timers: the
        # page's time runs again (the page is left afterwards, so unload flushes count too).
        if tab.life is None or not await tab.life.run(
            self.settings.dwell_s, self.settings.settle_cap_s
        ):
            tab.net.mark_activity()
            await tab.net.wait_for_quiet(self.settings.quiet_s, self.settings.settle_cap_s)
        requests = tab.net.finished_requests()
        for request in requests:
            request.third_party = not self.settings.first_party.is_first_party(request.url)
        record.requests = requests

    async def _screenshot_forms(self, tab: Tab, record: Page) -> None:
        """A PNG of each personal-information form, kept as evidence. The form's box is read in
        the page and captured with CDP directly: Playwright's element screenshot waits for
        fonts, stable frames and scrolling, about 0.8 s a form."""
        directory = self.settings.screenshots_dir
        assert directory is not None
        for index, form in enumerate(record.forms):
            if not form.collects_pi or form.frame_url or form.method == "script":
                continue
            name = _screenshot_name(record.url)
            path = directory / f"{name}-form{index}.png"
            try:
                box = await self._bounded(
                    tab, tab.page.locator(form.selector).first.evaluate(_BOX_JS, timeout=1000)
                )
                if not box or box["width"] < 1 or box["height"] < 1:
                    continue
                # A tab in the background has no frame to give: Chromium makes one after a
                # wait (about 2 s here). Brought to the front, the capture takes ~30 ms.
                async with self._front:
                    await self._bounded(tab, tab.cdp.send("Page.bringToFront"))
                    shot = await self._bounded(
                        tab,
                        tab.cdp.send(
                            "Page.captureScreenshot",
                            {
                                "format": "png",
                                "clip": {**box, "scale": 1},
                                "captureBeyondViewport": True,
                            },
                        ),
                    )
            except PlaywrightError:
                continue
            directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(shot["data"]))
            form.screenshot = str(path)


def _screenshot_name(url: str) -> str:
    """A file name for a page's screenshots: readable, and unique to the exact URL (a short
    hash), so that `/contact.html` and `/contact-html` never share a PNG."""
    readable = re.sub(r"[^a-zA-Z0-9]+", "-", url.split("://", 1)[-1])[:80]
    return f"{readable}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:10]}"
