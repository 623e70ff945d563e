"""Increment: what an incremental run knows of the run before it, and what it leaves the next.

After a closed run of the same matter, custodians and scope, a new run fetches changes only:
a chat whose ``updated_at`` and ``deleted_at`` did not move (and that was settled) is not read
again, an object stored intact by an earlier run is carried, not downloaded, and the Activity
Feed is listed from where the previous listing was known complete. At the end of every run its
snapshot (chats, projects, stored ids, feed bounds) is saved for the next one, and an
incremental run writes ``reports/delta.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ediscovery.api.models import Chat
from ediscovery.collect.scope import Scope
from ediscovery.collect.state import RunInfo, RunState
from ediscovery.collect.tally import ChatSeen, Tally
from ediscovery.evidence.canonical import dumps_pretty
from ediscovery.evidence.kinds import CARRIED, Kind
from ediscovery.evidence.store import atomic_write
from ediscovery.timestamps import format_timestamp, parse_timestamp

ACTIVITY_OVERLAP = timedelta(minutes=10)
"""How far before the previous run's start the next feed listing begins (indexing lag and clocks)."""
SETTLED_CHAT_STATUSES = frozenset({"stored", "excluded", "skipped", "unchanged"})
"""Chat statuses after which an unchanged chat needs no new fetch; anything else (failed, pending,
a stored chat whose referenced objects failed) is fetched again by the next run."""


@dataclass(frozen=True)
class Previous:
    """The last finished run of the same matter, custodians and scope."""

    run_id: str
    manifest_sha256: str | None
    started_at: datetime
    chats: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    projects: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    stored: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sessions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    activities: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per user id: ``next_since``, where the next run's Activity Feed listing must start
    (absent: the feed was never known complete, so the whole range is read again)."""

    def has(self, kind: str, object_id: str) -> bool:
        """Whether ``object_id`` of ``kind`` was stored intact by this run or one before it."""
        return object_id in self.stored.get(kind, frozenset())

    def ref(self) -> dict[str, Any]:
        """How a manifest, a delta and the custody log name this run."""
        return {"run_id": self.run_id, "manifest_sha256": self.manifest_sha256}

    def chat_unchanged(self, chat: Chat) -> bool:
        """Whether ``chat`` was settled by this run and has not moved since."""
        before = self.chats.get(chat.id)
        return bool(
            before is not None
            and before.get("status") in SETTLED_CHAT_STATUSES
            and before.get("updated_at") == timestamp(chat.updated_at)
            and before.get("deleted_at") == timestamp(chat.deleted_at)
        )

    def project_unchanged(self, project_id: str, updated_at: str | None) -> bool:
        """Whether the project was fetched intact by this run with the same ``updated_at``."""
        before = self.projects.get(project_id)
        return bool(
            before is not None and before.get("status") != "failed" and before.get("updated_at") == updated_at
        )

    def activity_since(self, uid: str, scope: Scope) -> datetime | None:
        """The lower bound of the next feed listing for ``uid``: where this run left the feed
        complete (its start minus ``ACTIVITY_OVERLAP``), or the bound a failed listing tried."""
        row = self.activities.get(uid)
        value = row.get("next_since") if row is not None else None
        if not isinstance(value, str):
            return scope.since
        floor = parse_timestamp(value)
        return floor if scope.since is None or floor > scope.since else scope.since


def previous_ref(previous: Previous | None) -> dict[str, Any] | None:
    return None if previous is None else previous.ref()


def timestamp(moment: datetime | None) -> str | None:
    """A model time as the API's timestamp text (None stays None)."""
    return None if moment is None else format_timestamp(moment)


def find_previous(runs: list[RunInfo], wanted: dict[str, Any]) -> Previous | None:
    """The latest closed (sealed and verified) run with the same identity, for an incremental run."""
    finished = [r for r in runs if r.closed and r.params.get("identity") == wanted]
    if not finished:
        return None
    info = finished[-1]
    with RunState(info.path) as state:
        stored = state.snapshot("stored")
        return Previous(
            run_id=info.run_id,
            manifest_sha256=info.manifest_sha256,
            started_at=parse_timestamp(str(info.params.get("started_at"))),
            chats=state.snapshot("chat"),
            projects=state.snapshot("project"),
            stored={kind: frozenset(row.get("ids", ())) for kind, row in stored.items()},
            activities=state.snapshot("activity"),
            sessions=state.snapshot("session"),
        )


def save_snapshot(state: RunState, tally: Tally, previous: Previous | None) -> None:
    """What this run saw, for the next run's delta (carrying forward what it did not refetch)."""
    incomplete = _chats_with_failed_references(tally)
    chats = {
        chat_id: {
            "updated_at": seen.listing.get("updated_at"),
            "deleted_at": seen.listing.get("deleted_at"),
            "message_ids": list(seen.message_ids),
            "user_id": seen.user_id,
            "project_id": seen.listing.get("project_id"),
            "status": _chat_status(chat_id, seen, incomplete, previous),
        }
        for chat_id, seen in tally.chats.items()
    }
    state.put_snapshot("chat", chats)
    state.put_snapshot("project", _project_snapshot(tally, previous))
    stored: dict[str, set[str]] = {}
    for kind in CARRIED:
        stored[kind] = set(state.stored_ids(kind)) | set(previous.stored.get(kind, ()) if previous else ())
    state.put_snapshot("stored", {kind: {"ids": sorted(ids)} for kind, ids in stored.items()})
    state.put_snapshot("activity", _activity_snapshot(state, tally))
    state.put_snapshot("session", tally.sessions)  # every run lists every session again


