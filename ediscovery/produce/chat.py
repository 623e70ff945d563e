"""Chats as read back from their stored native pages, for load files, text and RSMF.

Owns turning ``data/native/chats/<chat_id>/messages-*.json`` (the API response exactly as
received, parsed by the forward-compatible ``api.models``) into a :class:`Chat` with its
messages, tool calls and the files, generated files and artifacts each message references.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ediscovery.api.blocks import TextBlock, ToolResultBlock, ToolUseBlock, parse_block
from ediscovery.api.models import ChatMessage, ChatMessagesPage, parse_value
from ediscovery.errors import EvidenceError
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.stored import StoredBag
from ediscovery.timestamps import iso_in_zone, parse_instant


@dataclass(frozen=True)
class Reference:
    """One file, generated file or artifact a message points at."""

    kind: Kind  # file, generated_file or artifact
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


def load_chat(bag: StoredBag, chat_id: str) -> Chat:
    """Read every stored message page of one chat (page order) into a :class:`Chat`."""
    pages = [
        parse_value(bag.read_json(e), ChatMessagesPage, "stored chat messages")
        for e in bag.find(Kind.CHAT_MESSAGES, chat_id)
    ]
    if not pages:
        raise EvidenceError(f"The bag holds no message page of chat {chat_id}.", path=bag.root)
    head = pages[0].chat
    return Chat(
        id=chat_id,
        name=head.name or "",
        created_at=head.created_at,
        updated_at=head.updated_at,
        deleted_at=head.deleted_at,
        model=head.model,
        project_id=head.project_id,
        href=head.href,
        user_id=head.user.id if head.user else None,
        messages=tuple(_message(m) for page in pages for m in page.messages),
    )


def load_session(bag: StoredBag, kind: Kind, session_id: str) -> Chat:
    """An agent session's stored message pages as a conversation (for its RSMF)."""
    messages: list[Message] = []
    session: dict[str, Any] = {}
    for entry in bag.find(kind, session_id):
        page = bag.read_json(entry)
        session = page.get("session") if isinstance(page.get("session"), dict) else session
        for raw in page.get("data") or []:
            blocks = tuple(parse_block(b) for b in raw.get("content") or [])  # none when not captured
            at = parse_instant(raw.get("created_at"))
            messages.append(
                _message(ChatMessage(str(raw.get("id")), raw.get("role"), at, blocks, (), (), ()))
            )
    surface = str(session.get("product_surface") or "agent")
    created = parse_instant(session.get("created_at"))
    return Chat(session_id, f"{surface} session", created, None, None, None, session.get("claude_project_id"),
                None, None, tuple(messages))  # fmt: skip


def _message(message: ChatMessage) -> Message:
    texts: list[str] = []
    tools: list[str] = []
    for block in message.content:
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, ToolUseBlock):
            tools.append(f"{block.name}({block.input or ''})")
        elif isinstance(block, ToolResultBlock):
            parts = [part.text if isinstance(part, TextBlock) else "" for part in block.content]
            tools.append(f"{block.name} -> " + "\n".join(parts))
    return Message(
        id=message.id,
        role=message.role or "unknown",
        created_at=message.created_at,
        text="\n\n".join(texts),
        tool_calls=tuple(tools),
        references=tuple(_references(message)),
        has_content=bool(message.content),
    )


def _references(message: ChatMessage) -> list[Reference]:
    """Referenced items, kind by the list they appear in (a generated file may have a
    ``claude_file_`` id; the bag stores it as ``generated_file``)."""
    refs = [Reference(Kind.FILE, f.id, f.filename) for f in message.files]
    refs += [Reference(Kind.GENERATED_FILE, f.id, f.filename) for f in message.generated_files]
    refs += [Reference(Kind.ARTIFACT, a.version_id, a.title) for a in message.artifacts]
    return refs


def chat_text(chat: Chat, zone: str, *, label: str = "Chat", missing: str = "deleted") -> str:
    """Plain-text transcript of a chat, or (``label`` "Session") of an agent session: the
    extracted text of its document. A message without content says why (``missing``)."""
    lines = [
        f"{label}: {chat.name}",
        f"{label} ID: {chat.id}",
        f"Model: {chat.model or ''}",
        f"Time zone: {zone}",
    ]
    if chat.deleted_at:
        lines.append(f"Deleted: {iso_in_zone(chat.deleted_at, zone)}")
    for message in chat.messages:
        lines += ["", f"[{iso_in_zone(message.created_at, zone)}] {message.role}:"]
        lines.append(message.text if message.has_content else f"(no content returned: {missing})")
        lines += [f"  tool: {call}" for call in message.tool_calls]
        lines += [
            f"  attachment: {ref.filename or ref.source_id} ({ref.source_id})" for ref in message.references
        ]
    return "\n".join(lines) + "\n"


def dumps_compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
