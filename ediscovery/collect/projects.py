"""Projects: those a custodian created and those holding a custodian's chats, with their attachments.

A project is fetched (details, attachments, collaborators) once every chat is read, so that
every reason it is in scope is known. Its attachment list is walked even when its
``updated_at`` did not move since the previous run (adding a document or a file is not
promised to move it); stored documents and files are carried, not fetched again.
"""

from __future__ import annotations

from typing import Any

from ediscovery.api.endpoints import path
from ediscovery.api.models import body_items
from ediscovery.api.models import parse_value as parse
from ediscovery.api.projects import Project, ProjectAttachment
from ediscovery.collect.attachments import Attachments
from ediscovery.collect.context import Context
from ediscovery.collect.increment import timestamp
from ediscovery.collect.limitations import UnknownAttachment
from ediscovery.collect.walker import walk
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path


class Projects:
    """Lists and fetches projects; see the module docstring."""

    def __init__(self, ctx: Context, attachments: Attachments) -> None:
        self.ctx = ctx
        self.attachments = attachments

    async def listing(self, uid: str) -> None:
        """Read the projects ``uid`` created (the list is filtered by creator server-side)."""
        pages = await walk(
            self.ctx.natives,
            "projects",
            ("user_ids[]", uid),
            kind=Kind.PROJECT_LIST,
            source_id=uid,
            custodians=(uid,),
        )
        for body in pages:
            for item in body_items(body):
                # Its ``user`` is null when the creator's account is gone, so it is not checked again.
                project = parse(item, Project, "project list item")
                self.ctx.tally.want_project(project.id, "created_by_custodian", uid)

    async def project(self, project_id: str) -> None:
        await self.ctx.tasks.guard(Kind.PROJECT, project_id, lambda: self._project(project_id))

    async def _project(self, project_id: str) -> None:
        users = self.ctx.tally.users_of(project_id)
        await self._details(project_id, users)
        attachments = await walk(
            self.ctx.natives,
            "project_attachments",
            kind=Kind.PROJECT_ATTACHMENTS,
            source_id=project_id,
            custodians=users,
            ids=(project_id,),
        )
        await walk(
            self.ctx.natives,
            "project_collaborators",
            kind=Kind.PROJECT_COLLABORATORS,
            source_id=project_id,
            custodians=users,
            ids=(project_id,),
        )
        documents = []
        for body in attachments:
            for item in body_items(body):
                attachment = parse(item, ProjectAttachment, "attachment")
                self._attachment(project_id, attachment, users)
                documents += [attachment.id] if attachment.type == "project_doc" else []
        if self.ctx.early is not None:
            self.ctx.early.project_stored(self.ctx.tasks, project_id, documents)
        self.ctx.reporter.advance("projects")

    async def _details(self, project_id: str, users: tuple[str, ...]) -> None:
        """The project itself: replayed, or fetched and kept unless unchanged since the last run."""
        natives, tally = self.ctx.natives, self.ctx.tally
        replayed = natives.replay(native_path(Kind.PROJECT, project_id))
        if replayed is not None:
            project = parse(replayed[1], Project, "project")
            tally.projects[project_id] = {"updated_at": timestamp(project.updated_at)}
            return
        response = await natives.fetch(path("project", project_id))
        project = parse(response.data, Project, "project")
        tally.projects[project_id] = {"updated_at": timestamp(project.updated_at)}
        previous = self.ctx.previous
        if previous is not None and previous.project_unchanged(project_id, timestamp(project.updated_at)):
            tally.carry(Kind.PROJECT, project_id)
            return
        reasons = sorted(tally.project_reasons.get(project_id, set()))
        natives.keep(
            response,
            path=native_path(Kind.PROJECT, project_id),
            kind=Kind.PROJECT,
            source_id=project_id,
            metadata=_metadata(project, reasons),
            custodians=users,
        )

    def _attachment(self, project_id: str, attachment: ProjectAttachment, users: tuple[str, ...]) -> None:
        refs = self.ctx.tally.ref(attachment.id)
        refs.project_ids.add(project_id)
        refs.user_ids.update(users)
        if attachment.type == "project_doc":
            self.attachments.want_document(attachment.id, project_id)
        elif attachment.type == "project_file":
            self.attachments.want_project_file(attachment.id)
        else:
            self.ctx.tally.limit(UnknownAttachment(attachment.id, attachment_type=attachment.type))


def _metadata(project: Project, reasons: list[str]) -> dict[str, Any]:
    return {
        "name": project.name,
        "created_at": timestamp(project.created_at),
        "updated_at": timestamp(project.updated_at),
        "deleted_at": timestamp(project.deleted_at),
        "reasons": reasons,
    }