def _activity_snapshot(state: RunState, tally: Tally) -> dict[str, dict[str, Any]]:
    """Per user id, where the next run's feed listing starts: this run's start minus the
    overlap when its listing completed, else the bound this run tried (nothing is skipped)."""
    started = state.get("started_at")
    rows: dict[str, dict[str, Any]] = {}
    for uid, window in tally.activity_window.items():
        if uid in tally.activities_listed and started:
            rows[uid] = {"next_since": format_timestamp(parse_timestamp(started) - ACTIVITY_OVERLAP)}
        else:
            rows[uid] = {"next_since": window}
    return rows


def _chat_status(chat_id: str, seen: ChatSeen, incomplete: set[str], previous: Previous | None) -> str:
    """A chat's status for the next run; an unchanged chat keeps the status it was carried with."""
    if seen.status == "stored" and chat_id in incomplete:
        return "incomplete"
    if seen.status == "unchanged" and previous is not None and chat_id in previous.chats:
        return str(previous.chats[chat_id].get("status") or "unchanged")
    return seen.status


def _project_snapshot(tally: Tally, previous: Previous | None) -> dict[str, dict[str, Any]]:
    """Projects seen now, over the rows of the previous run (a project not reached this run
    keeps its row); a project whose fetch or walk failed is marked so the next run redoes it."""
    rows = {pid: dict(row) for pid, row in (previous.projects.items() if previous else ())}
    for pid, row in tally.projects.items():
        failed = (Kind.PROJECT, pid) in tally.errors
        rows[pid] = {**row, "status": "failed" if failed else "ok"}
    return rows


def _chats_with_failed_references(tally: Tally) -> set[str]:
    """Chats whose referenced files or artifacts failed: the next run reads them again.

    An unchanged chat's messages are not read again, so the objects they reference would
    never be retried if the chat were carried as settled.
    """
    chats: set[str] = set()
    for kind, source_id in tally.errors:
        if kind in (Kind.FILE, Kind.GENERATED_FILE, Kind.ARTIFACT) and source_id in tally.refs:
            chats.update(tally.refs[source_id].chat_ids)
    return chats


def delta(tally: Tally, previous: Previous) -> dict[str, Any]:
    """New, changed, newly deleted and vanished chats (and projects) since ``previous``."""
    before, now = previous.chats, tally.chats
    changed, newly_deleted = [], []
    for chat_id in sorted(set(now) & set(before)):
        listing, old = now[chat_id].listing, before[chat_id]
        if listing.get("updated_at") == old.get("updated_at") and listing.get("deleted_at") == old.get(
            "deleted_at"
        ):
            continue
        if listing.get("deleted_at") and not old.get("deleted_at"):
            newly_deleted.append(chat_id)
        added = sorted(set(now[chat_id].message_ids) - set(old.get("message_ids") or ()))
        changed.append({"id": chat_id, "new_message_ids": added})
    projects_changed = sorted(
        pid
        for pid in set(tally.projects) & set(previous.projects)
        if tally.projects[pid].get("updated_at") != previous.projects[pid].get("updated_at")
    )
    return {
        "previous_run": previous.ref(),
        "chats": {
            "new": sorted(set(now) - set(before)),
            "changed": changed,
            "newly_deleted": newly_deleted,
            "vanished": sorted(set(before) - set(now)),
        },
        "projects": {
            "new": sorted(set(tally.projects) - set(previous.projects)),
            "changed": projects_changed,
        },
        "already_collected": {kind: sorted(ids) for kind, ids in sorted(tally.carried.items())},
        "sessions": _session_delta(tally, previous),
    }


def _session_delta(tally: Tally, previous: Previous) -> dict[str, Any]:
    """Sessions new since the previous run, those it saw that are no longer listed, and remote
    sessions whose ``updated_at`` moved (every listed session is read again each run)."""
    now, before = tally.sessions, previous.sessions
    changed = sorted(
        sid
        for sid in set(now) & set(before)
        if now[sid].get("kind") == "remote" and now[sid].get("updated_at") != before[sid].get("updated_at")
    )
    return {
        "new": sorted(set(now) - set(before)),
        "changed": changed,
        "vanished": sorted(set(before) - set(now)),
    }


def write_delta(bag: Path, tally: Tally, previous: Previous) -> None:
    """Write ``reports/delta.json`` (pretty canonical JSON)."""
    atomic_write(bag / "reports" / "delta.json", dumps_pretty(delta(tally, previous)))
