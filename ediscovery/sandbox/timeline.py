"""The activity history of the synthetic tenant, derived from its content.

Every chat, file, project, document and artifact gets its creation event (``user_actor``,
real type names and fields from the reference); sign-ins and sign-outs carry a null
organization; admins invite users and create keys; random views and logins of every user
fill the log up to the scale's size. Then come the events of the other actor kinds, each on a
type whose reference entry allows it: every user's first SSO and magic-link sign-in starts
with an ``*_initiated`` event by an ``unauthenticated_user_actor`` (their email address), and
one magic link fails for an unknown address; the IdP (``scim_directory_sync_actor``) updates
the members of SCIM-sourced groups and adds them to the group; a background process
(``system_actor``) assigns each new user a seat tier; Anthropic (``anthropic_actor``)
completes an organization data export. These come last, so the ids of everything before
them do not depend on them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ediscovery.sandbox.actors import (
    anthropic_actor,
    scim_actor,
    system_actor,
    unauthenticated_actor,
    user_actor,
)
from ediscovery.sandbox.ids import IdFactory
from ediscovery.sandbox.model import Activity, Chat, Message, Project, User
from ediscovery.sandbox.scales import END, START, Scale

if TYPE_CHECKING:
    from ediscovery.sandbox.tenant import Tenant

# successful sign-in type -> (the unauthenticated event that starts it, seconds before)
_INITIATED = {
    "sso_login_succeeded": ("sso_login_initiated", 4),
    "magic_link_login_succeeded": ("magic_link_login_initiated", 95),
}


def _home_org(user: User) -> str | None:
    return user.memberships[0].org_uuid if user.memberships else None


class _Timeline:
    def __init__(self, tenant: Tenant, ids: IdFactory, rng: random.Random) -> None:
        self.tenant = tenant
        self.ids = ids
        self.rng = rng
        self.items: list[Activity] = []

    def add(self, at: datetime, org: str | None, kind: str, user: User, **fields: Any) -> None:
        self.add_as(at, org, kind, user_actor(user, self.rng), **fields)

    def add_as(self, at: datetime, org: str | None, kind: str, actor: dict[str, Any], **fields: Any) -> None:
        self.items.append(Activity(self.ids.tagged("activity_"), at, org, kind, actor, fields))

    def content_events(self) -> None:
        """What creating, uploading and deleting the tenant's content recorded, chat by chat."""
        for chat in self.tenant.chats.values():
            self._chat_events(chat)
        for project in self.tenant.projects.values():
            self._project_events(project)

    def _chat_events(self, chat: Chat) -> None:
        t = self.tenant
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
            self._message_events(chat, message, user)
        if chat.deleted_at is not None:
            self.add(
                chat.deleted_at,
                chat.org_uuid,
                "claude_chat_deleted",
                user,
                claude_chat_id=chat.id,
                claude_project_id=chat.project_id,
            )

    def _message_events(self, chat: Chat, message: Message, user: User) -> None:
        t = self.tenant
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

    def _project_events(self, project: Project) -> None:
        t = self.tenant
        owner = t.users[project.creator_id] if project.creator_id else None
        if owner is None:
            return
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

    def sign_in_starts(self, failed_at: datetime) -> None:
        seen: set[tuple[str, str]] = set()
        for item in sorted(self.items, key=lambda a: (a.created_at, a.id)):
            if item.type not in _INITIATED or (item.actor["user_id"], item.type) in seen:
                continue
            seen.add((item.actor["user_id"], item.type))
            kind, lead = _INITIATED[item.type]
            actor = unauthenticated_actor(item.actor["email_address"], self.rng)
            self.add_as(item.created_at - timedelta(seconds=lead), None, kind, actor)
        self.add_as(failed_at, None, "magic_link_login_failed", unauthenticated_actor(None, self.rng))

    def directory_sync(self) -> None:
        directory_id = self.ids.tagged("directory_")
        for group in self.tenant.groups.values():
            if group.source_type != "scim":
                continue
            for member in group.members:
                user = self.tenant.users[member.user_id]
                at, org = member.created_at, _home_org(user)
                actor = scim_actor(self.ids.tagged("event_"), directory_id, "OktaSCIMV2")
                self.add_as(at, org, "scim_user_updated", actor, user_id=user.id)
                actor = scim_actor(self.ids.tagged("event_"), directory_id, "OktaSCIMV2")
                self.add_as(at, org, "group_member_added", actor, group_id=group.id, member_ids=[user.id])

    def service_events(self, export_at: datetime) -> None:
        for user in self.tenant.users.values():
            self.add_as(
                user.created_at + timedelta(minutes=2),
                _home_org(user),
                "claude_user_seat_tier_updated",
                system_actor("seat_assignment"),
                user_email=user.email,
                user_id=user.id,
                current_seat_tier="standard",
                previous_seat_tier=None,
            )
        org = next(iter(self.tenant.orgs))
        self.add_as(
            export_at, org, "org_data_export_completed", anthropic_actor(), export_type="conversations"
        )


def activities_for(tenant: Tenant, ids: IdFactory, rng: random.Random, scale: Scale) -> list[Activity]:

    timeline = _Timeline(tenant, ids, rng)
    timeline.content_events()
    timeline.admin_events()
    timeline.noise(scale.noise_activities, START, END)
    timeline.sign_in_starts(END - timedelta(days=3, minutes=17))
    timeline.directory_sync()
    timeline.service_events(END - timedelta(days=2, hours=5))
    return timeline.items
