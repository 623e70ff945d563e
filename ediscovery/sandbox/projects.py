"""Project endpoints: list, get, attachments, collaborators, documents, and the DELETEs.

Lists are page-token paginated (limit 20/100). Deleting a project with chats still attached
answers 409 with the documented message (error type ``invalid_request_error`` per Sep docs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from ediscovery.sandbox import wire
from ediscovery.sandbox.chats import org_uuids
from ediscovery.sandbox.model import Project, ProjectDocument
from ediscovery.sandbox.pagination import page_slice
from ediscovery.sandbox.params import in_range, range_names
from ediscovery.sandbox.problems import ApiProblem, not_found
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.tenant import ProjectHasChats, Tenant
from ediscovery.sandbox.wire import JSONResponse

PAGE = ("page", "limit")


def project_json(tenant: Tenant, project: Project) -> dict[str, Any]:
    creator = tenant.users.get(project.creator_id) if project.creator_id else None
    return wire.project(project, tenant.orgs[project.org_uuid], creator)


def _project(call: Call) -> Project:
    project = call.tenant.projects.get(call.args["project_id"])
    if project is None:
        raise not_found("No project is found with the provided id.")
    return project


async def list_projects(call: Call) -> Response:
    tenant = call.tenant
    params = call.params(
        ("user_ids[]", "organization_ids[]", *range_names("created_at"), *range_names("updated_at"), *PAGE)
    )
    limit = params.limit(20, 100) or 20
    users = set(params.many("user_ids[]")) or None
    orgs = org_uuids(tenant, params.many("organization_ids[]"))
    created, updated = params.time_range("created_at"), params.time_range("updated_at")
    projects = [
        p
        for p in tenant.projects.values()
        if (users is None or p.creator_id in users)
        and (orgs is None or p.org_uuid in orgs)
        and in_range(p.created_at, created)
        and in_range(p.updated_at, updated)
    ]
    projects.sort(key=lambda p: (p.created_at, p.id))
    tag = "projects:" + "|".join(sorted(users or ())) + ":" + "|".join(sorted(orgs or ()))
    page = page_slice(projects, params.one("page"), limit, tag)
    page["data"] = [project_json(tenant, p) for p in page["data"]]
    return JSONResponse(page)


async def get_project(call: Call) -> Response:
    call.params(())
    project = _project(call)
    body = project_json(call.tenant, project)
    body["description"] = project.description
    body["instructions"] = project.instructions
    body["attachments_count"] = len(project.file_ids) + len(project.doc_ids)
    body["chats_count"] = sum(1 for c in call.tenant.chats.values() if c.project_id == project.id)
    return JSONResponse(body)


async def list_attachments(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(20, 100) or 20
    project = _project(call)
    tenant = call.tenant
    rows: list[tuple[datetime, str, dict[str, Any]]] = []
    for file_id in project.file_ids:
        item = tenant.files[file_id]
        md5 = tenant.blob_digests(file_id, item.blob)[0]
        rows.append((item.created_at, file_id, wire.project_file(item, md5)))
    for doc_id in project.doc_ids:
        doc = tenant.documents[doc_id]
        rows.append((doc.created_at, doc_id, wire.project_doc(doc)))
    rows.sort(key=lambda row: (row[0], row[1]))
    page = page_slice(rows, params.one("page"), limit, f"attachments:{project.id}")
    page["data"] = [row[2] for row in page["data"]]
    return JSONResponse(page)


async def list_collaborators(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(20, 100) or 20
    project = _project(call)
    people = sorted(project.collaborators, key=lambda c: (c.granted_at, c.assignment_id))
    page = page_slice(people, params.one("page"), limit, f"collaborators:{project.id}")
    page["data"] = [wire.collaborator(c) for c in page["data"]]
    return JSONResponse(page)


def _document(call: Call, message: str) -> ProjectDocument:
    doc = call.tenant.documents.get(call.args["doc_id"])
    if doc is None:
        raise not_found(message)
    return doc


async def get_document(call: Call) -> Response:
    call.params(())
    doc = _document(call, "No project document found with the provided id.")
    return JSONResponse(wire.document(doc, call.tenant.users.get(doc.user_id or "")))


async def document_metadata(call: Call) -> Response:
    call.params(())
    doc = _document(call, "No project document found with the provided id.")
    return JSONResponse(wire.document_metadata(doc, call.tenant.users.get(doc.user_id or "")))


async def delete_document(call: Call) -> Response:
    call.params(())
    doc = _document(call, "No project document found with the provided id, or it has already been deleted.")
    call.tenant.delete_document(doc.id)
    return JSONResponse({"id": doc.id, "type": "claude_project_document_deleted"})


async def delete_project(call: Call) -> Response:
    call.params(())
    project_id = call.args["project_id"]
    if project_id not in call.tenant.projects:
        raise not_found("No project found with provided id, or it has already been deleted.")
    try:
        call.tenant.delete_project(project_id)
    except ProjectHasChats:
        raise ApiProblem(
            409,
            f'The "{project_id}" project cannot be deleted as it has chats attached to it. '
            "Delete or detach all chats, and try deleting the project again.",
        ) from None
    return JSONResponse({"id": project_id, "type": "claude_project_deleted"})


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "apps/projects", "user", list_projects),
    endpoint("GET", "apps/projects/documents/{doc_id}", "user", get_document),
    endpoint("GET", "apps/projects/documents/{doc_id}/metadata", "user", document_metadata),
    endpoint("DELETE", "apps/projects/documents/{doc_id}", "delete", delete_document),
    endpoint("GET", "apps/projects/{project_id}", "user", get_project),
    endpoint("GET", "apps/projects/{project_id}/attachments", "user", list_attachments),
    endpoint("GET", "apps/projects/{project_id}/collaborators", "user", list_collaborators),
    endpoint("DELETE", "apps/projects/{project_id}", "delete", delete_project),
]
