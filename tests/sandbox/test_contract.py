"""Endpoint shapes, auth order, documented error messages and validation (the §11 catalogue)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from ediscovery.sandbox import DELETE_KEY, ManualClock, Tenant, create_app, wire
from ediscovery.sandbox.downloads import file_uuid
from tests.sandbox.conftest import SyncApi

V1 = "/v1/compliance"


def _ids(tenant: Tenant) -> dict[str, str]:
    org = next(iter(tenant.orgs))
    role = next(r for r in tenant.roles.values() if r.org_uuid == org)
    project = next(p for p in tenant.projects.values() if p.doc_ids and p.file_ids)
    return {
        "org": org,
        "role": role.id,
        "group": next(iter(tenant.groups)),
        "chat": next(c.id for c in tenant.chats.values() if c.deleted_at is None),
        "file": next(iter(tenant.files)),
        "gen": next(iter(tenant.generated_files)),
        "artifact": next(iter(tenant.artifacts)),
        "project": project.id,
        "doc": project.doc_ids[0],
    }


SHAPES = [
    ("organizations", {"data", "has_more", "next_page"}),
    ("organizations/{org}/users", {"data", "has_more", "next_page"}),
    ("organizations/{org}/roles", {"data", "has_more", "next_page"}),
    ("organizations/{org}/roles/{role}", {"id", "name", "description", "created_at", "updated_at"}),
    ("organizations/{org}/roles/{role}/permissions", {"data", "has_more", "next_page"}),
    ("groups", {"data", "has_more", "next_page"}),
    ("groups/{group}", {"id", "name", "description", "source_type", "roles", "created_at", "updated_at"}),
    ("groups/{group}/members", {"data", "has_more", "next_page"}),
    ("apps/chats", {"data", "has_more", "first_id", "last_id"}),
    (
        "apps/chats/{chat}/messages",
        {
            "id",
            "name",
            "created_at",
            "updated_at",
            "deleted_at",
            "href",
            "model",
            "organization_id",
            "organization_uuid",
            "project_id",
            "user",
            "chat_messages",
            "has_more",
            "first_id",
            "last_id",
        },
    ),
    (
        "apps/chats/files/{file}",
        {"id", "filename", "mime_type", "size_bytes", "md5", "created_at", "message_ids", "claude_chat_ids"},
    ),
    (
        "apps/chats/generated-files/{gen}",
        {"id", "claude_chat_id", "created_at", "filename", "md5", "mime_type", "size_bytes"},
    ),
    (
        "apps/artifacts/{artifact}",
        {"id", "version_id", "claude_chat_id", "created_at", "title", "artifact_type", "md5", "size_bytes"},
    ),
    ("apps/artifacts/{artifact}/content", {"content", "title", "artifact_type"}),
    ("apps/projects", {"data", "has_more", "next_page"}),
    (
        "apps/projects/{project}",
        {
            "id",
            "name",
            "created_at",
            "updated_at",
            "deleted_at",
            "is_private",
            "organization_id",
            "organization_uuid",
            "user",
            "description",
            "instructions",
            "attachments_count",
            "chats_count",
        },
    ),
    ("apps/projects/{project}/attachments", {"data", "has_more", "next_page"}),
    ("apps/projects/{project}/collaborators", {"data", "has_more", "next_page"}),
    ("apps/projects/documents/{doc}", {"id", "content", "created_at", "filename", "user"}),
    (
        "apps/projects/documents/{doc}/metadata",
        {"id", "claude_project_id", "created_at", "filename", "md5", "mime_type", "size_bytes", "user"},
    ),
    ("activities", {"data", "has_more", "first_id", "last_id"}),
]


@pytest.mark.parametrize(("template", "keys"), SHAPES)
def test_endpoint_answers_documented_shape(
    api: SyncApi, tenant: Tenant, template: str, keys: set[str]
) -> None:
    response = api.get(f"{V1}/{template.format(**_ids(tenant))}")
    assert response.status_code == 200, response.text
    assert set(response.json()) == keys
    assert response.headers["request-id"].startswith("req_")
    assert len(response.headers["request-id"]) == 4 + 24
    assert response.headers["anthropic-ratelimit-requests-limit"] == "600"


NOT_FOUND = [
    ("apps/chats/claude_chat_01Nope/messages", "Chat conversation not found: 'claude_chat_01Nope'"),
    ("apps/chats/files/claude_file_01Nope", f"File not found: {file_uuid('claude_file_01Nope')}"),
    ("apps/chats/files/claude_file_01Nope/content", f"File not found: {file_uuid('claude_file_01Nope')}"),
    (
        "apps/chats/generated-files/claude_gen_file_01Nope",
        "Generated file not found: 'claude_gen_file_01Nope'",
    ),
    (
        "apps/chats/generated-files/claude_gen_file_01Nope/content",
        "Generated file content not found: 'claude_gen_file_01Nope'",
    ),
    (
        "apps/artifacts/claude_artifact_version_01Nope",
        "Artifact version not found: 'claude_artifact_version_01Nope'",
    ),
    ("apps/projects/claude_proj_01Nope", "No project is found with the provided id."),
    ("apps/projects/claude_proj_01Nope/attachments", "No project is found with the provided id."),
    ("apps/projects/documents/claude_proj_doc_01Nope", "No project document found with the provided id."),
    (
        "organizations/00000000-0000-4000-8000-000000000000/users",
        'The "00000000-0000-4000-8000-000000000000" organization does not exist or the requester is not '
        "authorized to access it.",
    ),
    ("groups/rbac_group_01Nope", "Group not found."),
    ("no/such/path", "Not found"),
]


@pytest.mark.parametrize(("path", "message"), NOT_FOUND)
def test_unknown_objects_answer_404_with_documented_message(api: SyncApi, path: str, message: str) -> None:
    response = api.get(f"{V1}/{path}")
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "error"
    assert body["error"] == {"type": "not_found_error", "message": message}
    assert body["request_id"] == response.headers["request-id"]


def _auth_cases(tenant: Tenant) -> list[tuple[dict[str, str], int, str]]:
    inactive = tenant.add_key(["read:compliance_user_data"], active=False)
    return [
        ({}, 404, "Not found"),
        ({"x-api-key": "sk-ant-api03-some-claude-api-key"}, 404, "Not found"),
        ({"authorization": "Bearer sk-ant-api01-whatever"}, 404, "Not found"),
        ({"x-api-key": "sk-ant-api01-unknown"}, 401, "API key is invalid."),
        ({"x-api-key": "sk-ant-admin01-unknown"}, 401, "API key is invalid."),
        ({"x-api-key": inactive}, 401, "API key has been deactivated."),
    ]


def test_auth_failures_follow_documented_order(sandbox_app: Starlette, tenant: Tenant) -> None:
    client = SyncApi(sandbox_app)
    for headers, status, message in _auth_cases(tenant):
        response = client.get(f"{V1}/organizations", headers=headers)
        assert (response.status_code, response.json()["error"]["message"]) == (status, message), headers
        assert "anthropic-ratelimit-requests-remaining" not in response.headers


SCOPE_CASES = [
    (
        "GET",
        "activities",
        ["read:compliance_user_data"],
        "Missing required scopes. Got: ['read:compliance_user_data'] Needed one of: "
        "['read:compliance_activities', 'read:org_audit']",
    ),
    (
        "GET",
        "organizations",
        ["read:compliance_activities"],
        "Missing required scopes. Got: ['read:compliance_activities'] Needed one of: "
        "['read:compliance_org_data', 'read:org_audit']",
    ),
    (
        "GET",
        "apps/chats",
        ["read:compliance_activities"],
        "Missing required scopes. Got: ['read:compliance_activities'] Needed one of: "
        "['read:compliance_user_data', 'read:org_audit']",
    ),
    (
        "DELETE",
        "apps/chats/claude_chat_01X",
        ["read:compliance_user_data"],
        "Missing required scopes. Got: ['read:compliance_user_data'] Needed: ['delete:compliance_user_data']",
    ),
]


@pytest.mark.parametrize(("method", "path", "scopes", "message"), SCOPE_CASES)
def test_missing_scope_is_403_and_consumes_quota(
    sandbox_app: Starlette, tenant: Tenant, method: str, path: str, scopes: list[str], message: str
) -> None:
    key = tenant.add_key(scopes)
    response = SyncApi(sandbox_app).request(method, f"{V1}/{path}", headers={"x-api-key": key})
    assert response.status_code == 403
    assert response.json()["error"] == {"type": "permission_error", "message": message}
    assert response.headers["anthropic-ratelimit-requests-remaining"] == "599"


def test_org_audit_scope_reads_everything(sandbox_app: Starlette, tenant: Tenant) -> None:
    key = tenant.add_key(["read:org_audit"])
    client = SyncApi(sandbox_app, {"x-api-key": key})
    for path in ("activities", "organizations", "apps/chats"):
        assert client.get(f"{V1}/{path}").status_code == 200


VALIDATION = [
    ("activities", {"limit": "5001"}, "limit: Input should be less than or equal to 5000"),
    ("apps/chats", {"limit": "1001"}, "limit: Input should be less than or equal to 1000"),
    ("apps/projects", {"limit": "101"}, "limit: Input should be less than or equal to 100"),
    ("organizations", {"limit": "0"}, "limit: Input should be greater than or equal to 1"),
    (
        "activities",
        {"limit": "ten"},
        "limit: Input should be a valid integer, unable to parse string as an integer",
    ),
    (
        "activities",
        {"created_at.gte": "yesterday"},
        "created_at.gte: Input should be a valid datetime or date, invalid character in year",
    ),
    ("activities", {"created_at.gte": "2024-01-01"}, "created_at.gte: Input should have timezone info"),
    (
        "activities",
        {"created_at[gte]": "2024-01-01T00:00:00Z"},
        "Unknown query parameter: 'created_at[gte]'. Did you mean 'created_at.gte'?",
    ),
    (
        "activities",
        {"activity_types[]": "not_a_type"},
        "activity_types[].0: Input is not one of the permitted values.",
    ),
    ("activities", {"order": "up"}, "order: Input should be 'asc' or 'desc'"),
    ("activities", {"after_id": "activity_invalid!"}, "Invalid activity_id format: 'activity_invalid!'"),
    ("apps/chats", {"after_id": "bm90IGpzb24="}, "Invalid pagination cursor for 'after_id'"),
    (
        "apps/chats",
        {"user_ids[]": [f"user_{i}" for i in range(11)]},
        "user_ids[]: List should have at most 10 items after validation, not 11",
    ),
    (
        "apps/projects",
        {"page": "page_garbage"},
        "page: The page parameter is not a valid page token for this request.",
    ),
]


@pytest.mark.parametrize(("path", "params", "message"), VALIDATION)
def test_invalid_queries_answer_400_with_pydantic_style_message(
    api: SyncApi, path: str, params: dict[str, object], message: str
) -> None:
    response = api.get(f"{V1}/{path}", params=params)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


@pytest.mark.parametrize(
    "params",
    [
        {"user_ids[]": "u", "order_by": "updated_at"},
        {"user_ids[]": "u", "updated_at.gte": "2026-01-01T00:00:00Z"},
        {"project_ids[]": "claude_proj_01X"},
        {"before_id": "eyJrIjoiY3JlYXRlZF9hdCJ9"},
        {"order_by": "created_at", "updated_at.gte": "2026-01-01T00:00:00Z"},
        {"activity_types[]": "claude_chat_created", "exclude_activity_types[]": "user_logged_out"},
    ],
)
def test_chat_and_feed_mode_rules_reject_combinations(api: SyncApi, params: dict[str, str]) -> None:
    path = "activities" if "activity_types[]" in params else "apps/chats"
    assert api.get(f"{V1}/{path}", params=params).status_code == 400


def test_anthropic_version_header_is_optional(api: SyncApi) -> None:
    assert api.get(f"{V1}/organizations", headers={"anthropic-version": "2023-06-01"}).status_code == 200
    assert api.get(f"{V1}/organizations").status_code == 200


@pytest.mark.parametrize("version", ["", "2026-03-29", "latest"])
def test_an_unknown_or_empty_anthropic_version_is_refused(api: SyncApi, version: str) -> None:
    response = api.get(f"{V1}/organizations", headers={"anthropic-version": version})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "anthropic-version" in response.json()["error"]["message"]


def test_every_authenticated_call_is_recorded_as_compliance_api_accessed(
    api: SyncApi, tenant: Tenant, sandbox_clock: ManualClock
) -> None:
    response = api.get(f"{V1}/organizations")
    sandbox_clock.advance(1)
    api.get(f"{V1}/no/such/path")
    recorded = [a for a in tenant.activities.all() if a.type == "compliance_api_accessed"]
    assert [a.fields["status_code"] for a in recorded] == [200, 404]
    first = recorded[0]
    assert first.actor["type"] == "api_actor"
    assert first.actor["api_key_id"] == tenant.keys[api.headers["x-api-key"]].key_id
    assert first.fields["request_id"] == response.headers["request-id"]
    assert first.org_uuid is None


def test_delete_endpoints_need_the_delete_scope_and_answer_envelopes(api: SyncApi, tenant: Tenant) -> None:
    doc_id = next(iter(tenant.documents))
    response = api.delete(f"{V1}/apps/projects/documents/{doc_id}", headers={"x-api-key": DELETE_KEY})
    assert response.json() == {"id": doc_id, "type": "claude_project_document_deleted"}
    again = api.delete(f"{V1}/apps/projects/documents/{doc_id}", headers={"x-api-key": DELETE_KEY})
    assert again.status_code == 404
    assert again.json()["error"]["message"] == (
        "No project document found with the provided id, or it has already been deleted."
    )


def test_message_created_at_and_updated_at_bounds_are_separate_filters(api: SyncApi, tenant: Tenant) -> None:
    chat_id, messages = next(
        (c, m) for c, m in tenant.messages.items() if len({x.created_at for x in m}) == len(m) >= 5
    )
    params = {
        "created_at.gte": wire.ts(messages[2].created_at),
        "updated_at.gte": wire.ts(messages[0].created_at),
        "updated_at.lt": wire.ts(messages[-1].created_at),
    }
    body = api.get(f"{V1}/apps/chats/{chat_id}/messages", params=params).json()
    assert [m["id"] for m in body["chat_messages"]] == [m.id for m in messages[2:-1]]
    params = {
        "created_at.lt": wire.ts(messages[1].created_at),
        "updated_at.gt": wire.ts(messages[1].created_at),
    }
    body = api.get(f"{V1}/apps/chats/{chat_id}/messages", params=params).json()
    assert body["chat_messages"] == []


def _recorded_calls(api: SyncApi) -> list[str]:
    params = {"activity_types[]": "compliance_api_accessed", "order": "asc"}
    response = api.get(f"{V1}/activities", params=params)
    assert response.status_code == 200
    return [a["request_id"] for a in response.json()["data"]]


def test_a_new_activity_is_invisible_until_the_clock_passes_the_indexing_lag(
    api: SyncApi, sandbox_clock: ManualClock
) -> None:
    listed = api.get(f"{V1}/organizations").headers["request-id"]
    assert _recorded_calls(api) == []
    sandbox_clock.advance(59)
    assert _recorded_calls(api) == []
    sandbox_clock.advance(1)
    visible = _recorded_calls(api)
    assert len(visible) == 2  # the listing and the first feed query, both made at the start
    assert listed in visible


def test_indexing_lag_can_be_switched_off(tenant: Tenant) -> None:
    clock = ManualClock()
    app = create_app(tenant, clock=clock, sleep=clock.sleep, indexing_lag_seconds=0)
    api = SyncApi(app, {"x-api-key": DELETE_KEY})
    listed = api.get(f"{V1}/organizations").headers["request-id"]
    assert _recorded_calls(api) == [listed]


def test_settings_answer_the_documented_shape_for_linked_organizations_only(
    api: SyncApi, tenant: Tenant
) -> None:
    org = next(iter(tenant.orgs))
    body = api.get(f"{V1}/organizations/{org}/settings").json()
    assert (body["type"], body["organization_id"]) == ("effective_organization_settings", org)
    assert all({"name", "type", "value"} <= set(row) for row in body["settings"])
    assert all(key["type"] == "compliance_api_key" and "secret" not in key for key in body["api_keys"])
    for other in (tenant.parent.uuid, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert api.get(f"{V1}/organizations/{other}/settings").status_code == 404
    tenant.settings_enabled = False
    assert api.get(f"{V1}/organizations/{org}/settings").status_code == 404
