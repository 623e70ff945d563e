"""Benchmark of ``ediscovery collect`` against the loopback sandbox (real HTTP, real clock).

Prints, for a medium tenant with 50 ms latency and a 600/min budget:

* wall ÷ (minimum requests ÷ rate)  — target ≤ 1.15 (how close the run gets to the budget);
* requests made ÷ minimum requests — target ≤ 1.02, where the minimum is the number of
  distinct (path, query) requests the run needed (each object once, largest pages);
* peak RSS of the collecting child process while a 2 GB file downloads — target < 150 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ediscovery.sandbox import DEMO_KEY, FaultConfig, Tenant, create_app, running_server

RPM = 600
KEY_ENV = "BENCH_COMPLIANCE_KEY"
ROOT = Path(__file__).resolve().parents[1]


def collect(base_url: str, out: Path, *extra: str) -> tuple[float, Path, int]:
    """Run the CLI in a child; return wall seconds, the bag and the child's peak RSS (kB)."""
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    args = [
        "--matter",
        "bench",
        "--custodian",
        "alice@example.com",
        "--api-url",
        base_url,
        "--key-env",
        KEY_ENV,
        "--out",
        str(out),
        "--max-rpm",
        str(RPM),
        "--no-pdf",
        "--json",
        "-q",
        *extra,
    ]
    env = {**os.environ, KEY_ENV: DEMO_KEY, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _hwm(child.pid))
        time.sleep(0.2)
    wall = time.monotonic() - started
    stdout = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"collect failed ({child.returncode}): {stdout}")
    return wall, Path(json.loads(stdout)["bag"]), peak


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def request_ratio(bag: Path) -> tuple[int, int]:
    made, needed = 0, set()
    for line in (bag / "requests.jsonl").read_text().splitlines():
        record = json.loads(line)
        made += 1
        needed.add((record["path"], json.dumps(record["query"])))
    return made, len(needed)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tenant = Tenant.generate(seed=7, scale="medium")
        app = create_app(tenant, faults=FaultConfig(latency_ms=50), rate_limit=RPM)
        with running_server(app) as url:
            wall, bag, _ = collect(url, Path(tmp) / "medium")
        made, minimum = request_ratio(bag)
        print(f"medium: {minimum} requests needed, {made} made, wall {wall:.1f}s")
        print(f"wall / (minimum / rate) = {wall / (minimum / (RPM / 60)):.3f}   (target <= 1.15)")
        print(f"requests made / minimum = {made / minimum:.3f}   (target <= 1.02)")
        big = Tenant.generate(seed=7, scale="tiny", big_file_bytes=2 * 1024**3)
        with running_server(create_app(big, rate_limit=RPM)) as url:
            wall, bag, peak = collect(url, Path(tmp) / "big")
        print(f"2 GB download run: wall {wall:.1f}s, child peak RSS {peak / 1024:.1f} MB   (target < 150 MB)")


if __name__ == "__main__":
    main()
