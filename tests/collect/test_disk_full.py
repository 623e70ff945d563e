"""A full disk stops every stage the same way: a resumable DiskFullError and an ``error`` custody event."""

from __future__ import annotations

import asyncio
import errno
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediscovery.archive import sealer
from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope
from ediscovery.errors import DiskFullError
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, run_pipeline
from ediscovery.render import segments
from ediscovery.sandbox import ManualClock
from ediscovery.verify import verify

from .conftest import make_client


def _run(transport: httpx.AsyncBaseTransport, clock: ManualClock, out: Path) -> PipelineResult:
    async def go() -> PipelineResult:
        sink = RequestSink()
        async with make_client(transport, clock, sink) as client:
            options = CollectOptions(
                matter="Acme v. Widget", custodians=("alice@example.com",), scope=Scope(None, None), out=out,
                api_url="https://api.anthropic.com", key_fingerprint=client.api_key_fingerprint,
            )  # fmt: skip
            pipeline = PipelineOptions(options, render=True, seal=True, verify=True, render_jobs=1)
            return await run_pipeline(client, pipeline, requests=sink, clock=lambda: clock.now)

    return asyncio.run(go())


def _no_space(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.slow
@pytest.mark.parametrize(("where", "name"), [(sealer, "_write_archive"), (segments, "replacing")])
def test_a_full_disk_while_finishing_is_a_resumable_disk_full_error_in_custody(
    sandbox_transport: httpx.ASGITransport,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: Any,
    name: str,
) -> None:
    monkeypatch.setattr(where, name, _no_space)
    with pytest.raises(DiskFullError) as caught:
        _run(sandbox_transport, sandbox_clock, tmp_path / "out")
    assert "No space left while" in str(caught.value)
    assert "Free space on the output device and run the same command again to resume." in str(caught.value)
    [bag] = [p for p in (tmp_path / "out" / "acme-v.-widget").iterdir() if p.is_dir() and p.name[0] != "."]
    last = json.loads((bag / "custody.jsonl").read_text().splitlines()[-1])
    assert (last["action"], last["details"]["error"]) == ("error", "DiskFullError")

    monkeypatch.undo()
    result = _run(sandbox_transport, sandbox_clock, tmp_path / "out")
    assert result.resumed and result.status == "complete" and result.bag == bag
    assert result.archive is not None and verify(result.archive).ok
