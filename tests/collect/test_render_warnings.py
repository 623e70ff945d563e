"""A character no installed font can draw is a warning in the run report, not a silent box."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ediscovery.sandbox import Tenant
from tests.collect.conftest import Collect


@pytest.mark.slow
def test_unrenderable_character_is_a_transcript_warning_in_the_manifest(
    tenant: Tenant, sandbox_transport: httpx.ASGITransport, collect: Collect
) -> None:
    user_id = tenant.ground_truth("alice@example.com")["user_ids"][0]
    chat = next(c for c in tenant.chats_of(user_id) if c.deleted_at is None)
    later = chat.updated_at + timedelta(minutes=1)
    tenant.add_message(chat.id, "user", "A private-use glyph: \ue000.", later)

    result = collect(sandbox_transport, render=True)

    warnings = [item for item in result.manifest.limitations if item["kind"] == "transcript_warning"]
    assert [item["source_id"] for item in warnings] == [chat.id]
    assert "U+E000" in warnings[0]["message"]
    transcripts = [e for e in result.manifest.entries if e.kind == "transcript"]
    assert any(e.source_id == chat.id for e in transcripts)
