"""Incremental runs and completeness: nothing that failed or changed is silently carried as done."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediscovery.collect.scope import Scope
from ediscovery.collect.state import RunState
from ediscovery.pipeline import PipelineResult
from ediscovery.sandbox import ManualClock, Tenant, ground_truth
from ediscovery.sandbox.model import GeneratedFile, ProjectDocument

from .conftest import Collect as RunPipeline
from .test_collect_ground_truth import collected

V1 = "/v1/compliance"


class Failing(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox, except that ``paths`` answer 400 while ``failing`` is on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *paths: str) -> None:
        self.inner, self.paths, self.failing = inner, set(paths), True
        self.seen: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen[request.url.path] += 1
        if self.failing and request.url.path in self.paths:
            body = {"type": "error", "error": {"type": "invalid_request_error", "message": "refused"}}
            return httpx.Response(400, json=body)
        return await self.inner.handle_async_request(request)


Collect = Callable[..., PipelineResult]


@pytest.fixture
def collect(collect: RunPipeline, sandbox_clock: ManualClock) -> Collect:
    """The pipeline, one sandbox hour after the last run (runs are ordered by their start time)."""

    def run(*args: Any, **kwargs: Any) -> PipelineResult:
        sandbox_clock.advance(3600)
        return collect(*args, **kwargs)

    return run


def alice_truth(tenant: Tenant) -> dict[str, object]:
    return ground_truth(tenant, "alice@example.com")


def live_chat(tenant: Tenant) -> str:
    truth = ground_truth(tenant, "alice@example.com")
    return sorted(cid for cid, chat in truth["chats"].items() if not chat["deleted"])[0]


def snapshot(bag: Path, kind: str) -> dict[str, dict[str, object]]:
    state_path = bag.parent / ".state" / f"{bag.name}.sqlite"
    with RunState(state_path) as state:
        return dict(state.snapshot(kind))


def test_a_chat_that_failed_is_fetched_again_by_the_next_run(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    chat_id = live_chat(tenant)
    transport = Failing(sandbox_transport, f"{V1}/apps/chats/{chat_id}/messages")
    first = collect(transport)
    assert first.status == "incomplete"
    assert snapshot(first.bag, "chat")[chat_id]["status"] == "failed"
    transport.failing = False
    second = collect(transport)
    assert second.status == "complete"
    assert chat_id in collected(second.bag)["chats"]
    assert snapshot(second.bag, "chat")[chat_id]["status"] == "stored"
    fetched = transport.seen[f"{V1}/apps/chats/{chat_id}/messages"]
    third = collect(transport)
    assert transport.seen[f"{V1}/apps/chats/{chat_id}/messages"] == fetched
    assert snapshot(third.bag, "chat")[chat_id]["status"] == "stored"


def test_a_failed_file_is_retried_through_its_unchanged_chat(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    file_id = sorted(alice_truth(tenant)["files"])[0]  # type: ignore[call-overload]
    content = f"{V1}/apps/chats/files/{file_id}/content"
    transport = Failing(sandbox_transport, content)
    first = collect(transport)
    assert [(e["kind"], e["source_id"]) for e in first.manifest.errors] == [("file", file_id)]
    transport.failing = False
    before = transport.seen[content]
    second = collect(transport)
    assert second.status == "complete"
    assert transport.seen[content] == before + 1
    assert file_id in {e.source_id for e in second.manifest.entries if e.kind == "file"}


def test_a_failed_activity_listing_is_read_again_from_the_start_of_the_range(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    transport = Failing(sandbox_transport, f"{V1}/activities")
    first = collect(transport)
    assert ("activities", tenant.user_by_email("alice@example.com").id) in {  # type: ignore[union-attr]
        (e["kind"], e["source_id"]) for e in first.manifest.errors
    }
    transport.failing = False
    second = collect(transport)
    assert second.status == "complete"
    assert collected(second.bag)["activities"] == set(alice_truth(tenant)["activities"])  # type: ignore[call-overload]
    third = collect(transport)
    assert collected(third.bag)["activities"] < collected(second.bag)["activities"]


def test_a_message_created_after_its_chats_updated_at_is_still_collected(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    alice = tenant.user_by_email("alice@example.com")
    assert alice is not None
    org = alice.memberships[0].org_uuid
    at = max(c.updated_at for c in tenant.chats.values()) + timedelta(days=2)
    chat = tenant.add_chat(alice.id, org, "Late assistant answer", at - timedelta(hours=1))
    tenant.add_message(chat.id, "user", "Question", at - timedelta(hours=1))
    answer = tenant.add_message(chat.id, "assistant", "Answer", at)
    tenant.chats[chat.id] = replace(tenant.chats[chat.id], updated_at=at - timedelta(minutes=30))
    result = collect(sandbox_transport, scope=Scope(at - timedelta(minutes=10), None))
    got = collected(result.bag)["chats"]
    assert answer.id in got[chat.id]["message_ids"]


class Rewriting(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox; JSON answers of ``path`` go through ``change`` first."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str, change: Callable[[Any], Any]) -> None:
        self.inner, self.path, self.change = inner, path, change

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != self.path:
            return response
        body = json.loads(await response.aread())
        headers = {"content-type": "application/json", "request-id": response.headers.get("request-id", "")}
        return httpx.Response(response.status_code, json=self.change(body), headers=headers)


def _creator_gone(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "data": [{**item, "user": None} for item in body["data"]]}


def test_a_project_whose_creator_account_is_gone_is_still_collected(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    transport = Rewriting(sandbox_transport, f"{V1}/apps/projects", _creator_gone)
    result = collect(transport)
    assert sorted(collected(result.bag)["projects"]) == alice_truth(tenant)["projects"]


def test_an_unchanged_project_reached_through_a_carried_chat_gets_its_new_document(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    carol = tenant.user_by_email("carol@example.com")
    [project] = [p for p in tenant.projects.values() if p.creator_id == carol.id]  # type: ignore[union-attr]
    first = collect(sandbox_transport)
    assert project.id in collected(first.bag)["projects"]
    doc = ProjectDocument("claude_proj_doc_late", project.id, "late.md", "# Late\n", project.updated_at, None)
    tenant.documents[doc.id] = doc
    tenant.projects[project.id] = replace(project, doc_ids=(*project.doc_ids, doc.id))
    second = collect(sandbox_transport)
    assert second.status == "complete"
    assert doc.id in collected(second.bag)["project_documents"]
    assert project.id in snapshot(second.bag, "project")
    third = collect(sandbox_transport)
    assert project.id in snapshot(third.bag, "project")
    assert not collected(third.bag)["project_documents"]


class Doctored(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox; for one file, drops Content-MD5 and/or sets the metadata md5."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, file_id: str, *, header: bool, md5: str | None
    ) -> None:
        self.inner, self.header, self.md5 = inner, header, md5
        self.metadata = f"{V1}/apps/chats/files/{file_id}"
        self.content = f"{self.metadata}/content"
        self.seen: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen[request.url.path] += 1
        response = await self.inner.handle_async_request(request)
        if request.url.path == self.metadata:
            body = json.loads(await response.aread())
            return httpx.Response(200, json={**body, "md5": self.md5}, headers=_kept(response))
        if request.url.path == self.content and not self.header:
            data = await response.aread()
            return httpx.Response(200, content=data, headers=_kept(response, "content-md5"))
        return response


def _kept(response: httpx.Response, *dropped: str) -> dict[str, str]:
    gone = {"content-length", "transfer-encoding", *dropped}
    return {k: v for k, v in response.headers.items() if k not in gone}


def a_file(tenant: Tenant) -> str:
    return sorted(alice_truth(tenant)["files"])[0]  # type: ignore[call-overload, no-any-return]


def file_entry(result: PipelineResult, file_id: str) -> Any:
    [entry] = [e for e in result.manifest.entries if e.kind == "file" and e.source_id == file_id]
    return entry


def test_without_content_md5_bytes_that_differ_from_the_metadata_md5_fail_integrity(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    file_id = a_file(tenant)
    transport = Doctored(sandbox_transport, file_id, header=False, md5="0" * 32)
    result = collect(transport)
    assert transport.seen[transport.content] == 3
    entry = file_entry(result, file_id)
    assert (entry.status, entry.metadata["md5_matched"], entry.metadata["md5_source"]) == (
        "integrity_failed",
        False,
        "api_md5",
    )
    [error] = result.manifest.errors
    assert (error["kind"], error["source_id"], error["status"]) == ("file", file_id, "integrity_failed")
    assert error["message"].startswith("the metadata md5 never matched")


def test_without_content_md5_the_metadata_md5_verifies_the_bytes(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    file_id = a_file(tenant)
    right = tenant.blob_digests(file_id, tenant.files[file_id].blob)[0]
    result = collect(Doctored(sandbox_transport, file_id, header=False, md5=right))
    entry = file_entry(result, file_id)
    assert (entry.status, entry.metadata["md5_matched"], entry.metadata["md5_source"]) == (
        "ok",
        True,
        "api_md5",
    )
    assert result.status == "complete"


def test_a_download_with_nothing_to_check_against_is_a_limitation(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    file_id = a_file(tenant)
    result = collect(Doctored(sandbox_transport, file_id, header=False, md5=None))
    entry = file_entry(result, file_id)
    assert (entry.status, entry.metadata["md5_matched"]) == ("ok", None)
    assert ("download_unverified", file_id) in {
        (x["kind"], x["source_id"]) for x in result.manifest.limitations
    }
    assert result.status == "complete"


def test_content_md5_is_authoritative_over_a_different_metadata_md5(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    file_id = a_file(tenant)
    transport = Doctored(sandbox_transport, file_id, header=True, md5="0" * 32)
    result = collect(transport)
    entry = file_entry(result, file_id)
    assert transport.seen[transport.content] == 1
    assert (entry.status, entry.metadata["md5_matched"], entry.metadata["api_md5_matched"]) == (
        "ok",
        True,
        False,
    )
    assert result.status == "complete"


def test_pre_sign_in_activity_is_stated_as_not_collected_per_custodian(
    collect: Collect, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport)
    [note] = [
        x for x in result.manifest.limitations if x["kind"] == "unauthenticated_activity_not_attributed"
    ]
    assert note["source_id"] == "alice@example.com"
    assert "before sign-in" in note["message"]
    assert result.status == "complete"


def test_a_file_listed_as_uploaded_and_as_generated_is_fetched_once(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    file_id = a_file(tenant)
    stored = tenant.files[file_id]
    other = live_chat(tenant)
    assert file_id not in {f for m in tenant.messages[other] for f in m.file_ids}
    tenant.generated_files[file_id] = GeneratedFile(
        file_id, other, stored.filename, stored.mime_type, stored.created_at, stored.blob
    )
    first = tenant.messages[other][0]
    tenant.messages[other][0] = replace(first, generated_file_ids=(*first.generated_file_ids, file_id))
    transport = Failing(sandbox_transport)
    result = collect(transport)
    assert transport.seen[f"{V1}/apps/chats/files/{file_id}/content"] == 1
    [entry] = [e for e in result.manifest.entries if e.source_id == file_id and e.kind.endswith("file")]
    assert entry.kind == "file"
    assert len(entry.metadata["chat_ids"]) == 2
    assert result.status == "complete"
