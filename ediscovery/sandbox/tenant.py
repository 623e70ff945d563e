"""The simulated Claude Enterprise tenant: every record, its indexes, mutations and ground truth.

A tenant is one parent organization with linked organizations, their directory, content
(chats, messages, files, generated files, artifacts, projects, documents), the activity log
and the API keys the simulator accepts. Build one with ``sandbox.synthetic.generate_tenant``.

Deletion semantics (Sep 2026 docs):

* user-side (soft) delete: the chat keeps listing with ``deleted_at`` set and ``name`` empty;
  its messages lose their content; its files, generated files and artifacts are gone;
* Compliance API (hard) delete: the chat, its messages and what was attached to them vanish.

A file shared with another live chat or project survives the deletion of one of its chats
(UNCONFIRMED; the likeliest behaviour for a shared object).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ediscovery.sandbox.activity_log import ActivityLog
from ediscovery.sandbox.content import blob_chunks
from ediscovery.sandbox.ids import IdFactory
from ediscovery.sandbox.model import (
    ApiKey,
    Artifact,
    Blob,
    Chat,
    CodeArtifact,
    GeneratedFile,
    Group,
    LocalSession,
    Message,
    Organization,
    Project,
    ProjectDocument,
    RemoteSession,
    Role,
    StoredFile,
    User,
)

READ_SCOPES = ("read:compliance_user_data", "read:compliance_org_data", "read:compliance_activities")
DEMO_KEY = "sk-ant-api01-sandbox-demo-key-0000000000000000000000000000000000000000-AAAA"
DELETE_KEY = "sk-ant-api01-sandbox-delete-key-000000000000000000000000000000000000000-AAAA"


class ProjectHasChats(Exception):
    """Raised when deleting a project that still has chats attached (the 409 rule)."""


class Tenant:
    """All data of one simulated tenant; see the module docstring."""

    def __init__(self, *, seed: int, parent: Organization) -> None:
        self.seed = seed
        self.parent = parent
        self.ids = IdFactory(f"{seed}:runtime")
        self.orgs: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        self.chats: dict[str, Chat] = {}
        self.messages: dict[str, list[Message]] = {}
        self.files: dict[str, StoredFile] = {}
        self.generated_files: dict[str, GeneratedFile] = {}
        self.artifacts: dict[str, Artifact] = {}
        self.projects: dict[str, Project] = {}
        self.documents: dict[str, ProjectDocument] = {}
        self.roles: dict[str, Role] = {}
        self.groups: dict[str, Group] = {}
        self.code_artifacts: dict[str, CodeArtifact] = {}
        self.local_sessions: dict[str, LocalSession] = {}
        self.remote_sessions: dict[str, RemoteSession] = {}
        self.expire_next_cursors = 0  # force: the next N session page tokens presented have expired
        self.session_cursor_ttl = timedelta(hours=24)
        self.settings: dict[str, list[dict[str, Any]]] = {}  # org uuid -> the admin-controlled rows
        self.settings_enabled = True
        self.disabled: set[str] = set()  # endpoint families (e.g. "apps/sessions") the tenant lacks
        self.activities = ActivityLog()
        self.keys: dict[str, ApiKey] = {}
        self.api_enabled = True
        self._chats_by_user: dict[str, list[str]] = {}
        self._digests: dict[str, tuple[str, str]] = {}
        self._refs: dict[str, list[tuple[str, str]]] | None = None
        self._register_default_keys()

    # --- keys ---------------------------------------------------------------------------

    def _register_default_keys(self) -> None:
        key_ids = IdFactory(f"{self.seed}:keys")
        self.keys[DEMO_KEY] = ApiKey(DEMO_KEY, key_ids.tagged("apikey_"), "Sandbox demo key", READ_SCOPES)
        delete_scopes = (*READ_SCOPES, "delete:compliance_user_data")
        self.keys[DELETE_KEY] = ApiKey(
            DELETE_KEY, key_ids.tagged("apikey_"), "Sandbox delete key", delete_scopes
        )

    def add_key(self, scopes: Iterable[str], active: bool = True) -> str:
        """Register a new Compliance Access Key with ``scopes``; return its secret."""
        key_id = self.ids.tagged("apikey_")
        secret = "sk-ant-api01-" + key_id.removeprefix("apikey_") + "-" + self.ids.tagged("k")[3:]
        self.keys[secret] = ApiKey(secret, key_id, f"Test key {len(self.keys)}", tuple(scopes), active)
        return secret

    def set_key_active(self, secret: str, active: bool) -> None:
        self.keys[secret] = replace(self.keys[secret], active=active)

    # --- lookups ------------------------------------------------------------------------

    def user_by_email(self, email: str) -> User | None:
        wanted = email.casefold()
        return next((u for u in self.users.values() if u.email.casefold() == wanted), None)

    def chats_of(self, user_id: str) -> list[Chat]:
        return [self.chats[c] for c in self._chats_by_user.get(user_id, ()) if c in self.chats]

    def file_refs(self, file_id: str) -> tuple[list[str], list[str]]:
        """(message ids, chat ids) of every live message that references ``file_id``.

        Served from an index built on first use and dropped by every mutation.
        """
        if self._refs is None:
            self._refs = {}
            for chat_id, messages in self.messages.items():
                if self.chats[chat_id].deleted_at is not None:
                    continue
                for message in messages:
                    for ref in (*message.file_ids, *message.generated_file_ids):
                        self._refs.setdefault(ref, []).append((chat_id, message.id))
        rows = self._refs.get(file_id, [])
        return [m for _, m in rows], list(dict.fromkeys(c for c, _ in rows))

    def blob_digests(self, object_id: str, blob: Blob) -> tuple[str, str]:
        """(md5 hex, sha256 hex) of a blob's served bytes, computed once by streaming."""
        cached = self._digests.get(object_id)
        if cached is None:
            md5, sha = hashlib.md5(), hashlib.sha256()
            for chunk in blob_chunks(blob):
                md5.update(chunk)
                sha.update(chunk)
            cached = (md5.hexdigest(), sha.hexdigest())
            self._digests[object_id] = cached
        return cached

    # --- additions ----------------------------------------------------------------------

    def put_chat(self, chat: Chat) -> None:
        self._refs = None
        self.chats[chat.id] = chat
        self.messages.setdefault(chat.id, [])
        self._chats_by_user.setdefault(chat.user_id, []).append(chat.id)

    def add_chat(
        self, user_id: str, org_uuid: str, name: str, created_at: datetime, project_id: str | None = None
    ) -> Chat:
        """Create an empty chat for ``user_id`` in ``org_uuid``."""
        chat = Chat(
            id=self.ids.tagged("claude_chat_"),
            uuid=self.ids.uuid(),
            org_uuid=org_uuid,
            user_id=user_id,
            name=name,
            created_at=created_at,
            updated_at=created_at,
            project_id=project_id,
        )
        self.put_chat(chat)
        return chat

    def add_message(self, chat_id: str, role: str, text: str, created_at: datetime) -> Message:
        """Append a text message and bump the chat's ``updated_at``."""
        message = Message(
            id=self.ids.tagged("claude_chat_msg_"),
            chat_id=chat_id,
            role=role,
            created_at=created_at,
            text=text,
        )
        self.messages[chat_id].append(message)
        self.messages[chat_id].sort(key=lambda m: (m.created_at, m.id))
        chat = self.chats[chat_id]
        self.chats[chat_id] = replace(chat, updated_at=max(chat.updated_at, created_at))
        return message

    # --- deletions ----------------------------------------------------------------------

    def soft_delete_chat(self, chat_id: str, at: datetime) -> None:
        """User-side delete in claude.ai: content and attachments go, the chat keeps listing."""
        self._refs = None
        chat = self.chats[chat_id]
        self.chats[chat_id] = replace(chat, deleted_at=at, name="", updated_at=max(chat.updated_at, at))
        self._drop_attachments(chat_id)

    def hard_delete_chat(self, chat_id: str) -> None:
        """Compliance API delete: the chat, its messages and their attachments vanish."""
        self._refs = None
        self._drop_attachments(chat_id)
        del self.chats[chat_id]
        del self.messages[chat_id]

    def _drop_attachments(self, chat_id: str) -> None:
        messages = self.messages[chat_id]
        file_ids = {f for m in messages for f in m.file_ids}
        gen_ids = {g for m in messages for g in m.generated_file_ids}
        versions = {v for m in messages for v in m.artifact_version_ids}
        self.messages[chat_id] = [
            replace(m, file_ids=(), generated_file_ids=(), artifact_version_ids=()) for m in messages
        ]
        self._refs = None
        for file_id in file_ids:
            if not self._file_still_used(file_id):
                self.files.pop(file_id, None)
        for gen_id in gen_ids:
            self.generated_files.pop(gen_id, None)
            self.files.pop(gen_id, None)
        for version_id in versions:
            self.artifacts.pop(version_id, None)

    def _file_still_used(self, file_id: str) -> bool:
        if any(file_id in p.file_ids for p in self.projects.values()):
            return True
        return bool(self.file_refs(file_id)[0])

    def delete_file(self, file_id: str) -> None:
        """Hard-delete a chat or project file and every reference to it."""
        self._refs = None
        self.files.pop(file_id, None)
        self.generated_files.pop(file_id, None)
        for chat_id, messages in self.messages.items():
            self.messages[chat_id] = [
                replace(
                    m,
                    file_ids=tuple(f for f in m.file_ids if f != file_id),
                    generated_file_ids=tuple(g for g in m.generated_file_ids if g != file_id),
                )
                for m in messages
            ]
        self._refs = None
        for project in list(self.projects.values()):
            if file_id in project.file_ids:
                kept = tuple(f for f in project.file_ids if f != file_id)
                self.projects[project.id] = replace(project, file_ids=kept)

    def delete_document(self, doc_id: str) -> None:
        document = self.documents.pop(doc_id)
        project = self.projects.get(document.project_id)
        if project is not None:
            kept = tuple(d for d in project.doc_ids if d != doc_id)
            self.projects[project.id] = replace(project, doc_ids=kept)

    def delete_project(self, project_id: str) -> None:
        """Hard-delete a project with its documents and files; refuse while chats are attached."""
        if any(c.project_id == project_id for c in self.chats.values()):
            raise ProjectHasChats(project_id)
        project = self.projects.pop(project_id)
        for doc_id in project.doc_ids:
            self.documents.pop(doc_id, None)
        for file_id in project.file_ids:
            if not self.file_refs(file_id)[0]:
                self.files.pop(file_id, None)

    # --- ground truth -------------------------------------------------------------------

    def resolve_custodian(self, custodian: str) -> list[str]:
        if custodian in self.users:
            return [custodian]
        user = self.user_by_email(custodian)
        return [user.id] if user else []
