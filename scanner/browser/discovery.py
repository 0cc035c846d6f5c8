"""Finding a Chromium to drive: an explicit path, then Playwright's own, then the system's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ENV_VAR = "COMPLYSCAN_CHROMIUM"

_SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

HOW_TO_GET_ONE = (
    "no Chromium found: run `make setup` (installs one), `apt-get install chromium`, or "
    f"`python -m playwright install chromium`, or point --chromium / {ENV_VAR} at one"
)


class BrowserNotFound(RuntimeError):
    """No usable Chromium on this machine."""


def _playwright_chromium() -> Path | None:
    """The Chromium that `playwright install` downloaded, if any."""
    root = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    )
    if not root.is_dir():
        return None
    candidates = sorted(root.glob("chromium-*/chrome-linux*/chrome"), reverse=True)
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def find_chromium(explicit: str | None = None) -> Path:
    """The Chromium executable to use; raises BrowserNotFound with how to get one."""
    wanted = explicit or os.environ.get(ENV_VAR)
    if wanted:
        path = Path(wanted)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        found = shutil.which(wanted)
        if found:
            return Path(found)
        raise BrowserNotFound(f"the Chromium given ({wanted}) is not an executable file")
    own = _playwright_chromium()
    if own:
        return own
    for name in _SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise BrowserNotFound(HOW_TO_GET_ONE)


def chromium_version(path: Path) -> str | None:
    """ "Chromium 156.0.8078.73" or similar, or None when the binary will not say."""
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def main() -> int:
    """`python -m scanner.browser.discovery`: print the browser found, exit 1 when none."""
    try:
        path = find_chromium()
    except BrowserNotFound as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{path} ({chromium_version(path) or 'version unknown'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
