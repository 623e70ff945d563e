"""Documents: what is known about each produced item, as a :class:`~ediscovery.produce.document.Document`.

A chat's document comes from its stored pages (dates, participants, hashes of the pages its
native is); a native document (file, generated file, artifact, project, project document)
from its manifest entry, copied into ``NATIVES/`` under its control number — never under the
API-supplied name — and checked against the manifest while it streams. Each document names
where its searchable text comes from; the text format writes it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, assert_never

from ediscovery.evidence.derived import write_text_durably
from ediscovery.evidence.kinds import DOCTYPES, KINDS, Kind, TextFrom
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.sniff import served_as_text
from ediscovery.evidence.stored import StoredBag
from ediscovery.produce.builder import VolumeBuilder
from ediscovery.produce.chat import Chat, chat_text
from ediscovery.produce.copies import (
    copy_content,
    copy_verified,
    extension,
    is_json,
    is_text,
    json_text,
    stream_text,
)
from ediscovery.produce.document import Document, TextSource
from ediscovery.produce.slipsheet import SlipSheet
from ediscovery.timestamps import parse_instant


def chat_document(
    begin: str,
    end: str,
    pages: int,
    chat: Chat,
    custodian: Mapping[str, Any],
    zone: str,
    stored: Sequence[ManifestEntry],
) -> Document:
    """A chat transcript's document; its native is its stored pages until a format says otherwise."""
    email = str(custodian.get("email") or "")
    name = str(custodian.get("full_name") or email)
    return Document(
        begin, end, "Chat", chat.id, email, zone, pages, f"PDF/{begin}.pdf",
        text=lambda target: write_text_durably(target, chat_text(chat, zone)),
        conversation_id=chat.id, conversation_title=chat.name, project_id=chat.project_id or "",
        participants=(f"{name} <{email}>", f"Claude ({chat.model or 'unknown model'})"),
        model=chat.model or "", message_count=len(chat.messages),
        date_start=chat.first_at, date_end=chat.last_at,
        created=chat.created_at, modified=chat.updated_at, deleted=chat.deleted_at,
        contains_deleted=chat.deleted_at is not None or any(not m.has_content for m in chat.messages),
        extension="json", size=sum(p.size for p in stored), mime_type="application/json",
        md5=tuple(p.md5 for p in stored), sha256=tuple(p.sha256 for p in stored),
    )  # fmt: skip


def session_document(
    place: Any,
    kind: Kind,
    stored: Sequence[ManifestEntry],
    custodian: Mapping[str, Any],
    zone: str,
    text: str,
) -> Document:
    """An agent session's document: its transcript, its message pages as its native."""
    email = str(custodian.get("email") or "")
    name = str(custodian.get("full_name") or email)
    messages = [m for entry in stored for m in entry.metadata.get("messages") or []]
    times = [t for t in (parse_instant(m.get("created_at")) for m in messages) if t is not None]
    return Document(
        place.begin, place.end, DOCTYPES[kind], stored[0].source_id, email, zone, place.pages, place.pdf_path,
        text=lambda target: write_text_durably(target, text), conversation_id=stored[0].source_id,
        participants=(f"{name} <{email}>", "Claude"), message_count=len(messages),
        date_start=min(times) if times else None, date_end=max(times) if times else None,
        contains_deleted=any(m.get("provenance") for m in messages), extension="json",
        size=sum(p.size for p in stored), mime_type="application/json",
        md5=tuple(p.md5 for p in stored), sha256=tuple(p.sha256 for p in stored),
    )  # fmt: skip


