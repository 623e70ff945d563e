"""Pipeline: the end-to-end ``collect`` run — collect, render, report, bag, seal, verify.

Order matters because every step seals what the previous one wrote:

1. collect (``collect.run``): natives, ``manifest.json`` (preliminary), ``reports/delta.json``;
2. render transcripts from the stored natives and add them to the manifest as ``transcript``
   entries; the final ``manifest.json`` is written and ``run_finished`` (with its SHA-256) is
   the custody event that closes the collection;
3. reports (``collect.reports.write_reports``);
4. ``bag_written`` is appended to the custody log, then the BagIt files are written (so the
   tag manifests cover the final custody log);
5. seal into ``<bag>.7z`` (the ``bag_written`` event, head of the custody chain, goes into the
   seal receipt), then verify the archive.

The run's state records each step as it completes (``collect.state.STAGES``); the run is
*closed*, and can be the base of an incremental run, only when every requested step is done.
The same command run again after a kill resumes the steps not yet completed: transcripts are
rendered again from scratch (same natives and options, so the same files and Bates numbers),
``run_finished`` is logged once (when the final ``manifest.json`` is written), the BagIt files
are rewritten after the ``run_resumed`` event with a fresh ``bag_written`` as chain head, and
whatever an interrupted seal left (archive, volumes, sidecar, receipt, temp file) is removed,
logged as ``stale_archive_removed``, and sealed again. Steps 2 to 5 are ``collect.finish``.

``requests.jsonl`` receives every HTTP attempt through ``evidence.requests_log.RequestSink``,
which buffers the attempts made before the bag folder is known (custodian resolution).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ediscovery.api.client import ComplianceClient
from ediscovery.collect.early import EarlyLayout
from ediscovery.collect.finish import (
    PipelineOptions,
    PipelineResult,
    finish_run,
    transcript_options,
)
from ediscovery.collect.plan import Custodian
from ediscovery.collect.run import EarlyFactory, Resolver, RunLayout, RunSession, log_stop
from ediscovery.collect.state import CLOSED, RunState
from ediscovery.evidence.canonical import utc_now
from ediscovery.evidence.requests_log import RequestSink
from ediscovery.evidence.store import disk_full
from ediscovery.lazy import preload
from ediscovery.progress import NullReporter, Reporter
from ediscovery.render.plan import collection_facts
from ediscovery.timestamps import load_zone

__all__ = ["PipelineOptions", "PipelineResult", "RequestSink", "finishing", "run_pipeline"]


FINISHING_MODULES = ("ediscovery.render.pdf", "ediscovery.archive.sealer", "ediscovery.verify")
"""What the steps after the traversal import (the PDF engine, py7zr): loaded while the traversal
waits on the API (:func:`finishing_modules`), not before its first request nor after its last."""

LAYOUT_MODULES = ("ediscovery.render.worker", "ediscovery.render.collection")


def finishing_modules(options: PipelineOptions) -> tuple[str, ...]:
    """The modules the run's remaining steps need, those of early layout first."""
    layout = LAYOUT_MODULES if options.render else ()
    attest = ("ediscovery.archive.attest",) if options.attestation.wanted() else ()
    return layout + FINISHING_MODULES + attest


async def run_pipeline(
    client: ComplianceClient,
    options: PipelineOptions,
    *,
    resolver: Resolver | None = None,
    requests: RequestSink | None = None,
    reporter: Reporter | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> PipelineResult:
    """Run every step through ``client``'s public API; see the module docstring.

    ``requests`` must be the client's ``on_request`` observer.
    """
    if not isinstance(client, ComplianceClient):
        raise TypeError(f"run_pipeline takes the ComplianceClient itself, not {type(client).__name__}.")
    reporter = reporter or NullReporter()
    collect = dataclasses.replace(options.collect, evidence=options.evidence())
    early = _early_layout(options, reporter) if options.render else None
    session = RunSession(client, collect, resolver=resolver, reporter=reporter, clock=clock, early=early)
    preloading = preload(finishing_modules(options))
    try:
        result, state, custody = await session.collect()
    finally:
        preloading.join()
    try:
        if requests is not None:
            requests.attach(result.layout.bag / "requests.jsonl")
        with _blocking():
            return finish_run(result, state, custody, options, reporter, clock, requests)
    except BaseException as exc:
        stopped = _stopped(exc, state.stage(), result.layout.bag)
        if state.stage() != CLOSED:  # a closed run's custody log is the archive's: final
            log_stop(custody, stopped, f"after {state.stage()}")
        if stopped is exc:
            raise
        raise stopped from exc
    finally:
        custody.close()
        state.close()


def _early_layout(options: PipelineOptions, reporter: Reporter) -> EarlyFactory:
    """Lays out each run's chats while it collects, with the options its transcripts use."""

    def make(layout: RunLayout, state: RunState, custodians: tuple[Custodian, ...]) -> EarlyLayout:
        render = transcript_options(options, layout.layout_cache)
        zone = load_zone(options.collect.scope.time_zone or "UTC").key
        facts = collection_facts(
            options.collect.matter,
            layout.run_id,
            state.get("started_at") or "",
            options.collect.scope.to_json(),
            [c.to_json() for c in custodians],
            zone,
        )
        return EarlyLayout(layout.bag, render, facts, state, reporter)

    return make


_BLOCKING = threading.local()


@contextlib.contextmanager
def _blocking() -> Iterator[None]:
    """Mark the finishing steps: synchronous work during which the event loop does not run."""
    _BLOCKING.on = True
    try:
        yield
    finally:
        _BLOCKING.on = False


def finishing() -> bool:
    """True while this thread runs the finishing steps (rendering, reports, bag, seal, verify),
    so a Ctrl-C handler knows to interrupt them where they are rather than cancel a task."""
    return bool(getattr(_BLOCKING, "on", False))


def _stopped(exc: BaseException, stage: str, bag: Path) -> BaseException:
    """What a finishing step that failed raises: a full disk, however it surfaced, is the one
    resumable :class:`DiskFullError`; everything else as it was."""
    full = disk_full(exc, f"finishing the run after the {stage!r} step", bag)
    return exc if full is None else full
