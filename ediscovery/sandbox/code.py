"""Code artifact endpoints: the list, each version's content, and the current content.

The list is sorted by artifact id, not time, and its pages are cut over *every* artifact
before the filters apply, so a page can be short or empty while ``next_page`` is set (the
documented behaviour: follow ``next_page``, not the page length). A version whose upload is
still in flight answers 503 (retryable) a set number of times; a version that rotated out
answers 404. The current content of a multi-file artifact (a Claude Doc is a ZIP of Word
files) needs ``multi_file_format=zip``; without it the answer is a 422 whose
``error.details.error_code`` is ``multi_file_unavailable``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ediscovery.sandbox import wire
from ediscovery.sandbox.chats import org_uuids
from ediscovery.sandbox.downloads import download
from ediscovery.sandbox.model import CodeArtifact
from ediscovery.sandbox.pagination import page_slice
from ediscovery.sandbox.params import in_range, range_names
from ediscovery.sandbox.problems import ApiProblem, bad_request, not_found
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.wire import JSONResponse

MAX_USER_IDS = 200
ZIP = "application/zip"


def code_artifact_json(item: CodeArtifact) -> dict[str, Any]:
    return {
        "type": "code_artifact",
        "id": item.id,
        "organization_uuid": item.org_uuid,
        "owner_user_id": item.owner_user_id,
        "user": {"id": item.owner_user_id} if item.owner_user_id else None,
        "read_mode": item.read_mode,
        "published_version_id": item.published_version_id,
        "updated_at": wire.ts(item.updated_at),
        "versions": [
            {"id": v.id, "created_at": wire.ts(v.created_at), "name": v.name} for v in item.versions
        ],
    }


async def list_code_artifacts(call: Call) -> Response:
    tenant = call.tenant
    params = call.params(("user_ids[]", "organization_ids[]", *range_names("updated_at"), "page", "limit"))
    limit = params.limit(20, 100) or 20
    users = params.many("user_ids[]")
    if len(users) > MAX_USER_IDS:
        raise bad_request(f"user_ids[]: at most {MAX_USER_IDS} values are allowed")
    wanted = set(users) or None
    orgs = org_uuids(tenant, params.many("organization_ids[]"))
    updated = params.time_range("updated_at")
    every = sorted(tenant.code_artifacts.values(), key=lambda a: a.id)
    page = page_slice(every, params.one("page"), limit, "code_artifacts")
    page["data"] = [
        code_artifact_json(a)
        for a in page["data"]
        if (wanted is None or a.owner_user_id in wanted)
        and (orgs is None or a.org_uuid in orgs)
        and in_range(a.updated_at, updated)
    ]
    page["has_more"] = page["next_page"] is not None
    return JSONResponse(page)


def _artifact(call: Call) -> CodeArtifact:
    artifact_id = call.args["artifact_id"]
    item = call.tenant.code_artifacts.get(artifact_id)
    if item is None:
        raise not_found(f"Code artifact not found: '{artifact_id}'")
    return item


async def version_content(call: Call) -> Response:
    call.params(())
    item = _artifact(call)
    version_id = call.args["version_id"]
    version = next((v for v in item.versions if v.id == version_id), None)
    if version is None or version.rotated:
        raise not_found(f"Code artifact version not found: '{version_id}'")
    if version.uploading > 0:
        version.uploading -= 1
        raise ApiProblem(503, "The content of this version is still being uploaded; retry shortly.")
    return await download(call, version.id, version.blob, version.name, None)


async def current_content(call: Call) -> Response:
    params = call.params(("multi_file_format",))
    item = _artifact(call)
    form = params.one("multi_file_format")
    if form not in (None, "zip"):
        raise bad_request("multi_file_format: Input should be 'zip'")
    if item.multi_file and form != "zip":
        raise ApiProblem(
            422,
            "This artifact has several files; ask for them with multi_file_format=zip.",
            details={"error_code": "multi_file_unavailable"},
        )
    kind = ZIP if item.multi_file else None
    return await download(call, f"{item.id}:content", item.content, None, kind, attachment=False)


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "apps/code/artifacts", "user", list_code_artifacts),
    endpoint("GET", "apps/code/artifacts/{artifact_id}/versions/{version_id}", "user", version_content),
    endpoint("GET", "apps/code/artifacts/{artifact_id}/content", "user", current_content),
]
