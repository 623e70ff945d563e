"""Chats as read back from their stored native pages, for load files, text and RSMF.

Owns turning ``data/native/chats/<chat_id>/messages-*.json`` (the API response exactly as
received) into a typed :class:`Chat` with its messages, tool calls and the files, generated
files and artifacts each message references. Unknown fields are ignored; missing ones are None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.produce.collection import Collection


@dataclass(frozen=True)
class Reference:
    """One file, generated file or artifact a message points at."""

    kind: str  # "file" | "generated_file" | "artifact"
    source_id: str
    filename: str | None


@dataclass(frozen=True)
class Message:
    id: str
    role: str
    created_at: datetime | None
    text: str
    tool_calls: tuple[str, ...]
    references: tuple[Reference, ...]
    has_content: bool


@dataclass(frozen=True)
class Chat:
    id: str
    name: str
    created_at: datetime | None
    updated_at: datetime | None
    deleted_at: datetime | None
    model: str | None
    project_id: str | None
    href: str | None
    user_id: str | None
    messages: tuple[Message, ...]

    @property
    def first_at(self) -> datetime | None:
        times = [m.created_at for m in self.messages if m.created_at]
        return min(times) if times else self.created_at

    @property
    def last_at(self) -> datetime | None:
        times = [m.created_at for m in self.messages if m.created_at]
        return max(times) if times else self.updated_at

    @property
    def references(self) -> list[Reference]:
        """Every referenced item once, in message order."""
        seen: dict[tuple[str, str], Reference] = {}
        for message in self.messages:
            for ref in message.references:
                seen.setdefault((ref.kind, ref.source_id), ref)
        return list(seen.values())


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 / ISO 8601 to an aware datetime; values without an offset are taken as UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: datetime | None, zone: str) -> str:
    """ISO 8601 with the offset of ``zone`` (seconds precision), or ``""``."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def load_chat(collection: Collection, chat_id: str) -> Chat:
    """Read every stored message page of one chat (page order) into a :class:`Chat`."""
    pages = [collection.read_json(e) for e in collection.find("chat_messages", chat_id)]
    head: dict[str, Any] = pages[0] if pages else {}
    messages = [_message(m) for page in pages for m in page.get("chat_messages") or []]
    user = head.get("user") or {}
    return Chat(
        id=chat_id,
        name=str(head.get("name") or ""),
        created_at=parse_time(head.get("created_at")),
        updated_at=parse_time(head.get("updated_at")),
        deleted_at=parse_time(head.get("deleted_at")),
        model=head.get("model"),
        project_id=head.get("project_id"),
        href=head.get("href"),
        user_id=user.get("id") if isinstance(user, dict) else None,
        messages=tuple(messages),
    )


def _message(raw: dict[str, Any]) -> Message:
    content = raw.get("content") or []
    texts: list[str] = []
    tools: list[str] = []
    for block in content:
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text") or ""))
        elif kind == "tool_use":
            tools.append(f"{block.get('name')}({block.get('input') or ''})")
        elif kind == "tool_result":
            parts = [str(c.get("text") or "") for c in block.get("content") or [] if isinstance(c, dict)]
            tools.append(f"{block.get('name')} -> " + "\n".join(parts))
    return Message(
        id=str(raw.get("id") or ""),
        role=str(raw.get("role") or "unknown"),
        created_at=parse_time(raw.get("created_at")),
        text="\n\n".join(texts),
        tool_calls=tuple(tools),
        references=tuple(_references(raw)),
        has_content=bool(content),
    )


def _references(raw: dict[str, Any]) -> list[Reference]:
    """Referenced items, kind by the list they appear in (a generated file may have a
    ``claude_file_`` id; the bag stores it as ``generated_file``)."""
    refs = [Reference("file", str(i.get("id")), i.get("filename")) for i in raw.get("files") or []]
    refs += [
        Reference("generated_file", str(i.get("id")), i.get("filename"))
        for i in raw.get("generated_files") or []
    ]
    refs += [
        Reference("artifact", str(i.get("version_id") or i.get("id")), i.get("title"))
        for i in raw.get("artifacts") or []
    ]
    return refs


def chat_text(chat: Chat, zone: str) -> str:
    """Plain-text transcript of a chat (the extracted text of its document)."""
    lines = [f"Chat: {chat.name}", f"Chat ID: {chat.id}", f"Model: {chat.model or ''}", f"Time zone: {zone}"]
    if chat.deleted_at:
        lines.append(f"Deleted: {format_time(chat.deleted_at, zone)}")
    for message in chat.messages:
        lines += ["", f"[{format_time(message.created_at, zone)}] {message.role}:"]
        lines.append(message.text if message.has_content else "(no content returned: deleted)")
        lines += [f"  tool: {call}" for call in message.tool_calls]
        lines += [
            f"  attachment: {ref.filename or ref.source_id} ({ref.source_id})" for ref in message.references
        ]
    return "\n".join(lines) + "\n"


def dumps_compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
