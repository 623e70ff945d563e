"""Typed views of projects: the project, its attachments, collaborators and documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ediscovery.api.fields import Extra, Fields
from ediscovery.api.models import UserRef


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
