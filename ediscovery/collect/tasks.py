"""Tasks: the traversal's small task engine — each object fetched once, failures per item.

Whoever first asks for an object (a kind and an id) starts its task; later askers share it.
An item that fails with an API error is recorded in the tally (and the custody log) and the
traversal goes on; a 404 that names the object as gone becomes an ``<kind>_unavailable``
limitation (a bare ``Not found`` is a failure: it says nothing about the object). Missing permissions,
bad keys and a server that asks to come back much later stop the run: every task still in
flight is then cancelled and awaited, so nothing writes to the bag after the run stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ediscovery.collect.limitations import Unavailable
from ediscovery.collect.tally import Tally
from ediscovery.errors import ApiError, AuthenticationError, NotFoundError, PermissionDeniedError, RetryLater
from ediscovery.evidence.custody import CustodyLog
from ediscovery.progress import Reporter

RUN_LEVEL = (AuthenticationError, PermissionDeniedError, RetryLater)
"""API failures that no other item could escape either: they stop the run."""


class Tasks:
    """Runs the traversal's coroutines; see the module docstring."""

    def __init__(self, tally: Tally, custody: CustodyLog, reporter: Reporter) -> None:
        self.tally = tally
        self.custody = custody
        self.reporter = reporter
        self._once: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    async def all(self, coros: Iterable[Awaitable[None]]) -> None:
        """Run ``coros`` side by side and wait for every one."""
        tasks = [self._track(asyncio.ensure_future(c)) for c in coros]
        if tasks:
            await asyncio.gather(*tasks)

    def once(self, kind: str, object_id: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Run ``factory`` once per (kind, id), whoever asks first."""
        key = (kind, object_id)
        if key not in self._once:
            self._once[key] = self._track(asyncio.ensure_future(self.guard(kind, object_id, factory)))

    def started(self, kind: str, object_id: str) -> bool:
        """Whether (kind, id) was asked for already."""
        return (kind, object_id) in self._once

    def future(self, kind: str, object_id: str) -> asyncio.Future[None] | None:
        """The task of (kind, id), when it was asked for."""
        return self._once.get((kind, object_id))

    async def guard(self, kind: str, source_id: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Run one item; item-level API failures are recorded, run-level ones propagate."""
        try:
            await factory()
        except RUN_LEVEL:
            raise
        except NotFoundError as exc:
            if not exc.gone:  # the path or the key, not the object: a failure, not a limitation
                self.failed(kind, source_id, exc)
                self.reporter.note(f"{kind} {source_id} failed: {exc} (a bare 404 does not say it is gone)")
                return
            self.tally.limit(Unavailable(source_id, what=kind, reason=str(exc)))
        except ApiError as exc:
            self.failed(kind, source_id, exc)
            self.reporter.note(f"{kind} {source_id} failed: {exc}")

    def failed(self, kind: str, source_id: str, exc: ApiError) -> None:
        """Record an item's failure in the tally and the custody log."""
        record = self.tally.error(kind, source_id, exc)
        self.custody.append("item_failed", record)

    async def drain(self) -> None:
        """Wait until no once-task is left (tasks may start others while running)."""
        while True:
            pending = [task for task in self._once.values() if not task.done()]
            if not pending:
                break
            await asyncio.gather(*pending)
        for task in self._once.values():
            task.result()

    async def cancel_all(self) -> None:
        """Cancel every task still running and wait for each to end."""
        pending = [task for task in self._tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _track(self, task: asyncio.Future[Any]) -> asyncio.Future[Any]:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
