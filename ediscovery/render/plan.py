"""Plan: which documents a bag yields, in the order that defines their Bates numbers.

Chats by (created_at, id), then projects by (created_at, id), then agent sessions by (first
message, id), then one activity report per custodian user id. Each :class:`Job` carries the
manifest entries it is rendered from and the collection facts its cover needs, so a worker
process never re-reads the whole manifest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.stored import StoredBag

FILE_KINDS = (Kind.FILE, Kind.GENERATED_FILE, Kind.ARTIFACT)


@dataclass(frozen=True)
class Custodian:
    """A custodian as named in the manifest header."""

    name: str
    email: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class Collection:
    """Facts about the collection shown on every cover and in page headers."""

    matter: str
    run_id: str
    started_at: str
    since: str | None
    until: str | None
    zone: str
    organizations: tuple[tuple[str, str], ...]  # (uuid, name)
    custodians: tuple[Custodian, ...]

    def organization_name(self, uuid: object) -> str:
        for key, name in self.organizations:
            if key == uuid:
                return f"{name} ({uuid})"
        return "" if uuid is None else str(uuid)

    def custodian_of(self, user_id: object) -> Custodian | None:
        for custodian in self.custodians:
            if user_id in custodian.user_ids:
                return custodian
        return None


@dataclass(frozen=True)
class Job:
    """One document to render: its place in Bates order, natives and related entries."""

    index: int
    document_type: str
    source_id: str
    path: str
    sources: tuple[ManifestEntry, ...]
    related: tuple[ManifestEntry, ...]
    user_id: str
    collection: Collection


def read_collection(bag: StoredBag, zone: str) -> Collection:
    """The header facts of ``bag`` with ``zone`` as display zone."""
    head = bag.manifest
    return collection_facts(head.matter, head.run_id, head.started_at, head.scope, head.custodians, zone)


def collection_facts(
    matter: str,
    run_id: str,
    started_at: str,
    scope: Mapping[str, Any],
    custodians: Iterable[Mapping[str, Any]],
    zone: str,
) -> Collection:
    """The facts every cover shows, from a manifest's header fields (or a run's, before its
    manifest is written: none of them changes once the run has started)."""
    people, orgs = [], {}
    for raw in custodians:
        people.append(
            Custodian(
                name=str(raw.get("full_name") or ""),
                email=str(raw.get("email") or raw.get("query") or ""),
                user_ids=tuple(str(u) for u in raw.get("user_ids") or []),
            )
        )
        for org in raw.get("organizations") or []:
            if isinstance(org, dict) and org.get("uuid"):
                orgs[str(org["uuid"])] = str(org.get("name") or "")
    return Collection(
        matter=matter,
        run_id=run_id,
        started_at=started_at,
        since=scope.get("since"),
        until=scope.get("until"),
        zone=zone,
        organizations=tuple(sorted(orgs.items())),
        custodians=tuple(people),
    )


def _key(entry: ManifestEntry) -> tuple[str, str]:
    return (str(entry.metadata.get("created_at") or ""), entry.source_id)


def _user_of(entry: ManifestEntry) -> str:
    user = entry.metadata.get("user_id")
    if isinstance(user, str) and user:
        return user
    return entry.custodian_user_ids[0] if entry.custodian_user_ids else ""


def _related_by_chat(bag: StoredBag) -> tuple[dict[str, list[ManifestEntry]], list[ManifestEntry]]:
    by_chat: dict[str, list[ManifestEntry]] = defaultdict(list)
    unassigned: list[ManifestEntry] = []
    for kind in FILE_KINDS:
        for entry in bag.entries(kind):
            chats = entry.metadata.get("chat_ids")
            if isinstance(chats, list) and chats:
                for chat_id in chats:
                    by_chat[str(chat_id)].append(entry)
            else:
                unassigned.append(entry)
    return by_chat, unassigned


def _chat_jobs(bag: StoredBag, collection: Collection, chat_ids: Sequence[str] | None) -> list[Job]:
    pages: dict[str, list[ManifestEntry]] = defaultdict(list)
    for entry in bag.entries(Kind.CHAT_MESSAGES):
        pages[entry.source_id].append(entry)
    wanted = set(chat_ids) if chat_ids is not None else None
    by_chat, unassigned = _related_by_chat(bag)
    firsts = sorted(
        (entries[0] for cid, entries in pages.items() if wanted is None or cid in wanted), key=_key
    )
    return [
        chat_job(
            sorted(pages[first.source_id], key=lambda e: e.path),
            by_chat.get(first.source_id, []) + unassigned,
            collection,
        )
        for first in firsts
    ]


def chat_job(pages: Sequence[ManifestEntry], related: Sequence[ManifestEntry], collection: Collection) -> Job:
    """The transcript of one chat: its message pages in page order and the objects it references."""
    first = pages[0]
    return Job(
        index=0,
        document_type="chat",
        source_id=first.source_id,
        path=f"chats/{first.path.split('/')[-2]}.pdf",
        sources=tuple(pages),
        related=tuple(related),
        user_id=_user_of(first),
        collection=collection,
    )


def _project_jobs(bag: StoredBag, collection: Collection) -> list[Job]:
    extras: dict[str, list[ManifestEntry]] = defaultdict(list)
    for kind in (Kind.PROJECT_COLLABORATORS, Kind.PROJECT_ATTACHMENTS):
        for entry in bag.entries(kind):
            extras[entry.source_id].append(entry)
    for entry in bag.entries(Kind.PROJECT_DOCUMENT):
        extras[str(entry.metadata.get("project_id") or "")].append(entry)
    return [
        project_job(entry, extras[entry.source_id], collection)
        for entry in sorted(bag.entries(Kind.PROJECT), key=_key)
    ]


def project_job(project: ManifestEntry, extras: Sequence[ManifestEntry], collection: Collection) -> Job:
    """A project's job from its own entry and its collaborator, attachment and document entries."""
    folder = project.path.split("/")[-2]
    sources = (project, *extras)
    return Job(
        0, "project", project.source_id, f"projects/{folder}.pdf", sources, (), _user_of(project), collection
    )


