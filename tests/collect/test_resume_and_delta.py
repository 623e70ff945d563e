"""A killed run resumes without fetching stored content again; a later run reports the delta."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from ediscovery.sandbox import Tenant, ground_truth

from .conftest import Collect
from .test_collect_ground_truth import assert_matches_truth

KEY_ENV = "EDISCOVERY_TEST_KEY"


def run_cli(base_url: str, key: str, out: Path, crash_after: int | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, KEY_ENV: key}
    env.pop("EDISCOVERY_CRASH_AFTER_STORED", None)
    if crash_after is not None:
        env["EDISCOVERY_CRASH_AFTER_STORED"] = str(crash_after)
    args = [
        "--matter",
        "Acme v. Widget",
        "--custodian",
        "alice@example.com",
        "--api-url",
        base_url,
        "--key-env",
        KEY_ENV,
        "--out",
        str(out),
        "-q",
        "--no-pdf",
        "--json",
        "--max-rpm",
        "100000",
    ]
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=240,
        check=False,
    )


def content_downloads(bag: Path) -> list[str]:
    paths = []
    for line in (bag / "requests.jsonl").read_text().splitlines():
        record = json.loads(line)
        if (record["path"].endswith("/content") or "/versions/" in record["path"]) and record[
            "status"
        ] == 200:
            paths.append(record["path"])
    return paths


@pytest.mark.slow
def test_sigkilled_runs_resume_to_ground_truth_without_refetching(
    live_sandbox: str, demo_key: str, tenant: Tenant, tmp_path: Path
) -> None:
    for crash_after in (3, 15, 15):
        killed = run_cli(live_sandbox, demo_key, tmp_path, crash_after)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    done = run_cli(live_sandbox, demo_key, tmp_path, None)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    bag = Path(result["bag"])
    assert len([p for p in bag.parent.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 1
    assert_matches_truth(bag, ground_truth(tenant, "alice@example.com"))
    downloads = content_downloads(bag)
    assert len(downloads) == len(set(downloads)), "a content download was repeated"
    manifest = json.loads((bag / "manifest.json").read_text())
    truth = ground_truth(tenant, "alice@example.com")
    versions = {e["source_id"] for e in manifest["entries"] if e["kind"] == "code_artifact_version"}
    assert versions == {
        v for a in truth["code_artifacts"].values() for v, sha in a["versions"].items() if sha
    }
    sessions = {e["source_id"] for e in manifest["entries"] if e["kind"] == "local_session"}
    assert sessions == set(truth["local_sessions"])
    custody = [json.loads(line) for line in (bag / "custody.jsonl").read_text().splitlines()]
    assert [e["action"] for e in custody].count("run_resumed") == 3


def test_incremental_run_reports_new_changed_deleted_and_vanished(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    first = collect(sandbox_transport)
    alice = tenant.user_by_email("alice@example.com")
    assert alice is not None
    live = sorted((c for c in tenant.chats_of(alice.id) if c.deleted_at is None), key=lambda c: c.id)
    grow, soft, hard = live[0], live[1], live[2]
    later = max(c.updated_at for c in tenant.chats.values()) + timedelta(days=1)
    message = tenant.add_message(grow.id, "user", "One more question.", later)
    tenant.soft_delete_chat(soft.id, later)
    tenant.hard_delete_chat(hard.id)
    second = collect(sandbox_transport)
    assert second.bag != first.bag
    report = json.loads((second.bag / "reports" / "delta.json").read_bytes())
    assert report["previous_run"]["run_id"] == first.manifest.run_id
    assert second.manifest.extra["previous_run"]["run_id"] == first.manifest.run_id
    chats = report["chats"]
    assert {"id": grow.id, "new_message_ids": [message.id]} in chats["changed"]
    assert chats["newly_deleted"] == [soft.id]
    assert chats["vanished"] == [hard.id]
    stored = {e.source_id for e in second.manifest.entries if e.kind == "chat_messages"}
    assert stored == {grow.id, soft.id}
    assert "Previous-Run-Id: " + first.manifest.run_id in (second.bag / "bag-info.txt").read_text()
