"""A custodian who left the organization is collected by ``user_...`` id; an unknown email is not."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ediscovery.cli.collect import command
from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope
from ediscovery.evidence.manifest import validate_manifest
from ediscovery.pipeline import PipelineOptions, run_pipeline
from ediscovery.progress import RecordingReporter
from ediscovery.sandbox import ManualClock, Tenant, ground_truth
from ediscovery.sandbox.model import User
from tests.collect.conftest import Collect, make_client

KEY_ENV = "EDISCOVERY_TEST_KEY"


def depart(tenant: Tenant, email: str) -> User:
    """Remove a user from every organization's directory; their chats and events stay."""
    user = next(u for u in tenant.users.values() if u.email == email)
    tenant.users[user.id] = dataclasses.replace(user, memberships=())
    return user


def test_departed_custodian_is_collected_by_user_id(
    tenant: Tenant, sandbox_transport: httpx.ASGITransport, collect: Collect
) -> None:
    truth = ground_truth(tenant, "alice@example.com")
    user = depart(tenant, "alice@example.com")
    assert truth["chats"], "the sandbox user has chats to collect"

    result = collect(sandbox_transport, custodians=(user.id,), render=True)

    manifest = json.loads((result.bag / "manifest.json").read_bytes())
    assert validate_manifest(manifest) == []
    assert manifest["custodians"] == [
        {"query": user.id, "email": None, "full_name": None, "user_ids": [user.id], "organizations": []}
    ]
    chats = {e["source_id"] for e in manifest["entries"] if e["kind"] == "chat_messages"}
    assert chats == set(truth["chats"])
    transcripts = [e for e in manifest["entries"] if e["path"].startswith("data/transcripts/chats/")]
    assert len(transcripts) == len(chats)
    departed = [lim for lim in manifest["limitations"] if lim["kind"] == "custodian_not_in_directory"]
    assert [lim["source_id"] for lim in departed] == [user.id]
    assert "not a current member" in departed[0]["message"]
    assert result.bag.name.startswith(user.id + "_")  # the id keeps its case
    labels = (result.bag / "bag-info.txt").read_text(encoding="utf-8")
    assert "Custodian-Email" not in labels
    assert f"Custodian-User-Ids: {user.id}\n" in labels


def test_departed_custodian_is_announced_in_progress(
    tenant: Tenant, sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock, tmp_path: Path
) -> None:
    user = depart(tenant, "alice@example.com")
    reporter = RecordingReporter()

    async def go() -> None:
        async with make_client(sandbox_transport, sandbox_clock, None) as client:
            options = CollectOptions(
                matter="Acme v. Widget",
                custodians=(user.id,),
                scope=Scope(None, None),
                out=tmp_path,
                api_url="https://api.anthropic.com",
                key_fingerprint=client.api_key_fingerprint,
            )
            await run_pipeline(
                client,
                PipelineOptions(options, render=False, seal=False, verify=False),
                reporter=reporter,
                clock=lambda: sandbox_clock.now,
            )

    asyncio.run(go())

    assert any(user.id in note and "not a current member" in note for note in reporter.notes)


def test_current_member_has_no_departed_limitation(
    sandbox_transport: httpx.ASGITransport, collect: Collect
) -> None:
    result = collect(sandbox_transport)

    manifest = json.loads((result.bag / "manifest.json").read_bytes())
    assert not [lim for lim in manifest["limitations"] if lim["kind"] == "custodian_not_in_directory"]
    assert manifest["custodians"][0]["email"] == "alice@example.com"


@pytest.mark.parametrize("query", ["bob@departed.example.com", "user_01 bad"])
def test_unknown_email_or_malformed_id_still_exits_2(
    live_sandbox: str, demo_key: str, tmp_path: Path, query: str
) -> None:
    result = CliRunner().invoke(
        command,
        [
            *("--matter", "Acme v. Widget", "--api-url", live_sandbox, "--key-env", KEY_ENV),
            *("--out", str(tmp_path), "-q", "--max-rpm", "100000", "--custodian", query),
        ],
        env={KEY_ENV: demo_key},
    )

    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: No user matches custodian '{query}'")
    assert not (tmp_path / "acme-v.-widget").exists()


def _cli(live_sandbox: str, demo_key: str, out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        command,
        [
            *("--matter", "Acme v. Widget", "--api-url", live_sandbox, "--key-env", KEY_ENV, "--no-pdf"),
            *("--out", str(out), "-q", "--max-rpm", "100000", *args),
        ],
        env={KEY_ENV: demo_key},
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_mistyped_user_id_is_a_usage_error_unless_the_user_means_it(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    typo = "user_01NoSuchPersonEverExisted"
    code, _, stderr = _cli(live_sandbox, demo_key, tmp_path, "--custodian", typo)
    assert code == 2
    assert (
        f"No organization's directory lists {typo}, and the API holds no chat, project or activity" in stderr
    )
    assert "--allow-unknown-custodian" in stderr
    assert not (tmp_path / "acme-v.-widget").exists()

    code, stdout, stderr = _cli(
        live_sandbox, demo_key, tmp_path, "--custodian", typo, "--allow-unknown-custodian"
    )
    assert code == 0, stderr
    assert f"acme-v.-widget/{typo}_" in stdout  # the archive name keeps the id's case
