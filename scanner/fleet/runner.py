"""Run one site's scan in a child process group, under a hard time limit and a memory guard
over the whole process tree (the scan's Python, Playwright's driver and every Chromium process).

Celery's memory-per-child check sees only the Python process; Chromium's renderers are where the
memory goes, so the guard sums the memory (PSS) of every process the scan started. Every
process of the tree carries a marker in its environment, so that when the scan ends, however it
ends, anything it left behind (a browser orphaned by a crash) is found and killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

from scanner.config import ScanConfig
from scanner.model import ScanResult

MARKER = "COMPLYSCAN_FLEET_JOB"
"""The environment variable every process of a scan's tree carries (its value: the job's)."""

POLL_S = 0.2
PSS_EVERY_S = 1.0
"""How often the tree's PSS is read while its RSS is under the limit. Reading PSS walks the page
tables of every process (about 2 ms for each Chromium process: 10% of a core at every poll);
reading RSS is one line of /proc."""


@dataclass(frozen=True)
class Limits:
    """What one site's scan may use."""

    seconds: float = 1800.0
    """Hard time limit: the whole tree is killed past it."""
    memory_mb: int = 4096
    """Memory guard: the tree's memory (MiB, summed PSS) above which it is killed."""


@dataclass(frozen=True)
class ChildOutcome:
    """How the child ended."""

    exit_code: int | None
    """The scan's exit code; None when the harness failed (see `failure`), 2 when a setting of
    the site is wrong (no retry helps)."""
    result: ScanResult | None
    failure: str | None
    """A harness failure (time or memory limit, a crash, no browser): one line; None if the scan
    ran to its end."""
    peak_rss: int
    """The largest memory of the tree seen (summed PSS), in bytes."""


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def tree_memory(processes: list[psutil.Process]) -> int:
    """The memory of a process tree in bytes: the sum of each process's proportional set size
    (PSS: a page shared by N processes counts 1/N in each), so Chromium's shared pages are
    counted once, as the kernel's OOM accounting would; RSS where PSS cannot be read."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            try:
                total += process.memory_full_info().pss
            except (AttributeError, psutil.AccessDenied):
                total += process.memory_info().rss
    return total


def tree_rss(processes: list[psutil.Process]) -> int:
    """The summed resident set size of a process tree in bytes: pages shared by several
    processes are counted in each, so it is never below `tree_memory`."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def marked(marker: str) -> list[psutil.Process]:
    """Every live process whose environment carries `MARKER=marker`."""
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if process.environ().get(MARKER) == marker and process.pid != os.getpid():
                found.append(process)
    return found


def kill_tree(root_pid: int, marker: str, known: list[psutil.Process]) -> None:
    """SIGKILL the child's process group, every process seen in its tree and every process that
    carries its marker (an orphaned browser), then wait (5 s at most) until each has ended."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(root_pid, signal.SIGKILL)
    victims = {p.pid: p for p in known}
    for process in marked(marker):
        victims.setdefault(process.pid, process)
    for process in victims.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
    deadline = time.monotonic() + 5
    while any(not _ended(p) for p in victims.values()) and time.monotonic() < deadline:
        time.sleep(0.01)


def _ended(process: psutil.Process) -> bool:
    """Gone, or a zombie: a browser process orphaned by the scan's end is reparented to init,
    which reaps it when it will (a second or more in some containers); dead, it holds no memory,
    so waiting for its reaping (as psutil.wait_procs does) only stalls the next job."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


_FORKSERVER = multiprocessing.get_context("forkserver")


def start_fork_server() -> None:
    """Start the fork server now (it imports the scanner once: seconds), not in the first job."""
    from scanner.fleet.child import PRELOAD

    _FORKSERVER.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()


async def run_site_process(
    config: ScanConfig, limits: Limits, previous: ScanResult | None = None
) -> ChildOutcome:
    """Scan `config`'s site in a child process group, compared with `previous` (the site's
    previous scan); kill the tree past a limit."""
    from scanner.fleet.child import run_child

    marker = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="complyscan-job-") as work:
        config_path = Path(work) / "config.json"
        outcome_path = Path(work) / "outcome.json"
        config_path.write_text(config.model_dump_json(), encoding="utf-8")
        previous_path = None
        if previous is not None:
            previous_path = str(Path(work) / "previous.json")
            Path(previous_path).write_text(previous.model_dump_json(), encoding="utf-8")
        child = _FORKSERVER.Process(
            target=run_child,
            args=(str(config_path), previous_path, str(outcome_path), MARKER, marker),
            name="complyscan-scan",
        )
        await asyncio.to_thread(start_fork_server)
        await asyncio.to_thread(child.start)
        assert child.pid is not None
        root = psutil.Process(child.pid)
        seen: dict[int, psutil.Process] = {child.pid: root}
        peak = 0
        failure = None
        deadline = time.monotonic() + limits.seconds
        limit = limits.memory_mb * 2**20
        next_pss = 0.0
        try:
            while child.exitcode is None:
                tree = _tree(root)
                for process in tree:
                    seen.setdefault(process.pid, process)
                # PSS never exceeds RSS: while the tree's RSS is under the limit, so is its PSS,
                # which is then read only now and then, for the peak.
                now = time.monotonic()
                if tree_rss(tree) > limit or now >= next_pss:
                    next_pss = now + PSS_EVERY_S
                    memory = tree_memory(tree)
                    peak = max(peak, memory)
                    if memory > limit:
                        failure = (
                            f"memory limit: the scan's processes used {memory // 2**20} MiB "
                            f"(limit {limits.memory_mb} MiB)"
                        )
                        break
                if time.monotonic() > deadline:
                    failure = f"time limit: the scan ran past {limits.seconds:g} s"
                    break
                await asyncio.to_thread(child.join, POLL_S)
        finally:
            # However the scan ended (or this job was cancelled), nothing of it stays running.
            kill_tree(child.pid, marker, list(seen.values()))
            await asyncio.to_thread(child.join, 5)
        if failure is not None:
            return ChildOutcome(None, None, failure, peak)
        if not outcome_path.exists():
            status = child.exitcode
            how = f"signal {-status}" if status is not None and status < 0 else f"status {status}"
            return ChildOutcome(None, None, f"the scan process died ({how})", peak)
        document = json.loads(outcome_path.read_text(encoding="utf-8"))
        if document["result"] is None:
            code = 2 if document["exit_code"] == 2 else None  # a bad setting: no retry helps
            return ChildOutcome(code, None, document["reason"] or "no result", peak)
        result = ScanResult.model_validate(document["result"])
        return ChildOutcome(int(document["exit_code"]), result, None, peak)
