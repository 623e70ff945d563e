"""Lazy package exports: a package names what it offers without importing it.

Importing any module of a package runs the package's ``__init__`` first. A package whose
``__init__`` imported its heavy members (the PDF engine, py7zr) would load them for every
user of its smallest module; with :func:`exports` each name is imported on first use
(PEP 562), and type checkers still see the names through ``TYPE_CHECKING`` imports.
:func:`preload` imports what a later step needs while the process waits on something else.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

_PRELOADING: list[threading.Thread] = []


def exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from ``package.homes[name]``."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home}"), name)

    return __getattr__


def preload(modules: Iterable[str]) -> threading.Thread:
    """Import ``modules`` on a background thread while the caller waits on something else (the
    network); join the thread before the interpreter may exit. A module that fails to import
    is only logged here: it fails again, where it is used, with its own error."""

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception as exc:  # reported again where the module is used
                logger.debug("Preloading %s failed: %r", name, exc)

    thread = threading.Thread(target=load, name="preload", daemon=True)
    thread.start()
    _PRELOADING.append(thread)
    return thread


def settle() -> None:
    """Wait until every :func:`preload` has ended: before forking, which must not happen while
    another thread holds an import lock (the child would wait on it forever)."""
    while _PRELOADING:
        _PRELOADING.pop().join()
