"""Run: one ``collect`` run's life — find or start it, traverse, and write its manifest and delta.

A run is identified by its matter, its custodians' user ids and its UTC range. Starting the
same command again finds a run with that identity in ``<out>/<matter>/.state`` that is not
closed (sealed and verified) and resumes it: stored natives are replayed, nothing is downloaded
twice, and a run stopped after its traversal reads its manifest back and goes on with the
finishing steps it had not completed. After a closed
run, the same command starts a new *incremental* run: chats whose ``updated_at`` and
``deleted_at`` did not move, and objects already stored intact, are not fetched again; the
new bag references the previous run and carries ``reports/delta.json``.

Custody events written here: ``run_started`` (every parameter, the key only as its
fingerprint) or ``run_resumed``, ``custodian_resolved``, and through the natives
``item_stored`` / ``item_failed``. ``run_finished`` is written by the pipeline once the
manifest is final.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ediscovery.api.client import ComplianceClient
from ediscovery.collect.collector import Collector
from ediscovery.collect.custodians import Resolution, resolve_custodians
from ediscovery.collect.early import EarlyLayout
from ediscovery.collect.identity import check_same_evidence, identity
from ediscovery.collect.increment import Previous, find_previous, previous_ref, save_snapshot, write_delta
from ediscovery.collect.plan import Custodian, Plan
from ediscovery.collect.recorder import Recorder
from ediscovery.collect.scope import Scope
from ediscovery.collect.settings import summaries
from ediscovery.collect.state import RunState, find_runs, reached, release_lock, series_lock
from ediscovery.collect.tally import Tally
from ediscovery.errors import EvidenceError, UsageError
from ediscovery.evidence.canonical import dumps_pretty, utc_iso, utc_now
from ediscovery.evidence.custody import CustodyLog
from ediscovery.evidence.digest import hash_file
from ediscovery.evidence.kinds import count_entries
from ediscovery.evidence.manifest import Manifest, ManifestEntry, load_manifest, write_manifest
from ediscovery.evidence.paths import custodians_slug, native_path, slug
from ediscovery.evidence.store import EvidenceStore
from ediscovery.progress import NullReporter, Reporter
from ediscovery.timestamps import parse_timestamp

Resolver = Callable[[ComplianceClient, tuple[str, ...]], Awaitable[Resolution]]
"""Turns custodian queries into a :class:`Resolution` (default: ``custodians.resolve_custodians``)."""


@dataclass(frozen=True)
class CollectOptions:
    """What the user asked for."""

    matter: str
    custodians: tuple[str, ...]
    scope: Scope
    out: Path
    api_url: str
    key_fingerprint: str
    api_version: str = "2023-06-01"
    jobs: int = 8
    full: bool = False
    allow_unknown_custodian: bool = False
    feed_lag: float | None = None
    """With a value, the platform's record of the run's calls is read back after that many
    seconds (``collect.corroboration``); None: not read."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """What the evidence will be beyond the run's identity (encryption, display zone, Bates
    numbering, …): a resumed run must be asked for the same, see :func:`check_same_evidence`."""


@dataclass(frozen=True)
class RunLayout:
    """Where one run lives on disk (docs/architecture.md, Run layout)."""

    matter_dir: Path
    name: str
    run_id: str

    @property
    def bag(self) -> Path:
        return self.matter_dir / self.name

    @property
    def state_path(self) -> Path:
        return self.matter_dir / ".state" / f"{self.name}.sqlite"

    @property
    def archive(self) -> Path:
        return self.matter_dir / f"{self.name}.7z"

    @property
    def layout_cache(self) -> Path:
        """Transcript runs laid out (not evidence): ahead of numbering while collecting, and kept so
        that ``produce`` renumbers pages already laid out instead of laying them out again."""
        return self.matter_dir / ".state" / f"{self.name}.layout"


@dataclass(frozen=True)
class CollectionResult:
    """A collected (not yet sealed) run."""

    layout: RunLayout
    manifest: Manifest
    custodians: tuple[Custodian, ...]
    resumed: bool
    previous: Previous | None
    fetched: int

    @property
    def status(self) -> str:
        return self.manifest.status


def new_run_id(now: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: UTC start time plus 6 random hex digits."""
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


EarlyFactory = Callable[[RunLayout, RunState, tuple[Custodian, ...]], EarlyLayout | None]
"""Makes a run's early layout of transcripts, once the run's place and custodians are known."""


