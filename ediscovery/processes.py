"""Processes: what a worker process must not keep of its parent's, and workers that die with it.

Transcripts are rendered in a pool of worker processes while the run holds its locks and its
custody and request logs open. A forked worker inherits those descriptors, and a worker that
outlived a killed parent would keep the run locked (an ``flock`` lasts while any descriptor of
it is open), so the same command could not resume the run. Two rules prevent that:

* descriptors registered with :func:`parent_only` are closed in every forked child, right
  after the fork (closed, not unlocked: the parent keeps its lock);
* :func:`die_with_parent`, the pool initializer, ends a worker as soon as the process that
  started its pool is gone (directly, or through a forkserver): ``PR_SET_PDEATHSIG`` on Linux
  for a forked worker, and a watchdog thread everywhere.

A long-lived worker also gives back what a finished document used (:func:`release_memory`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import os
import select
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


def die_with_parent(owner: int | None = None) -> None:
    """End this process when the process that started its pool ends (call first thing in a worker).

    ``owner`` is that process's pid, given by the pool's creator. A forked worker's parent is its
    owner; a forkserver's worker is the forkserver's child, and the forkserver lives as long as
    its workers do, so a worker watching only its parent would outlive a killed run together
    with the forkserver. The owner is watched through a pidfd (Linux), else by polling.
    """
    parent = os.getppid()
    owner = parent if owner is None else owner
    if sys.platform.startswith("linux") and owner == parent:
        _death_signal(signal.SIGKILL)
    if parent == 1 or not alive(owner) or os.getppid() != parent:  # gone before we got here
        os._exit(1)
    watch = (_watch, parent) if owner == parent else (_watch_owner, owner)
    threading.Thread(target=watch[0], args=(watch[1],), name="owner-watch", daemon=True).start()


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_owner(owner: int) -> None:
    """Exit once ``owner`` (not this process's parent) has ended."""
    try:
        descriptor = os.pidfd_open(owner)
    except (AttributeError, OSError):
        while alive(owner):
            time.sleep(WATCH_INTERVAL)
        os._exit(1)
    poller = select.poll()
    poller.register(descriptor, select.POLLIN)
    poller.poll()  # a pidfd becomes readable when its process ends
    os._exit(1)


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
