"""Kinds: every kind of stored evidence, named once, with what the project knows about each.

A manifest entry's ``kind`` is one :class:`Kind`. :data:`KINDS` says, per kind, where its
native lives in the bag (path template, number of ids, paged or not), which ``counts`` bucket
of ``manifest.json`` it fills, whether chat messages reference it (its entry lists every
referencing chat and message), whether an incremental run carries it from an earlier run
instead of fetching it again, and how a production presents it (DAT ``DOCTYPE``; whether it is
produced as a document of its own, in a family or after the families; where its text comes
from), and which transcript it yields (document type and folder). The ``kind`` enum of
``manifests/manifest.schema.json`` is this enum (a test checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The ``kind`` of a manifest entry."""

    ORGANIZATIONS = "organizations"
    USERS = "users"
    ORGANIZATION_SETTINGS = "organization_settings"
    CHAT_LIST = "chat_list"
    CHAT_MESSAGES = "chat_messages"
    FILE_METADATA = "file_metadata"
    FILE = "file"
    GENERATED_FILE_METADATA = "generated_file_metadata"
    GENERATED_FILE = "generated_file"
    ARTIFACT_METADATA = "artifact_metadata"
    ARTIFACT = "artifact"
    PROJECT_LIST = "project_list"
    PROJECT = "project"
    PROJECT_ATTACHMENTS = "project_attachments"
    PROJECT_COLLABORATORS = "project_collaborators"
    PROJECT_DOCUMENT = "project_document"
    PROJECT_DOCUMENT_METADATA = "project_document_metadata"
    ACTIVITIES = "activities"
    COMPLIANCE_ACCESS = "compliance_access"
    LOCAL_SESSION = "local_session"
    LOCAL_SESSION_MESSAGES = "local_session_messages"
    REMOTE_SESSION_LIST = "remote_session_list"
    REMOTE_SESSION_MESSAGES = "remote_session_messages"
    CODE_ARTIFACT_LIST = "code_artifact_list"
    CODE_ARTIFACT_VERSION = "code_artifact_version"
    CODE_ARTIFACT_CONTENT = "code_artifact_content"
    TRANSCRIPT = "transcript"
    REPORT = "report"


class TextFrom(StrEnum):
    """Where a natively produced document's searchable text comes from."""

    CONTENT = "content"  # the stored bytes, when their type is text
    MEMBERS = "members"  # chosen members of the stored JSON (``KindInfo.text_members``)
    NOTE = "note"  # nothing: a note naming the native, its hash and size


@dataclass(frozen=True)
class Transcript:
    """The transcript a kind yields: its document type and its folder under ``data/transcripts``."""

    document_type: str
    folder: str


@dataclass(frozen=True)
class KindInfo:
    """What one kind is (see the module docstring)."""

    path: str | None = None  # native path template: {0} the id, {page} the 4-digit page
    ids: int = 1
    paged: bool = False
    count: str | None = None  # the manifest counts bucket one entry adds to
    count_items: str | None = None  # the bucket a page's item_count adds to
    count_sources: str | None = None  # the bucket counting distinct source ids
    referenced: bool = False  # messages reference it: entries list chat_ids and message_ids
    doctype: str | None = None  # DAT DOCTYPE when produced
    produced_natively: bool = False  # a native document of its own (with a slip sheet)
    carried: bool = False  # stored once per series: an incremental run carries it, not refetches it
    text: TextFrom = TextFrom.NOTE
    text_members: tuple[str, ...] = ()
    transcript: Transcript | None = None  # the transcript rendered from it
    items: str = "data"  # a paged native's member holding its items (each a record, records.py)


