"""Benchmark of a whole ``ediscovery collect`` (collect, render, report, bag, seal, verify) against
the time its requests need: does the run finish when the network does?

The loopback sandbox serves a generated tenant at the API's real rate (600 requests/min) with
realistic latency; the CLI runs in a child process, as a user runs it. For each of ``--no-pdf``
and PDFs on, three samples:

* **whole run ÷ network span** — the child's wall time divided by the span from the first
  request's start to the last request's end (``requests.jsonl``). Targets: ≤ 1.1 without PDFs,
  ≤ 1.3 with them;
* each stage's share of the wall time, from the custody log: start-up (process start to the
  first request), the network span, rendering and the manifest after the last request (to
  ``run_finished``), reports and BagIt files (to ``bag_written``), sealing and verifying (to
  the exit);
* the peak memory of the whole process tree (the collector and its layout workers), sampled:
  PSS (shared pages split between the processes sharing them) and, for reference, RSS, with
  the PSS of each kind of process (collector, forkserver, workers) at that peak.

Medians are printed with the spread (min-max) and the load average.
Run: ``.venv/bin/python bench/bench_pipeline.py [scale]`` (``small`` by default).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ediscovery.sandbox import DEMO_KEY, FaultConfig, create_app, generate_tenant, running_server

RPM = 600
LATENCY_MS = 80
SAMPLES = 3
CUSTODIAN = "alice@example.com"
KEY_ENV = "BENCH_COMPLIANCE_KEY"
ROOT = Path(__file__).resolve().parents[1]
STAGES = ("start-up", "network", "render+manifest", "reports+bag", "seal+verify")


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "collector"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "worker"
    return "forkserver" if b"forkserver" in command else "worker"


def _tree_memory_kb(root: int) -> tuple[int, int, dict[str, int]]:
    """(RSS, PSS, PSS by role) of ``root`` and every descendant (kB), from ``/proc``. RSS counts
    pages a forked worker shares with its parent once per process; PSS splits them, so its sum
    is the memory the tree really holds."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines())
            except (OSError, ValueError):
                continue
            children.setdefault(int(fields.get("PPid", "0")), []).append(int(entry.name))
    rss = pss = 0
    roles: dict[str, int] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            rollup = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
            )
        except (OSError, ValueError):
            continue
        rss += int(rollup.get("Rss", "0 kB").split()[0])
        share = int(rollup.get("Pss", "0 kB").split()[0])
        pss += share
        role = _role(pid, root)
        roles[role] = roles.get(role, 0) + share
    return rss, pss, roles


Peak = tuple[int, int, dict[str, int]]


def run_collect(base_url: str, out: Path, pdf: bool) -> tuple[float, float, Path, Peak]:
    """One child run; (wall seconds, epoch at start, bag, the tree's (RSS, PSS, PSS by role) in
    kB at its peak PSS)."""
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    args = ["--matter", "bench", "--custodian", CUSTODIAN, "--api-url", base_url, "--key-env", KEY_ENV,
            "--out", str(out), "--max-rpm", str(RPM), "--json", "-q"]  # fmt: skip
    args += [] if pdf else ["--no-pdf"]
    env = {**os.environ, KEY_ENV: DEMO_KEY, "PYTHONPATH": str(ROOT)}
    epoch, started = time.time(), time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True)
    peak: Peak = (0, 0, {})
    while child.poll() is None:
        sample = _tree_memory_kb(child.pid)
        if sample[1] > peak[1]:
            peak = sample
        time.sleep(0.1)
    wall = time.monotonic() - started
    stdout = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"collect failed ({child.returncode}): {stdout}")
    return wall, epoch, Path(json.loads(stdout)["bag"]), peak


def _epoch(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def stage_times(bag: Path, epoch: float, wall: float) -> dict[str, float]:
    """Seconds spent in each of ``STAGES``, from the request log and the custody log."""
    first, last = float("inf"), 0.0
    with (bag / "requests.jsonl").open() as handle:
        for line in handle:
            record = json.loads(line)
            at = _epoch(record["at"])
            first, last = min(first, at), max(last, at + record["duration_ms"] / 1000)
    events = {}
    for line in (bag / "custody.jsonl").read_text().splitlines():
        event = json.loads(line)
        events[event["action"]] = _epoch(event["at"])
    finished, bagged, end = events["run_finished"], events["bag_written"], epoch + wall
    return {
        "start-up": first - epoch,
        "network": last - first,
        "render+manifest": finished - last,
        "reports+bag": bagged - finished,
        "seal+verify": end - bagged,
    }


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    scale = sys.argv[1] if len(sys.argv) > 1 else "small"
    tenant = generate_tenant(seed=7, scale=scale)
    app = create_app(tenant, faults=FaultConfig(latency_ms=LATENCY_MS), rate_limit=RPM)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"scale {scale}; {RPM}/min, {LATENCY_MS} ms latency; {SAMPLES} samples per case")
    print(f"load average (1, 5, 15 min) before: {load} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as scratch, running_server(app) as url:
        for pdf, target in ((False, 1.1), (True, 1.3)):
            ratios: list[float] = []
            shares: dict[str, list[float]] = {s: [] for s in STAGES}
            peaks: list[float] = []
            rss_peaks: list[float] = []
            pages = 0
            roles: dict[str, list[float]] = {}
            for sample in range(SAMPLES):
                out = Path(scratch) / f"{'pdf' if pdf else 'nopdf'}-{sample}"
                wall, epoch, bag, peak = run_collect(url, out, pdf)
                times = stage_times(bag, epoch, wall)
                ratios.append(wall / times["network"])
                peaks.append(peak[1] / 1024)
                rss_peaks.append(peak[0] / 1024)
                for role, kb in peak[2].items():
                    roles.setdefault(role, []).append(kb / 1024)
                for stage in STAGES:
                    shares[stage].append(times[stage] / wall)
                manifest = json.loads((bag / "manifest.json").read_bytes())
                pages = sum(
                    e["metadata"].get("page_count", 0)
                    for e in manifest["entries"]
                    if e["kind"] == "transcript"
                )
            label = "with PDFs" if pdf else "--no-pdf "
            print(f"{label}: whole run / network span = {_spread(ratios)}  (target <= {target}); "
                  f"{pages} transcript pages")  # fmt: skip
            print(
                "           shares: "
                + ", ".join(f"{s} {statistics.median(v):.0%}" for s, v in shares.items())
            )
            print(
                f"           peak PSS of the process tree: {_spread(peaks)} MB "
                f"(RSS sum {_spread(rss_peaks)} MB)"
            )
            by_role = ", ".join(f"{r} {statistics.median(v):.0f} MB" for r, v in sorted(roles.items()))
            print(f"           at the peak, PSS by process: {by_role}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) after: {load}")


if __name__ == "__main__":
    main()
