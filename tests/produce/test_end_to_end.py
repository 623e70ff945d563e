"""Collections the collector really wrote (against the sandbox), sealed, then produced."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope
from ediscovery.evidence.digest import sha256_file
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, run_pipeline
from ediscovery.produce import build_production
from ediscovery.produce.formats.dat import DAT_COLUMNS, parse_dat
from ediscovery.sandbox import ManualClock
from tests.collect.conftest import make_client


def _collect(
    transport: httpx.AsyncBaseTransport,
    clock: ManualClock,
    custodian: str,
    out: Path,
    *,
    render: bool = False,
) -> PipelineResult:
    async def go() -> PipelineResult:
        sink = RequestSink()
        async with make_client(transport, clock, sink) as client:
            options = CollectOptions(
                matter="Acme v. Widget",
                custodians=(custodian,),
                scope=Scope(None, None),
                out=out,
                api_url="https://api.anthropic.com",
                key_fingerprint=client.api_key_fingerprint,
            )
            return await run_pipeline(
                client,
                PipelineOptions(options, render=render, seal=True, verify=False),
                requests=sink,
                clock=lambda: clock.now,
            )

    return asyncio.run(go())


@pytest.mark.slow
def test_sealed_sandbox_collections_produce_a_consistent_volume(
    sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock, tmp_path: Path
) -> None:
    runs = [
        _collect(sandbox_transport, sandbox_clock, who, tmp_path / "c")
        for who in ("bob@example.com", "alice@example.com")
    ]
    archives = [r.archive for r in runs]
    assert all(a is not None for a in archives)
    result = build_production([a for a in archives if a], tmp_path / "p", formats=("dat", "opt", "rsmf"))
    volume = result.volume_dir
    subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST-SHA256.txt"], cwd=volume, check=True)
    rows = parse_dat((volume / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    docs = [dict(zip(DAT_COLUMNS, r, strict=True)) for r in rows[1:]]
    chats = [d for d in docs if d["DOCTYPE"] == "Chat"]
    assert len(chats) == sum(r.manifest.counts["chats"] for r in runs)
    pages = [int(d["PAGECOUNT"]) for d in docs]
    assert result.next_bates == 1 + sum(pages)
    assert len({d["BEGBATES"] for d in docs}) == len(docs)
    assert {d["CUSTODIAN"] for d in docs} <= {"alice@example.com", "bob@example.com"}
    conversations = [d for d in docs if d["DOCTYPE"] in ("Chat", "LocalSession", "RemoteSession")]
    assert len(list((volume / "RSMF").glob("*.rsmf"))) == len(conversations)  # one per chat and session
    assert result.warnings == ()


def _pdfs(volume: Path) -> dict[str, str]:
    return {str(p.relative_to(volume)): sha256_file(p) for p in sorted(volume.rglob("*.pdf"))}


@pytest.mark.slow
def test_produce_renumbers_the_pages_its_collection_laid_out(
    sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock, tmp_path: Path
) -> None:
    run = _collect(sandbox_transport, sandbox_clock, "alice@example.com", tmp_path / "c", render=True)
    assert run.archive is not None
    (cache,) = (tmp_path / "c" / "acme-v.-widget" / ".state").glob("*.layout")
    laid_out = {p.name for p in cache.iterdir()}
    cache.rename(cache.with_name("collected"))
    cache.mkdir()  # an empty cache: it receives exactly the runs a production lays out
    build_production([run.archive], tmp_path / "p0", bates_prefix="PROD")
    needed = {p.name for p in cache.iterdir()}
    assert needed, "the production laid out no runs"
    assert needed <= laid_out, "the collection did not lay out every run its production needs"
    shutil.rmtree(cache)
    cache.with_name("collected").rename(cache)
    forgotten = cache / min(n for n in needed if n.endswith(".json"))
    forgotten.unlink()  # one run the production must lay out again, and keep: the cache is in use
    reused = build_production([run.archive], tmp_path / "p1", bates_prefix="PROD")
    after = {p.name for p in cache.iterdir()}
    assert laid_out <= after, "produce did not take (and keep) the collection's laid-out runs"
    cache.rename(cache.with_name("moved-away"))
    afresh = build_production([run.archive], tmp_path / "p2", bates_prefix="PROD")
    assert (reused.first_bates, reused.last_bates) == (afresh.first_bates, afresh.last_bates)
    assert _pdfs(reused.volume_dir) == _pdfs(afresh.volume_dir), "renumbered pages differ from a fresh layout"