_N = "data/native"
KINDS: dict[Kind, KindInfo] = {
    Kind.ORGANIZATIONS: KindInfo(f"{_N}/directory/organizations/page-{{page}}.json", 0, paged=True),
    Kind.USERS: KindInfo(f"{_N}/directory/users/{{0}}/page-{{page}}.json", paged=True),
    Kind.ORGANIZATION_SETTINGS: KindInfo(f"{_N}/directory/organizations/{{0}}/settings.json"),
    Kind.CHAT_LIST: KindInfo(f"{_N}/chat_lists/{{0}}/page-{{page}}.json", paged=True),
    Kind.CHAT_MESSAGES: KindInfo(
        f"{_N}/chats/{{0}}/messages-{{page}}.json",
        paged=True,
        items="chat_messages",
        doctype="Chat",
        transcript=Transcript("chat", "chats"),
    ),
    Kind.FILE_METADATA: KindInfo(f"{_N}/files/{{0}}/metadata.json", referenced=True),
    Kind.FILE: KindInfo(
        f"{_N}/files/{{0}}/content.bin",
        count="files",
        referenced=True,
        doctype="File",
        produced_natively=True,
        carried=True,
        text=TextFrom.CONTENT,
    ),
    Kind.GENERATED_FILE_METADATA: KindInfo(f"{_N}/generated_files/{{0}}/metadata.json", referenced=True),
    Kind.GENERATED_FILE: KindInfo(
        f"{_N}/generated_files/{{0}}/content.bin",
        count="generated_files",
        referenced=True,
        doctype="GeneratedFile",
        produced_natively=True,
        carried=True,
        text=TextFrom.CONTENT,
    ),
    Kind.ARTIFACT_METADATA: KindInfo(f"{_N}/artifacts/{{0}}/metadata.json", referenced=True),
    Kind.ARTIFACT: KindInfo(
        f"{_N}/artifacts/{{0}}/content.json",
        count="artifacts",
        referenced=True,
        doctype="Artifact",
        produced_natively=True,
        carried=True,
        text=TextFrom.MEMBERS,
        text_members=("content",),
    ),
    Kind.PROJECT_LIST: KindInfo(f"{_N}/project_lists/{{0}}/page-{{page}}.json", paged=True),
    Kind.PROJECT: KindInfo(
        f"{_N}/projects/{{0}}/project.json",
        count="projects",
        doctype="Project",
        text=TextFrom.MEMBERS,
        text_members=("name", "description", "instructions"),
        transcript=Transcript("project", "projects"),
    ),
    Kind.PROJECT_ATTACHMENTS: KindInfo(f"{_N}/projects/{{0}}/attachments-{{page}}.json", paged=True),
    Kind.PROJECT_COLLABORATORS: KindInfo(f"{_N}/projects/{{0}}/collaborators-{{page}}.json", paged=True),
    Kind.PROJECT_DOCUMENT: KindInfo(
        f"{_N}/project_documents/{{0}}/document.json",
        count="project_documents",
        doctype="ProjectDocument",
        produced_natively=True,
        carried=True,
        text=TextFrom.MEMBERS,
        text_members=("content",),
    ),
    Kind.PROJECT_DOCUMENT_METADATA: KindInfo(f"{_N}/project_documents/{{0}}/metadata.json"),
    Kind.ACTIVITIES: KindInfo(
        f"{_N}/activities/{{0}}/page-{{page}}.json",
        paged=True,
        count_items="activities",
        transcript=Transcript("activity", "activity"),
    ),
    # The platform's own record of this run's Compliance API calls (collect --corroborate).
    Kind.COMPLIANCE_ACCESS: KindInfo(f"{_N}/compliance_access/{{0}}/page-{{page}}.json", paged=True),
    Kind.LOCAL_SESSION: KindInfo(f"{_N}/local_sessions/{{0}}/session.json", count="local_sessions"),
    Kind.LOCAL_SESSION_MESSAGES: KindInfo(
        f"{_N}/local_sessions/{{0}}/messages-{{page}}.json",
        paged=True,
        count_items="session_messages",
        doctype="LocalSession",
        transcript=Transcript("session", "sessions"),
    ),
    Kind.REMOTE_SESSION_LIST: KindInfo(f"{_N}/remote_session_lists/{{0}}/page-{{page}}.json", paged=True),
    Kind.REMOTE_SESSION_MESSAGES: KindInfo(
        f"{_N}/remote_sessions/{{0}}/messages-{{page}}.json",
        paged=True,
        count_items="session_messages",
        count_sources="remote_sessions",
        doctype="RemoteSession",
        transcript=Transcript("session", "sessions"),
    ),
    Kind.CODE_ARTIFACT_LIST: KindInfo(f"{_N}/code_artifact_lists/{{0}}/page-{{page}}.json", paged=True),
    Kind.CODE_ARTIFACT_VERSION: KindInfo(
        f"{_N}/code_artifacts/{{0}}/versions/{{1}}.bin",
        ids=2,
        count="code_artifact_versions",
        doctype="CodeArtifact",
        produced_natively=True,
        carried=True,
        text=TextFrom.CONTENT,
    ),
    Kind.CODE_ARTIFACT_CONTENT: KindInfo(
        f"{_N}/code_artifacts/{{0}}/content.bin",
        doctype="CodeArtifactContent",
        produced_natively=True,
        text=TextFrom.CONTENT,
    ),
    Kind.TRANSCRIPT: KindInfo(),
    Kind.REPORT: KindInfo(),
}

COUNT_BUCKETS = (
    "chats",
    "messages",
    "files",
    "generated_files",
    "artifacts",
    "projects",
    "project_documents",
    "activities",
    "code_artifact_versions",
    "local_sessions",
    "remote_sessions",
    "session_messages",
)
"""The keys of ``manifest.json`` ``counts``, in order: ``chats`` and ``messages`` come from
chat-message pages; every other bucket from the ``KINDS`` rows: one per entry (``count``), a
page's item count (``count_items``: activities, session messages) or distinct source ids
(``count_sources``: remote sessions)."""

REFERENCED = frozenset(kind for kind, info in KINDS.items() if info.referenced)
PRODUCED_NATIVELY = tuple(kind for kind, info in KINDS.items() if info.produced_natively)
CARRIED = tuple(kind for kind, info in KINDS.items() if info.carried)
TRANSCRIPT_FOLDERS = {
    info.transcript.document_type: info.transcript.folder for info in KINDS.values() if info.transcript
}
"""Transcript document type (``chat``, ``project``, ``activity``) -> its ``data/transcripts`` folder."""
DOCTYPES = {kind: info.doctype for kind, info in KINDS.items() if info.doctype}


def count_entries(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The manifest ``counts`` derived from its entries (buckets: ``evidence.kinds``)."""
    counts = dict.fromkeys(COUNT_BUCKETS, 0)
    sources: dict[str, set[str]] = {}
    for entry in entries:
        kind, meta = entry["kind"], entry.get("metadata") or {}
        if kind not in KINDS:
            continue
        info = KINDS[Kind(kind)]
        if kind == Kind.CHAT_MESSAGES:
            sources.setdefault("chats", set()).add(entry["source_id"])
            counts["messages"] += len(meta.get("messages") or [])
        if info.count is not None:
            counts[info.count] += 1
        if info.count_items is not None:
            counts[info.count_items] += int(meta.get("item_count") or 0)
        if info.count_sources is not None:
            sources.setdefault(info.count_sources, set()).add(entry["source_id"])
    for bucket, ids in sources.items():
        counts[bucket] = len(ids)
    return counts
