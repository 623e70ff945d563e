"""Processes: what a worker process must not keep of its parent's, and workers that die with it.

Transcripts are rendered in a pool of worker processes while the run holds its locks and its
custody and request logs open. A forked worker inherits those descriptors, and a worker that
outlived a killed parent would keep the run locked (an ``flock`` lasts while any descriptor of
it is open), so the same command could not resume the run. Two rules prevent that:

* descriptors registered with :func:`parent_only` are closed in every forked child, right
  after the fork (closed, not unlocked: the parent keeps its lock);
* :func:`die_with_parent`, the pool initializer, ends a worker as soon as the process that
  started it is gone: ``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread everywhere.

A long-lived worker also gives back what a finished document used (:func:`release_memory`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PARENT_ONLY: set[int] = set()
_PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 0.5  # seconds between two looks at the parent


def parent_only(fd: int) -> int:
    """Mark ``fd`` as not to be kept by forked children; returns ``fd``."""
    _PARENT_ONLY.add(fd)
    return fd


def released(fd: int) -> None:
    """``fd`` is about to be closed by its owner: forget it."""
    _PARENT_ONLY.discard(fd)


def _close_parent_only() -> None:
    for fd in sorted(_PARENT_ONLY):
        with contextlib.suppress(OSError):
            os.close(fd)
    _PARENT_ONLY.clear()


os.register_at_fork(after_in_child=_close_parent_only)


def die_with_parent() -> None:
    """End this process when its parent ends (call first thing in a worker)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        _death_signal(signal.SIGKILL)
    if parent == 1 or os.getppid() != parent:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def release_memory(*, collect: bool = False) -> None:
    """Return the memory a finished document used to the system.

    Laying out a document frees millions of small objects, but glibc keeps the freed pages in
    its heaps, so a worker's resident size only grows with every document it lays out (about
    210 MB after the demo's 48 documents). ``malloc_trim(0)`` (about 2 ms) brings it to about
    175 MB, and with ``collect`` a full collection of the cycles the engine left first (tens of
    ms: for work off the critical path) to about 160 MB. Where the C library has no
    ``malloc_trim``, only the collection is done.
    """
    if collect:
        gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c") or None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


def _death_signal(signum: int) -> None:
    """Ask the kernel to send ``signum`` when the parent exits (Linux ``prctl``)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)


def _watch(parent: int) -> None:
    """A re-parented process has lost its parent (works where no death signal exists)."""
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    os._exit(1)
