"""Transcripts laid out while the collection runs are the transcripts a run without it writes.

A real ``ediscovery collect`` process against the live sandbox is killed as rendering starts,
after the collection laid out its chats into the run's part cache; the same command finishes
it. Its transcripts (bytes, Bates ranges, page counts) must equal a render of the same bag with
no cache at all, and the cache must be gone once the run is rendered.
"""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import httpx
import pytest

from ediscovery.collect.early import COUNTER
from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope
from ediscovery.evidence.digest import sha256_file
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, run_pipeline
from ediscovery.progress import RecordingReporter
from ediscovery.render import render_collection
from ediscovery.render.cache import PartCache
from ediscovery.render.fetcher import SafeFetcher
from ediscovery.render.options import RenderOptions
from ediscovery.render.segments import lay_out_parts
from ediscovery.render.templates import templates_root
from ediscovery.sandbox import ManualClock
from tests.collect.conftest import make_client
from tests.collect.test_finish_resume import finished, run_cli


@pytest.mark.slow
def test_chats_laid_out_during_collection_give_the_transcripts_of_a_render_without_them(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    mid_collection = {"EDISCOVERY_CRASH_AFTER_STORED": "60"}  # layout workers are busy then
    killed = run_cli(live_sandbox, demo_key, out, extra_env=mid_collection)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    killed = run_cli(live_sandbox, demo_key, out, crash_at="render")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (cache,) = (out / "acme-v.-widget" / ".state").glob("*.layout")
    laid_out = list(cache.glob("*.json"))
    bag = next(p for p in (out / "acme-v.-widget").iterdir() if p.is_dir() and not p.name.startswith("."))
    chats = {e["source_id"] for e in json.loads((bag / "manifest.json").read_bytes())["entries"]}
    assert len(laid_out) >= 3, "the collection laid out no chat ahead of rendering"

    resumed = finished(run_cli(live_sandbox, demo_key, out))
    assert cache.is_dir(), "the part cache is kept, for produce to renumber"
    manifest = json.loads((Path(resumed["bag"]) / "manifest.json").read_bytes())
    written = {e["path"]: e for e in manifest["entries"] if e["kind"] == "transcript"}
    assert any(e["metadata"]["document_type"] == "chat" for e in written.values()) and chats

    fresh = render_collection(bag, tmp_path / "fresh", RenderOptions(bates_prefix="", jobs=1))
    assert len(fresh.documents) == len(written)
    for document in fresh.documents:
        entry = written[f"data/transcripts/{document.path}"]
        assert entry["metadata"]["bates_begin"] == document.bates_begin, document.path
        assert entry["metadata"]["page_count"] == document.page_count, document.path
        assert entry["sha256"] == document.sha256, f"{document.path} differs from a render without cache"


def test_a_cached_run_replays_what_the_engine_refused_and_a_damaged_one_is_laid_out_again(
    tmp_path: Path,
) -> None:
    html = '<html><body><p>hello</p><img src="http://example.com/tracker.png"></body></html>'
    cache = PartCache(tmp_path / "cache")
    first = SafeFetcher(templates_root())
    (made,) = lay_out_parts([html], first, tmp_path, with_text=True, seen=set(), cache=cache)
    assert first.refused == ["http://example.com/tracker.png"]

    again = SafeFetcher(templates_root())
    (reused,) = lay_out_parts([html], again, tmp_path, with_text=True, seen=set(), cache=cache)
    assert again.refused == first.refused, "a cache hit lost the refused URL"
    assert reused.pdf == made.pdf and reused.pages == made.pages == 1
    before = sha256_file(made.pdf)

    made.pdf.write_bytes(made.pdf.read_bytes()[:-20])  # a run cut short
    assert cache.get(html, with_text=True) is None
    (redone,) = lay_out_parts(
        [html], SafeFetcher(templates_root()), tmp_path, with_text=True, seen=set(), cache=cache
    )
    assert sha256_file(redone.pdf) == before


class Timeline(RecordingReporter):
    """Keeps the order of stages and counter moves."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def stage(self, name: str) -> None:
        super().stage(name)
        self.events.append(("stage", name))

    def advance(self, kind: str, count: int = 1) -> None:
        super().advance(kind, count)
        self.events.append(("advance", kind))


def test_transcripts_are_laid_out_during_the_collection_with_a_real_total(
    sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock, tmp_path: Path
) -> None:
    reporter = Timeline()

    async def go() -> PipelineResult:
        sink = RequestSink()
        async with make_client(sandbox_transport, sandbox_clock, sink) as client:
            options = CollectOptions(
                matter="Acme v. Widget",
                custodians=("alice@example.com",),
                scope=Scope(None, None),
                out=tmp_path / "out",
                api_url="https://api.anthropic.com",
                key_fingerprint=client.api_key_fingerprint,
            )
            pipeline = PipelineOptions(options, render=True, seal=False, verify=False, render_jobs=2)
            return await run_pipeline(
                client, pipeline, requests=sink, reporter=reporter, clock=lambda: sandbox_clock.now
            )

    result = asyncio.run(go())
    types = [e.metadata["document_type"] for e in result.manifest.entries if e.kind == "transcript"]
    ahead = sum(types.count(kind) for kind in ("chat", "project", "session", "activity"))
    assert types.count("project") >= 1
    assert reporter.expected[COUNTER] == reporter.done[COUNTER] == ahead >= 3
    rendering = reporter.events.index(("stage", "rendering transcripts"))
    laid_out = [i for i, event in enumerate(reporter.events) if event == ("advance", COUNTER)]
    assert laid_out and max(laid_out) < rendering, "layout did not happen while collecting"
    assert reporter.done["transcripts"] == reporter.expected["transcripts"]
