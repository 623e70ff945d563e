"""Seeded synthetic tenants at four scales: ``tiny`` (tests), ``small`` (demo), ``medium``, ``large``.

Every record is derived from the seed, so two generations with the same seed and scale are
identical. The main custodian is ``alice@example.com``: the same ``user_...`` id in both
claude.ai orgs, with chats in both, projects, every kind of attachment (real PDF/PNG/CSV/text,
hostile names, a file attached to two messages, generated files with both id prefixes,
artifacts), a long tool block that the default truncation cuts, and a soft-deleted chat.
Large file bodies are seeded blobs streamed on demand.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from ediscovery.sandbox.content import csv_bytes, held_blob, pdf_bytes, png_bytes, seeded_blob, text_bytes
from ediscovery.sandbox.ids import IdFactory
from ediscovery.sandbox.model import (
    Artifact,
    Chat,
    Collaborator,
    GeneratedFile,
    Group,
    GroupMember,
    Membership,
    Message,
    Organization,
    Project,
    ProjectDocument,
    Role,
    StoredFile,
    User,
)
from ediscovery.sandbox.scales import END, RECIPES, START, Scale
from ediscovery.sandbox.tenant import Tenant


class Builder:
    """Holds the generation state; each method adds one family of records."""

    def __init__(self, seed: int, scale: Scale) -> None:
        self.ids = IdFactory(seed)
        self.rng = random.Random(f"gen:{seed}")
        self.scale = scale
        self.seed = seed
        parent = Organization(self.ids.uuid(), self.ids.tagged("org_"), "Acme Holdings", START, "parent")
        self.tenant = Tenant(seed=seed, parent=parent)
        self.blob_seed = seed * 1_000_003

    def at(self) -> datetime:
        span = int((END - START).total_seconds())
        return START + timedelta(seconds=self.rng.randrange(span))

    def next_blob_seed(self) -> int:
        self.blob_seed += 1
        return self.blob_seed

    # --- directory --------------------------------------------------------------------

    def directory(self) -> None:
        t = self.tenant
        for name, kind, day in (
            ("Acme Legal", "claude_ai", 1),
            ("Acme Engineering", "claude_ai", 2),
            ("Acme API Platform", "console", 3),
        ):
            created = START - timedelta(days=30 - day, microseconds=123456 * day)
            org = Organization(self.ids.uuid(), self.ids.tagged("org_"), name, created, kind)
            t.orgs[org.uuid] = org
        legal, eng, console = list(t.orgs)
        t.settings[legal] = default_settings(retention_days=90)
        t.settings[eng] = default_settings(retention_days=None)
        t.settings[console] = default_settings(retention_days=None)
        people = [
            ("alice@example.com", "Alice Anders", [(legal, "user"), (eng, "admin"), (console, "developer")]),
            ("bob@example.com", "Bob Brown", [(legal, "primary_owner")]),
            ("carol@example.com", "Carol Chen", [(eng, "user")]),
        ]
        people += [
            (f"user{n:03d}@example.com", f"User {n:03d}", [(legal if n % 2 else eng, "user")])
            for n in range(1, self.scale.extra_users + 1)
        ]
        for index, (email, full_name, orgs) in enumerate(people):
            created = START - timedelta(days=20 - index % 20, hours=index)
            memberships = tuple(
                Membership(o, r, created + timedelta(days=i)) for i, (o, r) in enumerate(orgs)
            )
            user = User(self.ids.tagged("user_"), email, full_name, created, memberships)
            t.users[user.id] = user
        self._rbac(legal, eng)

    def _rbac(self, legal: str, eng: str) -> None:
        t = self.tenant
        users = list(t.users.values())
        for org_uuid in (legal, eng):
            role = Role(
                self.ids.tagged("rbac_role_"),
                org_uuid,
                "Claude Code users",
                "May use Claude Code",
                START,
                (("claude_code", "organization", org_uuid),),
            )
            t.roles[role.id] = role
        for name, source in (("Legal", "scim"), ("Engineering", "direct")):
            members = tuple(GroupMember(u.id, START + timedelta(days=i)) for i, u in enumerate(users[:3]))
            roles = tuple(t.roles) if source == "scim" else None
            group = Group(
                self.ids.tagged("rbac_group_"), name, f"{name} team", source, roles, START, START, members
            )
            t.groups[group.id] = group

    # --- content ----------------------------------------------------------------------

    def new_file(
        self, filename: str | None, mime: str | None, data: bytes | None, size: int = 0
    ) -> StoredFile:
        blob = held_blob(data) if data is not None else seeded_blob(self.next_blob_seed(), size)
        file_id = self.ids.tagged("claude_file_")
        item = StoredFile(
            file_id, str(uuid.uuid5(uuid.NAMESPACE_URL, file_id)), filename, mime, self.at(), blob
        )
        self.tenant.files[item.id] = item
        return item

    def new_chat(self, user: User, org_uuid: str, name: str, at: datetime, project: str | None) -> Chat:
        chat = Chat(
            id=self.ids.tagged("claude_chat_"),
            uuid=self.ids.uuid(),
            org_uuid=org_uuid,
            user_id=user.id,
            name=name,
            created_at=at,
            updated_at=at,
            project_id=project,
            model=self.rng.choice(("claude-opus-4-1", "claude-sonnet-4-5", None)),
        )
        self.tenant.put_chat(chat)
        return chat

    def fill_chat(self, chat: Chat, count: int, recipe: str) -> list[Message]:
        at = chat.created_at
        messages = []
        for index in range(count):
            at += timedelta(seconds=self.rng.randrange(20, 900))
            role = "user" if index % 2 == 0 else "assistant"
            kind = recipe if index in (0, 1) else self.rng.choice(RECIPES)
            message = Message(
                self.ids.tagged("claude_chat_msg_"), chat.id, role, at, kind, self.rng.getrandbits(32)
            )
            messages.append(message)
        self.tenant.messages[chat.id] = messages
        self.tenant.chats[chat.id] = replace(chat, updated_at=at)
        return messages

    def attach(self, chat_id: str, index: int, **refs: tuple[str, ...]) -> None:
        messages = self.tenant.messages[chat_id]
        index = min(index, len(messages) - 1)
        message = messages[index]
        merged = {k: getattr(message, k) + v for k, v in refs.items()}
        messages[index] = replace(message, **merged)
        self.tenant._refs = None


def hostile_names() -> list[str]:
    """Original filenames a collector must store safely."""
    long_name = ("é" * 126) + ".txt"  # 252 + 4 = 256 bytes -> trim to 255 below
    long_name = long_name.encode("utf-8")[:251].decode("utf-8", "ignore") + ".txt"
    return [
        "../../etc/passwd",
        "C:\\evil.bat",
        unicodedata.normalize("NFD", "résumé café.txt"),
        long_name,
        "line one\nline two.txt",
    ]


def default_settings(*, retention_days: int | None) -> list[dict[str, object]]:
    """The admin-controlled settings rows of one organization (rows admins cannot change are
    omitted); ``retention_days`` sets a fixed chat retention, None leaves it unset."""
    rows: list[dict[str, object]] = [
        {"name": "sso_enabled", "type": "boolean", "value": True},
        {"name": "content_redaction_enabled", "type": "boolean", "value": False},
        {"name": "ip_allowlist_ip_ranges", "type": "string_list", "value": ["10.0.0.0/8"]},
        {"name": "account_session_duration_seconds", "type": "integer", "value": None},
        {"name": "sso_provisioning_mode", "type": "provisioning_mode", "value": "jit_permissive"},
    ]
    if retention_days is not None:
        retention = {"chat": {"type": "fixed", "timescale": "day", "duration": retention_days}}
        rows.insert(0, {"name": "data_retention_periods", "type": "data_retention", "value": retention})
    return rows


def sample_files(builder: Builder) -> dict[str, StoredFile]:
    """The real-format files of the custodian's main chat."""
    seed = builder.seed
    return {
        "pdf": builder.new_file(
            "quarterly_report.pdf", "application/pdf", pdf_bytes("Quarterly report", ["Revenue up 4%"])
        ),
        "png": builder.new_file("whiteboard.png", "image/png", png_bytes(48, 32, seed)),
        "csv": builder.new_file("figures.csv", "text/csv", csv_bytes(seed)),
        "txt": builder.new_file("notes.txt", "text/plain", text_bytes(seed)),
        "dup1": builder.new_file("report.pdf", "application/pdf", pdf_bytes("Report A", ["first"])),
        "dup2": builder.new_file("report.pdf", "application/pdf", pdf_bytes("Report B", ["second"])),
    }


