"""Retries follow the Compliance API's retry table, observed through the injected sleep."""

from __future__ import annotations

import httpx
import pytest

from ediscovery.api import RequestRecord
from ediscovery.errors import BadRequestError, RateLimitError, ServerError, TransportError

from .fakes import FakeTime, api_error, json_response, run

ORGS = {"data": [{"uuid": "o1", "name": "Acme", "created_at": "2026-01-01T00:00:00Z"}], "has_more": False}


def scripted(*responses: httpx.Response | Exception) -> tuple[list[httpx.Request], object]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return seen, handler


async def first_page(client) -> object:  # type: ignore[no-untyped-def]
    async with client:
        async for page in client.organizations():
            return page
    return None


def test_429_waits_retry_after_then_resumes(make_client, fake_time: FakeTime) -> None:
    seen, handler = scripted(
        api_error(429, "rate_limit_error", "limit", retry_after="25"), json_response(200, ORGS)
    )
    page = run(first_page(make_client(handler)))
    assert page.data == ORGS
    assert 25.0 in fake_time.sleeps
    assert fake_time.now >= 25.0
    assert seen[0].url == seen[1].url  # the cursor/query did not move


def test_429_without_retry_after_backs_off_exponentially(make_client, fake_time: FakeTime) -> None:
    _, handler = scripted(
        api_error(429, "rate_limit_error", "limit"),
        api_error(429, "rate_limit_error", "limit"),
        json_response(200, ORGS),
    )
    run(first_page(make_client(handler)))
    assert len(fake_time.sleeps) == 2
    assert 0 <= fake_time.sleeps[0] <= 1.0
    assert 0 <= fake_time.sleeps[1] <= 2.0


def test_5xx_retried_with_full_jitter_backoff(
    make_client, fake_time: FakeTime, records: list[RequestRecord]
) -> None:
    _, handler = scripted(
        api_error(503, "overloaded_error", "busy"),
        api_error(529, "overloaded_error", "busy"),
        api_error(500, "api_error", "boom"),
        json_response(200, ORGS),
    )
    page = run(first_page(make_client(handler)))
    assert page.status == 200
    assert [r.status for r in records] == [503, 529, 500, 200]
    assert [r.attempt for r in records] == [1, 2, 3, 4]
    for attempt, delay in enumerate(fake_time.sleeps, start=1):
        assert 0 <= delay <= min(60, 2 ** (attempt - 1))


def test_backoff_ceiling_is_sixty_seconds(make_client, fake_time: FakeTime) -> None:
    _, handler = scripted(*[api_error(502, "api_error", "bad gateway") for _ in range(10)])
    with pytest.raises(ServerError):
        run(first_page(make_client(handler, max_attempts=10)))
    assert len(fake_time.sleeps) == 9
    assert max(fake_time.sleeps) <= 60.0


def test_x_should_retry_false_is_not_retried(make_client, fake_time: FakeTime) -> None:
    seen, handler = scripted(api_error(500, "api_error", "deterministic failure", x_should_retry="false"))
    with pytest.raises(ServerError) as info:
        run(first_page(make_client(handler)))
    assert len(seen) == 1
    assert fake_time.sleeps == []
    assert info.value.status == 500
    assert info.value.request_id == "req_test0000000000000000000001"
    assert "deterministic failure" in str(info.value)


def test_400_is_final(make_client) -> None:
    seen, handler = scripted(
        api_error(400, "invalid_request_error", "limit: Input should be less than or equal to 1000")
    )
    with pytest.raises(BadRequestError) as info:
        run(first_page(make_client(handler)))
    assert len(seen) == 1
    assert info.value.error_type == "invalid_request_error"
    assert "/v1/compliance/organizations?limit=1000" in str(info.value)


def test_429_is_flow_control_and_does_not_use_up_the_attempts(make_client, fake_time: FakeTime) -> None:
    seen, handler = scripted(
        *[api_error(429, "rate_limit_error", "limit", retry_after="1") for _ in range(5)],
        json_response(200, ORGS),
    )
    page = run(first_page(make_client(handler, max_attempts=3)))
    assert page.data == ORGS
    assert len(seen) == 6
    assert fake_time.sleeps.count(1.0) >= 5


def test_429_without_end_is_bounded_then_rate_limit_error(make_client, fake_time: FakeTime) -> None:
    seen, handler = scripted(
        *[api_error(429, "rate_limit_error", "limit", retry_after="1") for _ in range(4)]
    )
    with pytest.raises(RateLimitError):
        run(first_page(make_client(handler, max_attempts=8, max_throttled=4)))
    assert len(seen) == 4


def test_connection_error_and_timeout_are_retried(make_client, records: list[RequestRecord]) -> None:
    _, handler = scripted(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), json_response(200, ORGS))
    page = run(first_page(make_client(handler)))
    assert page.data == ORGS
    assert [r.error for r in records[:2]] == [
        "GET /v1/compliance/organizations failed: ConnectError (refused).",
        "GET /v1/compliance/organizations failed: ReadTimeout (slow).",
    ]


def test_transport_failures_past_the_budget_raise_transport_error(make_client) -> None:
    _, handler = scripted(*[httpx.ConnectError("refused") for _ in range(2)])
    with pytest.raises(TransportError, match="ConnectError"):
        run(first_page(make_client(handler, max_attempts=2)))


def test_truncated_json_body_is_retried(make_client) -> None:
    body = b'{"data": [], "has_more": false}'
    truncated = httpx.Response(200, headers={"content-length": str(len(body) + 10)}, content=body)
    _, handler = scripted(truncated, json_response(200, ORGS))
    page = run(first_page(make_client(handler)))
    assert page.data == ORGS
