"""Ground truth: what a complete collection of one custodian must contain.

Scope rules:

* chats: every chat whose ``user.id`` is the custodian, in every org, soft-deleted included;
  with ``since``/``until``, only chats with a message ``created_at`` in ``[since, until)``;
  every message id of a responsive chat is listed;
* files / generated files / artifacts: everything the responsive chats' messages reference
  (soft-deleted chats reference nothing any more), plus the files of the projects in scope;
* projects: every project the custodian created (dates do not filter them) plus every
  project a responsive chat belongs to; their documents;
* activities: every activity whose ``actor.user_id`` is the custodian, ``created_at`` in range;
* organizations: every organization the custodian is a member of (its settings are collected);
* code artifacts: every code artifact the custodian owns, each listed version and its content;
* local and remote sessions: every session whose user is the custodian (dates do not select
  them here), each message id, the size of its tool inputs and results served whole, and the
  messages whose content was not captured; a remote session may still be ``pending``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ediscovery.sandbox.activity_log import ActivityQuery
from ediscovery.sandbox.model import Chat, Message, SessionMessage
from ediscovery.sandbox.wire import artifact_content_bytes

if TYPE_CHECKING:
    from ediscovery.sandbox.tenant import Tenant


def _in_range(at: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or at >= since) and (until is None or at < until)


def _responsive(messages: list[Message], since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    return any(_in_range(m.created_at, since, until) for m in messages)


def ground_truth(
    tenant: Tenant, custodian: str, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    user_ids = tenant.resolve_custodian(custodian)
    chats: list[Chat] = [
        c for u in user_ids for c in tenant.chats_of(u) if _responsive(tenant.messages[c.id], since, until)
    ]
    truth: dict[str, Any] = {
        "user_ids": sorted(user_ids),
        "chats": {},
        "files": {},
        "generated_files": {},
        "artifacts": {},
        "organizations": sorted(
            {m.org_uuid for u in user_ids if u in tenant.users for m in tenant.users[u].memberships}
        ),
    }
    project_ids = {p.id for p in tenant.projects.values() if p.creator_id in user_ids}
    for chat in chats:
        _add_chat(tenant, truth, chat)
        if chat.project_id is not None and chat.project_id in tenant.projects:
            project_ids.add(chat.project_id)
    documents: list[str] = []
    for project_id in project_ids:
        project = tenant.projects[project_id]
        documents.extend(project.doc_ids)
        for file_id in project.file_ids:
            truth["files"][file_id] = tenant.blob_digests(file_id, tenant.files[file_id].blob)[1]
    query = ActivityQuery(actor_ids=frozenset(user_ids))
    activities = [a.id for a in tenant.activities.select(query) if _in_range(a.created_at, since, until)]
    truth["projects"] = sorted(project_ids)
    truth["project_documents"] = sorted(documents)
    truth["activities"] = sorted(activities)
    truth["code_artifacts"] = _code_artifacts(tenant, user_ids)
    truth.update(_sessions(tenant, user_ids))
    return truth


def _sessions(tenant: Tenant, user_ids: list[str]) -> dict[str, Any]:
    local = {s.id: _session(s.messages) for s in tenant.local_sessions.values() if s.user_id in user_ids}
    remote = {
        s.id: {**_session(s.messages), "pending": s.status == "pending"}
        for s in tenant.remote_sessions.values()
        if s.user_id in user_ids
    }
    return {"local_sessions": local, "remote_sessions": remote}


def _session(messages: tuple[SessionMessage, ...]) -> dict[str, Any]:
    """A session's message ids, and per message the characters of its tool inputs and results
    when served whole (what a collection that disabled the cut must hold)."""
    tool_chars: dict[str, int] = {}
    for m in messages:
        size = 0
        for block in m.content:
            if block["type"] == "tool_use":
                size += len(block["input"])
            elif block["type"] == "tool_result":
                size += sum(len(item["text"]) for item in block["content"])
        if size and m.provenance is None:
            tool_chars[m.id] = size
    unavailable = [m.id for m in messages if m.provenance is not None]
    return {
        "message_ids": [m.id for m in messages],
        "tool_chars": tool_chars,
        "content_unavailable": unavailable,
    }


def _code_artifacts(tenant: Tenant, user_ids: list[str]) -> dict[str, Any]:
    """Per code artifact the custodian owns: each version's SHA-256 (None: rotated out) and the
    current content's. Code artifacts carry no date range filter here (dates do not select them)."""
    out: dict[str, Any] = {}
    for item in tenant.code_artifacts.values():
        if item.owner_user_id in user_ids:
            out[item.id] = {
                "versions": {
                    v.id: None if v.rotated else tenant.blob_digests(v.id, v.blob)[1] for v in item.versions
                },
                "content": tenant.blob_digests(f"{item.id}:content", item.content)[1],
                "multi_file": item.multi_file,
            }
    return out


def _add_chat(tenant: Tenant, truth: dict[str, Any], chat: Chat) -> None:
    messages = tenant.messages[chat.id]
    truth["chats"][chat.id] = {
        "deleted": chat.deleted_at is not None,
        "message_ids": [m.id for m in messages],
        "project_id": chat.project_id,
    }
    for message in messages:
        for file_id in message.file_ids:
            truth["files"][file_id] = tenant.blob_digests(file_id, tenant.files[file_id].blob)[1]
        for gen_id in message.generated_file_ids:
            gen = tenant.generated_files[gen_id]
            truth["generated_files"][gen_id] = tenant.blob_digests(gen_id, gen.blob)[1]
        for version_id in message.artifact_version_ids:
            data = artifact_content_bytes(tenant.artifacts[version_id])
            truth["artifacts"][version_id] = hashlib.sha256(data).hexdigest()
