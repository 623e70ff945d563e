"""Chat endpoints: list (per-user and org-wide modes), messages, and the hard DELETE.

Rules (§4.1): with ``user_ids[]`` (1-10) the list is per-user, sorted by ``created_at``;
``order_by=updated_at`` and ``updated_at.*`` are rejected there (the latter since
2026-09-22). Without ``user_ids[]`` it is org-wide: ``order_by`` chooses the sort key, the
range filters must match it, and ``project_ids[]`` and ``before_id`` are rejected. The exact
texts of these 400s are UNCONFIRMED; they name the parameter first like the documented ones.
Sending both ``after_id`` and ``before_id`` is rejected with 400 (UNCONFIRMED).
Messages (§4.2) take ``created_at.*`` and ``updated_at.*`` bounds as two independent filters,
combinable; a simulated message's updated time is its creation time.
Compliance API deletes emit only ``compliance_api_accessed`` (UNCONFIRMED whether a
``claude_chat_deleted`` activity also appears).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from ediscovery.sandbox import wire
from ediscovery.sandbox.content import message_blocks, truncate_blocks
from ediscovery.sandbox.model import Chat, Message
from ediscovery.sandbox.pagination import cursor_slice, decode_cursor, encode_cursor, ordered_keys
from ediscovery.sandbox.params import Params, in_range, parse_timestamp, range_names
from ediscovery.sandbox.problems import ApiProblem, bad_request, not_found
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.tenant import Tenant
from ediscovery.sandbox.wire import JSONResponse

LIST_PARAMS = (
    "user_ids[]",
    "organization_ids[]",
    "project_ids[]",
    "order_by",
    *range_names("created_at"),
    *range_names("updated_at"),
    "after_id",
    "before_id",
    "limit",
)
MESSAGE_PARAMS = (
    "limit",
    "after_id",
    "before_id",
    "order",
    *range_names("created_at"),
    *range_names("updated_at"),
    "tool_use_input_max_chars",
    "tool_result_max_chars",
)


def chat_json(tenant: Tenant, chat: Chat) -> dict[str, Any]:
    return wire.chat(chat, tenant.orgs[chat.org_uuid], tenant.users.get(chat.user_id))


def org_uuids(tenant: Tenant, values: list[str]) -> set[str] | None:
    """``organization_ids[]`` accepts ``org_...`` ids and bare UUIDs."""
    if not values:
        return None
    by_tag = {o.org_id: o.uuid for o in tenant.orgs.values()}
    return {by_tag.get(v, v) for v in values}


def one_cursor(params: Params) -> tuple[str | None, str | None]:
    after, before = params.one("after_id"), params.one("before_id")
    if after is not None and before is not None:
        raise bad_request("after_id: Only one of 'after_id' and 'before_id' may be given.")
    return after, before


def _list_rules(params: Params, user_ids: list[str], order_by: str, before: str | None) -> None:
    created, updated = params.time_range("created_at"), params.time_range("updated_at")
    if len(user_ids) > 10:
        raise bad_request(
            f"user_ids[]: List should have at most 10 items after validation, not {len(user_ids)}"
        )
    if user_ids:
        if order_by == "updated_at":
            raise bad_request("order_by: 'updated_at' is only supported for organization-wide queries.")
        if updated:
            raise bad_request(
                "updated_at: filters are not supported together with user_ids[]; use created_at."
            )
        return
    if params.many("project_ids[]"):
        raise bad_request("project_ids[]: Only supported together with user_ids[].")
    if before is not None:
        raise bad_request("before_id: Not supported for organization-wide queries; use after_id.")
    if (order_by == "created_at" and updated) or (order_by == "updated_at" and created):
        raise bad_request(
            f"{'updated_at' if updated else 'created_at'}: Filter requires order_by={order_by}."
        )


def _chat_cursor(raw: str, param: str, order_by: str) -> tuple[datetime, str]:
    payload = decode_cursor(raw, param)
    if payload.get("k") != order_by or not isinstance(payload.get("id"), str):
        raise bad_request(f"Invalid pagination cursor for '{param}'")
    try:
        return parse_timestamp(param, str(payload.get("t"))), payload["id"]
    except ApiProblem:
        raise bad_request(f"Invalid pagination cursor for '{param}'") from None


def _selected(tenant: Tenant, params: Params, user_ids: list[str], order_by: str) -> list[Chat]:
    """The chats a chats-list query selects, in ``order_by`` order (then id)."""
    chats = (
        [c for u in dict.fromkeys(user_ids) for c in tenant.chats_of(u)]
        if user_ids
        else list(tenant.chats.values())
    )
    orgs = org_uuids(tenant, params.many("organization_ids[]"))
    projects = set(params.many("project_ids[]")) or None
    bounds = params.time_range(order_by)

    def sort_key(chat: Chat) -> tuple[datetime, str]:
        return (chat.updated_at if order_by == "updated_at" else chat.created_at, chat.id)

    chats = [
        c
        for c in chats
        if (orgs is None or c.org_uuid in orgs)
        and (projects is None or c.project_id in projects)
        and in_range(sort_key(c)[0], bounds)
    ]
    return sorted(chats, key=sort_key)


async def list_chats(call: Call) -> Response:
    tenant = call.tenant
    params = call.params(LIST_PARAMS)
    user_ids = params.many("user_ids[]")
    order_by = params.choice("order_by", ("created_at", "updated_at"), "created_at")
    limit = params.limit(100, 1000)
    after, before = one_cursor(params)
    _list_rules(params, user_ids, order_by, before)
    chats = _selected(tenant, params, user_ids, order_by)

    def sort_key(chat: Chat) -> tuple[datetime, str]:
        return (chat.updated_at if order_by == "updated_at" else chat.created_at, chat.id)

    keys = [sort_key(c) for c in chats]
    after_key = _chat_cursor(after, "after_id", order_by) if after else None
    before_key = _chat_cursor(before, "before_id", order_by) if before else None
    start, end, more = cursor_slice(keys, after_key, before_key, limit)
    page = chats[start:end]

    def cursor(chat: Chat) -> str:
        return encode_cursor({"k": order_by, "t": wire.ts(sort_key(chat)[0]), "id": chat.id})

    return JSONResponse(
        {
            "data": [chat_json(tenant, c) for c in page],
            "has_more": more,
            "first_id": cursor(page[0]) if page else None,
            "last_id": cursor(page[-1]) if page else None,
        }
    )


def message_updated_at(message: Message) -> datetime:
    """When ``message`` last changed: simulated messages are never edited, so their creation."""
    return message.created_at


def message_json(
    tenant: Tenant, chat: Chat, message: Message, tool_use: int, tool_result: int
) -> dict[str, Any]:
    base = {"id": message.id, "role": message.role, "created_at": wire.ts(message.created_at)}
    if chat.deleted_at is not None:
        return {**base, "content": [], "files": None, "generated_files": None, "artifacts": None}
    files = [
        wire.message_file(tenant.files[f], tenant.blob_digests(f, tenant.files[f].blob)[0])
        for f in message.file_ids
    ]
    generated = [
        wire.message_generated_file(
            tenant.generated_files[g], tenant.blob_digests(g, tenant.generated_files[g].blob)[0]
        )
        for g in message.generated_file_ids
    ]
    artifacts = [wire.message_artifact(tenant.artifacts[v]) for v in message.artifact_version_ids]
    return {
        **base,
        "content": truncate_blocks(message_blocks(message), tool_use, tool_result),
        "files": files or None,
        "generated_files": generated or None,
        "artifacts": artifacts or None,
    }


def _get_chat(call: Call) -> Chat:
    chat_id = call.args["chat_id"]
    chat = call.tenant.chats.get(chat_id)
    if chat is None:
        raise not_found(f"Chat conversation not found: '{chat_id}'")
    return chat


def _message_cursor(raw: str, param: str, messages: dict[str, Message]) -> Message:
    payload = decode_cursor(raw, param)
    found = messages.get(str(payload.get("msg_uuid")))
    if found is None:
        raise bad_request(f"Invalid pagination cursor for '{param}'")
    return found


def _bound(params: Params, name: str) -> int:
    value = params.integer(name, 10000, -1)
    return 10000 if value is None else value


async def list_messages(call: Call) -> Response:
    tenant = call.tenant
    params = call.params(MESSAGE_PARAMS)
    limit = params.limit(None, 1000)
    descending = params.choice("order", ("asc", "desc"), "asc") == "desc"
    tool_use = _bound(params, "tool_use_input_max_chars")
    tool_result = _bound(params, "tool_result_max_chars")
    after, before = one_cursor(params)
    created, updated = params.time_range("created_at"), params.time_range("updated_at")
    chat = _get_chat(call)
    all_messages = tenant.messages[chat.id]
    by_id = {m.id: m for m in all_messages}
    messages = [
        m
        for m in all_messages
        if in_range(m.created_at, created) and in_range(message_updated_at(m), updated)
    ]
    messages.sort(key=lambda m: (m.created_at, m.id), reverse=descending)
    keys = ordered_keys(messages, lambda m: (m.created_at, m.id), descending)
    after_key = before_key = None
    if after:
        m = _message_cursor(after, "after_id", by_id)
        after_key = ordered_keys([m], lambda x: (x.created_at, x.id), descending)[0]
    if before:
        m = _message_cursor(before, "before_id", by_id)
        before_key = ordered_keys([m], lambda x: (x.created_at, x.id), descending)[0]
    start, end, more = cursor_slice(keys, after_key, before_key, limit)
    page = messages[start:end]
    body = chat_json(tenant, chat)
    body["chat_messages"] = [message_json(tenant, chat, m, tool_use, tool_result) for m in page]
    body["has_more"] = more
    body["first_id"] = encode_cursor({"msg_uuid": page[0].id}) if page else None
    body["last_id"] = encode_cursor({"msg_uuid": page[-1].id}) if page else None
    return JSONResponse(body)


async def delete_chat(call: Call) -> Response:
    call.params(())
    chat = _get_chat(call)
    call.tenant.hard_delete_chat(chat.id)
    return JSONResponse({"id": chat.id, "type": "claude_chat_deleted"})


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "apps/chats", "user", list_chats),
    endpoint("GET", "apps/chats/{chat_id}/messages", "user", list_messages),
    endpoint("DELETE", "apps/chats/{chat_id}", "delete", delete_chat),
]
