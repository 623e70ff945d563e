"""Typed, forward-compatible views of Compliance API objects.

Every model is a frozen dataclass built by ``from_json``; unknown fields land in ``extra``
and unknown enum values are kept as plain strings. Models are *views*: the evidence is the
raw response bytes, never a re-serialised model. :func:`parse_items` / :func:`parse_one`
turn a malformed payload into ``ResponseFormatError`` naming the URL and the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self, TypeVar

from ediscovery.api.blocks import ContentBlock, parse_block
from ediscovery.api.fields import Extra, Fields, FormatProblem
from ediscovery.api.response import ApiResponse
from ediscovery.errors import ResponseFormatError


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
