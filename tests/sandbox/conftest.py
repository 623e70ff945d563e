"""Fixtures of the sandbox contract tests: a small sync client over the in-process app."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ediscovery.sandbox import DEMO_KEY, Tenant

BASE = "https://api.anthropic.com"


class SyncApi:
    """Sends one request at a time through ``httpx.ASGITransport`` and returns the read response."""

    def __init__(self, app: Starlette, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = dict(headers or {})

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=self.headers) as client:
                response = await client.request(method, path, **kwargs)
                await response.aread()
                return response

        return asyncio.run(send())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(sandbox_app: Starlette) -> SyncApi:
    return SyncApi(sandbox_app, {"x-api-key": DEMO_KEY})


@pytest.fixture
def alice_id(tenant: Tenant) -> str:
    user = tenant.user_by_email("alice@example.com")
    assert user is not None
    return user.id
