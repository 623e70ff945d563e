"""Typed, forward-compatible views of Compliance API objects.

Every model is a frozen dataclass built by ``from_json``; unknown fields land in ``extra``
and unknown enum values are kept as plain strings. Models are *views*: the evidence is the
raw response bytes, never a re-serialised model. :func:`parse_items` / :func:`parse_one`
turn a malformed payload into ``ResponseFormatError`` naming the URL and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self, TypeVar

from ediscovery.api.fields import Fields, FormatProblem
from ediscovery.api.response import ApiResponse
from ediscovery.errors import ResponseFormatError

Extra = Mapping[str, Any]


@dataclass(frozen=True)
class UserRef:
    """``{id, email_address}`` as embedded in chats, projects and documents."""

    id: str | None
    email_address: str | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> UserRef:
        f = Fields(obj, "user")
        return cls(f.text("id"), f.text("email_address"), f.extra())

    @classmethod
    def optional(cls, obj: object) -> UserRef | None:
        return None if obj is None else cls.from_json(obj)


@dataclass(frozen=True)
class Organization:
    uuid: str
    name: str | None
    created_at: datetime | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Organization:
        f = Fields(obj, "organization")
        return cls(f.req_text("uuid"), f.text("name"), f.time("created_at"), f.extra())


@dataclass(frozen=True)
class DirectoryUser:
    """A current member of one organization (``organization_role`` kept even when unknown)."""

    id: str
    email: str | None
    full_name: str | None
    organization_role: str | None
    created_at: datetime | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> DirectoryUser:
        f = Fields(obj, "user")
        return cls(
            f.req_text("id"),
            f.text("email"),
            f.text("full_name"),
            f.text("organization_role"),
            f.time("created_at"),
            f.extra(),
        )


@dataclass(frozen=True)
class Chat:
    id: str
    name: str | None
    created_at: datetime | None
    updated_at: datetime | None
    deleted_at: datetime | None
    href: str | None
    model: str | None
    organization_id: str | None
    organization_uuid: str | None
    project_id: str | None
    user: UserRef | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Chat:
        f = Fields(obj, "chat")
        return cls(
            id=f.req_text("id"),
            name=f.text("name"),
            created_at=f.time("created_at"),
            updated_at=f.time("updated_at"),
            deleted_at=f.time("deleted_at"),
            href=f.text("href"),
            model=f.text("model"),
            organization_id=f.text("organization_id"),
            organization_uuid=f.text("organization_uuid"),
            project_id=f.text("project_id"),
            user=UserRef.optional(f.obj_or_none("user")),
            extra=_chat_extra(f),
        )


def _chat_extra(f: Fields) -> dict[str, Any]:
    # The messages response is chat metadata plus the message page; those are not "unknown".
    envelope = {"chat_messages", "has_more", "first_id", "last_id"}
    return {k: v for k, v in f.extra().items() if k not in envelope}


@dataclass(frozen=True)
class TextBlock:
    text: str
    thinking_redacted: bool = False
    truncated: bool = False
    extra: Extra = field(default_factory=dict)
    type: str = "text"


@dataclass(frozen=True)
class ToolUseBlock:
    id: str | None
    name: str | None
    input: str | None  # JSON-encoded string; may be truncated (then not valid JSON)
    integration_name: str | None
    mcp_server_url: str | None
    truncated: bool
    extra: Extra = field(default_factory=dict)
    type: str = "tool_use"


@dataclass(frozen=True)
class ToolResultBlock:
    tool_use_id: str | None
    name: str | None
    is_error: bool
    content: tuple[ContentBlock, ...]
    integration_name: str | None
    mcp_server_url: str | None
    truncated: bool
    extra: Extra = field(default_factory=dict)
    type: str = "tool_result"


@dataclass(frozen=True)
class UnknownBlock:
    """A content block of a type this version does not know; kept whole."""

    type: str
    data: Extra


ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | UnknownBlock


def parse_block(obj: object) -> ContentBlock:
    """One content block, by its ``type``."""
    f = Fields(obj, "content block")
    kind = f.req_text("type")
    if kind == "text":
        text = f.req_str("text")
        return TextBlock(text, f.flag("thinking_redacted"), f.flag("truncated"), f.extra())
    if kind == "tool_use":
        raw_input = f.raw("input")
        value = raw_input if raw_input is None or isinstance(raw_input, str) else _json_text(raw_input)
        return ToolUseBlock(
            f.text("id"),
            f.text("name"),
            value,
            f.text("integration_name"),
            f.text("mcp_server_url"),
            f.flag("truncated"),
            f.extra(),
        )
    if kind == "tool_result":
        blocks = tuple(parse_block(b) for b in f.req_array("content"))
        return ToolResultBlock(
            f.text("tool_use_id"),
            f.text("name"),
            f.flag("is_error"),
            blocks,
            f.text("integration_name"),
            f.text("mcp_server_url"),
            f.flag("truncated"),
            f.extra(),
        )
    return UnknownBlock(kind, dict(f.obj))


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class FileRef:
    """An uploaded file: as listed on a message, or the file metadata endpoint's answer."""

    id: str
    filename: str | None
    mime_type: str | None
    size_bytes: int | None
    md5: str | None
    created_at: datetime | None
    message_ids: tuple[str, ...] = ()
    chat_ids: tuple[str, ...] = ()
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> FileRef:
        f = Fields(obj, "file")
        return cls(
            f.req_text("id"),
            f.text("filename"),
            f.text("mime_type"),
            f.integer("size_bytes"),
            f.text("md5"),
            f.time("created_at"),
            f.strs("message_ids"),
            f.strs("claude_chat_ids"),
            f.extra(),
        )


