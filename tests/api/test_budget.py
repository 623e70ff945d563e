"""One request budget shared by every task: no 60-second window ever holds more than max_rpm."""

from __future__ import annotations

import asyncio
import bisect
import itertools
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ediscovery.api import RequestBudget, ServerQuota, format_timestamp
from ediscovery.sandbox.ratelimit import TokenBucket

from .fakes import FakeTime, json_response, run


def max_in_any_window(times: list[float], window: float = 60.0) -> int:
    ordered = sorted(times)
    return max(bisect.bisect_right(ordered, t + window) - i for i, t in enumerate(ordered))


def test_budget_never_exceeded_under_concurrency(fake_time: FakeTime) -> None:
    budget = RequestBudget(60, burst=5, clock=fake_time.clock, sleep=fake_time.sleep)
    grants: list[float] = []

    async def worker() -> None:
        for _ in range(15):
            await budget.acquire()
            grants.append(fake_time.now)
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(20)))

    asyncio.run(main())
    assert len(grants) == 300
    assert max_in_any_window(grants) <= 60
    # and the budget is used, not wasted: 300 requests at 60/min take about five minutes
    assert fake_time.now <= 300 / (55 / 60) + 1


def test_client_requests_share_one_budget(make_client, fake_time: FakeTime) -> None:
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(fake_time.now)
        return json_response(200, {"id": "claude_chat_x", "chat_messages": [], "has_more": False})

    async def main() -> None:
        async with make_client(handler, max_rpm=120, concurrency=8) as client:
            await asyncio.gather(*(client.chat_messages(f"claude_chat_{i}") for i in range(400)))

    run(main())
    assert len(sent) == 400
    assert max_in_any_window(sent) <= 120


def test_server_reporting_zero_remaining_pauses_until_reset(make_client, fake_time: FakeTime) -> None:
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(fake_time.now)
        headers = {
            "anthropic-ratelimit-requests-limit": "600",
            "anthropic-ratelimit-requests-remaining": "0" if len(sent) == 1 else "500",
            "anthropic-ratelimit-requests-reset": format_timestamp(fake_time.wall() + timedelta(seconds=30)),
        }
        return json_response(200, {"id": "c", "chat_messages": [], "has_more": False}, **headers)

    async def main() -> None:
        async with make_client(handler, concurrency=1) as client:
            for i in range(2):
                await client.chat_messages(f"claude_chat_{i}")

    run(main())
    assert sent[1] - sent[0] >= 30.0


def test_low_remaining_spreads_requests_until_reset(fake_time: FakeTime) -> None:
    budget = RequestBudget(600, burst=5, clock=fake_time.clock, sleep=fake_time.sleep)
    budget.observe(ServerQuota(remaining=3, reset_in=30.0))
    grants: list[float] = []

    async def main() -> None:
        for _ in range(3):
            await budget.acquire()
            grants.append(fake_time.now)

    asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert all(gap >= 10.0 for gap in gaps)


def test_retry_after_pauses_every_task(fake_time: FakeTime) -> None:
    budget = RequestBudget(600, clock=fake_time.clock, sleep=fake_time.sleep)
    budget.pause(25.0)
    run(budget.acquire())
    assert fake_time.now >= 25.0


@pytest.mark.parametrize(
    ("path", "slows"), [("/v1/compliance/apps/sessions/remote", False), ("/v1/compliance/apps/chats", True)]
)
def test_only_a_429_of_the_shared_budget_slows_every_request(make_client, path: str, slows: bool) -> None:  # type: ignore[no-untyped-def]
    slow = {"error": {"type": "rate_limit_error", "message": "slow"}}
    answers = iter(
        [httpx.Response(429, headers={"retry-after": "1"}, json=slow), httpx.Response(200, json={"data": []})]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    async def go() -> float:
        async with make_client(handler) as client:
            before = client.budget.rate
            await client.get(path)
            return client.budget.rate / before

    ratio = asyncio.run(go())
    assert (ratio < 1) == slows


def _strict_server(fake_time: FakeTime, sent: list[float], *, late_every: int = 0) -> Any:
    """A handler admitting 600 requests per minute one at a time, none saved up (the sandbox's
    bucket of one), with its rate-limit headers on every answer. With ``late_every``, every
    such request is admitted 50 ms after it arrived (a server busy with the one before)."""
    bucket = TokenBucket(600, fake_time.wall, burst=1)

    def handler(request: httpx.Request) -> httpx.Response:
        if late_every and (len(sent) + 1) % late_every == 0:
            fake_time.now += 0.05
        sent.append(fake_time.now)
        decision = bucket.take()
        if not decision.allowed:
            slow = {"error": {"type": "rate_limit_error", "message": "slow down"}}
            headers = {**decision.headers(), "retry-after": str(decision.retry_after)}
            return json_response(429, slow, **headers)
        return json_response(200, {"id": "c", "chat_messages": [], "has_more": False}, **decision.headers())

    return handler


def test_a_strict_server_is_met_at_its_rate_not_one_reset_at_a_time(make_client, fake_time: FakeTime) -> None:  # type: ignore[no-untyped-def]
    sent: list[float] = []

    async def main() -> None:
        async with make_client(_strict_server(fake_time, sent), max_rpm=600, concurrency=8) as client:
            await asyncio.gather(*(client.chat_messages(f"claude_chat_{i}") for i in range(200)))

    run(main())
    # Every answer says "none left, full again within a second": waiting for that reset each
    # time would take about 100 s; the strict rate allows 200 requests in 20 s.
    assert len(sent) == 200, "a request was refused"
    assert fake_time.now <= 200 * 0.1 * 1.1


def test_an_answer_admitted_late_by_a_strict_server_delays_the_next_request_not_refuses_it(
    make_client,
    fake_time: FakeTime,  # type: ignore[no-untyped-def]
) -> None:
    sent: list[float] = []

    async def main() -> None:
        server = _strict_server(fake_time, sent, late_every=10)
        async with make_client(server, max_rpm=600, concurrency=8) as client:
            await asyncio.gather(*(client.chat_messages(f"claude_chat_{i}") for i in range(200)))

    run(main())
    # A request the server admitted 50 ms late answers 50 ms slower than the others: sending
    # the next one an interval after the request left would reach the server 55 ms after it
    # was admitted, and cost the second of a 429.
    assert len(sent) == 200, f"{len(sent) - 200} request(s) refused"
    assert fake_time.now <= 200 * 0.1 * 1.1 + 20 * 0.05
