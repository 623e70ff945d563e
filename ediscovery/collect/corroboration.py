"""Corroboration in the collection: reading the platform's own record of this run's Compliance
API calls, and recording how it matches ``requests.jsonl``.

Every call to the Compliance API is recorded by the platform as a ``compliance_api_accessed``
activity carrying the call's ``request_id`` (``../compliance-activity-types``). At the end of
the traversal, after letting the Activity Feed index the run's calls (``Plan.feed_lag``
seconds; the feed is documented as up to a minute late), the feed's events of that type since
shortly before the run started are stored as ``compliance_access`` natives. The feed cannot be
filtered by key (``actor_ids[]`` takes user ids only), so other keys' calls in that window are
stored too. A resumed run replays the stored pages and does not wait again. When the manifest
is closed, :func:`record_corroboration` matches them (``verify.corroboration``) and puts the
result in the manifest, the custody log (``corroborated``) and the run's notes.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from ediscovery.collect.context import Context
from ediscovery.collect.limitations import SourceUnavailable
from ediscovery.collect.tasks import RUN_LEVEL
from ediscovery.collect.walker import walk
from ediscovery.errors import ApiError, PermissionDeniedError
from ediscovery.evidence.custody import CustodyLog
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import Manifest
from ediscovery.evidence.paths import native_path
from ediscovery.progress import Reporter
from ediscovery.timestamps import format_timestamp, parse_timestamp

ACCESS_TYPE = "compliance_api_accessed"
WINDOW_MARGIN = timedelta(minutes=10)
"""How long before the run's recorded start the events are read from: the custodians are
resolved (with requests of their own) before the run's state, and its start time, exist."""


async def read_platform_record(ctx: Context, lag: float) -> None:
    """Store the feed's ``compliance_api_accessed`` events covering this run (see the module)."""
    natives = ctx.natives
    run_id = natives.state.get("run_id") or "run"
    if natives.state.entry(native_path(Kind.COMPLIANCE_ACCESS, run_id, page=1)) is None and lag > 0:
        ctx.reporter.stage(f"waiting {lag:g} s for the Activity Feed to index this run's calls")
        await natives.api.wait(lag)
    ctx.reporter.stage("reading the platform's record of this run's calls")
    pairs: tuple[tuple[str, str], ...] = (("activity_types[]", ACCESS_TYPE),)
    started = natives.state.get("started_at")
    if started:
        pairs += (("created_at.gte", format_timestamp(parse_timestamp(started) - WINDOW_MARGIN)),)
    try:
        await walk(
            natives, "activities", *pairs, kind=Kind.COMPLIANCE_ACCESS, source_id=run_id, custodians=()
        )
    except PermissionDeniedError as exc:  # the key may not read the feed: said, not fatal
        ctx.tally.limit(SourceUnavailable("corroboration", str(exc)))
    except RUN_LEVEL:
        raise
    except ApiError as exc:
        ctx.tasks.failed(Kind.COMPLIANCE_ACCESS, run_id, exc)


def record_corroboration(bag: Path, manifest: Manifest, custody: CustodyLog, reporter: Reporter) -> Manifest:
    """Match requests.jsonl with the platform's stored record of the calls, when it was read."""
    from ediscovery.verify.corroboration import corroborate_bag, verdict

    report = corroborate_bag(bag, manifest.entries)
    if report is None:
        return manifest
    counts = {key: report[key] for key in ("requests", "answered", "matched", "unmatchable")}
    findings = ("missing_on_platform", "unexpected_on_platform", "disagreeing")
    details = {**counts, **{key: report[key]["count"] for key in findings}}
    custody.append(
        "corroborated", {**details, "api_key_ids": report["api_key_ids"], "window": report["window"]}
    )
    reporter.note(verdict(report))
    return dataclasses.replace(manifest, extra={**manifest.extra, "corroboration": report})
