"""Verification throughput against ``sha256sum`` + ``sha512sum`` on the same payload (target >= 0.8).

Builds the realistic bag of bench_seal.py, then times ``verify`` on the bag folder and on its
sealed archive against running both coreutils hashers over every payload file. The three are
timed in turn, ``ROUNDS`` times, and the best of each counts: on a shared machine the best time
is the one least disturbed by other work. The load average is printed with the figures.
Run: ``.venv/bin/python bench/bench_verify.py [MB]``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_seal import build_realistic_bag

from ediscovery.archive import seal
from ediscovery.verify import VerifyReport, verify

ROUNDS = 3


def _coreutils(bag: Path) -> float:
    files = [str(p.relative_to(bag)) for p in sorted((bag / "data").rglob("*")) if p.is_file()]
    start = time.perf_counter()
    for tool in ("sha256sum", "sha512sum"):
        subprocess.run([tool, *files], cwd=bag, check=True, capture_output=True)
    return time.perf_counter() - start


def _verify(path: Path) -> float:
    start = time.perf_counter()
    _check(verify(path))
    return time.perf_counter() - start


def _check(report: VerifyReport) -> None:
    """The bench bag has no manifest.json or custody log; every layer that can pass must."""
    failed = [p for p in report.problems if not str(p).endswith("listed in the manifests but missing")]
    assert all(p.layer in ("manifest.json", "custody") for p in failed), failed[:3]


def main() -> None:
    if shutil.which("sha256sum") is None or shutil.which("sha512sum") is None:
        sys.exit("sha256sum and sha512sum are the anchor of this benchmark.")
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as scratch:
        bag = build_realistic_bag(Path(scratch), megabytes)
        sealed = seal(bag, Path(scratch) / "sealed.7z")
        payload = sum(p.stat().st_size for p in (bag / "data").rglob("*") if p.is_file())
        rounds = [(_coreutils(bag), _verify(bag), _verify(sealed.archive_path)) for _ in range(ROUNDS)]
        anchor, folder, archive = (min(times) for times in zip(*rounds, strict=True))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores; best of {ROUNDS} rounds")
    print(f"payload: {payload / 1e6:.1f} MB")
    print(f"sha256sum + sha512sum : {anchor:6.2f} s  {payload / anchor / 1e6:7.1f} MB/s")
    print(f"verify(bag folder)    : {folder:6.2f} s  {payload / folder / 1e6:7.1f} MB/s")
    print(f"verify(archive)       : {archive:6.2f} s  {payload / archive / 1e6:7.1f} MB/s")
    print(f"throughput ratio verify(folder) / coreutils  = {anchor / folder:.2f}  (target >= 0.8)")
    print(f"throughput ratio verify(archive) / coreutils = {anchor / archive:.2f}  (target >= 0.8)")


if __name__ == "__main__":
    main()
