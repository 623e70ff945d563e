"""Families: a chat with its attachments, a project with its files, and what is left.

A chat's attachments are the files, generated files and artifacts its messages reference,
produced right after it (numbers follow the chat), each found in the chat's own collection
first. A project is followed by its documents and files. Whatever no family took (an
object the API listed but no stored message or project references) is produced after all
families. Formats act on a chat's family once its attachments are placed (RSMF).
"""

from __future__ import annotations

from dataclasses import dataclass

from ediscovery.evidence.kinds import PRODUCED_NATIVELY, Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.stored import StoredBag
from ediscovery.produce.builder import VolumeBuilder
from ediscovery.produce.chat import chat_text, load_chat, load_session
from ediscovery.produce.copies import copy_verified
from ediscovery.produce.document import Document, set_family
from ediscovery.produce.documents import chat_document, native_document, session_document
from ediscovery.produce.formats.base import ChatFamily


@dataclass(frozen=True)
class Transcript:
    """A chat's transcript as rendered into the volume: its Bates range, PDF and page count."""

    begin: str
    end: str
    pdf_path: str
    pages: int


def chat_family(
    vol: VolumeBuilder, bag: StoredBag, chat_id: str, owners: set[str], place: Transcript
) -> None:
    """The chat's document, then its attachments as a family right after it.

    The chat's native is
    the file its document describes: its stored message pages, unless a format's file replaces
    them (one whole-chat RSMF).
    """
    pages = bag.find(Kind.CHAT_MESSAGES, chat_id)
    chat = load_chat(bag, chat_id)
    custodian = dict(bag.custodian_of(pages[0].custodian_user_ids))
    doc = chat_document(place.begin, place.end, place.pages, chat, custodian, bag.time_zone, pages)
    doc.pdf_path, doc.custodians = place.pdf_path, set(owners)
    doc.project_name = project_name(bag, chat.project_id)
    if not any(f.replaces_chat_native(vol.rsmf_slice) for f in vol.formats):
        doc.native_paths = tuple(_copy_pages(vol, bag, pages, doc.control))
    vol.add(doc)
    children: list[Document] = []
    for ref in chat.references:
        found = vol.find(bag, ref.kind, ref.source_id)
        if found is None:
            vol.warn(f"Chat {chat_id} references {ref.kind} {ref.source_id}, which was not collected.")
            continue
        children.append(native_document(vol, found[0], found[1], parent=doc.control))
    organization = pages[0].metadata.get("organization_uuid")
    family = ChatFamily(bag, chat, doc, children, custodian, doc.project_name, organization)
    for output in vol.formats:
        output.chat(vol, family)
    set_family(doc, family.children)


def session_family(
    vol: VolumeBuilder, bag: StoredBag, kind: Kind, session_id: str, owners: set[str], place: Transcript
) -> None:
    """An agent session's document: its transcript, its message pages as its native (or its RSMF
    conversation, as a chat's), its text; RSMF slices follow it as its family."""
    pages = bag.find(kind, session_id)
    custodian = dict(bag.custodian_of(pages[0].custodian_user_ids))
    conversation = load_session(bag, kind, session_id)
    text = chat_text(conversation, bag.time_zone, label="Session", missing="not captured")
    doc = session_document(place, kind, pages, custodian, bag.time_zone, text)
    doc.pdf_path, doc.custodians = place.pdf_path, set(owners)
    if not any(f.replaces_chat_native(vol.rsmf_slice) for f in vol.formats):
        doc.native_paths = tuple(_copy_pages(vol, bag, pages, doc.control))
    vol.add(doc)
    session = bag.read_json(pages[0]).get("session") or {}
    family = ChatFamily(bag, conversation, doc, [], custodian, "", session.get("organization_uuid"))
    for output in vol.formats:
        output.chat(vol, family)
    set_family(doc, family.children)


def project_name(bag: StoredBag, project_id: str | None) -> str:
    entries = bag.find(Kind.PROJECT, project_id) if project_id else []
    return str(entries[0].metadata.get("name") or "") if entries else ""


def _copy_pages(vol: VolumeBuilder, bag: StoredBag, pages: list[ManifestEntry], control: str) -> list[str]:
    paths = []
    for number, entry in enumerate(pages, 1):
        rel = f"NATIVES/{control}.json" if number == 1 else f"NATIVES/{control}_{number:04d}.json"
        copy_verified(bag.path_of(entry), vol.root / rel, entry.sha256)
        paths.append(rel)
    return paths


def project_family(vol: VolumeBuilder, bag: StoredBag, entry: ManifestEntry) -> None:
    """A project's document, then the documents and files its attachment pages list."""
    doc = native_document(vol, bag, entry, parent="")
    children = []
    for page in bag.find(Kind.PROJECT_ATTACHMENTS, entry.source_id):
        for item in bag.read_json(page).get("data") or []:
            kind = Kind.PROJECT_DOCUMENT if item.get("type") == "project_doc" else Kind.FILE
            found = vol.find(bag, kind, str(item.get("id")))
            if found is None:
                vol.warn(f"Project {entry.source_id} lists {kind} {item.get('id')}, which was not collected.")
                continue
            children.append(native_document(vol, found[0], found[1], parent=doc.control))
    set_family(doc, children)


def leftovers(vol: VolumeBuilder, bag: StoredBag) -> None:
    """Every natively produced item of ``bag`` that no family took."""
    for kind in PRODUCED_NATIVELY:
        for entry in bag.entries(kind):
            if (kind, entry.source_id) not in vol.produced:
                native_document(vol, bag, entry, parent="")
