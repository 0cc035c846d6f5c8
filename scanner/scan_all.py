"""`complyscan scan-all sites.toml`: scan several sites, one after another or a few at once.

sites.toml holds one `[[site]]` table per site, each with a scan's settings under their
ScanConfig names (url, resolve, only_resolved, ca_bundle, out, fail_on, max_pages, formats,
db, webhook, ...). Relative paths are relative to sites.toml; `out` defaults to `out/<host>`.
Every table is checked before the first scan starts, so a typo costs exit 2 and no scan.
Each site gets one summary line with the gate's verdict and counts (scanner.report.common.gate_view,
as every other output); the exit code is the worst of the sites' (3 > 2 > 1 > 0).
"""

from __future__ import annotations

import multiprocessing
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.config import ConfigError, ScanConfig, build_config
from scanner.pipeline import EXIT_USAGE, SiteOutcome, run_site
from scanner.report.common import gate_view
from scanner.sanitize import for_terminal

_PATH_KEYS = ("ca_bundle", "baseline", "waivers", "db")


def load_sites(path: Path, db: str | None = None) -> list[ScanConfig]:
    """The ScanConfig of every `[[site]]` in `path`; `db` for sites that name no store.
    Raises ConfigError (one line) for anything wrong in any of them."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    unknown = [key for key in data if key != "site"]
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (only [[site]] tables)")
    tables = data.get("site")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{path}: no [[site]] tables")
    configs = [_site_config(path, index, table, db) for index, table in enumerate(tables, 1)]
    outs = [c.out.resolve() for c in configs]
    for index, out in enumerate(outs):
        if out in outs[:index]:
            raise ConfigError(f"{path}: site {index + 1} writes to {out} like an earlier site")
    return configs


def _site_config(path: Path, index: int, table: Any, db: str | None) -> ScanConfig:
    where = f"{path}: site {index}"
    if not isinstance(table, dict) or "url" not in table:
        raise ConfigError(f"{where}: a [[site]] needs a url")
    fields = dict(table)
    for key in _PATH_KEYS:
        if fields.get(key) and not Path(fields[key]).is_absolute() and "://" not in fields[key]:
            fields[key] = str(path.parent / fields[key])
    if db is not None:
        fields.setdefault("db", str(db))
    if "out" not in fields:
        parts = urlsplit(str(fields["url"]))
        host = parts.hostname or f"site{index}"
        fields["out"] = str(Path("out") / (f"{host}_{parts.port}" if parts.port else host))
    try:
        return build_config(None, fields)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def scan_one(config_json: str) -> tuple[int, str]:
    """Scan one site quietly (nothing of its own is printed); returns the exit code and the
    site's summary line. Top-level so a worker process can run it."""
    config = ScanConfig.model_validate_json(config_json)
    return summary_line(config, run_site(config))


def summary_line(config: ScanConfig, outcome: SiteOutcome) -> tuple[int, str]:
    """The exit code and the one line scan-all prints for a site."""
    code, result = outcome.exit_code, outcome.result
    if result is None:
        if code == EXIT_USAGE:
            return code, f"{config.url}: error: {outcome.error}"
        return code, f"{config.url}: incomplete (complyscan: error: {outcome.error})"
    gate = gate_view(result)
    verdict: str = gate.verdict
    if outcome.store_error is not None:
        verdict = f"complyscan: error: {outcome.store_error}"
    c = gate.counts
    counts = f"failing {c.failing}  new {c.new}  baselined {c.baselined}  waived {c.waived}"
    return code, f"{config.url}: {verdict}  {counts} (fail-on {gate.fail_on})  -> {config.out}"


def run_all(configs: list[ScanConfig], parallel: int = 1) -> int:
    """Scan every site (`parallel` at once, each in a process of its own), printing a summary
    line as each finishes; returns the worst exit code."""
    jobs = [c.model_dump_json() for c in configs]
    codes: list[int] = []
    if parallel <= 1:
        for job in jobs:
            code, line = scan_one(job)
            print(for_terminal(line), flush=True)
            codes.append(code)
        return max(codes)
    # spawn, not fork: each scan runs its own event loop, browser and signal handlers.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=parallel, mp_context=context) as pool:
        for code, line in pool.map(scan_one, jobs):
            print(for_terminal(line), flush=True)
            codes.append(code)
    return max(codes)
