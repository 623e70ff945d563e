"""Bounds against a misbehaving server: page size, and a rate limit with no burst allowance."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ediscovery.api import ComplianceClient, RequestRecord
from ediscovery.errors import ResponseFormatError
from ediscovery.sandbox import running_server

from .fakes import BASE, TEST_KEY, run


def test_a_json_page_without_length_is_refused_once_it_passes_the_cap() -> None:
    sent: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(1000):  # 64 MiB unless the client stops reading
            sent.append(1)
            yield b" " * (64 << 10)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless(), headers={"content-type": "application/json"})

    async def go() -> None:
        async with ComplianceClient(
            BASE, TEST_KEY, transport=httpx.MockTransport(handler), max_json_bytes=1 << 20
        ) as client:
            await client.get("/v1/compliance/organizations")

    with pytest.raises(ResponseFormatError, match="over the 1 MiB a page may have"):
        run(go())
    assert len(sent) < 40  # it stopped reading soon after 1 MiB


class StrictLimit:
    """At most ``per_second`` requests a second, no burst: a request sooner than 1/rate after the
    last one admitted is answered 429 with ``retry-after: 1``."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1 / per_second
        self.last = float("-inf")
        self.admitted = 0
        self.refused = 0

    async def endpoint(self, request: Request) -> Response:
        now = time.monotonic()
        if now - self.last < self.interval * 0.98:
            self.refused += 1
            body: dict[str, Any] = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow"}}
            return JSONResponse(body, 429, headers={"retry-after": "1"})
        self.last = now
        self.admitted += 1
        return JSONResponse({"id": request.path_params["n"]}, headers={"request-id": f"req_{self.admitted}"})


@pytest.mark.slow
def test_a_server_allowing_no_burst_is_met_at_its_pace_without_failures() -> None:
    limit = StrictLimit(per_second=10)
    app = Starlette(routes=[Route("/v1/compliance/apps/chats/{n}", limit.endpoint)])
    records: list[RequestRecord] = []
    wanted = 40

    async def go(base_url: str) -> list[Any]:
        async with ComplianceClient(
            base_url, TEST_KEY, max_rpm=600, concurrency=8, on_request=records.append, max_attempts=3
        ) as client:
            return await asyncio.gather(
                *(client.get(f"/v1/compliance/apps/chats/c{n}") for n in range(wanted))
            )

    with running_server(app) as base_url:
        answers = run(go(base_url))
    assert [a.data["id"] for a in answers] == [f"c{n}" for n in range(wanted)]
    assert limit.admitted == wanted
    assert len(records) <= wanted * 1.2, f"{limit.refused} requests were refused (429)"
