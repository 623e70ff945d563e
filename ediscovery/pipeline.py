"""Pipeline: the end-to-end ``collect`` run — collect, render, report, bag, seal, verify.

Order matters because every step seals what the previous one wrote:

1. collect (``collect.run``): natives, ``manifest.json`` (preliminary), ``reports/delta.json``;
2. render transcripts from the stored natives and add them to the manifest as ``transcript``
   entries; the final ``manifest.json`` is written and ``run_finished`` (with its SHA-256) is
   the custody event that closes the collection;
3. reports (``produce.write_reports``);
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
logged as ``stale_archive_removed``, and sealed again. ``EDISCOVERY_CRASH_AT_STAGE`` (a test
hook: ``render``, ``reports``, ``bag``, ``seal`` or ``verify``) SIGKILLs the process as that
step starts.

``requests.jsonl`` receives every HTTP attempt through :class:`RequestSink`, which buffers the
attempts made before the bag folder is known (custodian resolution).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ediscovery.api.client import ComplianceClient
from ediscovery.api.response import RequestRecord
from ediscovery.collect.run import CollectionResult, CollectOptions, Resolver, RunSession, log_stop
from ediscovery.collect.state import CLOSED, RunState, reached
from ediscovery.evidence.bag import BagInfo, prepare_bag
from ediscovery.evidence.canonical import utc_iso, utc_now
from ediscovery.evidence.custody import CustodyLog, default_actor
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.manifest import Manifest, ManifestEntry, write_manifest
from ediscovery.evidence.requests_log import RequestLog
from ediscovery.evidence.store import disk_full, fsync_dir
from ediscovery.progress import NullReporter, Reporter

TRANSCRIPTS_DIR = "data/transcripts"
CRASH_STAGE_ENV = "EDISCOVERY_CRASH_AT_STAGE"  # test hook: SIGKILL self as that step starts
INTERRUPT_STAGE_ENV = "EDISCOVERY_INTERRUPT_AT_STAGE"  # test hook: SIGINT self as that step starts


@dataclass(frozen=True)
class PipelineOptions:
    """Collection options plus rendering and sealing choices."""

    collect: CollectOptions
    render: bool = True
    seal: bool = True
    verify: bool = True
    password: str | None = None
    volume_size: str | None = None
    bates_prefix: str = ""
    bates_start: int = 1
    bates_digits: int = 9
    legend: str = "CONFIDENTIAL"
    render_jobs: int = 0
    source_organization: str = "Claude Enterprise tenant"

    def evidence(self) -> dict[str, Any]:
        """The choices that shape the evidence a run writes; a resumed run must repeat them."""
        return {
            "encrypted": self.password is not None,
            "volume_size": self.volume_size,
            "transcripts": self.render,
            "bates_prefix": self.bates_prefix,
            "bates_start": self.bates_start,
            "bates_digits": self.bates_digits,
            "legend": self.legend,
            "time_zone": self.collect.scope.time_zone,
            "sealed": self.seal,
        }


@dataclass(frozen=True)
class PipelineResult:
    """What the ``collect`` command reports."""

    bag: Path
    archive: Path | None
    archive_sha256: str | None
    manifest: Manifest
    resumed: bool
    verify_problems: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return self.manifest.status

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``ediscovery collect``."""
        return {
            "archive": str(self.archive) if self.archive else None,
            "archive_sha256": self.archive_sha256,
            "bag": str(self.bag),
            "status": self.status,
            "counts": dict(self.manifest.counts),
            "errors": [dict(e) for e in self.manifest.errors],
        }


class RequestSink:
    """The client's ``on_request`` observer: buffers until the run's ``requests.jsonl`` is known."""

    def __init__(self, reporter: Reporter | None = None) -> None:
        self._buffer: list[RequestRecord] = []
        self._log: RequestLog | None = None
        self._reporter = reporter or NullReporter()

    def __call__(self, record: RequestRecord) -> None:
        self._reporter.advance("requests")
        if self._log is None:
            self._buffer.append(record)
        else:
            self._log.append(record.to_json())

    def attach(self, path: Path) -> None:
        self._log = RequestLog(path)
        for record in self._buffer:
            self._log.append(record.to_json())
        self._buffer.clear()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


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
    session = RunSession(client, collect, resolver=resolver, reporter=reporter, clock=clock)
    result, state, custody = await session.collect()
    try:
        if requests is not None:
            requests.attach(result.layout.bag / "requests.jsonl")
        with _blocking():
            return _finish(result, state, custody, options, reporter, clock, requests)
    except BaseException as exc:
        stopped = _stopped(exc, state.stage(), result.layout.bag)
        log_stop(custody, stopped, f"after {state.stage()}")
        if stopped is exc:
            raise
        raise stopped from exc
    finally:
        custody.close()
        state.close()


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


