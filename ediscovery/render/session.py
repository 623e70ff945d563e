"""Session: the template context of one agent session's transcript (local or remote).

An AI-native record of agentic work: each turn with its tool calls (name and full input), their
results (full output, errors marked), and the messages whose content the platform did not
capture, marked with the reason. Messages are read page by page while the template renders
and laid out in runs, as long chats are, so a long session stays bounded in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.api.blocks import parse_block
from ediscovery.api.fields import FormatProblem
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.stored import BagFiles, as_dict
from ediscovery.render.chat import Segment, block_view, segments_of
from ediscovery.render.plan import Job
from ediscovery.timestamps import describe, format_local, format_utc, parse_instant


class SessionStream:
    """Iterates a session's messages as the shared message template expects them."""

    def __init__(self, bag: BagFiles, job: Job, first: Any, zone: ZoneInfo, sender: str) -> None:
        self._bag, self._job, self._first, self._zone, self._sender = bag, job, first, zone, sender
        self._flags = {
            str(item["id"]): item.get("in_range") is not False
            for entry in job.sources
            for item in entry.metadata.get("messages") or []
            if isinstance(item, dict) and "id" in item
        }

    def messages(self) -> Iterator[dict[str, Any]]:
        for number, entry in enumerate(self._job.sources):
            page = self._first if number == 0 else self._bag.read_json(entry)
            for raw in as_dict(page).get("data") or []:
                if isinstance(raw, dict):
                    yield self._message(raw)

    def segments(self, size: int, chars: int) -> Iterator[Segment]:
        return segments_of(self.messages(), size, chars)

    def whole(self) -> Segment:
        return Segment(first=True, last=True, messages=self.messages())

    def appendix(self) -> Iterator[dict[str, Any]]:
        return iter(())

    def _message(self, raw: dict[str, Any]) -> dict[str, Any]:
        instant = parse_instant(raw.get("created_at"))
        role = str(raw.get("role") or "")
        ident = str(raw.get("id") or "")
        provenance = raw.get("provenance")
        if raw.get("content_unavailable") is True and not isinstance(provenance, dict):
            provenance = {"type": "content_unavailable"}
        gap = ""
        if isinstance(provenance, dict) and provenance.get("type") == "content_unavailable":
            gap = str(provenance.get("reason") or "content unavailable")
        return {
            "id": ident,
            "role": role,
            "sender": self._sender if role == "user" else ("Claude" if role == "assistant" else role),
            "local": format_local(instant, self._zone) if instant else str(raw.get("created_at") or ""),
            "utc": format_utc(instant) if instant else "",
            "in_range": self._flags.get(ident, True),
            "blocks": [block_view(parse_block(b)) for b in _blocks(raw)],
            "files": [],
            "generated": [],
            "artifacts": [],
            "provenance": gap,
        }


def _blocks(raw: dict[str, Any]) -> list[Any]:
    content = raw.get("content")
    if not isinstance(content, list):
        return []
    try:
        for block in content:
            parse_block(block)
    except FormatProblem:
        return [{"type": "unparseable", **{"raw": content}}]
    return content


def session_context(bag: BagFiles, job: Job, zone: ZoneInfo) -> dict[str, Any]:
    """Everything the session template shows."""
    first = bag.read_json(job.sources[0])
    session = as_dict(as_dict(first).get("session"))
    custodian = job.collection.custodian_of(job.user_id)
    name = custodian.name if custodian and custodian.name else str(job.user_id or "User")
    remote = job.sources[0].kind == Kind.REMOTE_SESSION_MESSAGES
    stream = SessionStream(bag, job, first, zone, name)
    count = sum(len(e.metadata.get("messages") or []) for e in job.sources)
    return {
        "session": session,
        "remote": remote,
        "surface": session.get("product_surface") or ("cowork_remote" if remote else "unknown"),
        "custodian": custodian,
        "user_id": job.user_id,
        "organization": job.collection.organization_name(session.get("organization_uuid")),
        "created": describe(session.get("created_at"), zone),
        "message_count": count,
        "stream": stream,
        "segment": stream.whole(),
        "has_range": bool(job.collection.since or job.collection.until),
    }
