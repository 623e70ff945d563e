"""The records a simulated tenant holds: organizations, users, chats, files, projects, activities.

Records are frozen; the tenant replaces a record to change it. Timestamps are aware UTC
datetimes; how they are written on the wire is decided by the endpoint (see ``wire``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Blob:
    """Deterministic bytes: either held (small, real formats) or produced in chunks from a seed."""

    size: int
    data: bytes | None = None
    seed: int = 0


@dataclass(frozen=True)
class Organization:
    uuid: str
    org_id: str
    name: str
    created_at: datetime
    kind: str  # "claude_ai" or "console"


@dataclass(frozen=True)
class Membership:
    org_uuid: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class User:
    id: str
    email: str
    full_name: str
    created_at: datetime
    memberships: tuple[Membership, ...]


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file (chat or project). ``uuid`` is what 404 messages quote."""

    id: str
    uuid: str
    filename: str | None
    mime_type: str | None
    created_at: datetime
    blob: Blob


@dataclass(frozen=True)
class GeneratedFile:
    id: str
    chat_id: str
    filename: str | None
    mime_type: str | None
    created_at: datetime | None
    blob: Blob


@dataclass(frozen=True)
class Artifact:
    artifact_id: str
    version_id: str
    chat_id: str
    title: str | None
    artifact_type: str | None
    content: str
    created_at: datetime
    plain: bool = False  # the content endpoint serves the text itself, not a JSON object


@dataclass
class CodeArtifactVersion:
    """One listed version of a code artifact and what serving its content does."""

    id: str
    name: str
    created_at: datetime
    blob: Blob
    uploading: int = 0  # requests still answered 503 (upload in flight) before it is served
    rotated: bool = False  # listed, but its content rotated out: 404


@dataclass(frozen=True)
class CodeArtifact:
    """A site published from Claude Code, or a document of a built-in artifact type."""

    id: str
    org_uuid: str
    owner_user_id: str | None
    read_mode: str
    updated_at: datetime
    versions: tuple[CodeArtifactVersion, ...]
    content: Blob  # the current content (a ZIP of its files when ``multi_file``)
    multi_file: bool = False  # a Claude Doc: /content needs multi_file_format=zip, else 422

    @property
    def published_version_id(self) -> str | None:
        return self.versions[0].id if self.versions else None


@dataclass(frozen=True)
class SessionMessage:
    """One message of an agent session; ``provenance`` says when its content was not captured."""

    id: str
    role: str
    created_at: datetime
    content: tuple[dict[str, Any], ...]
    provenance: dict[str, Any] | None = None  # e.g. {"type": "content_unavailable", "reason": ...}
    sent_by_user_id: str | None = None


@dataclass(frozen=True)
class LocalSession:
    """A transcript captured from a user's machine (Cowork, Claude Code, …)."""

    id: str
    org_uuid: str
    user_id: str
    email: str | None
    product_surface: str | None
    created_at: datetime
    messages: tuple[SessionMessage, ...]
    workspace_id: str | None = None


@dataclass(frozen=True)
class RemoteSession:
    """A cloud Cowork session; a ``pending`` one has no messages to serve yet (404)."""

    id: str
    org_uuid: str
    user_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    messages: tuple[SessionMessage, ...]
    project_id: str | None = None


@dataclass(frozen=True)
class Message:
    """One chat message. ``text`` overrides the seeded content recipe when set."""

    id: str
    chat_id: str
    role: str
    created_at: datetime
    recipe: str = "plain"
    seed: int = 0
    text: str | None = None
    file_ids: tuple[str, ...] = ()
    generated_file_ids: tuple[str, ...] = ()
    artifact_version_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chat:
    id: str
    uuid: str
    org_uuid: str
    user_id: str
    name: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    model: str | None = "claude-opus-4-1"
    project_id: str | None = None


@dataclass(frozen=True)
class Collaborator:
    assignment_id: str
    type: str  # user | group | organization | organization_role
    ref: str | None
    role: str
    granted_at: datetime


@dataclass(frozen=True)
class Project:
    id: str
    org_uuid: str
    name: str
    description: str
    instructions: str
    creator_id: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    is_private: bool = True
    file_ids: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    collaborators: tuple[Collaborator, ...] = ()


@dataclass(frozen=True)
class ProjectDocument:
    id: str
    project_id: str
    filename: str
    content: str
    created_at: datetime
    user_id: str | None


@dataclass(frozen=True)
class Activity:
    id: str
    created_at: datetime
    org_uuid: str | None
    type: str
    actor: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiKey:
    """A key the simulator accepts. ``secret`` is matched exactly and never logged."""

    secret: str = field(repr=False)
    key_id: str
    name: str
    scopes: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class Role:
    id: str
    org_uuid: str
    name: str
    description: str
    created_at: datetime
    permissions: tuple[tuple[str, str, str], ...] = ()  # (action, resource_type, resource_id)


@dataclass(frozen=True)
class GroupMember:
    user_id: str
    created_at: datetime


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str
    source_type: str
    roles: tuple[str, ...] | None
    created_at: datetime
    updated_at: datetime
    members: tuple[GroupMember, ...] = ()
