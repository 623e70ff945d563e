"""Load-file rows: the fields of each produced document (chat, file, artifact, project …).

Owns mapping what is known about one document (its chat, its manifest entry, its place in a
family, its produced paths) onto the DAT/CSV columns of :mod:`ediscovery.produce.loadfile`.
Dates are ISO 8601 with the offset of the collection's display zone, named in TIMEZONE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ediscovery.evidence.digest import Digests
from ediscovery.evidence.kinds import DOCTYPES as KIND_DOCTYPES
from ediscovery.produce.chat import Chat, format_time, parse_time
from ediscovery.produce.loadfile import MULTI

DOCTYPES: dict[str, str] = {str(kind): doctype for kind, doctype in KIND_DOCTYPES.items()}


@dataclass(frozen=True)
class Placement:
    """Where a document sits: its Bates range, volume-relative paths and page count."""

    begin: str
    end: str
    pdf_path: str
    text_path: str
    native_path: str
    pages: int


def windows(path: str) -> str:
    return path.replace("/", "\\")


def base_row(place: Placement, custodian: str, doctype: str, source_id: str, zone: str) -> dict[str, str]:
    return {
        "BEGBATES": place.begin,
        "ENDBATES": place.end,
        "CONTROLNUMBER": place.begin,
        "CUSTODIAN": custodian,
        "ALL_CUSTODIANS": custodian,
        "DOCTYPE": doctype,
        "TIMEZONE": zone,
        "NATIVEPATH": windows(place.native_path),
        "TEXTPATH": windows(place.text_path),
        "PDFPATH": windows(place.pdf_path),
        "PAGECOUNT": str(place.pages),
        "SOURCE_ID": source_id,
    }


def chat_row(
    place: Placement,
    chat: Chat,
    custodian: dict[str, Any],
    zone: str,
    *,
    project_name: str,
    hashes: tuple[str, str],
    size: int,
) -> dict[str, str]:
    email = str(custodian.get("email") or "")
    row = base_row(place, email, "Chat", chat.id, zone)
    name = str(custodian.get("full_name") or email)
    deleted = chat.deleted_at is not None or any(not m.has_content for m in chat.messages)
    row |= {
        "CONVERSATION_ID": chat.id,
        "CONVERSATION_TITLE": chat.name,
        "PROJECT_ID": chat.project_id or "",
        "PROJECT_NAME": project_name,
        "PARTICIPANTS": f"{name} <{email}>{MULTI}Claude ({chat.model or 'unknown model'})",
        "MODEL": chat.model or "",
        "MESSAGE_COUNT": str(len(chat.messages)),
        "DATE_START": format_time(chat.first_at, zone),
        "DATE_END": format_time(chat.last_at, zone),
        "DATE_CREATED": format_time(chat.created_at, zone),
        "DATE_MODIFIED": format_time(chat.updated_at, zone),
        "DATE_DELETED": format_time(chat.deleted_at, zone),
        "CONTAINS_DELETED": "Y" if deleted else "N",
        "FILEEXT": "json",
        "FILESIZE": str(size),
        "MIMETYPE": "application/json",
        "MD5HASH": hashes[0],
        "SHA256HASH": hashes[1],
    }
    return row


def native_row(
    place: Placement,
    entry: dict[str, Any],
    custodian: str,
    zone: str,
    *,
    filename: str,
    ext: str,
    mime_type: str,
) -> dict[str, str]:
    meta = entry.get("metadata") or {}
    row = base_row(
        place, custodian, DOCTYPES.get(str(entry.get("kind")), "File"), str(entry["source_id"]), zone
    )
    deleted_at = parse_time(meta.get("deleted_at"))
    row |= {
        "DATE_CREATED": format_time(parse_time(meta.get("created_at")), zone),
        "DATE_MODIFIED": format_time(parse_time(meta.get("updated_at")), zone),
        "DATE_DELETED": format_time(deleted_at, zone),
        "CONTAINS_DELETED": "Y" if deleted_at else "N",
        "FILENAME": filename,
        "FILEEXT": ext,
        "FILESIZE": str(entry.get("size") or 0),
        "MIMETYPE": mime_type,
        "MD5HASH": str(entry.get("md5") or ""),
        "SHA256HASH": str(entry.get("sha256") or ""),
    }
    if entry.get("kind") == "project":
        row |= {"PROJECT_ID": str(entry["source_id"]), "PROJECT_NAME": str(meta.get("name") or "")}
    return row


def describe_file(row: dict[str, str], digests: Digests, *, ext: str, mime: str) -> None:
    """Make the row's file fields describe the produced file its NATIVEPATH names."""
    row |= {
        "FILEEXT": ext,
        "MIMETYPE": mime,
        "FILESIZE": str(digests.size),
        "MD5HASH": digests.md5,
        "SHA256HASH": digests.sha256,
    }


def set_family(parent: dict[str, str], children: list[dict[str, str]]) -> None:
    """BEGATTACH/ENDATTACH span parent and children; children point at the parent's BEGBATES."""
    if not children:
        return
    span = {"BEGATTACH": parent["BEGBATES"], "ENDATTACH": children[-1]["ENDBATES"]}
    parent |= span
    inherited = ("CONVERSATION_ID", "CONVERSATION_TITLE", "PROJECT_ID", "PROJECT_NAME")
    for child in children:
        child |= span | {"PARENT_ID": parent["BEGBATES"]}
        child |= {k: parent.get(k, "") for k in inherited if not child.get(k)}
