"""Agent session endpoints (beta): local sessions, remote (cloud Cowork) sessions, their messages.

Local sessions have **no user or organization filter**: the list is the whole tenant, newest
first, bounded only by ``created_at``, with ``next_page`` and no ``has_more``. Message pages are
page-token paginated; tool inputs and results are cut at ``tool_use_input_max_bytes`` /
``tool_result_max_bytes`` (default 10,000; ``-1`` about 1 MiB; 0 is invalid). A page token of a
session walk expires ``tenant.session_cursor_ttl`` after the walk's first page (24 hours), and
``tenant.expire_next_cursors`` forces the next tokens presented to have expired. Remote
sessions are listed per ``user_ids[]`` (1 to 10); a ``pending`` session's messages answer 404.
The remote endpoints have a request budget of their own (see the app), whose 429 carries
``retry-after: 1``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from starlette.responses import Response

from ediscovery.sandbox import wire
from ediscovery.sandbox.content import truncate_blocks
from ediscovery.sandbox.model import LocalSession, RemoteSession, SessionMessage
from ediscovery.sandbox.params import Params, in_range, range_names
from ediscovery.sandbox.problems import ApiProblem, bad_request, not_found
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.wire import JSONResponse

UNBOUNDED = 1 << 20  # what -1 means: about 1 MiB
MESSAGE_PARAMS = ("page", "limit", "order", "tool_use_input_max_bytes", "tool_result_max_bytes")
EXPIRED = "The page token has expired; start the walk again from its first page."


def _token(offset: int, walk: str, started: datetime) -> str:
    payload = {"o": offset, "w": walk, "s": wire.ts(started)}
    return "sp_" + base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _offset(call: Call, raw: str | None, walk: str) -> tuple[int, datetime]:
    """Where a page token continues the walk, and when the walk began; 400 when it has expired."""
    now = call.clock()
    if raw is None:
        return 0, now
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw.removeprefix("sp_")))
        offset, started = int(payload["o"]), datetime.fromisoformat(str(payload["s"]).replace("Z", "+00:00"))
        valid = raw.startswith("sp_") and payload["w"] == walk and offset >= 0
    except (binascii.Error, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise bad_request("page: The page parameter is not a valid page token for this request.")
    tenant = call.tenant
    if tenant.expire_next_cursors > 0 or now - started > tenant.session_cursor_ttl:
        tenant.expire_next_cursors = max(0, tenant.expire_next_cursors - 1)
        raise bad_request(EXPIRED)
    return offset, started


def _page(
    call: Call, items: list[Any], params: Params, walk: str, default: int, largest: int
) -> dict[str, Any]:
    offset, started = _offset(call, params.one("page"), walk)
    limit = params.limit(default, largest) or default
    data = items[offset : offset + limit]
    more = offset + limit < len(items)
    return {"data": data, "next_page": _token(offset + limit, walk, started) if more else None}


def local_json(item: LocalSession) -> dict[str, Any]:
    return {
        "type": "compliance_local_session",
        "id": item.id,
        "organization_uuid": item.org_uuid,
        "workspace_id": item.workspace_id,
        "user": {"id": item.user_id, "email_address": item.email},
        "product_surface": item.product_surface,
        "created_at": wire.ts(item.created_at),
    }


def remote_json(item: RemoteSession) -> dict[str, Any]:
    return {
        "id": item.id,
        "organization_uuid": item.org_uuid,
        "user": {"id": item.user_id},
        "started_by_user": {"id": item.user_id},
        "agent_id": None,
        "claude_project_id": item.project_id,
        "status": item.status,
        "product_surface": "cowork_remote",
        "created_at": wire.ts(item.created_at),
        "updated_at": wire.ts(item.updated_at),
    }


async def list_local(call: Call) -> Response:
    params = call.params(("page", "limit", *range_names("created_at")))
    bounds = params.time_range("created_at")
    items = sorted(call.tenant.local_sessions.values(), key=lambda s: (s.created_at, s.id), reverse=True)
    chosen = [local_json(s) for s in items if in_range(s.created_at, bounds)]
    key = "local:" + json.dumps(sorted((k, v) for k, v in call.request.query_params.items() if k != "page"))
    return JSONResponse(_page(call, chosen, params, key, 100, 500))


def _local(call: Call) -> LocalSession:
    session_id = call.args["session_id"]
    item = call.tenant.local_sessions.get(session_id)
    if item is None:
        raise not_found(f"Local session not found: '{session_id}'")
    return item


async def get_local(call: Call) -> Response:
    call.params(())
    return JSONResponse(local_json(_local(call)))


def _bound(params: Params, name: str) -> int:
    value = params.integer(name, 10000, -1)
    if value == 0:
        raise bad_request(f"{name}: Input should be a positive integer or -1")
    return 10000 if value is None else (UNBOUNDED if value == -1 else value)


def _messages(call: Call, messages: tuple[SessionMessage, ...], walk: str, shape: Any) -> dict[str, Any]:
    params = call.params(MESSAGE_PARAMS)
    descending = params.choice("order", ("asc", "desc"), "asc") == "desc"
    tool_use, tool_result = (
        _bound(params, "tool_use_input_max_bytes"),
        _bound(params, "tool_result_max_bytes"),
    )
    ordered = sorted(messages, key=lambda m: (m.created_at, m.id), reverse=descending)
    page = _page(call, list(ordered), params, walk, 100, 1000)
    page["data"] = [shape(m, truncate_blocks(list(m.content), tool_use, tool_result)) for m in page["data"]]
    return page


async def local_messages(call: Call) -> Response:
    item = _local(call)

    def shape(m: SessionMessage, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "type": "compliance_local_session_message",
            "id": m.id,
            "role": m.role,
            "created_at": wire.ts(m.created_at),
            "content": [] if m.provenance else content,
            "provenance": m.provenance,
        }

    page = _messages(call, item.messages, f"local-messages:{item.id}", shape)
    return JSONResponse({**page, "session": local_json(item)})


async def list_remote(call: Call) -> Response:
    params = call.params(("user_ids[]", "organization_ids[]", *range_names("created_at"), "page", "limit"))
    users = params.many("user_ids[]")
    if not 1 <= len(users) <= 10:
        raise bad_request("user_ids[]: between 1 and 10 values are required")
    bounds = params.time_range("created_at")
    items = sorted(call.tenant.remote_sessions.values(), key=lambda s: (s.created_at, s.id), reverse=True)
    chosen = [remote_json(s) for s in items if s.user_id in users and in_range(s.created_at, bounds)]
    key = "remote:" + json.dumps(
        sorted((k, v) for k, v in call.request.query_params.multi_items() if k != "page")
    )
    return JSONResponse(_page(call, chosen, params, key, 100, 500))


async def remote_messages(call: Call) -> Response:
    session_id = call.args["session_id"]
    item = call.tenant.remote_sessions.get(session_id)
    if item is None or item.status == "pending":
        raise not_found(f"Remote session not found: '{session_id}'")

    def shape(m: SessionMessage, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": m.id,
            "role": m.role,
            "created_at": wire.ts(m.created_at),
            "content": [] if m.provenance else content,
            "content_unavailable": m.provenance is not None,
            "sent_by_user_id": m.sent_by_user_id,
        }

    page = _messages(call, item.messages, f"remote-messages:{item.id}", shape)
    return JSONResponse({**page, "session": remote_json(item)})


def remote_throttled() -> ApiProblem:
    """The remote endpoints' own budget is spent: 429 with ``retry-after: 1``."""
    return ApiProblem(429, "Rate limit exceeded for remote session endpoints.", headers={"retry-after": "1"})


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "apps/sessions/local", "user", list_local),
    endpoint("GET", "apps/sessions/local/{session_id}", "user", get_local),
    endpoint("GET", "apps/sessions/local/{session_id}/messages", "user", local_messages),
    endpoint("GET", "apps/sessions/remote", "user", list_remote),
    endpoint("GET", "apps/sessions/remote/{session_id}/messages", "user", remote_messages),
]
