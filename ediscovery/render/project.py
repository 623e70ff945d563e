"""Project: the template context of one project document (instructions, people, documents).

Built from the stored ``project.json``, collaborator and attachment pages, and each
project document's stored JSON; documents are read one at a time while the template renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.stored import BagFiles, as_dict
from ediscovery.render.plan import Job
from ediscovery.timestamps import describe


def _listed(bag: BagFiles, entries: list[ManifestEntry]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for entry in entries:
        body = bag.read_json(entry)
        data = body.get("data") if isinstance(body, dict) else None
        items.extend(item for item in data or [] if isinstance(item, dict))
    return items


def _documents(bag: BagFiles, entries: list[ManifestEntry], zone: ZoneInfo) -> Iterator[dict[str, Any]]:
    for entry in entries:
        body = bag.read_json(entry)
        body = body if isinstance(body, dict) else {}
        user = as_dict(body.get("user"))
        yield {
            "id": entry.source_id,
            "filename": str(entry.metadata.get("original_filename") or body.get("filename") or ""),
            "created": describe(body.get("created_at"), zone),
            "user": str(user.get("email_address") or user.get("id") or ""),
            "content": str(body.get("content") or ""),
            "path": entry.path,
            "sha256": entry.sha256,
        }


def project_context(bag: BagFiles, job: Job, zone: ZoneInfo) -> dict[str, Any]:
    """Everything the project template shows."""
    main, rest = job.sources[0], job.sources[1:]
    project = bag.read_json(main)
    project = project if isinstance(project, dict) else {}
    owner = as_dict(project.get("user"))
    collaborators = _listed(bag, [e for e in rest if e.kind == Kind.PROJECT_COLLABORATORS])
    for person in collaborators:
        person["granted"] = describe(person.get("granted_at"), zone)
    attachments = _listed(bag, [e for e in rest if e.kind == Kind.PROJECT_ATTACHMENTS])
    for item in attachments:
        item["created"] = describe(item.get("created_at"), zone)
    docs = sorted(
        (e for e in rest if e.kind == Kind.PROJECT_DOCUMENT),
        key=lambda e: (str(e.metadata.get("created_at") or ""), e.source_id),
    )
    return {
        "project": project,
        "owner": owner,
        "custodian": job.collection.custodian_of(job.user_id or owner.get("id")),
        "user_id": job.user_id,
        "organization": job.collection.organization_name(project.get("organization_uuid")),
        "created": describe(project.get("created_at"), zone),
        "updated": describe(project.get("updated_at"), zone),
        "deleted": describe(project.get("deleted_at"), zone) if project.get("deleted_at") else "",
        "collaborators": collaborators,
        "attachments": attachments,
        "documents": _documents(bag, docs, zone),
    }
