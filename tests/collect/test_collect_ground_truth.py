"""A collection of the two-org custodian equals the sandbox's ground truth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx

from ediscovery.collect.scope import make_scope
from ediscovery.evidence.manifest import validate_manifest
from ediscovery.evidence.paths import safe_id
from ediscovery.sandbox import Tenant, ground_truth

from .conftest import Collect


def collected(bag: Path) -> dict[str, Any]:
    manifest = json.loads((bag / "manifest.json").read_bytes())
    assert validate_manifest(manifest) == []
    out: dict[str, Any] = {
        "chats": {},
        "files": {},
        "generated_files": {},
        "artifacts": {},
        "projects": set(),
        "project_documents": set(),
        "activities": set(),
    }
    for entry in manifest["entries"]:
        kind, sid, meta = entry["kind"], entry["source_id"], entry["metadata"]
        if kind == "chat_messages":
            chat = out["chats"].setdefault(
                sid,
                {
                    "deleted": meta["deleted_at"] is not None,
                    "message_ids": [],
                    "project_id": meta["project_id"],
                },
            )
            chat["message_ids"] += [m["id"] for m in meta["messages"]]
        elif kind in ("file", "generated_file", "artifact"):
            assert hashlib.sha256((bag / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
            out[kind + "s"][sid] = entry["sha256"]
        elif kind in ("project", "project_document"):
            out[kind + "s"].add(sid)
        elif kind == "activities":
            for item in json.loads((bag / entry["path"]).read_bytes())["data"]:
                out["activities"].add(item["id"])
    return out


def assert_matches_truth(bag: Path, truth: dict[str, Any]) -> None:
    got = collected(bag)
    assert got["chats"] == truth["chats"]
    assert got["files"] == truth["files"]
    assert got["generated_files"] == truth["generated_files"]
    assert got["artifacts"] == truth["artifacts"]
    assert sorted(got["projects"]) == truth["projects"]
    assert sorted(got["project_documents"]) == truth["project_documents"]
    assert sorted(got["activities"]) == truth["activities"]


def test_full_collection_equals_ground_truth(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport)
    assert result.status == "complete", result.manifest.errors
    truth = ground_truth(tenant, "alice@example.com")
    assert any(chat["deleted"] for chat in truth["chats"].values())
    assert_matches_truth(result.bag, truth)
    assert result.manifest.counts["chats"] == len(truth["chats"])


def test_date_range_collects_responsive_chats_whole(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    scope = make_scope("2026-03-01", "2026-11-01", "America/New_York")
    result = collect(sandbox_transport, scope=scope)
    truth = ground_truth(tenant, "alice@example.com", since=scope.since, until=scope.until)
    assert 0 < len(truth["chats"]) < len(ground_truth(tenant, "alice@example.com")["chats"])
    assert_matches_truth(result.bag, truth)
    flags = [
        m["in_range"]
        for e in result.manifest.entries
        if e.kind == "chat_messages"
        for m in e.metadata["messages"]
    ]
    assert True in flags
    every_chat = set(ground_truth(tenant, "alice@example.com")["chats"])
    left_out = {i["source_id"] for i in result.manifest.limitations if i["kind"] == "chat_out_of_range"}
    assert left_out == every_chat - set(truth["chats"])


def test_hostile_file_names_are_kept_in_the_manifest_only(
    collect: Collect, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport)
    names = [e.metadata["original_filename"] for e in result.manifest.entries if e.kind == "file"]
    assert any("/" in (n or "") or ".." in (n or "") for n in names)
    for entry in result.manifest.entries:
        assert (result.bag / entry.path).resolve().is_relative_to(result.bag.resolve())
        assert (
            entry.path.split("/")[-1]
            in {
                "content.bin",
                "metadata.json",
                "content.json",
                "project.json",
                "document.json",
                "settings.json",
                "session.json",
            }
            or entry.path.split("/")[-1].startswith(("page-", "messages-", "attachments-", "collaborators-"))
            or (
                entry.kind == "code_artifact_version"
                and entry.path.endswith(f"/versions/{safe_id(entry.source_id)}.bin")
            )
        )
