"""Sealing throughput against ``7zz a -mx=1`` on the same realistic bag (targets: >= 1.0, <= 1.10).

The bag (about 300 MB): 45 % chat-like JSON natives, 20 % PDF-like files (deflated text plus
binary), 35 % incompressible uploads. ``seal`` is timed whole, including its full read-back
check. Run: ``.venv/bin/python bench/bench_seal.py [MB]``.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ediscovery.archive import seal
from ediscovery.evidence.bag import BagInfo, write_bag


def _write(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def _chat(rnd: random.Random, words: list[str]) -> bytes:
    messages = [
        {"id": f"claude_chat_msg_{rnd.getrandbits(64):016x}", "role": rnd.choice(["user", "assistant"]),
         "content": [{"type": "text", "text": " ".join(rnd.choices(words, k=rnd.randint(20, 400)))}]}
        for _ in range(rnd.randint(5, 60))
    ]  # fmt: skip
    return json.dumps({"data": messages, "has_more": False}).encode()


def build_realistic_bag(parent: Path, megabytes: int = 300, seed: int = 7) -> Path:
    """A bag folder with JSON natives, PDF-like transcripts and binary uploads, BagIt files written."""
    rnd = random.Random(seed)
    root = parent / "alice-example.com_20261126T010203Z-a1b2c3"
    words = ["".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=rnd.randint(2, 10))) for _ in range(5000)]
    budget = megabytes << 20
    used, i = 0, 0
    while used < budget * 45 // 100:
        used += _write(root / f"data/native/chats/claude_chat_{i:06d}/messages-0001.json", _chat(rnd, words))
        i += 1
    used, i = 0, 0
    while used < budget * 20 // 100:
        text = " ".join(rnd.choices(words, k=rnd.randint(2000, 20000))).encode()
        pdf = b"%PDF-1.7\n" + zlib.compress(text, 6) + rnd.randbytes(rnd.randint(20000, 60000)) + b"\n%%EOF\n"
        used += _write(root / f"data/transcripts/chats/claude_chat_{i:06d}.pdf", pdf)
        i += 1
    used, i = 0, 0
    while used < budget * 35 // 100:
        used += _write(
            root / f"data/native/files/claude_file_{i:06d}/content.bin",
            rnd.randbytes(rnd.randint(50_000, 8_000_000)),
        )
        i += 1
    info = BagInfo(
        "Acme", "Acme v. Widget", "2026-11-26", "20261126T010203Z-a1b2c3", "bench", ("alice@example.com",)
    )
    write_bag(root, info)
    return root


def main() -> None:
    sevenzip = shutil.which("7zz")
    if sevenzip is None:
        sys.exit("7zz is not installed; it is the anchor of this benchmark.")
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="bench-seal-") as scratch:
        work = Path(scratch)
        bag = build_realistic_bag(work, megabytes)
        payload = sum(p.stat().st_size for p in bag.rglob("*") if p.is_file())
        start = time.perf_counter()
        subprocess.run(
            [sevenzip, "a", "-mx=1", str(work / "anchor.7z"), str(bag)], check=True, capture_output=True
        )
        anchor = time.perf_counter() - start
        start = time.perf_counter()
        result = seal(bag, work / "sealed.7z")
        ours = time.perf_counter() - start
        anchor_size = (work / "anchor.7z").stat().st_size
    print(f"bag: {payload / 1e6:.1f} MB")
    print(f"7zz a -mx=1 : {anchor:6.2f} s  {payload / anchor / 1e6:7.1f} MB/s  {anchor_size / 1e6:8.1f} MB")
    print(
        f"seal()      : {ours:6.2f} s  {payload / ours / 1e6:7.1f} MB/s  {result.size / 1e6:8.1f} MB"
        "  (incl. read-back check)"
    )
    print(f"throughput ratio seal / 7zz -mx=1 = {anchor / ours:.2f}   (target >= 1.0)")
    print(f"size ratio seal / 7zz -mx=1       = {result.size / anchor_size:.3f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
