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

``requests.jsonl`` receives every HTTP attempt through :class:`RequestSink`, which buffers the
attempts made before the bag folder is known (custodian resolution).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ediscovery.api.client import ComplianceClient
from ediscovery.api.response import RequestRecord
from ediscovery.collect.run import CollectionResult, CollectOptions, Resolver, RunSession
from ediscovery.collect.state import RunState
from ediscovery.evidence.bag import BagInfo, write_bag
from ediscovery.evidence.canonical import utc_iso, utc_now
from ediscovery.evidence.custody import CustodyLog, default_actor
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.manifest import Manifest, ManifestEntry, write_manifest
from ediscovery.evidence.requests_log import RequestLog
from ediscovery.progress import NullReporter, Reporter

TRANSCRIPTS_DIR = "data/transcripts"


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


@dataclass(frozen=True)
class _BagInfo(BagInfo):
    """Bag-info with the previous run of an incremental collection."""

    previous_run_id: str | None = None
    previous_manifest_sha256: str | None = None

    def labels(self, payload_oxum: str) -> list[tuple[str, str]]:
        pairs = super().labels(payload_oxum)
        if self.previous_run_id:
            pairs.append(("Previous-Run-Id", self.previous_run_id))
            pairs.append(("Previous-Manifest-SHA256", self.previous_manifest_sha256 or ""))
        return pairs


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
    session = RunSession(client, options.collect, resolver=resolver, reporter=reporter, clock=clock)
    result, state, custody = await session.collect()
    try:
        if requests is not None:
            requests.attach(result.layout.bag / "requests.jsonl")
        return _finish(result, state, custody, options, reporter, clock, requests)
    finally:
        custody.close()
        state.close()


def _finish(
    result: CollectionResult,
    state: RunState,
    custody: CustodyLog,
    options: PipelineOptions,
    reporter: Reporter,
    clock: Callable[[], datetime],
    requests: RequestSink | None,
) -> PipelineResult:
    bag = result.layout.bag
    manifest = result.manifest
    if options.render:
        reporter.stage("rendering transcripts")
        manifest = render_transcripts(bag, manifest, options)
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
    state.set_meta(status="finished", manifest_sha256=manifest_digests.sha256)
    reporter.stage("writing reports")
    write_reports_seam(bag, manifest)
    if requests is not None:
        requests.close()
    custody.append("bag_written", {"bag": bag.name, "entries": len(manifest.entries)})
    write_bag(bag, _bag_info(result, manifest, options, clock), known_digests=_known(manifest))
    archive, sha = (None, None)
    problems: tuple[str, ...] = ()
    if options.seal:
        reporter.stage("sealing")
        archive, sha = seal_seam(bag, result.layout.archive, options, final_event=_last_event(custody))
        if options.verify:
            reporter.stage("verifying")
            problems = verify_seam(archive, options.password)
    return PipelineResult(bag, archive, sha, manifest, result.resumed, problems)


def render_transcripts(bag: Path, manifest: Manifest, options: PipelineOptions) -> Manifest:
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
    rendered = render_collection(bag, bag / TRANSCRIPTS_DIR, render_options)
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


def _last_event(custody: CustodyLog) -> dict[str, Any] | None:
    last: bytes | None = None
    with custody.path.open("rb") as fh:
        for line in fh:
            last = line
    if last is None:
        return None
    value = json.loads(last)
    return value if isinstance(value, dict) else None


def _bag_info(
    result: CollectionResult, manifest: Manifest, options: PipelineOptions, clock: Callable[[], datetime]
) -> BagInfo:
    scope = manifest.scope
    previous = result.previous
    return _BagInfo(
        source_organization=options.source_organization,
        external_identifier=options.collect.matter,
        bagging_date=utc_iso(clock())[:10],
        collection_run_id=result.layout.run_id,
        collector=_collector(),
        custodian_emails=tuple(sorted(c.email for c in result.custodians)),
        custodian_user_ids=tuple(sorted({u for c in result.custodians for u in c.user_ids})),
        date_range_from=scope.get("since") or "none (no lower bound)",
        date_range_to=scope.get("until") or "none (no upper bound)",
        date_range_time_zone=str(scope.get("time_zone") or "UTC"),
        api_version=options.collect.api_version,
        previous_run_id=previous.run_id if previous else None,
        previous_manifest_sha256=previous.manifest_sha256 if previous else None,
    )


def _collector() -> str:
    """Who ran the collection, as the custody log records it: OS user and host."""
    actor = default_actor()
    return f"{actor['os_user']}@{actor['host']}"
