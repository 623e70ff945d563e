"""Fixtures for the API client tests: a fake clock and a client factory on a mock transport."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ediscovery.api import ComplianceClient, RequestRecord

from .fakes import BASE, TEST_KEY, FakeTime, Handler


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def records() -> list[RequestRecord]:
    return []


@pytest.fixture
def make_client(fake_time: FakeTime, records: list[RequestRecord]) -> Callable[..., ComplianceClient]:
    def make(handler: Handler, **kwargs: Any) -> ComplianceClient:
        options: dict[str, Any] = {
            "api_key": TEST_KEY,
            "transport": httpx.MockTransport(handler),
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "now": fake_time.wall,
            "rng": random.Random(7),
            "on_request": records.append,
            "max_rpm": 6000,
        }
        options.update(kwargs)
        return ComplianceClient(BASE, **options)

    return make
