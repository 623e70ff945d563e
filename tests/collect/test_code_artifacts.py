"""Code artifacts: every version of every artifact the custodian owns, byte for byte, and its content."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import httpx

from ediscovery.sandbox import Tenant, ground_truth

from .conftest import Collect


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.seen = inner, Counter[str]()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen[str(request.url.copy_with(scheme="https", host="x"))] += 1
        return await self.inner.handle_async_request(request)


def _stored(bag: Path) -> tuple[dict[str, str], dict[str, dict[str, object]], list[dict[str, object]]]:
    manifest = json.loads((bag / "manifest.json").read_text())
    versions = {
        e["source_id"]: hashlib.sha256((bag / e["path"]).read_bytes()).hexdigest()
        for e in manifest["entries"]
        if e["kind"] == "code_artifact_version"
    }
    contents = {e["source_id"]: e for e in manifest["entries"] if e["kind"] == "code_artifact_content"}
    return versions, contents, manifest["limitations"]


def test_every_version_and_content_of_the_custodians_code_artifacts_equals_ground_truth(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    transport = Counting(sandbox_transport)
    result = collect(transport)
    truth = ground_truth(tenant, "alice@example.com")["code_artifacts"]
    versions, contents, limitations = _stored(result.bag)
    expected = {
        vid: sha for item in truth.values() for vid, sha in item["versions"].items() if sha is not None
    }
    assert versions == expected
    assert {
        aid: hashlib.sha256((result.bag / e["path"]).read_bytes()).hexdigest() for aid, e in contents.items()
    } == {aid: item["content"] for aid, item in truth.items()}
    rotated = [vid for item in truth.values() for vid, sha in item["versions"].items() if sha is None]
    unavailable = [i["source_id"] for i in limitations if i["kind"] == "code_artifact_version_unavailable"]
    assert unavailable == rotated and rotated
    [doc] = [aid for aid, item in truth.items() if item["multi_file"]]
    assert contents[doc]["metadata"]["multi_file_format"] == "zip"
    assert result.status == "complete"
    owners = {a.owner_user_id for a in tenant.code_artifacts.values()}
    assert len(owners) > 1  # the list pages hold other people's artifacts, none of which is stored
    assert set(versions) <= {
        v.id for a in tenant.code_artifacts.values() if a.id in truth for v in a.versions
    }
    report = (result.bag / "reports" / "collection-report.html").read_text()
    assert all(vid in report and sha in report for vid, sha in versions.items())
    list_pages = [u for u in transport.seen if u.startswith("https://x/v1/compliance/apps/code/artifacts?")]
    assert len(list_pages) == 3  # short and empty pages are followed to the last next_page


def test_an_incremental_run_carries_the_versions_it_has_and_asks_only_for_the_missing_one(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    collect(sandbox_transport)
    again = Counting(sandbox_transport)
    result = collect(again)
    assert "previous_run" in json.loads((result.bag / "manifest.json").read_text())
    truth = ground_truth(tenant, "alice@example.com")["code_artifacts"]
    rotated = {vid for item in truth.values() for vid, sha in item["versions"].items() if sha is None}
    asked = {u.rsplit("/", 1)[-1] for u in again.seen if "/versions/" in u}
    assert asked == rotated
    delta = json.loads((result.bag / "reports" / "delta.json").read_text())
    carried = set(delta["already_collected"]["code_artifact_version"])
    assert carried == {vid for item in truth.values() for vid, sha in item["versions"].items() if sha}
