"""Transcripts in a real collection: Bates numbers agree with manifest.json; unrenderable
characters are warnings in the run report, not silent boxes."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from ediscovery.sandbox import Tenant, ground_truth
from tests.collect.conftest import Collect
from tests.render.render_bag import pdftext


@pytest.mark.slow
def test_unrenderable_character_is_a_transcript_warning_in_the_manifest(
    tenant: Tenant, sandbox_transport: httpx.ASGITransport, collect: Collect
) -> None:
    user_id = ground_truth(tenant, "alice@example.com")["user_ids"][0]
    chat = next(c for c in tenant.chats_of(user_id) if c.deleted_at is None)
    later = chat.updated_at + timedelta(minutes=1)
    tenant.add_message(chat.id, "user", "A private-use glyph: \ue000.", later)

    result = collect(sandbox_transport, render=True)

    warnings = [item for item in result.manifest.limitations if item["kind"] == "transcript_warning"]
    assert [item["source_id"] for item in warnings] == [chat.id]
    assert "U+E000" in warnings[0]["message"]
    transcripts = [e for e in result.manifest.entries if e.kind == "transcript"]
    assert any(e.source_id == chat.id for e in transcripts)


@pytest.mark.slow
def test_stamped_bates_numbers_agree_with_manifest_json(
    sandbox_transport: httpx.ASGITransport, collect: Collect
) -> None:
    result = collect(sandbox_transport, render=True, seal=False)
    bag = result.bag
    manifest = json.loads((bag / "manifest.json").read_text(encoding="utf-8"))
    transcripts = [e for e in manifest["entries"] if e["kind"] == "transcript"]
    assert transcripts, "the collection rendered no transcripts"
    numbers: list[int] = []
    for entry in transcripts:
        meta = entry["metadata"]
        pages = pdftext(bag / entry["path"])
        assert len(pages) == meta["page_count"]
        begin, end = int(meta["bates_begin"]), int(meta["bates_end"])
        assert end - begin + 1 == meta["page_count"]
        for offset, page in enumerate(pages):
            assert f"{begin + offset:09d}" in page, (entry["path"], offset)
        numbers.extend(range(begin, end + 1))
    assert sorted(numbers) == list(range(1, len(numbers) + 1)), "Bates numbers repeat or leave gaps"