class RunSession:
    """Opens (or resumes) a run, runs the traversal and finalizes its manifest."""

    def __init__(
        self,
        api: ComplianceClient,
        options: CollectOptions,
        *,
        resolver: Resolver | None = None,
        reporter: Reporter | None = None,
        clock: Callable[[], datetime] = utc_now,
        early: EarlyFactory | None = None,
    ) -> None:
        self.api = api
        self.options = options
        self.early = early
        self.resolver = resolver or resolve_custodians
        self.reporter = reporter or NullReporter()
        self.clock = clock

    async def collect(self) -> tuple[CollectionResult, RunState, CustodyLog]:
        """Resolve, pick the run, traverse; the caller closes the returned state and custody log."""
        self.reporter.stage("resolving custodians")
        resolution = await self.resolver(self.api, self.options.custodians)
        custodians = resolution.custodians
        await self._check_known(custodians)
        for custodian in custodians:
            if not custodian.in_directory:
                self.reporter.note(
                    f"{custodian.label} is not a current member of any linked organization; "
                    "collecting by user id alone"
                )
        wanted = identity(self.options, custodians)
        layout, state, previous, resumed = self._pick_run(custodians, wanted)
        custody: CustodyLog | None = None
        try:
            custody = self._open(layout, state, resumed, wanted, custodians, previous)
            if reached(state.get("status"), "collected"):
                result = _reopen(layout, state, custodians, previous)
            else:
                result = await self._traverse(layout, state, custody, resolution, previous, resumed)
        except BaseException as exc:
            if custody is not None:
                log_stop(custody, exc, "collect")
                custody.close()
            state.close()
            raise
        return result, state, custody

    def _pick_run(
        self, custodians: tuple[Custodian, ...], wanted: dict[str, Any]
    ) -> tuple[RunLayout, RunState, Previous | None, bool]:
        """The unfinished run with this identity (resumed), else a new one; with its previous run.

        The series lock is taken first and handed to the run's state, which releases it.
        """
        emails = [c.label for c in custodians]
        matter_dir = self.options.out / slug(self.options.matter)
        series = series_lock(matter_dir / ".state", custodians_slug(emails))
        try:
            runs = find_runs(matter_dir / ".state", custodians_slug(emails))
            unfinished = [r for r in runs if not r.closed and r.params.get("identity") == wanted]
            if unfinished:
                check_same_evidence(unfinished[-1], self.options.evidence)
            previous = None if self.options.full else find_previous(runs, wanted)
            resumed = bool(unfinished)
            run_id = unfinished[-1].run_id if resumed else new_run_id(self.clock())
            layout = RunLayout(matter_dir, f"{custodians_slug(emails)}_{run_id}", run_id)
            state = RunState(layout.state_path)
        except BaseException:
            release_lock(series)
            raise
        state.series = series
        return layout, state, previous, resumed

    async def _check_known(self, custodians: tuple[Custodian, ...]) -> None:
        """A ``user_...`` id no directory lists is collected only if the API holds content of it
        (someone who left) or the user says they mean it: a mistyped id would otherwise give an
        empty collection that says ``complete``."""
        if self.options.allow_unknown_custodian:
            return
        for custodian in custodians:
            if custodian.in_directory:
                continue
            if not any([await self.api.has_content(uid) for uid in custodian.user_ids]):
                raise UsageError(
                    f"No organization's directory lists {custodian.label}, and the API holds no chat, "
                    "project or activity of it.",
                    hint="Check the id (ids are case-sensitive); to collect it anyway, add "
                    "--allow-unknown-custodian.",
                )

    def _open(
        self,
        layout: RunLayout,
        state: RunState,
        resumed: bool,
        wanted: dict[str, Any],
        custodians: tuple[Custodian, ...],
        previous: Previous | None,
    ) -> CustodyLog:
        store = EvidenceStore(layout.bag)
        custody = CustodyLog(layout.bag / "custody.jsonl", clock=self.clock)
        if resumed:
            removed = store.cleanup_partials()
            custody.append(
                "run_resumed",
                {"run_id": layout.run_id, "stage": state.stage(), "removed_partials": removed},
            )
            return custody
        started = utc_iso(self.clock())
        params = {
            "identity": wanted,
            "custodians": [c.to_json() for c in custodians],
            "started_at": started,
            "previous_run": previous_ref(previous),
            "evidence": dict(self.options.evidence),
        }
        state.set_meta(
            run_id=layout.run_id,
            status="collecting",
            started_at=started,
            params=dumps_pretty(params).decode("utf-8"),
        )
        custody.append("run_started", self._run_parameters(layout, previous))
        for custodian in custodians:
            custody.append("custodian_resolved", custodian.to_json())
        return custody

    def _run_parameters(self, layout: RunLayout, previous: Previous | None) -> dict[str, Any]:
        options = self.options
        return {
            "run_id": layout.run_id,
            "matter": options.matter,
            "custodians": list(options.custodians),
            "scope": options.scope.to_json(),
            "api": {
                "base_url": options.api_url,
                "version": options.api_version,
                "key_fingerprint": options.key_fingerprint,
            },
            "out": str(options.out),
            "jobs": options.jobs,
            "full": options.full,
            "previous_run": previous_ref(previous),
            **dict(options.parameters),
        }

    async def _traverse(
        self,
        layout: RunLayout,
        state: RunState,
        custody: CustodyLog,
        resolution: Resolution,
        previous: Previous | None,
        resumed: bool,
    ) -> CollectionResult:
        natives = Recorder(self.api, EvidenceStore(layout.bag), state, custody, self.reporter)
        if resumed:
            natives.reconcile_custody()
        self._keep_directory(natives, resolution)
        plan = Plan(
            resolution.custodians, self.options.scope, self.options.jobs, previous, self.options.feed_lag
        )
        early = self.early(layout, state, resolution.custodians) if self.early is not None else None
        tally = await Collector(natives, plan, early).run()
        manifest = self._manifest(layout, state, resolution.custodians, tally, previous)
        write_manifest(layout.bag / "manifest.json", manifest)
        save_snapshot(state, tally, previous)
        if previous is not None:
            write_delta(layout.bag, tally, previous)
        state.set_meta(status="collected")
        return CollectionResult(
            layout, manifest, resolution.custodians, resumed, previous, len(natives.fetched_paths)
        )

    def _keep_directory(self, natives: Recorder, resolution: Resolution) -> None:
        users = tuple(sorted({uid for c in resolution.custodians for uid in c.user_ids}))
        for item in resolution.pages:
            path = native_path(item.kind, *item.ids, page=item.page)
            if natives.state.entry(path) is None:
                natives.keep(
                    item.response,
                    path=path,
                    kind=item.kind,
                    source_id=item.ids[0] if item.ids else "directory",
                    metadata={"page": item.page, "item_count": len(item.response.items())},
                    custodians=users,
                )

    def _manifest(
        self,
        layout: RunLayout,
        state: RunState,
        custodians: tuple[Custodian, ...],
        tally: Tally,
        previous: Previous | None,
    ) -> Manifest:
        entries = [tally.finish_entry(entry) for entry in state.entries()]
        errors = tally.manifest_errors()
        started = state.get("started_at") or utc_iso(self.clock())
        extra: dict[str, Any] = {
            "organization_settings": summaries(layout.bag, entries, parse_timestamp(started))
        }
        extra.update(tally.extra)
        if previous is not None:
            extra["previous_run"] = previous_ref(previous)
        return Manifest(
            run_id=layout.run_id,
            matter=self.options.matter,
            status="incomplete" if errors else "complete",
            started_at=started,
            finished_at=utc_iso(self.clock()),
            api={
                "base_url": self.options.api_url,
                "version": self.options.api_version,
                "key_fingerprint": self.options.key_fingerprint,
            },
            scope=self.options.scope.to_json(),
            custodians=tuple(c.to_json() for c in custodians),
            counts=count_entries(entries),
            errors=errors,
            limitations=tally.manifest_limitations(),
            entries=tuple(ManifestEntry.from_dict(e) for e in entries),
            extra=extra,
        )


def _reopen(
    layout: RunLayout, state: RunState, custodians: tuple[Custodian, ...], previous: Previous | None
) -> CollectionResult:
    """A run stopped while finishing: its traversal is done, so its manifest is read back.

    Once ``run_finished`` is logged, ``manifest.json`` must still be the file it recorded.
    """
    path = layout.bag / "manifest.json"
    recorded = state.get("manifest_sha256")
    if recorded is not None and (not path.is_file() or hash_file(path).sha256 != recorded):
        raise EvidenceError(
            f"manifest.json of run {layout.run_id} is missing or differs from the one recorded "
            "by its run_finished custody event; the run cannot be finished.",
            path=path,
            hint="Restore the bag from a copy, or start a new run with --full.",
        )
    manifest = load_manifest(path)
    return CollectionResult(layout, manifest, custodians, True, previous, 0)


def log_stop(custody: CustodyLog, exc: BaseException, stage: str) -> None:
    """Record why the run stopped early in ``stage`` (best effort: the disk may be what failed)."""
    reason = "interrupted" if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt) else str(exc)
    with contextlib.suppress(Exception):
        custody.append("error", {"stage": stage, "error": type(exc).__name__, "message": reason})
