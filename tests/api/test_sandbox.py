"""The client against the Compliance API sandbox: real pagination, downloads, faults, directory."""

from __future__ import annotations

import io
import random
from typing import Any

import httpx
import pytest

from ediscovery.api import ComplianceClient, RequestRecord
from ediscovery.collect.custodians import load_directory, resolve, search
from ediscovery.errors import CustodianNotFound, PermissionDeniedError
from ediscovery.sandbox import FaultConfig, FaultRule, Tenant, create_app

from .fakes import FakeTime, run


def client_for(transport: httpx.AsyncBaseTransport, key: str, **kwargs: Any) -> ComplianceClient:
    fake = FakeTime()
    return ComplianceClient(
        "https://api.anthropic.com", api_key=key, transport=transport,
        sleep=fake.sleep, clock=fake.clock, rng=random.Random(1), **kwargs,
    )  # fmt: skip


def test_cursor_pagination_across_pages(sandbox_transport, demo_key: str, tenant: Tenant) -> None:
    async def go() -> tuple[int, list[str]]:
        async with client_for(sandbox_transport, demo_key) as client:
            pages = [p async for p in client.chats(limit=3)]
            return len(pages), [c["id"] for p in pages for c in p.data["data"]]

    count, ids = run(go())
    assert count >= 3
    assert sorted(ids) == sorted(tenant.chats)
    assert len(ids) == len(set(ids))


def test_page_token_pagination_across_pages(sandbox_transport, demo_key: str, tenant: Tenant) -> None:
    org = next(iter(tenant.orgs))

    async def go() -> list[Any]:
        async with client_for(sandbox_transport, demo_key) as client:
            return [p async for p in client.organization_users(org, limit=1)]

    pages = run(go())
    members = [u for u in tenant.users.values() if any(m.org_uuid == org for m in u.memberships)]
    assert len(pages) >= 3
    assert sorted(u["id"] for p in pages for u in p.data["data"]) == sorted(u.id for u in members)
    assert all(p.raw and p.request_id for p in pages)


def test_rate_limit_and_dropped_download_are_survived(tenant: Tenant, demo_key: str) -> None:
    faults = FaultConfig(
        rules=(
            FaultRule("rate_limit", path="/v1/compliance/apps/chats", times=1, retry_after=3),
            FaultRule("drop", path="/v1/compliance/apps/chats/files/*/content", times=1),
        )
    )
    transport = httpx.ASGITransport(app=create_app(tenant, faults=faults))
    file_id = next(iter(tenant.files))
    records: list[RequestRecord] = []

    async def go() -> tuple[int, bytes]:
        async with client_for(transport, demo_key, on_request=records.append) as client:
            chats = [p async for p in client.chats()]
            sink = io.BytesIO()
            result = await client.download_file(file_id, sink)
            assert result.size == len(sink.getvalue())
            return len(chats), sink.getvalue()

    _, body = run(go())
    statuses = [r.status for r in records]
    assert statuses[0] == 429
    assert any(r.error and "RemoteProtocolError" in r.error for r in records)
    assert len(body) > 0


def test_missing_scope_names_it(tenant: Tenant) -> None:
    key = tenant.add_key(["read:compliance_activities"])
    transport = httpx.ASGITransport(app=create_app(tenant))

    async def go() -> None:
        async with client_for(transport, key) as client:
            async for _ in client.chats():
                pass

    with pytest.raises(PermissionDeniedError, match="read:compliance_user_data"):
        run(go())


def test_directory_merges_people_across_organizations(sandbox_transport, demo_key: str) -> None:
    async def go() -> Any:
        async with client_for(sandbox_transport, demo_key) as client:
            return await load_directory(client)

    directory = run(go())
    alice = resolve(directory, "ALICE@example.com")
    assert alice.full_name == "Alice Anders"
    assert len(alice.organizations) == 3
    assert resolve(directory, alice.user_ids[0]) == alice
    assert [p.email for p in search(directory, "chen")] == ["carol@example.com"]
    with pytest.raises(CustodianNotFound) as info:
        resolve(directory, "alic@example.com")
    assert info.value.suggestions == ["alice@example.com"]
