"""`make bench-fleet` / `python -m bench.fleet`: the fleet beside `scan-all` on the same sites.

Serves N tiny sites on loopback, starts a throwaway PostgreSQL (tests/pg.py), then:
- `scan-all --parallel 1` over the sites (the one-machine mode), timed;
- a fleet run with 1, 2 and 4 workers (`complyscan worker`, one site at a time each), timed
  from submit to the last site recorded, with the peak memory of each worker's whole process
  tree (PSS: worker, scan child, Chromium) sampled every 0.2 s;
- the queue's own overhead: M no-op jobs (sites already cancelled, so a job only claims and
  returns) through one worker, in jobs per second.
Writes bench/results/fleet.json and bench/results/fleet.png (matplotlib) or fleet.svg.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from scanner.demo.pki import TestPKI
from scanner.demo.server import Host, Response, SiteServer
from scanner.fleet.queue import JobQueue
from scanner.fleet.records import FleetRecords
from scanner.fleet.runner import tree_memory
from scanner.store import HistoryStore
from tests.pg import PostgresServer, find_binaries
from tests.test_fleet import PAGE, sites_toml

RESULTS = Path(__file__).resolve().parent / "results"
CLI = [sys.executable, "-m", "scanner.cli"]


def _hosts(count: int) -> list[Host]:
    return [
        Host(f"www.bench{i:03d}.test", routes={"/": Response(PAGE.format(name=f"site {i}"))})
        for i in range(count)
    ]


def _scan_all(sites: Path, work: Path) -> float:
    start = time.monotonic()
    subprocess.run(
        [*CLI, "scan-all", str(sites), "--db", str(work / "scan-all.sqlite")],
        check=False,
        capture_output=True,
        cwd=work,
    )
    return time.monotonic() - start


class _Sampler(threading.Thread):
    """Peak PSS of each worker's process tree."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.peaks = dict.fromkeys(pids, 0)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in self.peaks:
                with contextlib.suppress(psutil.Error):
                    root = psutil.Process(pid)
                    tree = [root, *root.children(recursive=True)]
                    self.peaks[pid] = max(self.peaks[pid], tree_memory(tree))
            time.sleep(0.2)


def _workers(db: str, count: int, work: Path) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [*CLI, "worker", "--db", db, "--stalled-after", "10"],
            stdout=subprocess.DEVNULL,
            stderr=(work / f"worker-{count}-{i}.log").open("wb"),
            start_new_session=True,
            cwd=work,
        )
        for i in range(count)
    ]


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def _fleet(pg: PostgresServer, sites: Path, count: int, work: Path) -> dict[str, Any]:
    db = pg.create_database(f"w{count}_")
    start = time.monotonic()
    subprocess.run(
        [*CLI, "fleet", "submit", str(sites), "--run", "b", "--db", db],
        check=True,
        capture_output=True,
        cwd=work,
    )
    workers = _workers(db, count, work)
    sampler = _Sampler([w.pid for w in workers])
    sampler.start()
    with HistoryStore(db) as store:
        records = FleetRecords(store)
        while True:
            states = records.states("b")
            if all(s.state in ("done", "failed") for s in states):
                break
            time.sleep(0.5)
        seconds = time.monotonic() - start
        failed = sum(s.state == "failed" for s in states)
    sampler.stop.set()
    _stop(workers)
    return {
        "workers": count,
        "seconds": round(seconds, 1),
        "failed": failed,
        "peak_worker_mib": [round(p / 2**20) for p in sampler.peaks.values()],
    }


def _noop_rate(pg: PostgresServer, jobs: int, work: Path) -> float:
    db = pg.create_database("noop")
    sites = work / "noop.toml"
    sites.write_text(
        "".join(f'[[site]]\nurl = "https://n{i}.noop.test/"\n' for i in range(jobs)), "utf-8"
    )
    subprocess.run(
        [*CLI, "fleet", "submit", str(sites), "--run", "n", "--db", db],
        check=True,
        capture_output=True,
        cwd=work,
    )
    with HistoryStore(db) as store:
        FleetRecords(store).cancel("n")  # the jobs stay queued; each only claims and returns
    queue = JobQueue(db)
    start = time.monotonic()
    workers = _workers(db, 1, work)
    while asyncio.run(queue.pending()) > 0:
        time.sleep(0.2)
    seconds = time.monotonic() - start
    _stop(workers)
    return jobs / seconds