def _finish(
    result: CollectionResult,
    state: RunState,
    custody: CustodyLog,
    options: PipelineOptions,
    reporter: Reporter,
    clock: Callable[[], datetime],
    requests: RequestSink | None,
) -> PipelineResult:
    """The steps after the traversal, skipping those the state records as done."""
    bag = result.layout.bag
    manifest = result.manifest
    if not reached(state.stage(), "rendered"):
        manifest = _close_manifest(bag, manifest, state, custody, options, reporter)
    if not reached(state.stage(), "reported"):
        _crash_point("reports")
        reporter.stage("writing reports")
        write_reports_seam(bag, manifest)
        state.set_meta(status="reported")
    if requests is not None:
        requests.close()
    _crash_point("bag")
    _discard_archive(result.layout.archive, custody, reporter)
    prepared = prepare_bag(
        bag,
        _bag_info(result, manifest, options, clock),
        known_digests=_known(manifest),
        encrypted=options.password is not None,
        split=options.volume_size is not None,
    )
    details = {"bag": bag.name, "entries": len(manifest.entries), "tag_files": prepared.tag_sha256()}
    custody.append("bag_written", details)
    prepared.write()
    state.set_meta(status="bagged")
    if not options.seal:
        state.set_meta(status=CLOSED)
        return PipelineResult(bag, None, None, manifest, result.resumed)
    archive, sha, problems = _seal_and_verify(result, state, custody, options, reporter)
    return PipelineResult(bag, archive, sha, manifest, result.resumed, problems)


def _close_manifest(
    bag: Path,
    manifest: Manifest,
    state: RunState,
    custody: CustodyLog,
    options: PipelineOptions,
    reporter: Reporter,
) -> Manifest:
    """Render transcripts afresh, write the final manifest and log ``run_finished`` with its hash."""
    _crash_point("render")
    _discard_transcripts(bag)
    if options.render:
        reporter.stage("rendering transcripts")
        manifest = render_transcripts(bag, manifest, options, reporter)
        for item in manifest.limitations:
            if item.get("kind") == "transcript_warning":
                reporter.note(str(item["message"]))
    manifest_digests = write_manifest(bag / "manifest.json", manifest)
    custody.append(
        "run_finished",
        {
            "status": manifest.status,
            "counts": dict(manifest.counts),
            "manifest_sha256": manifest_digests.sha256,
        },
    )
    state.set_meta(status="rendered", manifest_sha256=manifest_digests.sha256)
    return manifest


def _seal_and_verify(
    result: CollectionResult,
    state: RunState,
    custody: CustodyLog,
    options: PipelineOptions,
    reporter: Reporter,
) -> tuple[Path, str, tuple[str, ...]]:
    """Seal, then verify; the run is closed only when the archive verified (or was not to be)."""
    reporter.stage("sealing")
    _crash_point("seal")
    archive, sha = seal_seam(
        result.layout.bag, result.layout.archive, options, final_event=custody.last_event()
    )
    state.set_meta(status="sealed")
    problems: tuple[str, ...] = ()
    if options.verify:
        reporter.stage("verifying")
        _crash_point("verify")
        problems = verify_seam(archive, options.password)
    if not problems:
        state.set_meta(status=CLOSED)
    return archive, sha, problems


