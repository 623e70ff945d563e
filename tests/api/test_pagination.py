"""Both pagination schemes, walked with opaque cursors; query strings encoded as documented."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx
import pytest

from ediscovery.api import TimeRange
from ediscovery.errors import UsageError

from .fakes import api_error, json_response, run


def cursor_handler(pages: int, fail_on: int | None = None):  # type: ignore[no-untyped-def]
    seen: list[list[tuple[str, str]]] = []
    failed: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        query = parse_qsl(request.url.query.decode(), keep_blank_values=True)
        seen.append(query)
        index = int(dict(query).get("after_id", "cursor-0").split("-")[1])
        if fail_on == index and not failed:
            failed.append(index)
            return api_error(429, "rate_limit_error", "slow down", retry_after="2")
        more = index + 1 < pages
        body = {"data": [{"id": f"item{index}"}], "has_more": more, "first_id": f"cursor-{index}x",
                "last_id": f"cursor-{index + 1}"}  # fmt: skip
        return json_response(200, body)

    return seen, handler


def test_cursor_pages_follow_last_id_and_retry_reuses_cursor(make_client) -> None:
    seen, handler = cursor_handler(pages=4, fail_on=2)

    async def go() -> list[object]:
        async with make_client(handler) as client:
            return [p.data["data"][0]["id"] async for p in client.activities()]

    assert run(go()) == ["item0", "item1", "item2", "item3"]
    cursors = [dict(q).get("after_id") for q in seen]
    assert cursors == [None, "cursor-1", "cursor-2", "cursor-2", "cursor-3"]
    assert dict(seen[0])["limit"] == "5000"


def test_page_token_pages_follow_next_page(make_client) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page")
        seen.append(token)
        nxt = {None: "tok_A", "tok_A": "tok_B", "tok_B": None}[token]
        return json_response(
            200, {"data": [{"id": str(token)}], "has_more": nxt is not None, "next_page": nxt}
        )

    async def go() -> int:
        async with make_client(handler) as client:
            return len([p async for p in client.projects(user_ids=["user_1"])])

    assert run(go()) == 3
    assert seen == [None, "tok_A", "tok_B"]


def test_next_page_without_has_more_is_followed_until_null(make_client) -> None:
    tokens = iter(["t1", "t2", None])

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(200, {"data": [], "next_page": next(tokens)})

    async def go() -> int:
        async with make_client(handler) as client:
            return len([p async for p in client.organizations()])

    assert run(go()) == 3


def test_chats_per_user_are_chunked_by_ten_with_bracket_arrays(make_client) -> None:
    seen: list[list[tuple[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(parse_qsl(request.url.query.decode()))
        return json_response(200, {"data": [], "has_more": False, "first_id": None, "last_id": None})

    users = [f"user_{i:02d}" for i in range(23)]
    since = TimeRange(gte=datetime(2026, 1, 1, tzinfo=UTC))

    async def go() -> None:
        async with make_client(handler) as client:
            async for _ in client.chats(user_ids=users, created_at=since):
                pass

    run(go())
    assert [len([v for k, v in q if k == "user_ids[]"]) for q in seen] == [10, 10, 3]
    assert ("created_at.gte", "2026-01-01T00:00:00Z") in seen[0]
    assert ("limit", "1000") in seen[0]


def test_chat_messages_default_to_whole_chat_untruncated(make_client) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(200, {"id": "claude_chat_1", "chat_messages": [], "has_more": False})

    async def go() -> None:
        async with make_client(handler) as client:
            await client.chat_messages("claude_chat_1")

    run(go())
    params = dict(seen[0].url.params)
    assert params == {"tool_use_input_max_chars": "-1", "tool_result_max_chars": "-1"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user_ids": ["user_1"], "order_by": "updated_at"},
        {"user_ids": ["user_1"], "updated_at": TimeRange(gte=datetime(2026, 1, 1, tzinfo=UTC))},
        {"project_ids": ["claude_proj_1"]},
        {"order_by": "updated_at", "created_at": TimeRange(gte=datetime(2026, 1, 1, tzinfo=UTC))},
    ],
)
def test_documented_chat_list_rules_are_checked_before_sending(make_client, kwargs) -> None:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []

    async def go() -> None:
        async with make_client(lambda r: seen.append(r) or json_response(200, {})) as client:
            async for _ in client.chats(**kwargs):
                pass

    with pytest.raises(UsageError):
        run(go())
    assert seen == []


def test_hostile_ids_cannot_change_the_path(make_client) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return json_response(200, {"id": "x"})

    async def go() -> None:
        async with make_client(handler) as client:
            await client.project("../../organizations?x=1")

    run(go())
    assert seen == ["/v1/compliance/apps/projects/..%2F..%2Forganizations%3Fx%3D1"]
