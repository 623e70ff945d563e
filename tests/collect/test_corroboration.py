"""Corroboration: a run's requests matched one by one with the platform's own audit log.

The sandbox records every call as a ``compliance_api_accessed`` event that its Activity Feed
shows a minute later (its indexing lag); ``collect --corroborate`` waits that out on the
sandbox's clock, stores the events and matches them with ``requests.jsonl``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from ediscovery.cli import cli
from ediscovery.cli.options import ClientSeams
from ediscovery.corroborate import corroborate_archive, sidecar_folder
from ediscovery.evidence.manifest import load_manifest
from ediscovery.sandbox import DEMO_KEY, ManualClock
from ediscovery.verify import verify
from ediscovery.verify.corroboration import corroborate_bag
from tests.collect.conftest import Collect, make_client

KEY_ENV = "ANTHROPIC_COMPLIANCE_ACCESS_KEY"

LAG = 61.0  # the sandbox's feed shows an event 60 s after it happened


class Intruder(httpx.AsyncBaseTransport):
    """Passes the run's requests through; before the 15th, another client uses the same key."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.app = app
        self.count = 0
        self.request_id: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        if self.count == 15:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="https://api.anthropic.com") as other:
                answer = await other.get("/v1/compliance/organizations", headers={"x-api-key": DEMO_KEY})
                self.request_id = answer.headers["request-id"]
        return await self.inner.handle_async_request(request)


def _report(bag: Path) -> dict[str, object]:
    report: dict[str, object] = json.loads((bag / "manifest.json").read_bytes())["corroboration"]
    return report


def test_every_request_of_the_run_is_matched_on_the_platform(
    collect: Collect, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport, feed_lag=LAG)
    report = _report(result.bag)
    requests = [json.loads(x) for x in (result.bag / "requests.jsonl").read_bytes().splitlines()]
    own = [r for r in requests if ["activity_types[]", "compliance_api_accessed"] not in r["query"]]
    assert report["requests"] == len(own) > 20
    assert report["matched"] == report["answered"] == len(own)
    assert report["missing_on_platform"] == {"count": 0, "first": []}
    assert report["unexpected_on_platform"] == {"count": 0, "first": []}
    assert len(report["api_key_ids"]) == 1  # type: ignore[arg-type]
    events = [json.loads(x) for x in (result.bag / "custody.jsonl").read_bytes().splitlines()]
    corroborated = [e["details"] for e in events if e["action"] == "corroborated"]
    assert corroborated and corroborated[-1]["matched"] == len(own)
    assert "Corroboration by the platform" in (result.bag / "reports" / "collection-report.html").read_text()
    assert verify(result.bag).ok


def test_another_client_using_the_key_during_the_run_is_reported(
    collect: Collect, sandbox_app: Starlette
) -> None:
    intruder = Intruder(sandbox_app)
    result = collect(intruder, feed_lag=LAG)
    unexpected = _report(result.bag)["unexpected_on_platform"]
    assert isinstance(unexpected, dict) and unexpected["count"] == 1
    assert unexpected["first"][0]["request_id"] == intruder.request_id
    assert _report(result.bag)["missing_on_platform"] == {"count": 0, "first": []}


def test_a_request_removed_from_the_log_is_reported(
    collect: Collect, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport, feed_lag=LAG)
    log = result.bag / "requests.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    removed = json.loads(lines[10])
    log.write_bytes(b"".join(lines[:10] + lines[11:]))
    again = corroborate_bag(result.bag, load_manifest(result.bag / "manifest.json").entries)
    assert again is not None
    assert [e["request_id"] for e in again["unexpected_on_platform"]["first"]] == [removed["request_id"]]
    problems = [p for p in verify(result.bag).problems if p.layer == "corroboration"]
    assert any("unexpected_on_platform" in p.message for p in problems), problems


def test_a_key_that_cannot_read_the_feed_is_a_named_limitation(
    collect: Collect, sandbox_transport: httpx.ASGITransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ediscovery.collect import corroboration
    from ediscovery.errors import PermissionDeniedError

    async def refused(*args: object, **kwargs: object) -> list[object]:
        message = "Missing required scopes. Got: [] Needed one of: [read:compliance_activities]"
        raise PermissionDeniedError(message, status=403, error_type="permission_error")

    monkeypatch.setattr(corroboration, "walk", refused)
    result = collect(sandbox_transport, feed_lag=LAG)
    kinds = [item.get("kind") for item in result.manifest.limitations]
    assert "source_unavailable" in kinds
    assert "corroboration" not in json.loads((result.bag / "manifest.json").read_bytes())


# ------------------------------------------------------------------ later, as a sidecar


def test_a_sealed_run_is_corroborated_later_as_a_verified_sidecar(
    collect: Collect, sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock
) -> None:
    result = collect(sandbox_transport, seal=True)
    assert result.archive is not None and "corroboration" not in json.loads(
        (result.bag / "manifest.json").read_bytes()
    )

    async def later() -> dict[str, Any]:
        async with make_client(sandbox_transport, sandbox_clock, None) as client:
            return await corroborate_archive(
                result.archive, client, password=None, lag=LAG, now=sandbox_clock.now
            )  # type: ignore[arg-type]

    report = asyncio.run(later())
    assert report["matched"] == report["answered"] == report["requests"] > 20
    folder = sidecar_folder(result.archive)
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "page-0001.json", "report.json"]
    checked = verify(result.archive)
    assert checked.ok and any(n.startswith("corroborated later") for n in checked.limits), checked.limits
    page = folder / "page-0001.json"
    page.write_bytes(page.read_bytes().replace(b'"GET"', b'"PUT"', 1))
    assert any(p.layer == "corroboration" for p in verify(result.archive).problems)


def test_the_corroborate_command_writes_the_sidecar_and_exits_0(
    collect: Collect, sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock
) -> None:
    result = collect(sandbox_transport, seal=True)
    sandbox_clock.advance(LAG)
    args = ["corroborate", str(result.archive), "--feed-lag", "0", "--api-url", "https://api.anthropic.com"]
    run = CliRunner().invoke(cli, args, obj=ClientSeams(transport=sandbox_transport), env={KEY_ENV: DEMO_KEY})
    assert run.exit_code == 0, run.output
    assert "nothing unexplained" in run.output
    assert (sidecar_folder(result.archive) / "report.json").is_file()
