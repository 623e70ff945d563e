"""How tenant records look on the wire: the JSON objects each endpoint returns.

Timestamp forms follow the documented examples (§2.5): most objects use ``...Z``; the
organizations list uses ``+00:00`` with microseconds; roles, groups and group members use no
offset. Clients must parse all of them, so the simulator serves all of them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import starlette.responses

from ediscovery.sandbox.model import (
    Activity,
    ApiKey,
    Artifact,
    Chat,
    Collaborator,
    GeneratedFile,
    Group,
    GroupMember,
    Organization,
    Project,
    ProjectDocument,
    Role,
    StoredFile,
    User,
)


def ts(value: datetime | None) -> str | None:
    """RFC 3339 with ``Z``; microseconds only when present."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return value.strftime(fmt)


def ts_offset(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def ts_naive(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def user_ref(user: User | None) -> dict[str, str] | None:
    return None if user is None else {"id": user.id, "email_address": user.email}


def organization(org: Organization) -> dict[str, Any]:
    return {"uuid": org.uuid, "name": org.name, "created_at": ts_offset(org.created_at)}


def api_key(key: ApiKey, created_at: datetime) -> dict[str, Any]:
    """A Compliance Access Key as the settings endpoint lists it: never the secret."""
    return {
        "type": "compliance_api_key",
        "id": key.key_id,
        "name": key.name,
        "scopes": list(key.scopes),
        "is_active": key.active,
        "created_at": ts(created_at),
        "created_by_id": None,
        "expires_at": None,
    }


def org_user(user: User, org_uuid: str) -> dict[str, Any]:
    role = next(m.role for m in user.memberships if m.org_uuid == org_uuid)
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "organization_role": role,
        "created_at": ts(user.created_at),
    }


def role(item: Role) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "created_at": ts_naive(item.created_at),
        "updated_at": ts_naive(item.created_at),
    }


def permission(perm: tuple[str, str, str]) -> dict[str, str]:
    return {"action": perm[0], "resource_type": perm[1], "resource_id": perm[2]}


def group(item: Group) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "source_type": item.source_type,
        "roles": list(item.roles) if item.roles is not None else None,
        "created_at": ts_naive(item.created_at),
        "updated_at": ts_naive(item.updated_at),
    }


def group_member(member: GroupMember, user: User | None) -> dict[str, Any]:
    return {
        "user_id": member.user_id,
        "email": user.email if user else None,
        "created_at": ts_naive(member.created_at),
        "updated_at": ts_naive(member.created_at),
    }


def chat(item: Chat, org: Organization, user: User | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "created_at": ts(item.created_at),
        "updated_at": ts(item.updated_at),
        "deleted_at": ts(item.deleted_at),
        "href": f"https://claude.ai/chat/{item.uuid}",
        "model": item.model,
        "organization_id": org.org_id,
        "organization_uuid": org.uuid,
        "project_id": item.project_id,
        "user": user_ref(user),
    }


def message_file(item: StoredFile, md5: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "filename": item.filename,
        "mime_type": item.mime_type,
        "size_bytes": item.blob.size,
        "md5": md5,
        "created_at": ts(item.created_at),
    }


def message_generated_file(item: GeneratedFile, md5: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "filename": item.filename,
        "mime_type": item.mime_type,
        "size_bytes": item.blob.size,
        "md5": md5,
    }


def message_artifact(item: Artifact) -> dict[str, Any]:
    return {
        "id": item.artifact_id,
        "version_id": item.version_id,
        "title": item.title,
        "artifact_type": item.artifact_type,
    }


def file_metadata(item: StoredFile, md5: str, message_ids: list[str], chat_ids: list[str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "filename": item.filename,
        "mime_type": item.mime_type,
        "size_bytes": item.blob.size,
        "md5": md5,
        "created_at": ts(item.created_at),
        "message_ids": message_ids,
        "claude_chat_ids": chat_ids,
    }


def generated_file_metadata(item: GeneratedFile, md5: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "claude_chat_id": item.chat_id,
        "created_at": ts(item.created_at),
        "filename": item.filename,
        "md5": md5,
        "mime_type": item.mime_type,
        "size_bytes": item.blob.size,
    }


def artifact_metadata(item: Artifact) -> dict[str, Any]:

    data = item.content.encode("utf-8")
    return {
        "id": item.artifact_id,
        "version_id": item.version_id,
        "claude_chat_id": item.chat_id,
        "created_at": ts(item.created_at),
        "title": item.title,
        "artifact_type": item.artifact_type,
        "md5": hashlib.md5(data).hexdigest(),
        "size_bytes": len(data),
    }


def artifact_content_bytes(item: Artifact) -> bytes:
    """The exact body of ``GET /apps/artifacts/{version_id}/content``: a JSON object, or (the
    reference promises only "the full text content") the text itself."""
    if item.plain:
        return item.content.encode("utf-8")
    body = {"content": item.content, "title": item.title, "artifact_type": item.artifact_type}
    return json_bytes(body)


def project(item: Project, org: Organization, creator: User | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "created_at": ts(item.created_at),
        "updated_at": ts(item.updated_at),
        "deleted_at": ts(item.deleted_at),
        "is_private": item.is_private,
        "organization_id": org.org_id,
        "organization_uuid": org.uuid,
        "user": user_ref(creator),
    }


def project_file(item: StoredFile, md5: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "created_at": ts(item.created_at),
        "filename": item.filename,
        "mime_type": item.mime_type or "application/octet-stream",
        "size_bytes": item.blob.size,
        "md5": md5,
        "type": "project_file",
    }


def project_doc(item: ProjectDocument) -> dict[str, Any]:
    return {
        "id": item.id,
        "created_at": ts(item.created_at),
        "filename": item.filename,
        "mime_type": "text/plain",
        "type": "project_doc",
        "updated_at": None,
    }


def collaborator(item: Collaborator) -> dict[str, Any]:
    ref_field = {
        "user": "user_id",
        "group": "group_id",
        "organization": "organization_uuid",
        "organization_role": "organization_role",
    }[item.type]
    return {"type": item.type, ref_field: item.ref, "role": item.role, "granted_at": ts(item.granted_at)}


def document(item: ProjectDocument, user: User | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "content": item.content,
        "created_at": ts(item.created_at),
        "filename": item.filename,
        "user": user_ref(user),
    }


def document_metadata(item: ProjectDocument, user: User | None) -> dict[str, Any]:

    data = item.content.encode("utf-8")
    return {
        "id": item.id,
        "claude_project_id": item.project_id,
        "created_at": ts(item.created_at),
        "filename": item.filename,
        "md5": hashlib.md5(data).hexdigest(),
        "mime_type": "text/plain",
        "size_bytes": len(data),
        "user": user_ref(user),
    }


def activity(item: Activity, org: Organization | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "created_at": ts(item.created_at),
        "organization_id": org.org_id if org else None,
        "organization_uuid": org.uuid if org else None,
        "actor": item.actor,
        "type": item.type,
        **item.fields,
    }


def json_bytes(body: Any, separators: tuple[str, str] | None = None) -> bytes:
    """A JSON body as UTF-8; a lone surrogate (JSON allows ``"\\ud83d"``) is sent as its escape."""
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=separators)
    return text.encode("utf-8", "backslashreplace")


class JSONResponse(starlette.responses.JSONResponse):
    """Starlette's JSON response, able to send text that is not valid Unicode (see :func:`json_bytes`)."""

    def render(self, content: Any) -> bytes:
        return json_bytes(content, separators=(",", ":"))
