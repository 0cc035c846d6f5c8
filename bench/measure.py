"""Running one measured step in a process of its own and sampling its whole process tree.

Each step (a complyscan scan, the bare browser, a TLS phase) runs as `python -m bench.child`, so
its memory is its own (the site server stays in the parent) and a fresh interpreter starts every
time. The parent adds up the resident set size of the child and all its descendants (Python,
Playwright's driver and every Chromium process) every `interval` seconds and keeps the peak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

SAMPLE_INTERVAL_S = 0.2


def tree_memory(process: psutil.Process) -> tuple[int, int, int]:
    """(bytes resident, proportional set size, processes) of `process` and all its
    descendants right now.

    RSS counts pages shared between Chromium's processes once per process, so the sum
    overstates what the tree takes from the machine; it is the figure `ps` and most monitors
    show, and it moves the same way as the true figure when something grows. PSS shares each
    page out among the processes that map it: its sum is what the tree really takes."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    rss = pss = counted = 0
    for member in members:
        try:
            info = member.memory_full_info()
        except psutil.Error:
            continue  # ended between listing and reading
        rss += info.rss
        pss += getattr(info, "pss", info.rss)  # PSS is Linux's; elsewhere RSS stands in
        counted += 1
    return rss, pss, counted


class TreeSampler:
    """Samples a process tree's RSS in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL_S) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss, processes = tree_memory(self.process)
            self.samples += 1
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
            if rss > self.peak_bytes:
                self.peak_bytes = rss
                self.peak_processes = processes
            self._stop.wait(self.interval)


@dataclass
class Measured:
    """One step's own report and what the parent saw of it."""

    output: dict[str, Any]
    """What the child wrote (its own timings)."""
    wall_seconds: float
    """From starting the child process to its end, interpreter start included."""
    peak_rss_bytes: int
    peak_processes: int
    peak_pss_bytes: int = 0

    @property
    def peak_rss_mb(self) -> float:
        """The peak in MiB."""
        return self.peak_rss_bytes / 2**20

    @property
    def peak_pss_mb(self) -> float:
        """The peak proportional set size in MiB (what the tree really took)."""
        return self.peak_pss_bytes / 2**20


class StepFailed(RuntimeError):
    """A measured step ended with an error."""


def run_step(
    mode: str,
    spec: dict[str, Any],
    *,
    timeout_s: float = 3600,
    prefix: list[str] | None = None,
) -> Measured:
    """Run `python -m bench.child MODE SPEC OUT` (after `prefix`, e.g. a profiler) and sample it.

    With a `prefix`, the sampled tree includes the profiler."""
    with tempfile.TemporaryDirectory(prefix="complyscan-bench-step-") as tmp:
        spec_path = Path(tmp) / "spec.json"
        out_path = Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        command = [
            *(prefix or [sys.executable]),
            "-m",
            "bench.child",
            mode,
            str(spec_path),
            str(out_path),
        ]
        started = time.monotonic()
        child = subprocess.Popen(command)
        sampler = TreeSampler(child.pid).start()
        try:
            returncode = child.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            raise StepFailed(f"{mode} took longer than {timeout_s:g} s") from None
        finally:
            sampler.stop()
        wall = time.monotonic() - started
        if returncode != 0 or not out_path.exists():
            raise StepFailed(f"{mode} ended with exit code {returncode}")
        output = json.loads(out_path.read_text(encoding="utf-8"))
    return Measured(
        output, wall, sampler.peak_bytes, sampler.peak_processes, sampler.peak_pss_bytes
    )