@dataclass(frozen=True)
class GeneratedFileRef:
    """A tool-created file; ``id`` may be ``claude_gen_file_...`` or ``claude_file_...``."""

    id: str
    filename: str | None
    mime_type: str | None
    size_bytes: int | None
    md5: str | None
    chat_id: str | None = None
    created_at: datetime | None = None
    extra: Extra = field(default_factory=dict)

    @property
    def is_uploaded_file(self) -> bool:
        """True when the id routes to the files endpoints instead of generated-files."""
        return self.id.startswith("claude_file_")

    @classmethod
    def from_json(cls, obj: object) -> GeneratedFileRef:
        f = Fields(obj, "generated file")
        return cls(
            f.req_text("id"),
            f.text("filename"),
            f.text("mime_type"),
            f.integer("size_bytes"),
            f.text("md5"),
            f.text("claude_chat_id"),
            f.time("created_at"),
            f.extra(),
        )


@dataclass(frozen=True)
class ArtifactRef:
    id: str | None
    version_id: str
    title: str | None
    artifact_type: str | None
    chat_id: str | None = None
    created_at: datetime | None = None
    md5: str | None = None
    size_bytes: int | None = None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> ArtifactRef:
        f = Fields(obj, "artifact")
        return cls(
            f.text("id"),
            f.req_text("version_id"),
            f.text("title"),
            f.text("artifact_type"),
            f.text("claude_chat_id"),
            f.time("created_at"),
            f.text("md5"),
            f.integer("size_bytes"),
            f.extra(),
        )


