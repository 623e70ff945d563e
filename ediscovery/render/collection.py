"""Collection: ``render_collection``, every transcript of a bag in Bates order.

Plans the documents (chats, projects, activity reports), renders them in the caller's
process (``jobs=1`` or a single document) or in a pool of processes sharing a Bates ledger,
and gathers the written documents, the next free Bates number and every warning --
refused URLs, documents that could not be rendered, characters no installed font covers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Protocol

from ediscovery.errors import RenderError
from ediscovery.evidence.stored import StoredBag
from ediscovery.lazy import settle
from ediscovery.render.bates import SequentialLedger
from ediscovery.render.fonts import describe_char, missing_glyphs
from ediscovery.render.ledger import SharedLedger
from ediscovery.render.options import RenderOptions, RenderResult
from ediscovery.render.plan import Job, plan_jobs, read_collection
from ediscovery.render.worker import Outcome, render_job, start_worker
from ediscovery.timestamps import load_zone


class RenderReporter(Protocol):
    """Progress observer: told after each document is written."""

    def rendered(self, done: int, total: int, path: str) -> None: ...


def _zone_name(bag: StoredBag, options: RenderOptions) -> str:
    return load_zone(options.display_tz or bag.time_zone).key


def _jobs_count(options: RenderOptions, documents: int) -> int:
    wanted = options.jobs or os.cpu_count() or 1
    return max(1, min(wanted, documents))


def _run_inline(
    bag_root: Path, out_dir: Path, jobs: list[Job], options: RenderOptions, reporter: RenderReporter | None
) -> tuple[list[Outcome], int]:
    ledger = SequentialLedger(options.bates_start)
    outcomes = []
    for done, job in enumerate(jobs, 1):
        outcomes.append(render_job(bag_root, out_dir, job, options, ledger))
        if reporter is not None:
            reporter.rendered(done, len(jobs), job.path)
    return outcomes, ledger.next_number


def _single_threaded() -> bool:
    """True when this process has exactly one OS thread (Linux ``/proc``; False elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Threads:"):
                    return line.split()[1] == "1"
    except OSError:
        pass
    return False


def pool_context() -> BaseContext:
    """How pool workers start: ``fork`` when safe, else a preloaded forkserver (or spawn).

    Forking copies the already imported WeasyPrint, so workers start at once; it is safe only
    while no other thread (Python or native) could hold a lock at the moment of the fork, so
    modules still preloading (:func:`ediscovery.lazy.preload`) are waited for first. A fresh
    forkserver interpreter costs about half a second of importing before any work.

    Before a fork, every object of this process is moved out of the cyclic collector's reach
    (``gc.freeze``), as Python's documentation advises: a collection in a worker would
    otherwise write to every inherited object and so copy every page it shares with this
    process (about 50 MB across two workers).
    """
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    settle()
    if _single_threaded():
        gc.freeze()
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ediscovery.render.worker"])
    return ctx


def _run_pool(
    bag_root: Path,
    out_dir: Path,
    jobs: list[Job],
    options: RenderOptions,
    workers: int,
    reporter: RenderReporter | None,
) -> tuple[list[Outcome], int]:
    ctx = pool_context()
    ledger = SharedLedger.create(ctx, len(jobs), options.bates_start)
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=start_worker, initargs=(ledger, os.getpid())
    ) as pool:
        futures: list[Future[Outcome]] = [
            pool.submit(render_job, bag_root, out_dir, job, options) for job in jobs
        ]
        try:
            for done, future in enumerate(futures, 1):
                outcomes.append(future.result())
                if reporter is not None:
                    reporter.rendered(done, len(jobs), jobs[done - 1].path)
        except BaseException as exc:
            ledger.abort()
            for future in futures:
                future.cancel()
            if isinstance(exc, KeyboardInterrupt):  # stop now, not after the documents in hand
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.terminate()
            if isinstance(exc, RenderError | KeyboardInterrupt):
                raise
            raise RenderError(f"A rendering process failed: {exc!r}") from exc
    return outcomes, ledger.final_number()


def _font_warnings(outcomes: list[Outcome], jobs: list[Job]) -> list[str]:
    """One warning per document and character no installed font can draw."""
    warnings: list[str] = []
    for outcome in outcomes:
        missing = set(missing_glyphs(outcome.chars)) | set(outcome.boxed)
        job = jobs[outcome.index]
        warnings.extend(
            f"{job.document_type} {job.source_id}: no installed font has a glyph for "
            f"{describe_char(char)}; it shows as a box."
            for char in sorted(missing)
        )
    return warnings


def render_collection(
    bag_root: Path,
    out_dir: Path,
    options: RenderOptions,
    *,
    chat_ids: Sequence[str] | None = None,
    session_ids: Sequence[str] | None = None,
    reporter: Any = None,
) -> RenderResult:
    """Render every transcript of the bag at ``bag_root`` into ``out_dir``.

    Order, and so Bates numbers: chats by (created_at, id), projects by (created_at, id),
    then agent sessions, then one activity report per custodian user id. With ``chat_ids`` only
    those chats; with ``session_ids`` only those sessions.
    """
    options.check()
    bag = StoredBag.open(bag_root)
    collection = read_collection(bag, _zone_name(bag, options))
    jobs = plan_jobs(bag, collection, chat_ids, session_ids)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = _jobs_count(options, len(jobs))
    if workers == 1:
        outcomes, next_number = _run_inline(bag_root, out_dir, jobs, options, reporter)
    else:
        outcomes, next_number = _run_pool(bag_root, out_dir, jobs, options, workers, reporter)
    outcomes.sort(key=lambda o: o.index)
    warnings = [w for o in outcomes for w in o.warnings] + _font_warnings(outcomes, jobs)
    return RenderResult(
        documents=tuple(o.document for o in outcomes if o.document is not None),
        next_bates=next_number,
        warnings=tuple(warnings),
    )
