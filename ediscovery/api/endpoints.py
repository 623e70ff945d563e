"""Endpoints: every read endpoint of the Compliance API the project uses, in one table.

Each :class:`Endpoint` has its path template (``{}`` for each id, quoted as one path segment),
its page scheme (``cursor``, ``token`` or none), the largest ``limit`` it allows (what the
collector always asks for), fixed query pairs (the message truncation switches), and the scope
the key needs. :func:`path` builds a request path from a name and ids; an id that cannot be a
path segment (empty, ``.``, ``..``) is a malformed response, since ids come from the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from ediscovery.errors import ResponseFormatError

V1 = "/v1/compliance"
Scheme = Literal["cursor", "token"] | None


@dataclass(frozen=True)
class Endpoint:
    """One read endpoint (see the module docstring)."""

    template: str
    scheme: Scheme = None
    limit: int | None = None
    fixed: tuple[tuple[str, str], ...] = ()
    scope: str = "read:compliance_user_data"

    def query(self, *pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        """``pairs``, the fixed pairs, then the largest ``limit``."""
        limit = (("limit", str(self.limit)),) if self.limit is not None else ()
        return (*pairs, *self.fixed, *limit)


MESSAGE_TRUNCATION = (("tool_use_input_max_chars", "-1"), ("tool_result_max_chars", "-1"))
SESSION_TRUNCATION = (("tool_use_input_max_bytes", "-1"), ("tool_result_max_bytes", "-1"))

ENDPOINTS: dict[str, Endpoint] = {
    "organizations": Endpoint("/organizations", "token", 1000, scope="read:compliance_org_data"),
    "organization_users": Endpoint("/organizations/{}/users", "token", 1000),  # user data, as documented
    "organization_settings": Endpoint("/organizations/{}/settings", scope="read:compliance_org_data"),
    "chats": Endpoint("/apps/chats", "cursor", 1000),
    "chat_messages": Endpoint("/apps/chats/{}/messages", "cursor", 1000, fixed=MESSAGE_TRUNCATION),
    "file": Endpoint("/apps/chats/files/{}"),
    "file_content": Endpoint("/apps/chats/files/{}/content"),
    "generated_file": Endpoint("/apps/chats/generated-files/{}"),
    "generated_file_content": Endpoint("/apps/chats/generated-files/{}/content"),
    "artifact": Endpoint("/apps/artifacts/{}"),
    "artifact_content": Endpoint("/apps/artifacts/{}/content"),
    "projects": Endpoint("/apps/projects", "token", 100),
    "project": Endpoint("/apps/projects/{}"),
    "project_attachments": Endpoint("/apps/projects/{}/attachments", "token", 100),
    "project_collaborators": Endpoint("/apps/projects/{}/collaborators", "token", 100),
    "project_document": Endpoint("/apps/projects/documents/{}"),
    "project_document_metadata": Endpoint("/apps/projects/documents/{}/metadata"),
    "activities": Endpoint("/activities", "cursor", 5000, scope="read:compliance_activities"),
    "local_sessions": Endpoint("/apps/sessions/local", "token", 500),  # the whole tenant: no user filter
    "local_session": Endpoint("/apps/sessions/local/{}"),
    "local_session_messages": Endpoint(
        "/apps/sessions/local/{}/messages", "token", 1000, fixed=SESSION_TRUNCATION
    ),
    "remote_sessions": Endpoint("/apps/sessions/remote", "token", 500),  # their own request budget
    "remote_session_messages": Endpoint(
        "/apps/sessions/remote/{}/messages", "token", 1000, fixed=SESSION_TRUNCATION
    ),
    "code_artifacts": Endpoint("/apps/code/artifacts", "token", 100),  # scopes UNCONFIRMED
    "code_artifact_version": Endpoint("/apps/code/artifacts/{}/versions/{}"),
    "code_artifact_content": Endpoint("/apps/code/artifacts/{}/content"),
}


def segment(identifier: str) -> str:
    """An API-supplied id as one path segment; an unusable id is a malformed response."""
    if identifier in ("", ".", ".."):
        raise ResponseFormatError(f"The API referenced an unusable id {identifier!r}.")
    return quote(identifier, safe="")


def path(name: str, *ids: str) -> str:
    """The request path of endpoint ``name`` for ``ids``."""
    template = ENDPOINTS[name].template
    if template.count("{}") != len(ids):
        raise ValueError(f"endpoint {name!r} takes {template.count('{}')} id(s), got {len(ids)}")
    return V1 + template.format(*(segment(i) for i in ids))
