"""Tally: what one traversal found — errors, limitations, references and what it saw.

It is rebuilt on every (re)start from the stored natives, and read at the end for the
manifest, the next run's snapshot and the delta.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ediscovery.collect.limitations import Limitation
from ediscovery.evidence.kinds import REFERENCED


@dataclass
class Refs:
    """Who references one object: chats, messages, projects and custodian user ids."""

    chat_ids: set[str] = field(default_factory=set)
    message_ids: set[str] = field(default_factory=set)
    project_ids: set[str] = field(default_factory=set)
    user_ids: set[str] = field(default_factory=set)


@dataclass
class ChatSeen:
    """What the listing and the messages said about one chat (for the delta and the snapshot)."""

    user_id: str
    listing: Mapping[str, Any]
    status: str = "pending"  # stored | excluded | skipped | unchanged | failed
    message_ids: tuple[str, ...] = ()


@dataclass
class Tally:
    """The outcome of one traversal; see the module docstring."""

    errors: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    limitations: dict[tuple[str, str], Limitation] = field(default_factory=dict)
    refs: dict[str, Refs] = field(default_factory=dict)
    chats: dict[str, ChatSeen] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    project_reasons: dict[str, set[str]] = field(default_factory=dict)
    carried: dict[str, set[str]] = field(default_factory=dict)
    activity_window: dict[str, str | None] = field(default_factory=dict)
    activities_listed: set[str] = field(default_factory=set)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # session id -> what was seen
    extra: dict[str, Any] = field(default_factory=dict)  # manifest members a source adds (summaries)

    def error(self, kind: str, source_id: str, exc: BaseException, status: str = "failed") -> dict[str, Any]:
        record = {"kind": kind, "source_id": source_id, "status": status, "message": str(exc)}
        self.errors[(kind, source_id)] = record
        return record

    def limit(self, limitation: Limitation) -> None:
        self.limitations[limitation.key] = limitation

    def ref(self, object_id: str) -> Refs:
        return self.refs.setdefault(object_id, Refs())

    def users_of(self, object_id: str) -> tuple[str, ...]:
        """The custodian user ids an object is attributed to (sorted)."""
        return tuple(sorted(self.ref(object_id).user_ids))

    def reference(self, object_id: str, chat_id: str, message_id: str, uid: str) -> None:
        """A message of a custodian's chat references ``object_id``."""
        refs = self.ref(object_id)
        refs.chat_ids.add(chat_id)
        refs.message_ids.add(message_id)
        refs.user_ids.add(uid)

    def want_project(self, project_id: str, reason: str, uid: str) -> None:
        """A project is in scope for ``reason`` (created by, or holding a chat of, ``uid``)."""
        self.project_reasons.setdefault(project_id, set()).add(reason)
        self.ref(project_id).user_ids.add(uid)

    def carry(self, kind: str, object_id: str) -> None:
        """An object stored by an earlier run of the series, not fetched again."""
        self.carried.setdefault(kind, set()).add(object_id)

    def finish_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Fill in what is only known after the whole traversal: every reference to an object."""
        refs = self.refs.get(entry["source_id"])
        if entry["kind"] in REFERENCED and refs is not None:
            meta = dict(entry["metadata"])
            meta["chat_ids"] = sorted(refs.chat_ids)
            meta["message_ids"] = sorted(refs.message_ids)
            if refs.project_ids:
                meta["project_ids"] = sorted(refs.project_ids)
            entry = {**entry, "metadata": meta, "custodian_user_ids": sorted(refs.user_ids)}
        return entry

    def manifest_errors(self) -> tuple[dict[str, Any], ...]:
        return tuple(sorted(self.errors.values(), key=lambda e: (e["kind"], e["source_id"])))

    def manifest_limitations(self) -> tuple[dict[str, Any], ...]:
        return tuple(item.to_dict() for _, item in sorted(self.limitations.items()))