def native_facts(entry: ManifestEntry, source: Path) -> tuple[str, str, str]:
    """(original file name, extension, MIME type) of a native entry stored at ``source``."""
    meta = entry.metadata
    match Kind(entry.kind):
        case Kind.FILE | Kind.GENERATED_FILE:
            name = str(meta.get("original_filename") or "")
            mime = str(meta.get("mime_type") or meta.get("content_type") or "application/octet-stream")
            if served_as_text(meta.get("detected_mime_type"), name, mime):  # named by what it is
                return name, "txt", "text/plain"
            return name, extension(name, mime), mime
        case Kind.CODE_ARTIFACT_VERSION | Kind.CODE_ARTIFACT_CONTENT:
            name = str(meta.get("version_name") or "")
            served = meta.get("detected_mime_type") or meta.get("content_type") or "application/octet-stream"
            mime = str(served).split(";")[0].strip()
            return name, extension(name, mime), mime
        case Kind.ARTIFACT if is_json(source):
            return str(meta.get("title") or ""), "json", "application/json"
        case Kind.ARTIFACT:  # its content endpoint served the text itself
            return str(meta.get("title") or ""), "txt", "text/plain"
        case Kind.PROJECT_DOCUMENT:  # produced as the document itself (see copies.copy_content)
            name = str(meta.get("original_filename") or "")
            mime = mimetypes.guess_type(name)[0] or "text/plain"
            return name, extension(name, mime, default="txt"), mime
        case _:
            return str(meta.get("name") or ""), "json", "application/json"


def native_text(entry: ManifestEntry, source: Path, ext: str, mime: str, slip: SlipSheet) -> TextSource:
    """Where a native document's text comes from (``evidence.kinds``): the file, JSON members, a note."""
    info = KINDS[Kind(entry.kind)]
    note = f"Produced natively: {slip.filename}\nSHA-256: {slip.sha256}\nSize: {slip.size}\n"
    match info.text:
        case TextFrom.CONTENT if is_text(ext, mime):
            return lambda target: stream_text(source, target)
        case TextFrom.MEMBERS:
            return lambda target: write_text_durably(target, json_text(source, *info.text_members))
        case TextFrom.CONTENT | TextFrom.NOTE:
            return lambda target: write_text_durably(target, note)
        case unknown:
            assert_never(unknown)


def native_document(vol: VolumeBuilder, bag: StoredBag, entry: ManifestEntry, *, parent: str) -> Document:
    """Copy one native, queue its slip sheet, and place its document (returned)."""
    control = vol.allocate()
    source = bag.path_of(entry)
    filename, ext, mime = native_facts(entry, source)
    native_rel = f"NATIVES/{control}.{ext}"
    copy = copy_content if entry.kind == Kind.PROJECT_DOCUMENT else copy_verified
    digests = copy(source, vol.root / native_rel, entry.sha256)
    vol.produced.add((entry.kind, entry.source_id))
    if entry.status != "ok":
        vol.warn(f"{entry.kind} {entry.source_id} is produced although its status is {entry.status}.")
    email = bag.email_for(entry.custodian_user_ids)
    slip = SlipSheet(
        bates=control, doctype=DOCTYPES.get(Kind(entry.kind), "File"), filename=filename or entry.source_id,
        size=digests.size, sha256=digests.sha256, native_path=native_rel, parent=parent, legend=vol.legend,
    )  # fmt: skip
    vol.slip(slip)
    doc = _native_record(entry, control, email, bag.time_zone, native_rel, filename)
    doc.describe_file(digests, ext=ext, mime=mime)
    doc.text = native_text(entry, source, ext, mime, slip)
    return vol.add(doc)


def _native_record(
    entry: ManifestEntry, control: str, email: str, zone: str, native_rel: str, filename: str
) -> Document:
    meta = entry.metadata
    deleted = parse_instant(meta.get("deleted_at"))
    doc = Document(
        control, control, DOCTYPES.get(Kind(entry.kind), "File"), entry.source_id, email, zone, 1,
        f"PDF/{control}.pdf", native_paths=(native_rel,), custodians={email},
        created=parse_instant(meta.get("created_at")), modified=parse_instant(meta.get("updated_at")),
        deleted=deleted, contains_deleted=deleted is not None, filename=filename,
    )  # fmt: skip
    if entry.kind == Kind.PROJECT:
        doc.project_id, doc.project_name = entry.source_id, str(meta.get("name") or "")
    return doc
