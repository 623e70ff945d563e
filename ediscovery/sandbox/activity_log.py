"""The tenant's activity log: kept sorted by ``(created_at, id)`` and indexed by actor user id.

Appends are cheap (``bisect.insort``) and queries filter a pre-sorted sequence, so the feed stays
fast at large scale. Cursors are activity IDs (§2.2); a cursor ID that is no longer in the log
is still located by its position in the ID order when the tie-break applies.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ediscovery.sandbox.model import Activity


@dataclass(frozen=True)
class ActivityQuery:
    """Filters of ``GET /v1/compliance/activities`` after validation.

    ``indexed_until`` is the indexing horizon: activities created after it are not yet visible.
    """

    types: frozenset[str] | None = None
    exclude_types: frozenset[str] = frozenset()
    actor_ids: frozenset[str] | None = None
    org_uuids: frozenset[str] | None = None
    gte: datetime | None = None
    gt: datetime | None = None
    lte: datetime | None = None
    lt: datetime | None = None
    indexed_until: datetime | None = None

    def matches(self, item: Activity) -> bool:
        checks = (
            self.types is None or item.type in self.types,
            item.type not in self.exclude_types,
            self.actor_ids is None or item.actor.get("user_id") in self.actor_ids,
            self.org_uuids is None or item.org_uuid in self.org_uuids,
            self.gte is None or item.created_at >= self.gte,
            self.gt is None or item.created_at > self.gt,
            self.lte is None or item.created_at <= self.lte,
            self.lt is None or item.created_at < self.lt,
            self.indexed_until is None or item.created_at <= self.indexed_until,
        )
        return all(checks)


class ActivityLog:
    """All activities, ascending by ``(created_at, id)``."""

    def __init__(self) -> None:
        self._keys: list[tuple[datetime, str]] = []
        self._by_id: dict[str, Activity] = {}
        self._by_actor: dict[str, list[tuple[datetime, str]]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, item: Activity) -> None:
        key = (item.created_at, item.id)
        self._by_id[item.id] = item
        bisect.insort(self._keys, key)
        user_id = item.actor.get("user_id")
        if isinstance(user_id, str):
            bisect.insort(self._by_actor.setdefault(user_id, []), key)

    def extend(self, items: Iterable[Activity]) -> None:
        for item in items:
            self._by_id[item.id] = item
            user_id = item.actor.get("user_id")
            if isinstance(user_id, str):
                self._by_actor.setdefault(user_id, []).append((item.created_at, item.id))
        self._keys = sorted((a.created_at, a.id) for a in self._by_id.values())
        for keys in self._by_actor.values():
            keys.sort()

    def get(self, activity_id: str) -> Activity | None:
        return self._by_id.get(activity_id)

    def select(self, query: ActivityQuery) -> list[Activity]:
        """Matching activities, ascending."""
        keys: Sequence[tuple[datetime, str]] = self._keys
        if query.actor_ids is not None:
            merged: list[tuple[datetime, str]] = []
            for actor in query.actor_ids:
                merged.extend(self._by_actor.get(actor, ()))
            keys = sorted(merged)
        out = []
        for _, activity_id in keys:
            item = self._by_id[activity_id]
            if query.matches(item):
                out.append(item)
        return out

    def all(self) -> list[Activity]:
        return [self._by_id[key[1]] for key in self._keys]
