"""Activity: the template context of one custodian user's activity report.

Events from every stored page of the user's activity feed, de-duplicated on ``id`` (the
feed delivers at least once) and sorted by (created_at, id). Type-specific fields are shown
as ``key: value`` pairs so unknown, newer activity types still print in full. Like a long
chat's messages, the events are laid out in runs (:class:`ActivityEvents`), so a custodian with
a large feed stays within one run's memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.evidence.stored import BagFiles
from ediscovery.render.chat import Segment, segments_of
from ediscovery.render.plan import Job
from ediscovery.timestamps import format_local, format_utc, parse_instant

_COMMON = frozenset({"id", "created_at", "organization_id", "organization_uuid", "actor", "type"})


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _actor(actor: Any) -> str:
    if not isinstance(actor, dict):
        return ""
    who = actor.get("email_address") or actor.get("api_key_id") or actor.get("user_id") or ""
    where = actor.get("ip_address") or ""
    return " ".join(str(part) for part in (actor.get("type") or "", who, where) if part)


def _row(event: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    instant = parse_instant(event.get("created_at"))
    return {
        "id": str(event.get("id") or ""),
        "local": format_local(instant, zone) if instant else str(event.get("created_at") or ""),
        "utc": format_utc(instant) if instant else "",
        "type": str(event.get("type") or ""),
        "org": str(event.get("organization_uuid") or event.get("organization_id") or ""),
        "actor": _actor(event.get("actor")),
        "fields": [(k, _value(v)) for k, v in sorted(event.items()) if k not in _COMMON and v is not None],
    }


def _weight(row: dict[str, Any]) -> int:
    """Characters an event puts on the page beyond its header line."""
    return sum(len(key) + len(value) for key, value in row["fields"])


class ActivityEvents:
    """A user's events in report order, laid out in runs like a chat's messages."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def segments(self, size: int, chars: int) -> Iterator[Segment]:
        """Runs of at most ``size`` events and ``chars`` characters; always at least one."""
        return segments_of(self.rows, size, chars, weigh=_weight)


def activity_context(bag: BagFiles, job: Job, zone: ZoneInfo) -> dict[str, Any]:
    """Everything the activity template shows."""
    events: dict[str, tuple[str, dict[str, Any]]] = {}
    for entry in job.sources:
        body = bag.read_json(entry)
        for event in (body.get("data") if isinstance(body, dict) else None) or []:
            if isinstance(event, dict):
                event_id = str(event.get("id") or len(events))
                if event_id not in events:
                    events[event_id] = (_sort_key(event), _row(event, zone))
    ordered = sorted(events.items(), key=lambda item: (item[1][0], item[0]))
    return {
        "custodian": job.collection.custodian_of(job.user_id),
        "user_id": job.user_id,
        "stream": ActivityEvents([row for _, (_, row) in ordered]),
        "event_count": len(ordered),
    }


def _sort_key(event: dict[str, Any]) -> str:
    instant = parse_instant(event.get("created_at"))
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%f") if instant else str(event.get("created_at") or "")