def _plot(report: dict[str, Any], target: Path) -> Path:
    counts = [r["workers"] for r in report["fleet"]]
    rates = [r["sites_per_hour"] for r in report["fleet"]]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return _svg(counts, rates, report["scan_all"]["sites_per_hour"], target.with_suffix(".svg"))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(counts, rates, marker="o", label="fleet (workers)")
    ax.axhline(report["scan_all"]["sites_per_hour"], color="grey", ls="--", label="scan-all")
    ax.set_xlabel("workers")
    ax.set_ylabel("sites per hour")
    ax.set_xticks(counts)
    ax.legend()
    ax.set_title(f"{report['sites']} tiny sites, {report['cores']} cores")
    fig.tight_layout()
    path = target.with_suffix(".png")
    fig.savefig(path)
    return path


def _svg(counts: list[int], rates: list[float], base: float, path: Path) -> Path:
    top = max([*rates, base]) * 1.1 or 1
    points = " ".join(f"{60 + 100 * i},{260 - 220 * r / top:.0f}" for i, r in enumerate(rates))
    y = 260 - 220 * base / top
    path.write_text(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='420' height='300'>"
        f"<polyline points='{points}' fill='none' stroke='blue'/>"
        f"<line x1='40' x2='400' y1='{y:.0f}' y2='{y:.0f}' stroke='grey' stroke-dasharray='4'/>"
        + "".join(f"<text x='{60 + 100 * i}' y='285'>{c}</text>" for i, c in enumerate(counts))
        + "</svg>\n",
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.fleet")
    parser.add_argument("--sites", type=int, default=24, help="tiny sites (default 24)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    parser.add_argument("--noop-jobs", type=int, default=300, help="no-op jobs (default 300)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    binaries = find_binaries()
    if binaries is None:
        print("bench-fleet: no PostgreSQL server binaries (apt-get install postgresql)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="complyscan-bench-fleet-"))
    pki = TestPKI.create(work / "pki")
    pg = PostgresServer(binaries).start()
    report: dict[str, Any] = {
        "sites": args.sites,
        "cores": os.cpu_count(),
        "load_before": os.getloadavg()[0],
        "machine": platform.platform(),
    }
    try:
        with SiteServer(_hosts(args.sites), pki, prefer_standard_ports=False) as server:
            sites = sites_toml(server, work)
            seconds = _scan_all(sites, work)
            report["scan_all"] = {
                "seconds": round(seconds, 1),
                "sites_per_hour": round(args.sites * 3600 / seconds),
            }
            print(f"scan-all: {seconds:.1f} s", flush=True)
            report["fleet"] = []
            for count in [int(c) for c in args.workers.split(",")]:
                row = _fleet(pg, sites, count, work)
                row["sites_per_hour"] = round(args.sites * 3600 / row["seconds"])
                one = (
                    report["fleet"][0]["sites_per_hour"]
                    if report["fleet"]
                    else row["sites_per_hour"]
                )
                row["scaling_efficiency"] = round(row["sites_per_hour"] / (one * count), 2)
                report["fleet"].append(row)
                print(f"fleet, {count} worker(s): {row}", flush=True)
        rate = _noop_rate(pg, args.noop_jobs, work)
        report["noop_jobs_per_second"] = round(rate, 1)
        print(f"queue overhead: {rate:.1f} no-op jobs/s", flush=True)
    finally:
        pg.remove()
    report["load_after"] = os.getloadavg()[0]
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "fleet.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    print(f"wrote {args.results / 'fleet.json'} and {_plot(report, args.results / 'fleet')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
