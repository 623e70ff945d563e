"""Fixtures for collector tests: a client on the in-process sandbox driven by the sandbox clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediscovery.api import ComplianceClient
from ediscovery.api.models import DirectoryUser, Organization, parse_items
from ediscovery.collect.plan import Custodian
from ediscovery.collect.run import CollectOptions, DirectoryPage, Resolution
from ediscovery.collect.scope import Scope
from ediscovery.errors import CustodianNotFound
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, run_pipeline
from ediscovery.sandbox import DEMO_KEY, ManualClock


async def directory_resolver(client: Any, queries: tuple[str, ...]) -> Resolution:
    """Resolve custodians by walking the directory (organizations, then users of each)."""
    pages: list[DirectoryPage] = []
    orgs: list[Organization] = []
    number = 0
    async for page in client.organizations():
        number += 1
        pages.append(DirectoryPage("organizations", (), number, page))
        orgs.extend(parse_items(page, Organization))
    members: dict[str, list[tuple[Organization, DirectoryUser]]] = {}
    for org in orgs:
        number = 0
        async for page in client.organization_users(org.uuid):
            number += 1
            pages.append(DirectoryPage("users", (org.uuid,), number, page))
            for user in parse_items(page, DirectoryUser):
                members.setdefault(user.id, []).append((org, user))
    custodians = []
    for query in queries:
        found = [
            uid
            for uid, rows in members.items()
            if query.casefold() in (uid.casefold(), (rows[0][1].email or "").casefold())
        ]
        if not found:
            raise CustodianNotFound(query, [])
        rows = members[found[0]]
        custodians.append(
            Custodian(
                query,
                rows[0][1].email or query,
                rows[0][1].full_name,
                (found[0],),
                tuple({"uuid": o.uuid, "name": o.name} for o, _ in rows),
            )
        )
    return Resolution(tuple(custodians), tuple(pages))


def make_client(
    transport: httpx.AsyncBaseTransport, clock: ManualClock, sink: RequestSink | None
) -> ComplianceClient:
    return ComplianceClient(
        "https://api.anthropic.com",
        DEMO_KEY,
        transport=transport,
        max_rpm=100_000,
        burst=1000,
        sleep=clock.sleep,
        clock=lambda: clock.now.timestamp(),
        now=lambda: clock.now,
        on_request=sink,
    )


Collect = Callable[..., PipelineResult]


@pytest.fixture
def collect(tmp_path: Path, sandbox_clock: ManualClock) -> Collect:
    """Run the whole pipeline in process against a transport; returns the result."""

    def run(
        transport: httpx.AsyncBaseTransport,
        *,
        custodians: tuple[str, ...] = ("alice@example.com",),
        scope: Scope | None = None,
        out: Path | None = None,
        render: bool = False,
        seal: bool = False,
        **options: Any,
    ) -> PipelineResult:
        async def go() -> PipelineResult:
            sink = RequestSink()
            async with make_client(transport, sandbox_clock, sink) as client:
                collect_options = CollectOptions(
                    matter="Acme v. Widget",
                    custodians=custodians,
                    scope=scope or Scope(None, None),
                    out=out or tmp_path / "out",
                    api_url="https://api.anthropic.com",
                    key_fingerprint=client.api_key_fingerprint,
                    **options,
                )
                return await run_pipeline(
                    client,
                    PipelineOptions(collect_options, render=render, seal=seal, verify=seal),
                    resolver=lambda _api, q: directory_resolver(client, q),
                    requests=sink,
                    clock=lambda: sandbox_clock.now,
                )

        return asyncio.run(go())

    return run