def make_generated(builder: Builder, chat_id: str, name: str, mime: str | None, prefix: str) -> GeneratedFile:
    data = csv_bytes(builder.next_blob_seed(), 5) if mime == "text/csv" else png_bytes(16, 16, builder.seed)
    item = GeneratedFile(builder.ids.tagged(prefix), chat_id, name, mime, builder.at(), held_blob(data))
    builder.tenant.generated_files[item.id] = item
    return item


def make_artifact(builder: Builder, chat_id: str, title: str, kind: str, content: str) -> Artifact:
    item = Artifact(
        builder.ids.tagged("claude_artifact_"),
        builder.ids.tagged("claude_artifact_version_"),
        chat_id,
        title,
        kind,
        content,
        builder.at(),
    )
    builder.tenant.artifacts[item.version_id] = item
    return item


def make_project(
    builder: Builder, org_uuid: str, creator: User, name: str, instructions: str, at: datetime
) -> Project:
    project = Project(
        id=builder.ids.tagged("claude_proj_"),
        org_uuid=org_uuid,
        name=name,
        description=f"{name} workspace",
        instructions=instructions,
        creator_id=creator.id,
        created_at=at,
        updated_at=at + timedelta(days=3),
        is_private=builder.rng.random() < 0.5,
    )
    builder.tenant.projects[project.id] = project
    return project


def add_project_content(builder: Builder, project: Project, owner: User, docs: int, files: int) -> Project:
    doc_ids = []
    for index in range(docs):
        doc = ProjectDocument(
            builder.ids.tagged("claude_proj_doc_"),
            project.id,
            f"requirements-{index + 1}.md",
            f"# Requirements {index + 1}\n\n- Must keep records for 7 years\n- Owner: {owner.full_name}\n",
            project.created_at + timedelta(hours=index + 1),
            owner.id,
        )
        builder.tenant.documents[doc.id] = doc
        doc_ids.append(doc.id)
    file_ids = [
        builder.new_file(f"brief-{i + 1}.pdf", "application/pdf", pdf_bytes(project.name, [f"brief {i}"])).id
        for i in range(files)
    ]
    collaborators = (
        Collaborator(builder.ids.uuid(), "user", owner.id, "owner", project.created_at),
        Collaborator(builder.ids.uuid(), "organization", project.org_uuid, "viewer", project.created_at),
        Collaborator(builder.ids.uuid(), "organization_role", "admin", "editor", project.updated_at),
    )
    updated = replace(project, doc_ids=tuple(doc_ids), file_ids=tuple(file_ids), collaborators=collaborators)
    builder.tenant.projects[project.id] = updated
    return updated
