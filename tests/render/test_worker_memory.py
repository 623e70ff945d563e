"""A layout worker gives back the memory of a finished document instead of growing with each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _child(code: str) -> dict[str, int]:
    """What the Python ``code``, run in a fresh interpreter, printed as JSON (sizes in kB)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, int] = json.loads(done.stdout)
    return result


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
    kb = _child(_CHILD)
    grown = kb["freed"] - kb["start"]
    assert grown > 50_000, kb  # the freed blocks are still held: the case the function is for
    assert kb["released"] - kb["start"] < grown / 4, kb


# A parent holding many objects forks a worker the way the layout pools do; the worker's full
# collections must not copy the pages it shares with its parent (then, for contrast, they do
# once the objects are handed back to the collector).
_FORKED = """
import gc, json, os
from ediscovery.render.collection import pool_context
def private_kb():
    for line in open("/proc/self/smaps_rollup"):
        if line.startswith("Private_Dirty"):
            return int(line.split()[1])
held = [[n] for n in range(300_000)]
assert pool_context().get_start_method() == "fork"
read, write = os.pipe()
if os.fork() == 0:
    start = private_kb()
    gc.collect()
    frozen = private_kb()
    gc.unfreeze()
    gc.collect()
    os.write(write, json.dumps({"start": start, "frozen": frozen, "unfrozen": private_kb()}).encode())
    os._exit(0)
os.wait()
print(os.read(read, 1000).decode())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_forked_worker_collecting_garbage_keeps_sharing_its_parents_pages() -> None:
    kb = _child(_FORKED)
    copied_unfrozen = kb["unfrozen"] - kb["frozen"]
    assert copied_unfrozen > 10_000, kb  # what a collection copies when it may touch them all
    assert kb["frozen"] - kb["start"] < copied_unfrozen / 10, kb
