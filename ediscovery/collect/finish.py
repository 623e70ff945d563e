"""Finishing: the steps of a ``collect`` run after its traversal, each recorded when done.

Transcripts are rendered afresh from the stored natives and added to the manifest as
``transcript`` entries; the final ``manifest.json`` is written and ``run_finished`` (with its
SHA-256) closes the collection; then the reports, ``bag_written`` and the BagIt files (so the
tag manifests cover the final custody log), the seal, and the verification of the archive.
A step the run's state records as done is not run again; whatever an interrupted seal left
is removed (``stale_archive_removed``) and sealed again. ``EDISCOVERY_CRASH_AT_STAGE`` (a test
hook: ``render``, ``reports``, ``bag``, ``seal`` or ``verify``) SIGKILLs the process as that
step starts; ``EDISCOVERY_INTERRUPT_AT_STAGE`` sends it a Ctrl-C there.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ediscovery import archive as sealing  # each name imported on first use
from ediscovery import render
from ediscovery.archive.attestation import Attestation, attestation_files
from ediscovery.archive.volumes import volume_paths
from ediscovery.collect.corroboration import record_corroboration
from ediscovery.collect.limitations import TranscriptWarning
from ediscovery.collect.lineage import carry_previous_receipt
from ediscovery.collect.reports import write_reports
from ediscovery.collect.run import CollectionResult, CollectOptions
from ediscovery.collect.settings import retention_line
from ediscovery.collect.state import CLOSED, RunState, reached
from ediscovery.evidence.bag import BagInfo, prepare_bag
from ediscovery.evidence.canonical import utc_iso
from ediscovery.evidence.custody import CustodyLog, default_actor
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import Manifest, ManifestEntry, write_manifest
from ediscovery.evidence.records import bag_records, write_records
from ediscovery.evidence.requests_log import RequestSink
from ediscovery.evidence.store import fsync_dir
from ediscovery.progress import NullReporter, Reporter
from ediscovery.render.options import RenderOptions

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
    attestation: Attestation = field(default_factory=Attestation)
    """A time-stamp and/or signature of the receipt once sealed (beside it, not in the bag)."""

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
            "corroborated": self.collect.feed_lag is not None,
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
    attestation_error: str | None = None
    """Why the receipt could not be time-stamped or signed (the run is closed all the same)."""

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
            "attestation_error": self.attestation_error,
            "verify_problems": list(self.verify_problems),
        }


def finish_run(
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
        manifest = _close_manifest(result, state, custody, options, reporter)
    if not reached(state.stage(), "reported"):
        _crash_point("reports")
        reporter.stage("writing reports")
        write_reports(bag, manifest)
        state.set_meta(status="reported")
    if requests is not None:
        requests.close()
    _crash_point("bag")
    _write_bag(result, manifest, custody, options, reporter, clock)
    state.set_meta(status="bagged")
    if not options.seal:
        state.set_meta(status=CLOSED)
        return PipelineResult(bag, None, None, manifest, result.resumed)
    archive, sha, problems = _seal_and_verify(result, state, custody, options, reporter)
    failed = None
    if options.attestation.wanted() and not problems:
        reporter.stage("attesting the receipt")
        from ediscovery.archive.attest import attest_or_say

        failed = attest_or_say(
            Path(f"{result.layout.archive}.receipt.json"), options.attestation, reporter.note
        )
    return PipelineResult(bag, archive, sha, manifest, result.resumed, problems, failed)


def _write_bag(
    result: CollectionResult,
    manifest: Manifest,
    custody: CustodyLog,
    options: PipelineOptions,
    reporter: Reporter,
    clock: Callable[[], datetime],
) -> None:
    """The BagIt files, after removing a stale archive and carrying the previous run's receipt."""
    bag = result.layout.bag
    _discard_archive(result.layout.archive, custody, reporter)
    carried = carry_previous_receipt(result.layout, result.previous)
    if carried:
        custody.append("previous_receipt_carried", {"paths": carried})
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


