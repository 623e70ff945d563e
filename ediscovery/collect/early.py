"""Early layout: transcripts laid out while the collector still waits on the API.

A rate-limited collection leaves the CPU idle. As soon as a responsive chat's message pages
are stored and every object its messages reference has settled (stored, failed or carried),
or a session's message pages or a user's activity pages are stored, the transcript's runs are
laid out in a pool of worker processes into the run's part cache (:mod:`ediscovery.render.cache`);
the runs of a long transcript are shared among the workers.
Nothing here is evidence and nothing is numbered: the finishing step renders every transcript
as it always does, in Bates order, and takes each run whose HTML is unchanged from the cache
instead of laying it out again. What is laid out early, or whether at all, therefore never
changes a transcript, a Bates number or a warning; a killed run leaves only complete cache
entries (or none) and resumes to the same result.

A ``claude_file_`` id listed only as a generated file is fetched after every chat is read
(:meth:`~ediscovery.collect.attachments.Attachments.spawn_uploads`): a chat referencing one
waits until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from ediscovery.collect.state import RunState
from ediscovery.collect.tasks import Tasks
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.paths import native_path
from ediscovery.processes import die_with_parent
from ediscovery.progress import Reporter
from ediscovery.render.options import RenderOptions
from ediscovery.render.plan import (
    FILE_KINDS,
    Collection,
    Job,
    activity_job,
    chat_job,
    project_job,
    session_job,
)

logger = logging.getLogger(__name__)

COUNTER = "laid out"
"""The reporter's counter of transcripts laid out ahead (its total grows as chats are stored)."""


