"""Fakes for the API client tests: a clock whose sleep advances time, canned responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

TEST_KEY = "sk-ant-api01-TESTSECRET-do-not-leak-0123456789"
BASE = "https://compliance.test"
EPOCH = datetime(2026, 4, 10, 8, 0, 0, tzinfo=UTC)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return EPOCH + timedelta(seconds=self.now)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


def json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    hdrs = {
        "request-id": "req_test0000000000000000000001",
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    return httpx.Response(status, content=json.dumps(body).encode(), headers=hdrs)


def api_error(status: int, etype: str, message: str, **headers: str) -> httpx.Response:
    return json_response(status, {"type": "error", "error": {"type": etype, "message": message}}, **headers)


def run(coro: Awaitable[Any]) -> Any:
    """Run a coroutine to completion (the suite has no async plugin)."""

    async def main() -> Any:
        return await coro

    return asyncio.run(main())