def _crash_point(stage: str) -> None:
    """Test hooks: ``EDISCOVERY_CRASH_AT_STAGE`` dies as abruptly as a power cut would,
    ``EDISCOVERY_INTERRUPT_AT_STAGE`` is a Ctrl-C as that step starts."""
    if os.environ.get(CRASH_STAGE_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(INTERRUPT_STAGE_ENV) == stage:
        os.kill(os.getpid(), signal.SIGINT)


def _discard_transcripts(bag: Path) -> None:
    """Remove transcripts (and render scratch folders) an interrupted render left behind."""
    folder = bag / TRANSCRIPTS_DIR
    if folder.is_dir():
        shutil.rmtree(folder)
        fsync_dir(folder.parent)


def _discard_archive(base: Path, custody: CustodyLog, reporter: Reporter) -> None:
    """Remove what an interrupted seal left (archive, volumes, sidecar, receipt, temp file)."""
    from ediscovery.archive import volume_paths

    candidates = {
        base,
        *volume_paths(Path(f"{base}.001")),
        Path(f"{base}.sha256"),
        Path(f"{base}.receipt.json"),
        *base.parent.glob(f".{base.name}.part-*"),
    }
    stale = sorted(path for path in candidates if path.is_file())
    if not stale:
        return
    for path in stale:
        path.unlink()
    fsync_dir(base.parent)
    names = [path.name for path in stale]
    custody.append("stale_archive_removed", {"paths": names})
    reporter.note(f"Removed what an interrupted seal left, to seal again: {', '.join(names)}")


class _RenderProgress:
    """The renderer's ``rendered(done, total, path)`` as ``transcripts`` on the run's reporter."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self._expected = False

    def rendered(self, done: int, total: int, path: str) -> None:
        if not self._expected:
            self._reporter.expect("transcripts", total)
            self._expected = True
        self._reporter.advance("transcripts")


def render_transcripts(
    bag: Path, manifest: Manifest, options: PipelineOptions, reporter: Reporter | None = None
) -> Manifest:
    """Render PDFs from the stored natives; return the manifest with their ``transcript`` entries."""
    from ediscovery.render import render_collection
    from ediscovery.render.options import RenderOptions

    render_options = RenderOptions(
        bates_prefix=options.bates_prefix,
        bates_start=options.bates_start,
        bates_digits=options.bates_digits,
        legend=options.legend,
        display_tz=options.collect.scope.time_zone,
        jobs=options.render_jobs,
    )
    progress = _RenderProgress(reporter if reporter is not None else NullReporter())
    rendered = render_collection(bag, bag / TRANSCRIPTS_DIR, render_options, reporter=progress)
    kept = [e for e in manifest.entries if e.kind != "transcript"]
    kept.extend(_transcript_entry(doc) for doc in rendered.documents)
    others = [item for item in manifest.limitations if item.get("kind") != "transcript_warning"]
    warnings = [_render_limitation(text) for text in rendered.warnings]
    return dataclasses.replace(
        manifest,
        entries=tuple(sorted(kept, key=lambda e: e.path)),
        limitations=(*others, *warnings),
    )


def _render_limitation(warning: str) -> dict[str, Any]:
    """A renderer warning (``"<type> <id>: <text>"``) as a manifest limitation of that document."""
    head, _, _ = warning.partition(": ")
    _, _, source_id = head.partition(" ")
    return {"kind": "transcript_warning", "source_id": source_id or "transcripts", "message": warning}


def _transcript_entry(doc: Any) -> ManifestEntry:
    return ManifestEntry(
        path=f"{TRANSCRIPTS_DIR}/{doc.path}",
        kind="transcript",
        source_id=doc.source_id,
        size=doc.size,
        md5=doc.md5,
        sha256=doc.sha256,
        sha512=doc.sha512,
        endpoint=None,
        request_id=None,
        retrieved_at=None,
        metadata={
            "document_type": doc.document_type,
            "bates_begin": doc.bates_begin,
            "bates_end": doc.bates_end,
            "page_count": doc.page_count,
            "sources": [{"path": p, "sha256": s} for p, s in doc.sources],
        },
    )


def write_reports_seam(bag: Path, manifest: Manifest) -> None:
    """Reports from ``ediscovery.produce``."""
    from ediscovery.produce.reports import write_reports

    write_reports(bag, manifest)


def seal_seam(
    bag: Path, archive: Path, options: PipelineOptions, *, final_event: dict[str, Any] | None
) -> tuple[Path, str]:
    """Seal with ``ediscovery.archive.seal``; returns the first volume and the whole archive's SHA-256."""
    from ediscovery.archive import seal

    sealed = seal(
        bag, archive, password=options.password, volume_size=options.volume_size, final_event=final_event
    )
    return Path(sealed.archive_path), sealed.sha256


def verify_seam(archive: Path, password: str | None) -> tuple[str, ...]:
    """Verify the sealed archive with ``ediscovery.verify``; the problems found, as text."""
    from ediscovery.verify import verify

    report = verify(archive, password=password)
    return tuple(str(problem) for problem in getattr(report, "problems", ()))


def _known(manifest: Manifest) -> dict[str, Digests]:
    return {e.path: Digests(e.size, e.md5, e.sha256, e.sha512) for e in manifest.entries}


def _bag_info(
    result: CollectionResult, manifest: Manifest, options: PipelineOptions, clock: Callable[[], datetime]
) -> BagInfo:
    scope = manifest.scope
    previous = manifest.extra.get("previous_run") or {}
    return BagInfo(
        source_organization=options.source_organization,
        external_identifier=options.collect.matter,
        bagging_date=utc_iso(clock())[:10],
        collection_run_id=result.layout.run_id,
        collector=_collector(),
        custodian_emails=tuple(sorted(c.email for c in result.custodians if c.email)),
        custodian_user_ids=tuple(sorted({u for c in result.custodians for u in c.user_ids})),
        date_range_from=scope.get("since") or "none (no lower bound)",
        date_range_to=scope.get("until") or "none (no upper bound)",
        date_range_time_zone=str(scope.get("time_zone") or "UTC"),
        api_version=options.collect.api_version,
        previous_run_id=previous.get("run_id"),
        previous_manifest_sha256=previous.get("manifest_sha256"),
    )


def _collector() -> str:
    """Who ran the collection, as the custody log records it: OS user and host."""
    actor = default_actor()
    return f"{actor['os_user']}@{actor['host']}"
