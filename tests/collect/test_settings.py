"""The organization settings in force are collected for every linked organization of the custodians."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from ediscovery.sandbox import DEMO_KEY, Tenant, ground_truth
from ediscovery.timestamps import parse_timestamp

from .conftest import Collect


def test_settings_of_every_linked_organization_are_stored_and_summarised(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport)
    truth = ground_truth(tenant, "alice@example.com")
    manifest = json.loads((result.bag / "manifest.json").read_text())
    stored = sorted(e["source_id"] for e in manifest["entries"] if e["kind"] == "organization_settings")
    assert stored == truth["organizations"]
    summaries = {item["organization_uuid"]: item for item in manifest["organization_settings"]}
    assert sorted(summaries) == truth["organizations"]
    with_retention = [
        uuid for uuid, rows in tenant.settings.items() if rows[0]["name"] == "data_retention_periods"
    ]
    [legal] = with_retention
    [chat] = summaries[legal]["retention"]
    started = parse_timestamp(manifest["started_at"])
    assert parse_timestamp(chat["deleted_before"]) == started - timedelta(days=90)
    assert chat["message"].startswith("chat content older than 90 days is deleted by policy: content before ")
    assert all(not item["retention"] for uuid, item in summaries.items() if uuid != legal)
    keys = summaries[legal]["api_keys"]
    assert {k["id"] for k in keys} == {k.key_id for k in tenant.keys.values()}
    assert all(
        set(k) == {"id", "name", "scopes", "is_active", "created_at", "created_by_id", "expires_at"}
        for k in keys
    )
    for path in (result.bag / "manifest.json", *result.bag.rglob("settings.json")):
        assert DEMO_KEY not in path.read_text()
    bag_info = (result.bag / "bag-info.txt").read_text()
    assert "Data-Retention: " in bag_info and "deleted by policy" in bag_info
    report = (result.bag / "reports" / "collection-report.html").read_text()
    assert "Organization settings in force" in report and chat["message"] in report


def test_settings_the_tenant_does_not_serve_are_a_named_limitation_not_an_error(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    tenant.settings_enabled = False
    result = collect(sandbox_transport)
    assert result.status == "complete"
    manifest = json.loads((result.bag / "manifest.json").read_text())
    missing = [i for i in manifest["limitations"] if i["kind"] == "organization_settings_unavailable"]
    assert (
        sorted(i["source_id"] for i in missing) == ground_truth(tenant, "alice@example.com")["organizations"]
    )
    assert all("404" in i["message"] for i in missing)
    assert manifest["organization_settings"] == []
