"""The client's by-path methods: get, pages resuming from a stored cursor or token, download."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest

from ediscovery.errors import UsageError

from .fakes import json_response, run
from .test_pagination import cursor_handler


def test_pages_resume_from_a_stored_cursor_without_refetching_earlier_pages(make_client) -> None:
    seen, handler = cursor_handler(pages=4)
    query = (("actor_ids[]", "user_1"), ("limit", "5000"), ("after_id", "cursor-2"))

    async def go() -> list[object]:
        async with make_client(handler) as client:
            pages = client.pages("/v1/compliance/activities", query, scheme="cursor")
            return [p.data["data"][0]["id"] async for p in pages]

    assert run(go()) == ["item2", "item3"]
    assert [dict(q).get("after_id") for q in seen] == ["cursor-2", "cursor-3"]
    assert all(dict(q)["actor_ids[]"] == "user_1" for q in seen)


def test_pages_resume_from_a_stored_page_token(make_client) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page")
        seen.append(token)
        nxt = {"tok_A": "tok_B", "tok_B": None}[str(token)]
        return json_response(200, {"data": [{"id": token}], "has_more": nxt is not None, "next_page": nxt})

    async def go() -> list[object]:
        async with make_client(handler) as client:
            pages = client.pages("/v1/compliance/organizations", (("page", "tok_A"),), scheme="token")
            return [p.data["data"][0]["id"] async for p in pages]

    assert run(go()) == ["tok_A", "tok_B"]
    assert seen == ["tok_A", "tok_B"]


def test_get_by_path_keeps_the_raw_body_and_query(make_client) -> None:
    body = b'{"id": "claude_proj_1",  "name": "x"}'

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        assert request.url.path == "/v1/compliance/apps/projects/claude_proj_1"
        return httpx.Response(200, content=body, headers={"request-id": "req_1"})

    async def go() -> object:
        async with make_client(handler) as client:
            return await client.get("/v1/compliance/apps/projects/claude_proj_1", (("a", "1"),))

    response = run(go())
    assert response.raw == body
    assert response.query == (("a", "1"),)


def test_download_by_path_streams_into_a_file_with_digests(make_client) -> None:
    content = b"evidence bytes " * 1000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content)

    async def go() -> object:
        async with make_client(handler) as client:
            return await client.download("/v1/compliance/apps/chats/files/claude_file_1/content", sink)

    sink = io.BytesIO()
    result = run(go())
    assert sink.getvalue() == content
    assert result.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/organizations",
        "https://elsewhere.test/v1/compliance/activities",
        "/v1/compliance/apps/chats/../../admin",
        "/v1/compliance/activities?limit=1",
    ],
)
def test_paths_outside_the_compliance_api_are_refused_before_any_request(make_client, path: str) -> None:
    sent: list[httpx.Request] = []

    async def go() -> None:
        async with make_client(sent.append) as client:
            await client.get(path)

    with pytest.raises(UsageError, match="Not a Compliance API path"):
        run(go())
    assert sent == []


def test_the_client_has_no_method_that_deletes() -> None:
    from ediscovery.api import ComplianceClient

    names = [n for n in dir(ComplianceClient) if not n.startswith("__")]
    assert not [n for n in names if "delete" in n.lower()]
