"""``--sources`` chooses the corpora; what was left out, or is not collected, is named in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ediscovery.cli.collect import command
from ediscovery.collect.scope import Scope
from ediscovery.collect.sources import NOT_COLLECTED, Source
from ediscovery.sandbox import Tenant, ground_truth

from .conftest import Collect


def test_only_the_chosen_sources_are_collected_and_the_rest_is_named(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport, scope=Scope(None, None, sources=frozenset({Source.CHATS})))
    manifest = json.loads((result.bag / "manifest.json").read_text())
    kinds = {e["kind"] for e in manifest["entries"]}
    assert {"chat_list", "chat_messages", "file"} <= kinds
    assert not kinds & {
        "project_list",
        "project",
        "activities",
        "organization_settings",
        "code_artifact_list",
    }
    truth = ground_truth(tenant, "alice@example.com")
    chats = {e["source_id"] for e in manifest["entries"] if e["kind"] == "chat_messages"}
    assert chats == set(truth["chats"])
    assert manifest["scope"]["sources"] == ["chats"]
    assert manifest["scope"]["sources_not_chosen"] == sorted(str(s) for s in Source if s != Source.CHATS)
    assert result.status == "complete"


def test_every_manifest_names_a_source_the_api_serves_that_is_not_collected(
    collect: Collect, sandbox_transport: httpx.ASGITransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(NOT_COLLECTED, "future-source", "Future things")
    result = collect(sandbox_transport)
    manifest = json.loads((result.bag / "manifest.json").read_text())
    assert manifest["scope"]["sources"] == sorted(str(s) for s in Source)
    assert manifest["scope"]["sources_not_chosen"] == []
    named = {
        i["source_id"]: i["message"] for i in manifest["limitations"] if i["kind"] == "source_not_collected"
    }
    assert list(named) == ["future-source"]
    assert named["future-source"].startswith(
        "Future things are served by the Compliance API but not collected"
    )
    report = (result.bag / "reports" / "collection-report.html").read_text()
    assert "future-source" in report


def test_a_source_not_collected_yet_or_unknown_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(NOT_COLLECTED, "future-source", "Future things")
    base = ["--matter", "m", "--custodian", "alice@example.com", "--out", str(tmp_path)]
    later = CliRunner().invoke(command, [*base, "--sources", "chats,future-source"])
    assert later.exit_code == 2 and "does not collect future-source yet" in later.output
    unknown = CliRunner().invoke(command, [*base, "--sources", "emails"])
    assert unknown.exit_code == 2 and "Unknown source(s): emails" in unknown.output
    assert not any(tmp_path.iterdir())


def test_a_source_the_tenant_does_not_have_is_a_named_limitation_and_the_rest_is_collected(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    tenant.disabled = {"apps/sessions", "apps/code"}
    result = collect(sandbox_transport)
    assert result.status == "complete"
    manifest = json.loads((result.bag / "manifest.json").read_text())
    missing = {
        i["source_id"]: i["message"] for i in manifest["limitations"] if i["kind"] == "source_unavailable"
    }
    assert sorted(missing) == ["code-artifacts", "local-sessions", "remote-sessions"]
    assert all("404" in message for message in missing.values())
    chats = {e["source_id"] for e in manifest["entries"] if e["kind"] == "chat_messages"}
    assert chats == set(ground_truth(tenant, "alice@example.com")["chats"])
