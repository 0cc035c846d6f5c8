"""What the scanner's browser presents itself as: an ordinary visitor's desktop Chrome.

Several vendor SDKs and consent managers go silent when the user agent says "HeadlessChrome"
or `navigator.webdriver` is true, so a scan that looks automated sees less than any visitor.
The browser therefore sends the user agent of the desktop Chrome its own Chromium is (version
taken from the binary, minor numbers reduced to 0.0.0 as Chrome itself does), client-hint
brands without "HeadlessChrome", `navigator.webdriver` false, real languages, a desktop screen
and a time zone. `--user-agent` replaces the user agent for teams whose logs must see the
scanner; everything else stays.

The user agent is given to Chromium on its command line (`--user-agent`), not per page: that is
the only setting that also reaches service and shared workers, whose requests a page-level
override never changes.
"""

from __future__ import annotations

import platform
import re

from playwright.async_api import CDPSession

LANGUAGE = "en-US"
"""`navigator.language`; `navigator.languages` is ["en-US", "en"] and Accept-Language
"en-US,en;q=0.9", as an English-speaking visitor's Chrome sends them."""
TIMEZONE = "America/New_York"
"""The visitor's time zone (Chromium follows TZ; without it a server's UTC shows)."""
SCREEN = {"width": 1920, "height": 1080}
"""A common desktop screen."""
VIEWPORT = {"width": 1280, "height": 900}
"""The browser window's page area: a desktop window that is not maximised."""

ARGS = [
    # navigator.webdriver is true under automation unless this Blink feature is off.
    "--disable-blink-features=AutomationControlled",
    f"--lang={LANGUAGE}",
    f"--window-size={SCREEN['width']},{SCREEN['height']}",
]
"""Chromium flags that make the browser look like a visitor's (the user agent comes apart)."""

IGNORED_DEFAULT_ARGS = ["--enable-automation"]
"""Playwright's default flag that shows the "controlled by automated software" bar and marks
the browser as automated."""

_VERSION = re.compile(r"(\d+)\.\d+\.\d+\.\d+")


def platform_token(system: str | None = None, machine: str | None = None) -> str:
    """The platform part of Chrome's user agent for this machine (as Chrome reduces it)."""
    system = system or platform.system()
    machine = (machine or platform.machine()).lower()
    if system == "Darwin":
        return "Macintosh; Intel Mac OS X 10_15_7"
    if system == "Windows":
        return "Windows NT 10.0; Win64; x64"
    arch = "aarch64" if machine in ("aarch64", "arm64") else "x86_64"
    return f"X11; Linux {arch}"


def chrome_user_agent(version: str | None, token: str | None = None) -> str | None:
    """Desktop Chrome's user agent for a Chromium version string ("Chromium 156.0.8078.114
    built on Debian" or "156.0.8078.114"); None when the version cannot be read."""
    found = _VERSION.search(version or "")
    if found is None:
        return None
    return (
        f"Mozilla/5.0 ({token or platform_token()}) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{found.group(1)}.0.0.0 Safari/537.36"
    )


def launch_args(user_agent: str | None) -> list[str]:
    """The flags for a visitor's browser; `user_agent` None leaves Chromium's own."""
    return [*ARGS, *([f"--user-agent={user_agent}"] if user_agent else [])]


def environment() -> dict[str, str]:
    """Environment variables for Chromium: the visitor's time zone and language."""
    return {"TZ": TIMEZONE, "LANGUAGE": LANGUAGE.replace("-", "_")}


async def override_tab(cdp: CDPSession, user_agent: str) -> None:
    """Set the user agent on one tab: the fallback when the binary would not tell its version
    before launch (its pages then lose the high-entropy client hints, which is all)."""
    await cdp.send(
        "Emulation.setUserAgentOverride",
        {"userAgent": user_agent, "acceptLanguage": f"{LANGUAGE},en;q=0.9"},
    )
