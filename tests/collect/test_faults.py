"""Collections through 429s, 5xx, dropped connections and corrupted downloads."""

from __future__ import annotations

import json

import httpx

from ediscovery.sandbox import FaultConfig, FaultRule, ManualClock, Tenant, create_app, ground_truth

from .conftest import Collect
from .test_collect_ground_truth import assert_matches_truth


def app_with(tenant: Tenant, clock: ManualClock, faults: FaultConfig) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app(tenant, faults=faults, clock=clock, sleep=clock.sleep))


def test_retries_and_one_corrupt_download_still_equal_ground_truth(
    collect: Collect, tenant: Tenant, sandbox_clock: ManualClock
) -> None:
    faults = FaultConfig(
        rules=(
            FaultRule("rate_limit", "*/apps/chats", times=2, retry_after=3),
            FaultRule("server_error", "*/messages", times=3, status=503),
            FaultRule("drop", "*/content", times=2),
            FaultRule("corrupt", "*/content", times=1),
        )
    )
    result = collect(app_with(tenant, sandbox_clock, faults))
    assert result.status == "complete", result.manifest.errors
    assert_matches_truth(result.bag, ground_truth(tenant, "alice@example.com"))
    assert all(e.status == "ok" for e in result.manifest.entries)
    statuses = [
        json.loads(line)["status"] for line in (result.bag / "requests.jsonl").read_text().splitlines()
    ]
    assert 429 in statuses
    assert 503 in statuses


def test_a_permanently_corrupt_file_is_kept_marked_and_reported(
    collect: Collect, tenant: Tenant, sandbox_clock: ManualClock
) -> None:
    alice = tenant.user_by_email("alice@example.com")
    assert alice is not None
    file_id = sorted(ground_truth(tenant, "alice@example.com")["files"])[0]
    faults = FaultConfig(rules=(FaultRule("corrupt", f"*/files/{file_id}/content", times=None),))
    result = collect(app_with(tenant, sandbox_clock, faults))
    assert result.status == "incomplete"
    bad = [e for e in result.manifest.entries if e.source_id == file_id and e.kind == "file"]
    assert [e.status for e in bad] == ["integrity_failed"]
    assert bad[0].metadata["md5_matched"] is False
    assert [(e["kind"], e["source_id"], e["status"]) for e in result.manifest.errors] == [
        ("file", file_id, "integrity_failed")
    ]


def test_new_sources_equal_ground_truth_through_faults_and_the_remote_sessions_own_budget(
    collect: Collect, tenant: Tenant, sandbox_clock: ManualClock
) -> None:
    faults = FaultConfig(
        rules=(
            FaultRule("server_error", "*/apps/sessions/local*", times=2, status=503),
            FaultRule("rate_limit", "*/apps/code/artifacts*", times=2, retry_after=2),
            FaultRule("drop", "*/versions/*", times=1),
        )
    )
    app = create_app(
        tenant, faults=faults, clock=sandbox_clock, sleep=sandbox_clock.sleep, remote_rate_limit=1
    )
    result = collect(httpx.ASGITransport(app=app))
    assert result.status == "complete", result.manifest.errors
    truth = ground_truth(tenant, "alice@example.com")
    manifest = json.loads((result.bag / "manifest.json").read_text())
    stored = {e["kind"]: set() for e in manifest["entries"]}
    for entry in manifest["entries"]:
        stored[entry["kind"]].add(entry["source_id"])
    assert stored["local_session"] == set(truth["local_sessions"])
    live = {sid for sid, t in truth["remote_sessions"].items() if not t["pending"]}
    assert stored["remote_session_messages"] == live
    versions = {v for a in truth["code_artifacts"].values() for v, sha in a["versions"].items() if sha}
    assert stored["code_artifact_version"] == versions
    records = [json.loads(line) for line in (result.bag / "requests.jsonl").read_text().splitlines()]
    remote_429 = [r for r in records if r["status"] == 429 and "/sessions/remote" in r["path"]]
    assert remote_429, "the remote sessions' own budget was never exhausted"
    assert {503, 429} <= {r["status"] for r in records}
