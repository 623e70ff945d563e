"""Fixtures for collector tests: a client on the in-process sandbox driven by the sandbox clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediscovery.api import ComplianceClient
from ediscovery.collect.custodians import resolve_custodians
from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, run_pipeline
from ediscovery.sandbox import DEMO_KEY, ManualClock

directory_resolver = resolve_custodians  # the collector's own resolver, by its older test name


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


def run_sealed(
    transport: httpx.AsyncBaseTransport, clock: ManualClock, out: Path, *, verify: bool = True, **more: Any
) -> PipelineResult:
    """One whole run of alice's collection, rendered (one process), sealed and verified;
    ``more`` are further :class:`PipelineOptions`."""

    async def go() -> PipelineResult:
        sink = RequestSink()
        async with make_client(transport, clock, sink) as client:
            options = CollectOptions(
                matter="Acme v. Widget", custodians=("alice@example.com",), scope=Scope(None, None), out=out,
                api_url="https://api.anthropic.com", key_fingerprint=client.api_key_fingerprint,
            )  # fmt: skip
            pipeline = PipelineOptions(options, render=True, seal=True, verify=verify, render_jobs=1, **more)
            return await run_pipeline(client, pipeline, requests=sink, clock=lambda: clock.now)

    return asyncio.run(go())


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
                    requests=sink,
                    clock=lambda: sandbox_clock.now,
                )

        return asyncio.run(go())

    return run
