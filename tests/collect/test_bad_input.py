"""Bad input: malformed API answers, a full disk, a key missing a scope."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from ediscovery.cli.collect import command
from ediscovery.cli.options import ClientSeams
from ediscovery.collect.state import RunState
from ediscovery.errors import DiskFullError
from ediscovery.evidence import store
from ediscovery.sandbox import DEMO_KEY, Tenant, ground_truth

from .conftest import Collect
from .test_collect_ground_truth import assert_matches_truth, collected

KEY_ENV = "EDISCOVERY_TEST_KEY"


class Tampered(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox, except that ``path`` answers ``body`` (200, JSON type)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str, body: bytes) -> None:
        self.inner, self.path, self.body = inner, path, body
        self.seen: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen[request.url.path] += 1
        if request.url.path == self.path:
            return httpx.Response(200, content=self.body, headers={"content-type": "application/json"})
        return await self.inner.handle_async_request(request)


def cli_args(api_url: str, out: Path) -> list[str]:
    return ["--matter", "m", "--custodian", "alice@example.com", "--api-url", api_url, "--key-env",
            KEY_ENV, "--out", str(out), "--no-pdf", "-q", "--max-rpm", "100000"]  # fmt: skip


def a_chat_with_messages(tenant: Tenant) -> str:
    truth = ground_truth(tenant, "alice@example.com")
    return sorted(cid for cid, chat in truth["chats"].items() if not chat["deleted"])[0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"data": [{"id": "claude_chat_msg_', "The response body is not JSON"),
        (b'{"id": "x", "chat_messages": "oops"}', "Unexpected chat messages: "),
        (b"[]", "A list response is not a JSON object."),
    ],
)
def test_a_malformed_chat_answer_fails_that_chat_and_the_run_goes_on(
    collect: Collect,
    tenant: Tenant,
    sandbox_transport: httpx.ASGITransport,
    body: bytes,
    message: str,
) -> None:
    chat_id = a_chat_with_messages(tenant)
    transport = Tampered(sandbox_transport, f"/v1/compliance/apps/chats/{chat_id}/messages", body)
    result = collect(transport)
    assert result.status == "incomplete"
    [error] = result.manifest.errors
    assert (error["kind"], error["source_id"], error["status"]) == ("chat", chat_id, "failed")
    assert error["message"].startswith(message)
    got = collected(result.bag)
    truth = ground_truth(tenant, "alice@example.com")
    assert sorted(got["chats"]) == sorted(set(truth["chats"]) - {chat_id})
    assert got["activities"] == set(truth["activities"])
    custody = [json.loads(line) for line in (result.bag / "custody.jsonl").read_text().splitlines()]
    assert [e["details"]["source_id"] for e in custody if e["action"] == "item_failed"] == [chat_id]


def test_a_malformed_answer_is_exit_4_naming_the_item(
    sandbox_transport: httpx.ASGITransport, tenant: Tenant, tmp_path: Path
) -> None:
    chat_id = a_chat_with_messages(tenant)
    transport = Tampered(sandbox_transport, f"/v1/compliance/apps/chats/{chat_id}/messages", b"<html>")
    args = [*cli_args("https://api.anthropic.com", tmp_path), "--json"]
    run = CliRunner().invoke(command, args, obj=ClientSeams(transport=transport), env={KEY_ENV: DEMO_KEY})
    assert run.exit_code == 4, run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "incomplete"
    assert [(e["kind"], e["source_id"]) for e in result["errors"]] == [("chat", chat_id)]
    manifest = json.loads((Path(result["bag"]) / "manifest.json").read_bytes())
    assert [e["source_id"] for e in manifest["errors"]] == [chat_id]


def test_a_full_disk_stops_cleanly_and_the_same_command_finishes(
    collect: Collect,
    tenant: Tenant,
    sandbox_transport: httpx.ASGITransport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    victim = sorted(ground_truth(tenant, "alice@example.com")["files"])[0]
    real_init = store.StreamWriter.__init__

    def full_device(self: store.StreamWriter, final: Path, *args: object, **kwargs: object) -> None:
        real_init(self, final, *args, **kwargs)  # type: ignore[arg-type]
        if final.parent.name == victim and final.name == "content.bin":
            os.close(self._fd)  # type: ignore[arg-type]
            self._fd = os.open("/dev/full", os.O_WRONLY)  # every write: ENOSPC

    monkeypatch.setattr(store.StreamWriter, "__init__", full_device)
    transport = Tampered(sandbox_transport, "", b"")
    with pytest.raises(DiskFullError) as caught:
        collect(transport)
    assert caught.value.exit_code == 1
    text = str(caught.value)
    assert f"files/{victim}/content.bin" in text
    assert "Free space on the output device and run the same command again" in text
    [state_file] = (tmp_path / "out" / "acme-v.-widget" / ".state").glob("*.sqlite")
    with RunState(state_file) as state:
        assert state.get("status") == "collecting"
        stored = {entry["path"] for entry in state.entries()}
    assert stored
    assert not [path for path in stored if victim in path and path.endswith("content.bin")]
    bag = tmp_path / "out" / "acme-v.-widget" / state_file.stem
    assert not list(bag.rglob(".*.part-*"))
    last = json.loads((bag / "custody.jsonl").read_text().splitlines()[-1])
    assert (last["action"], last["details"]["error"]) == ("error", "DiskFullError")

    monkeypatch.setattr(store.StreamWriter, "__init__", real_init)
    before = Counter(transport.seen)
    result = collect(transport)
    assert result.status == "complete"
    assert result.resumed
    assert_matches_truth(result.bag, ground_truth(tenant, "alice@example.com"))
    again = transport.seen - before
    contents = [p for p in transport.seen if p.endswith("/content") and "/files/" in p]
    assert [p for p in contents if transport.seen[p] > 1] == [
        f"/v1/compliance/apps/chats/files/{victim}/content"
    ]
    assert all(again[p] == 0 for p in contents if victim not in p and before[p])


def test_a_key_without_the_activities_scope_stops_with_exit_1_naming_it(
    live_sandbox: str, tenant: Tenant, tmp_path: Path
) -> None:
    key = tenant.add_key(["read:compliance_user_data", "read:compliance_org_data"])
    args = cli_args(live_sandbox, tmp_path)
    run = CliRunner().invoke(command, args, env={KEY_ENV: key})
    assert run.exit_code == 1
    assert "read:compliance_activities" in run.stderr
    assert key not in run.stderr


class Rewritten(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox and rewrites the JSON answer of paths under ``prefix``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, prefix: str, edit: Callable[[dict[str, Any]], None]):
        self.inner, self.prefix, self.edit = inner, prefix, edit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not (request.url.path.startswith(self.prefix) and request.url.path.endswith("/messages")):
            return response
        body = json.loads(await response.aread())
        self.edit(body)
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"request-id": "req_x"})


def _drop_messages(body: dict[str, Any]) -> None:
    del body["chat_messages"]


def _null_messages(body: dict[str, Any]) -> None:
    body["chat_messages"] = None


def _drop_content(body: dict[str, Any]) -> None:
    for message in body["chat_messages"]:
        message.pop("content", None)


def _drop_text(body: dict[str, Any]) -> None:
    for message in body["chat_messages"]:
        for block in message.get("content") or []:
            if block.get("type") == "text":
                del block["text"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_messages, "chat_messages is missing"),
        (_null_messages, "chat_messages should be an array, got None"),
        (_drop_content, "message.content is missing"),
        (_drop_text, "content block.text is missing"),
    ],
)
def test_a_missing_or_null_required_array_fails_every_chat_never_an_empty_chat(
    collect: Collect,
    tenant: Tenant,
    sandbox_transport: httpx.ASGITransport,
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    truth = ground_truth(tenant, "alice@example.com")
    live = {cid for cid, chat in truth["chats"].items() if not chat["deleted"]}
    result = collect(Rewritten(sandbox_transport, "/v1/compliance/apps/chats/", edit))
    assert result.status == "incomplete"
    failed = {e["source_id"] for e in result.manifest.errors if e["kind"] == "chat"}
    assert live <= failed
    assert all(message in e["message"] for e in result.manifest.errors if e["source_id"] in live)
    assert not set(collected(result.bag)["chats"]) & live


class NotFoundAt(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox, except that ``path`` answers 404 with ``message``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str, message: str) -> None:
        self.inner, self.path, self.message = inner, path, message

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self.path:
            body = {"type": "error", "error": {"type": "not_found_error", "message": self.message}}
            return httpx.Response(404, json=body)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("message", "gone"), [("Not found", False), ("File not found: 0b5d3c52-6a1e-4f8e", True)]
)
def test_only_a_404_that_names_the_object_says_it_is_gone(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, message: str, gone: bool
) -> None:
    victim = sorted(ground_truth(tenant, "alice@example.com")["files"])[0]
    transport = NotFoundAt(sandbox_transport, f"/v1/compliance/apps/chats/files/{victim}", message)
    result = collect(transport)
    manifest = json.loads((result.bag / "manifest.json").read_text())
    unavailable = [
        item["source_id"] for item in manifest["limitations"] if item["kind"] == "file_unavailable"
    ]
    failed = [item["source_id"] for item in manifest["errors"]]
    if gone:
        assert (result.status, unavailable, failed) == ("complete", [victim], [])
    else:
        assert (result.status, unavailable, failed) == ("incomplete", [], [victim])
        assert "Not found" in manifest["errors"][0]["message"]