def start_preparer(owner: int) -> None:
    """Pool initializer: die with ``owner``, the collector, and leave Ctrl-C to it."""
    die_with_parent(owner)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class EarlyLayout:
    """Lays out stored chats ahead of numbering; see the module docstring."""

    def __init__(
        self, bag: Path, options: RenderOptions, collection: Collection, state: RunState, reporter: Reporter
    ) -> None:
        self.bag, self.options, self.collection = bag, options, collection
        self.state, self.reporter = state, reporter
        self.uploads_spawned = asyncio.Event()
        self._waiting: set[asyncio.Task[None]] = set()
        self._running: list[Future[int]] = []
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    def chat_stored(self, tasks: Tasks, chat_id: str, refs: Sequence[tuple[Kind, str]]) -> None:
        """A responsive chat's pages are stored; lay it out once what it references settles."""
        task = asyncio.ensure_future(self._when_settled(tasks, chat_id, refs))
        self._waiting.add(task)
        task.add_done_callback(self._waiting.discard)

    async def _when_settled(self, tasks: Tasks, chat_id: str, refs: Sequence[tuple[Kind, str]]) -> None:
        ids = sorted({object_id for _, object_id in refs})
        if any(not _started(tasks, object_id) for object_id in ids):
            await self.uploads_spawned.wait()
        futures = [f for f in (_future(tasks, object_id) for object_id in ids) if f is not None]
        if futures:
            await asyncio.wait(futures)
        job = self._job(chat_id, ids)
        if job is not None:
            self._submit(job)

    def project_stored(self, tasks: Tasks, project_id: str, document_ids: Sequence[str]) -> None:
        """A project and its attachment and collaborator pages are stored: lay it out once its
        documents settle. A project carried from the previous run is laid out after the traversal."""
        task = asyncio.ensure_future(self._project_when_settled(tasks, project_id, document_ids))
        self._waiting.add(task)
        task.add_done_callback(self._waiting.discard)

    async def _project_when_settled(self, tasks: Tasks, project_id: str, document_ids: Sequence[str]) -> None:
        futures = [f for d in document_ids if (f := tasks.future(Kind.PROJECT_DOCUMENT, d)) is not None]
        if futures:
            await asyncio.wait(futures)
        project = self.state.entry(native_path(Kind.PROJECT, project_id))
        if project is None:
            return
        extras = self._pages(Kind.PROJECT_COLLABORATORS, project_id) + self._pages(
            Kind.PROJECT_ATTACHMENTS, project_id
        )
        for document_id in document_ids:
            entry = self.state.entry(native_path(Kind.PROJECT_DOCUMENT, document_id))
            if entry is not None and (entry.get("metadata") or {}).get("project_id") == project_id:
                extras.append(ManifestEntry.from_dict(entry))
        self._submit(project_job(ManifestEntry.from_dict(project), extras, self.collection))

    def activity_stored(self, user_id: str) -> None:
        """Every activity page of ``user_id`` is stored: lay out the user's activity report."""
        pages = self._pages(Kind.ACTIVITIES, user_id)
        if pages:
            self._submit(activity_job(user_id, pages, self.collection))

    def session_stored(self, kind: Kind, session_id: str) -> None:
        """A session's message pages are stored (a session references nothing): lay it out."""
        pages = self._pages(kind, session_id)
        if pages:
            self._submit(session_job(pages, self.collection))

    def _pages(self, kind: Kind, source_id: str) -> list[ManifestEntry]:
        pages: list[ManifestEntry] = []
        while (entry := self.state.entry(native_path(kind, source_id, page=len(pages) + 1))) is not None:
            pages.append(ManifestEntry.from_dict(entry))
        return pages

    def _job(self, chat_id: str, ids: Sequence[str]) -> Job | None:
        pages = self._pages(Kind.CHAT_MESSAGES, chat_id)
        related = [
            ManifestEntry.from_dict(entry)
            for object_id in ids
            for kind in FILE_KINDS
            if (entry := self.state.entry(native_path(kind, object_id))) is not None
        ]
        return chat_job(pages, related, self.collection) if pages else None

    def _submit(self, job: Job) -> None:
        """Hand ``job`` to the pool, its runs shared among the workers when it has several; a
        pool that cannot start or broke only ends early layout (everything is laid out after the
        traversal instead, as it would be without it)."""
        if self._broken:
            return
        from ediscovery.render.worker import expected_runs, prepare_job  # loaded meanwhile (pipeline)

        workers = self.options.jobs or os.cpu_count() or 1
        shares = min(workers, expected_runs(job))
        try:
            if self._pool is None:
                self._pool = _pool(workers)
            futures = [
                self._pool.submit(prepare_job, self.bag, job, self.options, (index, shares))
                for index in range(shares)
            ]
        except Exception as exc:
            self._broken = True
            logger.warning("Transcripts will be laid out after the collection: %s", exc)
            return
        self.reporter.expect(COUNTER, 1)
        done = partial(_tell, asyncio.get_running_loop(), _Countdown(self.reporter, len(futures)))
        for future in futures:
            future.add_done_callback(done)
        self._running.extend(futures)

    async def finish(self) -> None:
        """Every chat is stored: wait until each one's layout is done, then stop the pool."""
        while self._waiting:
            settled, _ = await asyncio.wait(set(self._waiting))
            _log_failures(settled)
        if self._running:
            laid_out, _ = await asyncio.wait([asyncio.wrap_future(f) for f in self._running])
            _log_failures(laid_out)
        self._shutdown(wait=True)

    def abort(self) -> None:
        """The run stopped: drop what is waiting and stop the workers now."""
        for task in list(self._waiting):
            task.cancel()
        if self._pool is not None:
            for process in list(getattr(self._pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
        self._shutdown(wait=False)

    def _shutdown(self, *, wait: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """The layout workers, for the whole traversal. Not recycled with ``max_tasks_per_child``: on
    Python 3.11 a pool replacing its workers that way was seen to hang waiting for them."""
    from ediscovery.render.collection import pool_context

    return ProcessPoolExecutor(
        workers, mp_context=pool_context(), initializer=start_preparer, initargs=(os.getpid(),)
    )


class _Countdown:
    """Advances the reporter's counter once every share of one transcript is laid out."""

    def __init__(self, reporter: Reporter, shares: int) -> None:
        self.reporter, self.left = reporter, shares

    def one_done(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.reporter.advance(COUNTER)


def _tell(loop: asyncio.AbstractEventLoop, countdown: _Countdown, _done: Future[int]) -> None:
    """A share of a layout ended (on the pool's thread): count it on the event loop's thread,
    unless the run has stopped and the loop with it."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(countdown.one_done)


def _log_failures(done: Iterable[asyncio.Future[Any]]) -> None:
    """Early layout never fails a run (the document is laid out after the traversal instead),
    but what went wrong is logged."""
    for future in done:
        if not future.cancelled() and (exc := future.exception()) is not None:
            logger.warning("Laying a transcript out ahead failed: %r", exc)


def _started(tasks: Tasks, object_id: str) -> bool:
    return any(tasks.started(kind, object_id) for kind in FILE_KINDS)


def _future(tasks: Tasks, object_id: str) -> asyncio.Future[None] | None:
    for kind in FILE_KINDS:
        future = tasks.future(kind, object_id)
        if future is not None:
            return future
    return None