def _close_manifest(
    result: CollectionResult,
    state: RunState,
    custody: CustodyLog,
    options: PipelineOptions,
    reporter: Reporter,
) -> Manifest:
    """Render transcripts afresh, write the final manifest and log ``run_finished`` with its hash."""
    bag, manifest = result.layout.bag, result.manifest
    _crash_point("render")
    _discard_transcripts(bag)
    if options.render:
        reporter.stage("rendering transcripts")
        manifest = render_transcripts(bag, manifest, options, reporter, result.layout.layout_cache)
        for item in manifest.limitations:
            if item.get("kind") == TranscriptWarning.KIND:
                reporter.note(str(item["message"]))
    manifest = record_corroboration(bag, manifest, custody, reporter)
    records = write_records(bag, bag_records(bag, manifest.entries))
    manifest = dataclasses.replace(manifest, extra={**manifest.extra, "records": records})
    manifest_digests = write_manifest(bag / "manifest.json", manifest)
    custody.append(
        "run_finished",
        {
            "status": manifest.status,
            "counts": dict(manifest.counts),
            "manifest_sha256": manifest_digests.sha256,
            "records_root": records["root"],
            "records": records["count"],
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
    archive, sha = _seal(result.layout.bag, result.layout.archive, options, final_event=custody.last_event())
    state.set_meta(status="sealed")
    problems: tuple[str, ...] = ()
    if options.verify:
        reporter.stage("verifying")
        _crash_point("verify")
        problems = _verify(archive, options.password)
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
    candidates = {
        base,
        *volume_paths(Path(f"{base}.001")),
        Path(f"{base}.sha256"),
        Path(f"{base}.receipt.json"),
        *attestation_files(Path(f"{base}.receipt.json")),
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


def transcript_options(options: PipelineOptions, cache: Path | None = None) -> RenderOptions:
    """How a run's transcripts are rendered (``cache``: runs laid out during the collection)."""
    return RenderOptions(
        bates_prefix=options.bates_prefix,
        bates_start=options.bates_start,
        bates_digits=options.bates_digits,
        legend=options.legend,
        display_tz=options.collect.scope.time_zone,
        jobs=options.render_jobs,
        cache_dir=cache,
    )


def render_transcripts(
    bag: Path,
    manifest: Manifest,
    options: PipelineOptions,
    reporter: Reporter | None = None,
    cache: Path | None = None,
) -> Manifest:
    """Render PDFs from the stored natives; return the manifest with their ``transcript`` entries.

    Runs laid out during the collection are taken from ``cache`` where their HTML is unchanged.
    """
    render_options = transcript_options(options, cache)
    progress = _RenderProgress(reporter if reporter is not None else NullReporter())
    rendered = render.render_collection(bag, bag / TRANSCRIPTS_DIR, render_options, reporter=progress)
    kept = [e for e in manifest.entries if e.kind != Kind.TRANSCRIPT]
    kept.extend(_transcript_entry(doc) for doc in rendered.documents)
    others = [item for item in manifest.limitations if item.get("kind") != TranscriptWarning.KIND]
    warnings = [TranscriptWarning.from_renderer(text).to_dict() for text in rendered.warnings]
    return dataclasses.replace(
        manifest,
        entries=tuple(sorted(kept, key=lambda e: e.path)),
        limitations=(*others, *warnings),
    )


def _transcript_entry(doc: Any) -> ManifestEntry:
    return ManifestEntry(
        path=f"{TRANSCRIPTS_DIR}/{doc.path}",
        kind=Kind.TRANSCRIPT,
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


def _seal(
    bag: Path, archive: Path, options: PipelineOptions, *, final_event: dict[str, Any] | None
) -> tuple[Path, str]:
    """Seal the bag (read back by the verification that follows, when there is one); returns the
    first volume and the whole archive's SHA-256."""
    sealed = sealing.seal(bag, archive, password=options.password, volume_size=options.volume_size,
                          final_event=final_event, check=not options.verify)  # fmt: skip
    return Path(sealed.archive_path), sealed.sha256


def _verify(archive: Path, password: str | None) -> tuple[str, ...]:
    """Verify the sealed archive; the problems found, as text."""
    from ediscovery.verify import verify

    return tuple(str(problem) for problem in verify(archive, password=password).problems)


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
        data_retention=retention_line(manifest.extra.get("organization_settings")),
    )


def _collector() -> str:
    """Who ran the collection, as the custody log records it: OS user and host."""
    actor = default_actor()
    return f"{actor['os_user']}@{actor['host']}"
