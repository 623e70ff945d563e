"""A layout worker gives back the memory of a finished document instead of growing with each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A heap like a laid-out document's: many small blocks freed at once, a few survivors among them
# that keep glibc from shrinking its heap by itself.
_CHILD = """
import json
from ediscovery.processes import release_memory
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
start = rss()
blocks = [bytes(2000) for _ in range(60_000)]
survivors = blocks[::400]
del blocks
freed = rss()
release_memory()
print(json.dumps({"start": start, "freed": freed, "released": rss()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_release_memory_returns_freed_heap_pages_to_the_system() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True, cwd=ROOT
    )
    kb = json.loads(done.stdout)
    grown = kb["freed"] - kb["start"]
    assert grown > 50_000, kb  # the freed blocks are still held: the case the function is for
    assert kb["released"] - kb["start"] < grown / 4, kb
