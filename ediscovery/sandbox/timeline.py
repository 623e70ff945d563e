"""The activity history of the synthetic tenant, derived from its content.

Every chat, file, project, document and artifact gets its creation event (``user_actor``,
real type names and fields from the reference); sign-ins and sign-outs carry a null
organization; admins invite users and create keys; random views and logins of every user
fill the log up to the scale's size.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ediscovery.sandbox.ids import IdFactory
from ediscovery.sandbox.model import Activity, User

if TYPE_CHECKING:
    from ediscovery.sandbox.generator import Scale
    from ediscovery.sandbox.tenant import Tenant

_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
    "Claude/1.0 (iOS 18.1)",
    "Mozilla/5.0 (Windows NT 10.0)",
)


def user_actor(user: User, rng: random.Random) -> dict[str, Any]:
    return {
        "type": "user_actor",
        "email_address": user.email,
        "user_id": user.id,
        "ip_address": f"192.0.2.{rng.randrange(1, 255)}",
        "user_agent": rng.choice(_AGENTS),
    }


class _Timeline:
    def __init__(self, tenant: Tenant, ids: IdFactory, rng: random.Random) -> None:
        self.tenant = tenant
        self.ids = ids
        self.rng = rng
        self.items: list[Activity] = []

    def add(self, at: datetime, org: str | None, kind: str, user: User, **fields: Any) -> None:
        actor = user_actor(user, self.rng)
        self.items.append(Activity(self.ids.tagged("activity_"), at, org, kind, actor, fields))

    def content_events(self) -> None:
        t = self.tenant
        for chat in t.chats.values():
            user = t.users[chat.user_id]
            self.add(
                chat.created_at,
                chat.org_uuid,
                "claude_chat_created",
                user,
                claude_chat_id=chat.id,
                claude_project_id=chat.project_id,
            )
            for message in t.messages[chat.id]:
                for file_id in message.file_ids:
                    item = t.files[file_id]
                    self.add(
                        message.created_at,
                        chat.org_uuid,
                        "claude_file_uploaded",
                        user,
                        claude_file_id=file_id,
                        filename=item.filename,
                        claude_chat_id=chat.id,
                        claude_project_id=chat.project_id,
                    )
                for version_id in message.artifact_version_ids:
                    art = t.artifacts[version_id]
                    self.add(
                        message.created_at,
                        chat.org_uuid,
                        "claude_artifact_created",
                        user,
                        claude_artifact_id=art.artifact_id,
                    )
            if chat.deleted_at is not None:
                self.add(
                    chat.deleted_at,
                    chat.org_uuid,
                    "claude_chat_deleted",
                    user,
                    claude_chat_id=chat.id,
                    claude_project_id=chat.project_id,
                )
        for project in t.projects.values():
            owner = t.users[project.creator_id] if project.creator_id else None
            if owner is None:
                continue
            self.add(
                project.created_at,
                project.org_uuid,
                "claude_project_created",
                owner,
                claude_project_id=project.id,
            )
            for doc_id in project.doc_ids:
                doc = t.documents[doc_id]
                self.add(
                    doc.created_at,
                    project.org_uuid,
                    "claude_project_document_uploaded",
                    owner,
                    claude_project_document_id=doc.id,
                    claude_project_id=project.id,
                    filename=doc.filename,
                )
            for file_id in project.file_ids:
                self.add(
                    project.created_at + timedelta(minutes=5),
                    project.org_uuid,
                    "claude_project_file_uploaded",
                    owner,
                    claude_file_id=file_id,
                    claude_project_id=project.id,
                    filename=t.files[file_id].filename,
                )

    def admin_events(self) -> None:
        t = self.tenant
        admins = [
            u for u in t.users.values() if any(m.role in ("admin", "primary_owner") for m in u.memberships)
        ]
        for admin in admins:
            org = admin.memberships[0].org_uuid
            at = admin.created_at + timedelta(days=1)
            self.add(
                at,
                org,
                "org_user_invite_sent",
                admin,
                invited_email="new.hire@example.com",
                invited_role="user",
                invited_seat_tier=None,
                invited_rbac_group_ids=None,
            )
            self.add(
                at + timedelta(hours=1),
                org,
                "api_key_created",
                admin,
                api_key_id=self.ids.tagged("apikey_"),
                scopes=["read:compliance_activities"],
                restricted_to_organization=False,
            )

    def noise(self, count: int, start: datetime, end: datetime) -> None:
        users = list(self.tenant.users.values())
        chats = list(self.tenant.chats.values())
        span = int((end - start).total_seconds())
        for _ in range(count):
            at = start + timedelta(seconds=self.rng.randrange(span))
            roll = self.rng.random()
            if roll < 0.35:
                user = self.rng.choice(users)
                kind = self.rng.choice(("sso_login_succeeded", "magic_link_login_succeeded"))
                method = "sso" if kind.startswith("sso") else "magic_link"
                self.add(at, None, kind, user, auth_method=method, mfa_method=None)
            elif roll < 0.45:
                self.add(at, None, "user_logged_out", self.rng.choice(users))
            elif roll < 0.5:
                self.add(
                    at,
                    None,
                    "social_login_succeeded",
                    self.rng.choice(users),
                    provider="google",
                    auth_method="social",
                    mfa_method="not_used",
                )
            else:
                chat = self.rng.choice(chats)
                self.add(
                    at,
                    chat.org_uuid,
                    "claude_chat_viewed",
                    self.tenant.users[chat.user_id],
                    claude_chat_id=chat.id,
                    claude_project_id=chat.project_id,
                )


def activities_for(tenant: Tenant, ids: IdFactory, rng: random.Random, scale: Scale) -> list[Activity]:
    from ediscovery.sandbox.generator import END, START

    timeline = _Timeline(tenant, ids, rng)
    timeline.content_events()
    timeline.admin_events()
    timeline.noise(scale.noise_activities, START, END)
    return timeline.items