@dataclass(frozen=True)
class ChatMessage:
    id: str
    role: str | None  # "user" | "assistant" | anything newer
    created_at: datetime | None
    content: tuple[ContentBlock, ...]
    files: tuple[FileRef, ...]
    generated_files: tuple[GeneratedFileRef, ...]
    artifacts: tuple[ArtifactRef, ...]
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object, *, content_required: bool = True) -> ChatMessage:
        """``content`` must be an array, except in a chat deleted in claude.ai (documented: its
        messages come back without content)."""
        f = Fields(obj, "message")
        blocks = f.req_array("content") if content_required else f.array("content") or []
        return cls(
            id=f.req_text("id"),
            role=f.text("role"),
            created_at=f.time("created_at"),
            content=tuple(parse_block(b) for b in blocks),
            files=tuple(FileRef.from_json(x) for x in f.array("files") or []),
            generated_files=tuple(GeneratedFileRef.from_json(x) for x in f.array("generated_files") or []),
            artifacts=tuple(ArtifactRef.from_json(x) for x in f.array("artifacts") or []),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ChatMessagesPage:
    """A chat-messages response: the chat's metadata and this page of its messages."""

    chat: Chat
    messages: tuple[ChatMessage, ...]
    has_more: bool
    first_id: str | None
    last_id: str | None

    @classmethod
    def from_json(cls, obj: object) -> ChatMessagesPage:
        f = Fields(obj, "chat messages response")
        chat = Chat.from_json(obj)
        live = chat.deleted_at is None
        messages = tuple(
            ChatMessage.from_json(m, content_required=live) for m in f.req_array("chat_messages")
        )
        return cls(chat, messages, f.flag("has_more"), f.text("first_id"), f.text("last_id"))


@dataclass(frozen=True)
class Project:
    id: str
    name: str | None
    created_at: datetime | None
    updated_at: datetime | None
    deleted_at: datetime | None
    is_private: bool | None
    organization_id: str | None
    organization_uuid: str | None
    user: UserRef | None
    description: str | None = None
    instructions: str | None = None
    attachments_count: int | None = None
    chats_count: int | None = None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Project:
        f = Fields(obj, "project")
        private = f.obj.get("is_private")
        return cls(
            id=f.req_text("id"),
            name=f.text("name"),
            created_at=f.time("created_at"),
            updated_at=f.time("updated_at"),
            deleted_at=f.time("deleted_at"),
            is_private=None if private is None else f.flag("is_private"),
            organization_id=f.text("organization_id"),
            organization_uuid=f.text("organization_uuid"),
            user=UserRef.optional(f.obj_or_none("user")),
            description=f.text("description"),
            instructions=f.text("instructions"),
            attachments_count=f.integer("attachments_count"),
            chats_count=f.integer("chats_count"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ProjectAttachment:
    """``project_file`` (download via files) or ``project_doc`` (fetch via documents)."""

    id: str
    type: str
    created_at: datetime | None
    filename: str | None
    mime_type: str | None
    size_bytes: int | None = None
    md5: str | None = None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> ProjectAttachment:
        f = Fields(obj, "attachment")
        return cls(
            f.req_text("id"),
            f.req_text("type"),
            f.time("created_at"),
            f.text("filename"),
            f.text("mime_type"),
            f.integer("size_bytes"),
            f.text("md5"),
            f.extra(),
        )


@dataclass(frozen=True)
class Collaborator:
    type: str
    role: str | None
    granted_at: datetime | None
    user_id: str | None = None
    group_id: str | None = None
    organization_uuid: str | None = None
    organization_role: str | None = None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Collaborator:
        f = Fields(obj, "collaborator")
        return cls(
            f.req_text("type"),
            f.text("role"),
            f.time("granted_at"),
            f.text("user_id"),
            f.text("group_id"),
            f.text("organization_uuid"),
            f.text("organization_role"),
            f.extra(),
        )


@dataclass(frozen=True)
class ProjectDocument:
    """A project document (``content`` set) or its metadata (``md5``/``size_bytes`` set)."""

    id: str
    filename: str | None
    created_at: datetime | None
    content: str | None
    project_id: str | None
    md5: str | None
    mime_type: str | None
    size_bytes: int | None
    user: UserRef | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> ProjectDocument:
        f = Fields(obj, "project document")
        return cls(
            f.req_text("id"),
            f.text("filename"),
            f.time("created_at"),
            f.text("content"),
            f.text("claude_project_id"),
            f.text("md5"),
            f.text("mime_type"),
            f.integer("size_bytes"),
            UserRef.optional(f.obj_or_none("user")),
            f.extra(),
        )


@dataclass(frozen=True)
class Actor:
    """The actor union, flattened: ``type`` plus the fields most actors carry."""

    type: str
    user_id: str | None
    email_address: str | None
    ip_address: str | None
    user_agent: str | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Actor:
        f = Fields(obj, "actor")
        return cls(
            f.req_text("type"),
            f.text("user_id"),
            f.text("email_address"),
            f.text("ip_address"),
            f.text("user_agent"),
            f.extra(),
        )


@dataclass(frozen=True)
class Activity:
    """An audit record; type-specific fields (``claude_chat_id``…) are in ``extra``."""

    id: str
    type: str
    created_at: datetime | None
    organization_id: str | None
    organization_uuid: str | None
    actor: Actor | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Activity:
        f = Fields(obj, "activity")
        actor = f.obj_or_none("actor")
        return cls(
            f.req_text("id"),
            f.req_text("type"),
            f.time("created_at"),
            f.text("organization_id"),
            f.text("organization_uuid"),
            None if actor is None else Actor.from_json(actor),
            f.extra(),
        )


class JsonModel(Protocol):
    """Anything built from a decoded JSON value by ``from_json``."""

    @classmethod
    def from_json(cls, obj: object) -> Self: ...


M = TypeVar("M", bound=JsonModel)


def parse_one(response: ApiResponse, model: type[M]) -> M:
    """The response body as one ``model``; ResponseFormatError naming URL and problem."""
    try:
        return model.from_json(response.data)
    except FormatProblem as exc:
        raise ResponseFormatError(
            f"Unexpected response shape: {exc}", url=response.url, request_id=response.request_id
        ) from exc


def parse_items(response: ApiResponse, model: type[M]) -> list[M]:
    """The ``data`` list of a list envelope as ``model`` objects."""
    data = response.data.get("data") if isinstance(response.data, Mapping) else None
    if not isinstance(data, list):
        raise ResponseFormatError(
            "Unexpected response shape: no 'data' array", url=response.url, request_id=response.request_id
        )
    try:
        return [model.from_json(item) for item in data]
    except FormatProblem as exc:
        raise ResponseFormatError(
            f"Unexpected response shape: {exc}", url=response.url, request_id=response.request_id
        ) from exc


def parse_value(obj: object, model: type[M], what: str) -> M:
    """A decoded JSON value (a stored page, a list item) as one ``model``; ResponseFormatError
    naming ``what`` when it is not one."""
    try:
        return model.from_json(obj)
    except FormatProblem as exc:
        raise ResponseFormatError(f"Unexpected {what}: {exc}") from exc


def body_items(body: object) -> list[Any]:
    """The ``data`` array of a decoded list envelope; ResponseFormatError when there is none."""
    if not isinstance(body, Mapping):
        raise ResponseFormatError("A list response is not a JSON object.")
    data = body.get("data")
    if not isinstance(data, list):
        raise ResponseFormatError("A list response has no 'data' array.")
    return data
