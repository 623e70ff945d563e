"""Shared fixtures: every test gets a real HTTP partner, the Compliance API sandbox.

Fixtures (names are stable; other areas rely on them):

``sandbox_clock``
    :class:`ediscovery.sandbox.ManualClock` driving the sandbox's rate budget and recorded
    activities; its ``sleep`` is the sandbox's injected sleep (added latency, trickle), so
    nothing waits for real. Starts at 2026-11-20T12:00:00Z. Activities become visible to
    ``GET /activities`` one minute after they happen (the documented indexing lag): advance
    the clock, or build an app with ``indexing_lag_seconds=0``.
``tenant``
    a fresh ``generate_tenant(seed=7, scale="tiny")`` per test (mutate it freely). The main
    custodian is ``alice@example.com``; ``ground_truth(tenant, "alice@example.com")`` says what
    a complete collection must hold.
``sandbox_app``
    ``create_app(tenant, clock=sandbox_clock, sleep=sandbox_clock.sleep)`` without faults.
    For faults, build your own: ``create_app(tenant, faults=FaultConfig(...), ...)``.
``sandbox_transport``
    ``httpx.ASGITransport`` over ``sandbox_app``: in process, no sockets. Use with
    ``httpx.AsyncClient(transport=sandbox_transport, base_url="https://api.anthropic.com")``.
``live_sandbox``
    the same app served by uvicorn on an ephemeral ``127.0.0.1`` port; yields the base URL.
``demo_key``
    the public demo key (read scopes: user data, org data, activities). ``DELETE_KEY`` in
    ``ediscovery.sandbox`` also has ``delete:compliance_user_data``; ``tenant.add_key(scopes)``
    makes more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import settings
from starlette.applications import Starlette

from ediscovery.sandbox import (
    DEMO_KEY,
    ManualClock,
    Tenant,
    create_app,
    generate_tenant,
    running_server,
)


@pytest.fixture
def sandbox_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def tenant() -> Tenant:
    return generate_tenant(seed=7, scale="tiny")


@pytest.fixture
def sandbox_app(tenant: Tenant, sandbox_clock: ManualClock) -> Starlette:
    return create_app(tenant, clock=sandbox_clock, sleep=sandbox_clock.sleep)


@pytest.fixture
def sandbox_transport(sandbox_app: Starlette) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sandbox_app)


@pytest.fixture
def live_sandbox(sandbox_app: Starlette) -> Iterator[str]:
    with running_server(sandbox_app) as base_url:
        yield base_url


@pytest.fixture
def demo_key() -> str:
    return DEMO_KEY


# Property tests draw the same examples on every run, so a red CI always names a real change;
# HYPOTHESIS_PROFILE=explore draws new ones, many more of them, to look for cases not yet seen.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", max_examples=2000, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
