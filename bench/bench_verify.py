"""Verification throughput against ``sha256sum`` and ``sha512sum`` run in parallel on the same
payload (target >= 1.0).

Builds the realistic bag of bench_seal.py, then times ``verify`` on the bag folder, on its
sealed archive and on its AES-256 sealed archive against the anchor: both coreutils hashers
over every payload file, started together (each on its own core). ``verify`` computes more —
MD5 too, and the CRC and decompression of every member of an archive — so a second anchor,
``md5sum`` beside the other two (the same digests ``verify`` computes), gives the like-for-like
ratio. The five are timed in turn, ``ROUNDS`` times; medians are printed with the spread, and
the load average.
Run: ``.venv/bin/python bench/bench_verify.py [MB]``.
"""

from __future__ import annotations

import os
import shutil
import statistics
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
PASSWORD = "bench password"


TARGET_TOOLS = ("sha256sum", "sha512sum")
SAME_WORK_TOOLS = ("md5sum", "sha256sum", "sha512sum")


def _coreutils(bag: Path, hashers: tuple[str, ...] = TARGET_TOOLS) -> float:
    files = [str(p.relative_to(bag)) for p in sorted((bag / "data").rglob("*")) if p.is_file()]
    start = time.perf_counter()
    tools = [subprocess.Popen([tool, *files], cwd=bag, stdout=subprocess.DEVNULL) for tool in hashers]
    if any(tool.wait() != 0 for tool in tools):
        raise SystemExit("a coreutils hasher failed")
    return time.perf_counter() - start


def _verify(path: Path, password: str | None = None) -> float:
    start = time.perf_counter()
    _check(verify(path, password=password))
    return time.perf_counter() - start


def _check(report: VerifyReport) -> None:
    """The bench bag has no manifest.json or custody log; every layer that can pass must."""
    failed = [p for p in report.problems if not str(p).endswith("listed in the manifests but missing")]
    assert all(p.layer in ("manifest.json", "custody") for p in failed), failed[:3]


def main() -> None:
    if any(shutil.which(tool) is None for tool in SAME_WORK_TOOLS):
        sys.exit("md5sum, sha256sum and sha512sum are the anchors of this benchmark.")
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as scratch:
        bag = build_realistic_bag(Path(scratch), megabytes)
        sealed = seal(bag, Path(scratch) / "sealed.7z")
        secret = seal(bag, Path(scratch) / "secret.7z", password=PASSWORD)
        payload = sum(p.stat().st_size for p in (bag / "data").rglob("*") if p.is_file())
        rounds = [
            (
                _coreutils(bag),
                _coreutils(bag, SAME_WORK_TOOLS),
                _verify(bag),
                _verify(sealed.archive_path),
                _verify(secret.archive_path, PASSWORD),
            )
            for _ in range(ROUNDS)
        ]
    anchor, same_work, folder, archive, aes = (list(times) for times in zip(*rounds, strict=True))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores; median of {ROUNDS} rounds (spread)"
    )
    print(f"payload: {payload / 1e6:.1f} MB")
    for label, times in (("sha256sum | sha512sum", anchor), ("+ md5sum in parallel", same_work),
                         ("verify(bag folder)", folder),
                         ("verify(archive)", archive), ("verify(AES archive)", aes)):  # fmt: skip
        seconds = statistics.median(times)
        print(f"{label:22}: {seconds:6.2f} s  {payload / seconds / 1e6:7.1f} MB/s")
    for label, times in (("folder", folder), ("archive", archive), ("AES archive", aes)):
        ratios = [a / t for a, t in zip(anchor, times, strict=True)]
        print(f"throughput ratio verify({label}) / coreutils in parallel = {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})  (target >= 1.0)")  # fmt: skip
        same = [a / t for a, t in zip(same_work, times, strict=True)]
        print(f"  like for like: verify({label}) / md5sum, sha256sum, sha512sum in parallel = "
              f"{statistics.median(same):.2f} ({min(same):.2f}-{max(same):.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
