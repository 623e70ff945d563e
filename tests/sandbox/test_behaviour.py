"""Pagination, downloads, deletion, truncation, rate limit, faults, determinism and ground truth."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from ediscovery.cli.sandbox import command
from ediscovery.sandbox import (
    DELETE_KEY,
    DEMO_KEY,
    FaultConfig,
    FaultRule,
    ManualClock,
    Tenant,
    create_app,
    generate_tenant,
    ground_truth,
)
from ediscovery.sandbox.content import LONG_TOOL_CHARS
from ediscovery.sandbox.downloads import file_uuid
from tests.sandbox.conftest import BASE, SyncApi

V1 = "/v1/compliance"


def walk_cursor(api: SyncApi, path: str, params: dict[str, Any], key: str = "data") -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {**params, **({"after_id": cursor} if cursor else {})}
        body = api.get(f"{V1}/{path}", params=query).json()
        pages.append([item["id"] for item in body[key]])
        if not body["has_more"]:
            return pages
        cursor = body["last_id"]


def walk_pages(api: SyncApi, path: str, params: dict[str, Any]) -> list[list[str]]:
    pages: list[list[str]] = []
    page = None
    while True:
        body = api.get(f"{V1}/{path}", params={**params, **({"page": page} if page else {})}).json()
        pages.append([item.get("id") or item.get("uuid") or item.get("role") for item in body["data"]])
        if not body["has_more"]:
            assert body["next_page"] is None
            return pages
        page = body["next_page"]
        assert page.startswith("page_")


def test_per_user_chat_list_pages_cover_every_chat_once(api: SyncApi, tenant: Tenant, alice_id: str) -> None:
    pages = walk_cursor(api, "apps/chats", {"user_ids[]": alice_id, "limit": 5})
    assert len(pages) >= 3
    flat = [c for page in pages for c in page]
    assert len(flat) == len(set(flat))
    expected = sorted(tenant.chats_of(alice_id), key=lambda c: (c.created_at, c.id))
    assert flat == [c.id for c in expected]


def test_chat_before_id_walks_back_to_previous_page(api: SyncApi, alice_id: str) -> None:
    first = api.get(f"{V1}/apps/chats", params={"user_ids[]": alice_id, "limit": 4}).json()
    second = api.get(
        f"{V1}/apps/chats", params={"user_ids[]": alice_id, "limit": 4, "after_id": first["last_id"]}
    ).json()
    back = api.get(
        f"{V1}/apps/chats", params={"user_ids[]": alice_id, "limit": 4, "before_id": second["first_id"]}
    ).json()
    assert [c["id"] for c in back["data"]] == [c["id"] for c in first["data"]]
    assert back["has_more"] is False


def test_chat_cursor_is_bound_to_order_by(api: SyncApi) -> None:
    first = api.get(f"{V1}/apps/chats", params={"limit": 2, "order_by": "updated_at"}).json()
    decoded = base64.b64decode(first["last_id"])
    assert b'"k":"updated_at"' in decoded
    response = api.get(f"{V1}/apps/chats", params={"limit": 2, "after_id": first["last_id"]})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid pagination cursor for 'after_id'"


def test_org_wide_updated_at_walk_is_ascending(api: SyncApi, tenant: Tenant) -> None:
    pages = walk_cursor(api, "apps/chats", {"order_by": "updated_at", "limit": 7})
    flat = [c for page in pages for c in page]
    assert len(pages) >= 3
    assert flat == [c.id for c in sorted(tenant.chats.values(), key=lambda c: (c.updated_at, c.id))]


def test_message_pages_and_order(api: SyncApi, tenant: Tenant) -> None:
    chat_id = next(c for c, msgs in tenant.messages.items() if len(msgs) >= 6)
    everything = api.get(f"{V1}/apps/chats/{chat_id}/messages").json()
    ids = [m["id"] for m in everything["chat_messages"]]
    assert everything["has_more"] is False
    assert ids == [m.id for m in tenant.messages[chat_id]]
    pages = walk_cursor(api, f"apps/chats/{chat_id}/messages", {"limit": 2}, key="chat_messages")
    assert len(pages) >= 3
    assert [m for page in pages for m in page] == ids
    assert b"msg_uuid" in base64.b64decode(everything["last_id"])
    desc = walk_cursor(
        api, f"apps/chats/{chat_id}/messages", {"limit": 2, "order": "desc"}, key="chat_messages"
    )
    assert [m for page in desc for m in page] == ids[::-1]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("apps/projects", {"limit": 1}),
        ("organizations", {"limit": 1}),
        ("organizations/{org}/users", {"limit": 1}),
    ],
)
def test_page_token_lists_cover_every_item_once(
    api: SyncApi, tenant: Tenant, path: str, params: dict[str, Any]
) -> None:
    pages = walk_pages(api, path.format(org=next(iter(tenant.orgs))), params)
    flat = [i for page in pages for i in page]
    assert len(pages) >= 3
    assert len(flat) == len(set(flat))


def test_activity_feed_desc_asc_and_before_id(api: SyncApi, tenant: Tenant, alice_id: str) -> None:
    params = {"actor_ids[]": alice_id, "limit": 50}
    desc = [a for page in walk_cursor(api, "activities", params) for a in page]
    asc = [a for page in walk_cursor(api, "activities", {**params, "order": "asc"}) for a in page]
    assert len(desc) > 100
    assert desc == asc[::-1]
    assert sorted(desc) == ground_truth(tenant, "alice@example.com")["activities"]
    first = api.get(f"{V1}/activities", params=params).json()
    second = api.get(f"{V1}/activities", params={**params, "after_id": first["last_id"]}).json()
    back = api.get(f"{V1}/activities", params={**params, "before_id": second["first_id"]}).json()
    assert [a["id"] for a in back["data"]] == [a["id"] for a in first["data"]]


def test_activity_filters(api: SyncApi, tenant: Tenant, alice_id: str) -> None:
    types = {"activity_types[]": ["sso_login_succeeded", "user_logged_out"], "limit": 5000}
    data = api.get(f"{V1}/activities", params=types).json()["data"]
    assert data and {a["type"] for a in data} <= {"sso_login_succeeded", "user_logged_out"}
    assert all(a["organization_id"] is None for a in data)
    merged = api.get(
        f"{V1}/activities", params={"user_ids[]": alice_id, "actor_ids[]": "user_x", "limit": 5000}
    )
    assert {a["actor"]["user_id"] for a in merged.json()["data"]} == {alice_id}
    window = {
        "created_at.gte": "2026-01-01T00:00:00Z",
        "created_at.lt": "2026-02-01T00:00:00+00:00",
        "limit": 5000,
    }
    stamps = [a["created_at"] for a in api.get(f"{V1}/activities", params=window).json()["data"]]
    assert stamps and all("2026-01" in s for s in stamps)
    excluded = api.get(
        f"{V1}/activities", params={"exclude_activity_types[]": "claude_chat_viewed", "limit": 5000}
    )
    assert "claude_chat_viewed" not in {a["type"] for a in excluded.json()["data"]}


def test_download_headers_and_content_md5(api: SyncApi, tenant: Tenant) -> None:
    for file_id, item in tenant.files.items():
        response = api.get(f"{V1}/apps/chats/files/{file_id}/content")
        assert response.status_code == 200
        digest = base64.b64encode(hashlib.md5(response.content).digest()).decode()
        assert response.headers["content-md5"] == digest
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment; filename*=utf-8''")
        assert unquote(disposition.split("''", 1)[1]) == item.filename
        assert response.headers["content-type"].startswith(item.mime_type or "application/octet-stream")
        meta = api.get(f"{V1}/apps/chats/files/{file_id}").json()
        assert meta["md5"] == hashlib.md5(response.content).hexdigest()
        assert meta["size_bytes"] == len(response.content)


def test_real_formats_are_served(api: SyncApi, tenant: Tenant) -> None:
    heads = {
        item.mime_type: api.get(f"{V1}/apps/chats/files/{fid}/content").content[:8]
        for fid, item in tenant.files.items()
    }
    assert heads["application/pdf"].startswith(b"%PDF-1.")
    assert heads["image/png"] == b"\x89PNG\r\n\x1a\n"


def test_generated_files_route_by_prefix(api: SyncApi, tenant: Tenant) -> None:
    prefixes = {g.split("01")[0] for g in tenant.generated_files}
    assert prefixes == {"claude_gen_file_", "claude_file_"}
    for gen_id in tenant.generated_files:
        path = "generated-files" if gen_id.startswith("claude_gen_file_") else "files"
        assert api.get(f"{V1}/apps/chats/{path}/{gen_id}/content").status_code == 200


def test_soft_deleted_chat_keeps_listing_without_content(api: SyncApi, tenant: Tenant) -> None:
    chat = next(c for c in tenant.chats.values() if c.deleted_at is not None)
    body = api.get(f"{V1}/apps/chats/{chat.id}/messages").json()
    assert body["name"] == "" and body["deleted_at"] is not None
    assert body["chat_messages"]
    assert all(m["content"] == [] and m["files"] is None for m in body["chat_messages"])


def test_truncation_defaults_to_10000_and_minus_one_disables(api: SyncApi, tenant: Tenant) -> None:
    chat_id = next(c for c, msgs in tenant.messages.items() if any(m.recipe == "long_tool" for m in msgs))

    def tool_inputs(params: dict[str, Any]) -> list[dict[str, Any]]:
        body = api.get(f"{V1}/apps/chats/{chat_id}/messages", params=params).json()
        return [b for m in body["chat_messages"] for b in m["content"] if b["type"] == "tool_use"]

    cut = [b for b in tool_inputs({}) if b["truncated"]]
    assert cut and all(len(b["input"]) == 10000 for b in cut)
    full = [b for b in tool_inputs({"tool_use_input_max_chars": -1}) if len(b["input"]) > LONG_TOOL_CHARS]
    assert full and not any(b["truncated"] for b in full)


def test_hard_delete_cascades_and_later_reads_404(api: SyncApi, tenant: Tenant) -> None:
    chat = next(c for c, msgs in tenant.messages.items() if any(m.generated_file_ids for m in msgs))
    gen_ids = [g for m in tenant.messages[chat] for g in m.generated_file_ids]
    deleted = api.delete(f"{V1}/apps/chats/{chat}", headers={"x-api-key": DELETE_KEY})
    assert deleted.json() == {"id": chat, "type": "claude_chat_deleted"}
    assert api.get(f"{V1}/apps/chats/{chat}/messages").json()["error"]["message"] == (
        f"Chat conversation not found: '{chat}'"
    )
    gen = next(g for g in gen_ids if g.startswith("claude_gen_file_"))
    assert api.get(f"{V1}/apps/chats/generated-files/{gen}").status_code == 404
    listed = [c["id"] for c in api.get(f"{V1}/apps/chats", params={"limit": 1000}).json()["data"]]
    assert chat not in listed


def test_file_delete_then_404_quotes_uuid(api: SyncApi, tenant: Tenant) -> None:
    file_id = next(iter(tenant.files))
    assert api.delete(f"{V1}/apps/chats/files/{file_id}", headers={"x-api-key": DELETE_KEY}).json()[
        "type"
    ] == ("claude_file_deleted")
    gone = api.get(f"{V1}/apps/chats/files/{file_id}")
    assert gone.json()["error"]["message"] == f"File not found: {file_uuid(file_id)}"


def test_project_delete_is_409_while_chats_are_attached(api: SyncApi, tenant: Tenant) -> None:
    project_id = next(c.project_id for c in tenant.chats.values() if c.project_id)
    headers = {"x-api-key": DELETE_KEY}
    refused = api.delete(f"{V1}/apps/projects/{project_id}", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        f'The "{project_id}" project cannot be deleted as it has chats attached to it. Delete or detach all '
        "chats, and try deleting the project again."
    )
    for chat in [c for c in tenant.chats.values() if c.project_id == project_id]:
        api.delete(f"{V1}/apps/chats/{chat.id}", headers=headers)
    assert api.delete(f"{V1}/apps/projects/{project_id}", headers=headers).json() == {
        "id": project_id,
        "type": "claude_project_deleted",
    }
    assert api.get(f"{V1}/apps/projects/{project_id}").status_code == 404


def test_rate_limit_answers_429_then_recovers(tenant: Tenant) -> None:
    clock = ManualClock()
    api = SyncApi(create_app(tenant, clock=clock, rate_limit=3), {"x-api-key": DEMO_KEY})
    remaining = [
        api.get(f"{V1}/organizations").headers["anthropic-ratelimit-requests-remaining"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    limited = api.get(f"{V1}/organizations")
    assert limited.status_code == 429
    assert limited.json()["error"]["type"] == "rate_limit_error"
    assert limited.json()["error"]["message"].startswith("Compliance API rate limit of 3 requests per minute")
    assert int(limited.headers["retry-after"]) >= 1
    clock.advance(int(limited.headers["retry-after"]))
    assert api.get(f"{V1}/organizations").status_code == 200


def test_a_strict_rate_limit_saves_nothing_up(tenant: Tenant) -> None:
    clock = ManualClock()
    api = SyncApi(create_app(tenant, clock=clock, rate_limit=600, rate_burst=1), {"x-api-key": DEMO_KEY})
    first = api.get(f"{V1}/organizations")
    assert (first.status_code, first.headers["anthropic-ratelimit-requests-remaining"]) == (200, "0")
    assert api.get(f"{V1}/organizations").status_code == 429  # the next is due 100 ms later
    clock.advance(30)  # a pause banks one request, not 300
    assert [api.get(f"{V1}/organizations").status_code for _ in range(2)] == [200, 429]
    clock.advance(0.1)
    assert api.get(f"{V1}/organizations").status_code == 200


def test_targeted_faults_fire_exactly_as_configured(tenant: Tenant) -> None:
    rules = (
        FaultRule("server_error", path="*/organizations", times=1, should_retry=False),
        FaultRule("rate_limit", path="*/activities", times=2, retry_after=7),
        FaultRule("server_error", path="*/groups", times=1, status=503),
    )
    api = SyncApi(
        create_app(tenant, faults=FaultConfig(rules=rules), clock=ManualClock()), {"x-api-key": DEMO_KEY}
    )
    first = api.get(f"{V1}/organizations")
    assert (first.status_code, first.headers["x-should-retry"]) == (500, "false")
    assert first.json()["error"]["type"] == "api_error"
    assert api.get(f"{V1}/organizations").status_code == 200
    statuses = [api.get(f"{V1}/activities") for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["retry-after"] == "7"
    overloaded = api.get(f"{V1}/groups")
    assert (overloaded.status_code, overloaded.json()["error"]["type"]) == (503, "overloaded_error")
    assert "x-should-retry" not in overloaded.headers


def test_latency_uses_injected_sleep(tenant: Tenant) -> None:
    clock = ManualClock()
    app = create_app(tenant, faults=FaultConfig(latency_ms=250), clock=clock, sleep=clock.sleep)
    SyncApi(app, {"x-api-key": DEMO_KEY}).get(f"{V1}/organizations")
    assert clock.slept == [0.25]


def test_corrupted_download_disagrees_with_content_md5_first_time_only(tenant: Tenant) -> None:
    api = SyncApi(
        create_app(tenant, faults=FaultConfig(corrupt_first=1), clock=ManualClock()), {"x-api-key": DEMO_KEY}
    )
    file_id = next(iter(tenant.files))

    def matches() -> bool:
        response = api.get(f"{V1}/apps/chats/files/{file_id}/content")
        return (
            response.headers["content-md5"]
            == base64.b64encode(hashlib.md5(response.content).digest()).decode()
        )

    assert [matches(), matches()] == [False, True]


def test_trickle_serves_small_chunks_with_injected_sleep(tenant: Tenant) -> None:
    clock = ManualClock()
    faults = FaultConfig(trickle_chunk=100, trickle_delay_ms=5)
    api = SyncApi(create_app(tenant, faults=faults, clock=clock, sleep=clock.sleep), {"x-api-key": DEMO_KEY})
    file_id, item = next(iter(tenant.files.items()))
    response = api.get(f"{V1}/apps/chats/files/{file_id}/content")
    assert len(response.content) == item.blob.size
    assert len(clock.slept) == -(-item.blob.size // 100)


def test_dropped_connection_in_process_is_a_transport_error(tenant: Tenant) -> None:
    rules = (FaultRule("drop", path="*/content", times=1),)
    app = create_app(tenant, faults=FaultConfig(rules=rules), clock=ManualClock())
    file_id = next(iter(tenant.files))

    async def fetch() -> bytes:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            response = await client.get(
                f"{V1}/apps/chats/files/{file_id}/content", headers={"x-api-key": DEMO_KEY}
            )
            return response.content

    with pytest.raises(httpx.TransportError):
        asyncio.run(fetch())
    assert asyncio.run(fetch()) == b"".join([tenant.files[file_id].blob.data or b""])


def test_live_server_serves_and_drops_mid_body(tenant: Tenant) -> None:
    from ediscovery.sandbox import running_server

    big = next(i for i in tenant.files.values() if i.blob.size > 500)
    rules = (FaultRule("drop", path=f"*/{big.id}/content", times=1),)
    app = create_app(tenant, faults=FaultConfig(rules=rules), clock=ManualClock())
    with (
        running_server(app) as base_url,
        httpx.Client(base_url=base_url, headers={"x-api-key": DEMO_KEY}) as client,
    ):
        assert client.get(f"{V1}/organizations").status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{V1}/apps/chats/files/{big.id}/content")
        assert client.get(f"{V1}/apps/chats/files/{big.id}/content").content == big.blob.data


def test_live_sandbox_streams_downloads_chunked(live_sandbox: str, demo_key: str, tenant: Tenant) -> None:
    file_id = next(iter(tenant.files))
    response = httpx.get(
        f"{live_sandbox}{V1}/apps/chats/files/{file_id}/content", headers={"x-api-key": demo_key}
    )
    assert response.status_code == 200
    assert response.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.headers


def test_generation_is_deterministic_per_seed() -> None:
    one, two, other = generate_tenant(7, "tiny"), generate_tenant(7, "tiny"), generate_tenant(8, "tiny")
    assert ground_truth(one, "alice@example.com") == ground_truth(two, "alice@example.com")
    assert list(one.chats) == list(two.chats)
    assert [a.id for a in one.activities.all()] == [a.id for a in two.activities.all()]
    assert list(one.chats) != list(other.chats)


def test_ground_truth_matches_a_walk_of_the_api(api: SyncApi, tenant: Tenant, alice_id: str) -> None:
    truth = ground_truth(tenant, "alice@example.com")
    assert truth["user_ids"] == [alice_id]
    listed = [c for page in walk_cursor(api, "apps/chats", {"user_ids[]": alice_id}) for c in page]
    assert sorted(listed) == sorted(truth["chats"])
    assert {o for c in tenant.chats_of(alice_id) for o in [c.org_uuid]} == set(list(tenant.orgs)[:2])
    files: dict[str, str] = {}
    gens: dict[str, str] = {}
    arts: dict[str, str] = {}
    for chat_id in listed:
        body = api.get(f"{V1}/apps/chats/{chat_id}/messages").json()
        assert [m["id"] for m in body["chat_messages"]] == truth["chats"][chat_id]["message_ids"]
        for message in body["chat_messages"]:
            for f in message["files"] or []:
                content = api.get(f"{V1}/apps/chats/files/{f['id']}/content").content
                files[f["id"]] = hashlib.sha256(content).hexdigest()
            for g in message["generated_files"] or []:
                path = "generated-files" if g["id"].startswith("claude_gen_file_") else "files"
                gens[g["id"]] = hashlib.sha256(
                    api.get(f"{V1}/apps/chats/{path}/{g['id']}/content").content
                ).hexdigest()
            for a in message["artifacts"] or []:
                content = api.get(f"{V1}/apps/artifacts/{a['version_id']}/content").content
                arts[a["version_id"]] = hashlib.sha256(content).hexdigest()
    assert gens == truth["generated_files"]
    assert arts == truth["artifacts"]
    assert files.items() <= truth["files"].items()
    assert set(truth["files"]) - set(files)  # project files come from project attachments
    assert any(c["deleted"] for c in truth["chats"].values())


def test_ground_truth_date_window_and_mutations(tenant: Tenant, alice_id: str) -> None:
    from datetime import UTC, datetime

    since, until = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    windowed = ground_truth(tenant, alice_id, since=since, until=until)
    assert 0 < len(windowed["chats"]) < len(ground_truth(tenant, alice_id)["chats"])
    chat = tenant.add_chat(alice_id, next(iter(tenant.orgs)), "New", datetime(2026, 11, 19, tzinfo=UTC))
    tenant.add_message(chat.id, "user", "hello", datetime(2026, 11, 19, 1, tzinfo=UTC))
    assert tenant.chats[chat.id].updated_at == datetime(2026, 11, 19, 1, tzinfo=UTC)
    assert chat.id in ground_truth(tenant, "ALICE@example.com")["chats"]


def test_large_file_knob_streams_without_holding_bytes() -> None:
    tenant = generate_tenant(7, "tiny", big_file_bytes=5 * 1024 * 1024 + 3)
    big = next(f for f in tenant.files.values() if f.filename == "big-export.bin")
    assert big.blob.data is None and big.blob.size == 5 * 1024 * 1024 + 3
    assert big.id in ground_truth(tenant, "alice@example.com")["files"]


def test_cli_help_lists_options() -> None:
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--scale", "--seed", "--latency-ms", "--error-rate", "--rate-limit"):
        assert option in result.output


def test_sandbox_transport_fixture(
    sandbox_transport: httpx.ASGITransport, demo_key: str, sandbox_app: Starlette
) -> None:
    async def go() -> int:
        async with httpx.AsyncClient(transport=sandbox_transport, base_url=BASE) as client:
            return (await client.get(f"{V1}/organizations", headers={"x-api-key": demo_key})).status_code

    assert asyncio.run(go()) == 200