def _session_jobs(bag: StoredBag, collection: Collection) -> list[Job]:
    """One transcript per local or remote session, by (first message time, id)."""
    jobs = []
    for kind in (Kind.LOCAL_SESSION_MESSAGES, Kind.REMOTE_SESSION_MESSAGES):
        pages: dict[str, list[ManifestEntry]] = defaultdict(list)
        for entry in bag.entries(kind):
            pages[entry.source_id].append(entry)
        for source_id, entries in pages.items():
            firsts = [m.get("created_at") or "" for m in entries[0].metadata.get("messages") or [{}]]
            jobs.append((str(firsts[0]), source_id, session_job(entries, collection)))
    return [job for _, _, job in sorted(jobs, key=lambda row: (row[0], row[1]))]


def session_job(pages: Sequence[ManifestEntry], collection: Collection) -> Job:
    """The transcript of one local or remote session: its message pages in page order."""
    first = pages[0]
    user = first.custodian_user_ids[0] if first.custodian_user_ids else ""
    return Job(
        0, "session", first.source_id, f"sessions/{first.source_id}.pdf", tuple(pages), (), user, collection
    )


def _activity_jobs(bag: StoredBag, collection: Collection) -> list[Job]:
    pages: dict[str, list[ManifestEntry]] = defaultdict(list)
    for entry in bag.entries(Kind.ACTIVITIES):
        pages[entry.path.split("/")[-2]].append(entry)
    return [activity_job(user, pages[user], collection) for user in sorted(pages)]


def activity_job(user_id: str, pages: Sequence[ManifestEntry], collection: Collection) -> Job:
    """The activity report of one custodian user id: its feed pages in page order."""
    return Job(0, "activity", user_id, f"activity/{user_id}.pdf", tuple(pages), (), user_id, collection)


def plan_jobs(
    bag: StoredBag,
    collection: Collection,
    chat_ids: Sequence[str] | None = None,
    session_ids: Sequence[str] | None = None,
) -> list[Job]:
    """Every document of ``bag`` in Bates order (only the given chats when ``chat_ids``, only the
    given sessions when ``session_ids``)."""
    if session_ids is not None:
        wanted = set(session_ids)
        jobs = [job for job in _session_jobs(bag, collection) if job.source_id in wanted]
    else:
        jobs = _chat_jobs(bag, collection, chat_ids)
    if chat_ids is None and session_ids is None:
        jobs += (
            _project_jobs(bag, collection) + _session_jobs(bag, collection) + _activity_jobs(bag, collection)
        )
    return [
        Job(i, j.document_type, j.source_id, j.path, j.sources, j.related, j.user_id, j.collection)
        for i, j in enumerate(jobs)
    ]
