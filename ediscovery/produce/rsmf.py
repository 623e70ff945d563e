"""RSMF 2.0 (Relativity Short Message Format) for chats.

Owns turning one chat (or one 24-hour slice of it, in the display zone) into an ``.rsmf``:
an RFC 5322 message (framed by :mod:`ediscovery.produce.envelope`) with the ``X-RSMF-*``
headers, a plain-text preview body and exactly one base64 attachment ``rsmf.zip`` holding
``rsmf_manifest.json`` and the attachment files.
The zip is deterministic (sorted names, fixed timestamps); events carry timestamps with an
offset; the model is a participant of its own.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery import __version__
from ediscovery.evidence.canonical import TEXT_ERRORS
from ediscovery.produce.chat import Chat, Message
from ediscovery.produce.envelope import write_envelope
from ediscovery.timestamps import iso_in_zone as format_time

RSMF_VERSION = "2.0.0"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CUSTODIAN_ID = "P1"
PREVIEW_LIMIT = 1_000_000
ZIP64_FROM = 2**31 - 2**20  # streamed members need ZIP64 declared up front when large


@dataclass(frozen=True)
class Attachment:
    """A file carried in ``rsmf.zip``: ``name`` inside the zip, shown as ``display``."""

    source_id: str
    name: str
    display: str
    path: Path
    size: int


@dataclass(frozen=True)
class Slice:
    """The messages of one RSMF file; ``key`` is ``""`` (whole chat) or ``YYYYMMDD``."""

    key: str
    messages: tuple[Message, ...]


def slices(chat: Chat, zone: str, mode: str | None) -> list[Slice]:
    """The whole chat, or one slice per calendar day of ``zone`` that has messages."""
    if mode != "day":
        return [Slice("", chat.messages)]
    days: dict[str, list[Message]] = {}
    tz = ZoneInfo(zone)
    for message in chat.messages:
        key = message.created_at.astimezone(tz).strftime("%Y%m%d") if message.created_at else "00000000"
        days.setdefault(key, []).append(message)
    return [Slice(key, tuple(msgs)) for key, msgs in sorted(days.items())] or [Slice("", ())]


def _custom(pairs: Sequence[tuple[str, Any]]) -> list[dict[str, str]]:
    """RSMF custom fields; empty values are left out (the schema requires non-empty strings)."""
    return [{"name": n, "value": str(v)} for n, v in pairs if v not in (None, "")]


def model_participant_id(chat: Chat) -> str:
    return "P2"


RSMF_MIME = "message/rfc822"
"""An ``.rsmf`` file is an RFC 5322 message (with an ``rsmf.zip`` attachment)."""


def participants_header(people: Sequence[dict[str, Any]]) -> str:
    """``X-RSMF-Participants``: display names separated by commas, as Relativity's validator
    reads it; a comma inside a name becomes a space so it cannot split the name."""
    return ", ".join(" ".join(str(p["display"]).replace(",", " ").split()) for p in people)


def participants(chat: Chat, custodian: dict[str, Any]) -> list[dict[str, Any]]:
    email_address = str(custodian.get("email") or "")
    user: dict[str, Any] = {"id": CUSTODIAN_ID, "display": str(custodian.get("full_name") or email_address)}
    if email_address:
        user["email"] = email_address
    if chat.user_id:
        user["account_id"] = chat.user_id
    user["custom"] = _custom([("Role", "custodian")])
    model = chat.model or "unknown model"
    assistant = {
        "id": model_participant_id(chat),
        "display": f"Claude ({model})",
        "custom": _custom([("Model", chat.model), ("Role", "assistant")]),
    }
    return [user, assistant]


def conversation(chat: Chat, project_name: str | None, organization: str | None) -> dict[str, Any]:
    return {
        "id": chat.id,
        "platform": "claude",
        "type": "direct",
        "display": chat.name or "(untitled chat)",
        "participants": [CUSTODIAN_ID, model_participant_id(chat)],
        "custodian": CUSTODIAN_ID,
        "custom": _custom(
            [
                ("Chat ID", chat.id),
                ("Chat URL", chat.href),
                ("Project ID", chat.project_id),
                ("Project name", project_name),
                ("Organization", organization),
                ("Deleted at", chat.deleted_at.isoformat() if chat.deleted_at else None),
            ]
        ),
    }


def event(chat: Chat, message: Message, zone: str, attachments: Sequence[Attachment]) -> dict[str, Any]:
    from_user = message.role == "user"
    out: dict[str, Any] = {
        "type": "message",
        "id": message.id,
        "participant": CUSTODIAN_ID if from_user else model_participant_id(chat),
        "conversation": chat.id,
        "body": message.text,
        "direction": "outgoing" if from_user else "incoming",
        "deleted": chat.deleted_at is not None or not message.has_content,
        "importance": "normal",
    }
    if message.created_at:
        out["timestamp"] = format_time(message.created_at, zone)
    by_id = {a.source_id: a for a in attachments}
    refs = [by_id[r.source_id] for r in message.references if r.source_id in by_id]
    if refs:
        out["attachments"] = [{"id": a.name, "display": a.display, "size": a.size} for a in refs]
    missing = [r.source_id for r in message.references if r.source_id not in by_id]
    pairs: list[tuple[str, Any]] = [("Role", message.role)]
    pairs += [("Model", chat.model)] if not from_user else []
    pairs += [("Tool call", call) for call in message.tool_calls]
    pairs += [("Attachment not collected", sid) for sid in missing]
    out["custom"] = _custom(pairs)
    return out


def rsmf_manifest(
    chat: Chat,
    part: Slice,
    zone: str,
    custodian: dict[str, Any],
    attachments: Sequence[Attachment],
    *,
    project_name: str | None = None,
    organization: str | None = None,
) -> dict[str, Any]:
    """The ``rsmf_manifest.json`` object of one slice."""
    return {
        "version": RSMF_VERSION,
        "eventcollectionid": chat.id,
        "participants": participants(chat, custodian),
        "conversations": [conversation(chat, project_name, organization)],
        "events": [event(chat, m, zone, attachments) for m in part.messages],
    }


def write_zip(target: Path, manifest: dict[str, Any], attachments: Sequence[Attachment]) -> None:
    """``rsmf.zip``: manifest plus attachment files streamed in, sorted, with fixed timestamps."""
    files: dict[str, Path | bytes] = {
        "rsmf_manifest.json": (
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        ).encode("utf-8", TEXT_ERRORS),
    }
    files.update({a.name: a.path for a in attachments})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = files[name]
            large = isinstance(content, Path) and content.stat().st_size >= ZIP64_FROM
            with archive.open(info, "w", force_zip64=large) as sink:
                if isinstance(content, bytes):
                    sink.write(content)
                else:
                    with content.open("rb") as source:
                        shutil.copyfileobj(source, sink, 512 * 1024)


def preview(chat: Chat, zone: str, manifest: dict[str, Any]) -> str:
    """The human-readable body: one line per event, cut after ``PREVIEW_LIMIT`` characters."""
    names = {p["id"]: p.get("display", p["id"]) for p in manifest["participants"]}
    lines = [f"Chat: {chat.name or '(untitled chat)'} ({chat.id})", f"Time zone: {zone}", ""]
    size = 0
    for ev in manifest["events"]:
        line = f"[{ev.get('timestamp', '')}] {names.get(ev['participant'], '')}: {ev.get('body', '')}"
        size += len(line)
        if size > PREVIEW_LIMIT:
            lines.append("[preview cut; every event is in rsmf_manifest.json]")
            break
        lines.append(line)
    return "\n".join(lines) + "\n"


def envelope_headers(
    chat: Chat, part: Slice, zone: str, custodian: dict[str, Any], manifest: dict[str, Any], attachments: int
) -> list[tuple[str, str]]:
    """The EML headers of one slice, ``X-RSMF-*`` included."""
    times = [m.created_at for m in part.messages if m.created_at]
    headers = [
        ("From", str(custodian.get("email") or "custodian@invalid")),
        ("Subject", chat.name or "(untitled chat)"),
        ("Message-ID", f"<{chat.id}.{part.key or 'all'}@rsmf.ediscovery.invalid>"),
        ("X-RSMF-Version", RSMF_VERSION),
        ("X-RSMF-Generator", f"ediscovery {__version__}"),
    ]
    if times:
        headers += [
            ("Date", format_datetime(max(times))),
            ("X-RSMF-BeginDate", format_time(min(times), zone)),
            ("X-RSMF-EndDate", format_time(max(times), zone)),
        ]
    headers += [
        ("X-RSMF-EventCount", str(len(manifest["events"]))),
        ("X-RSMF-Application", "Claude"),
        ("X-RSMF-Custodian", str(custodian.get("email") or custodian.get("full_name") or "")),
        ("X-RSMF-Participants", participants_header(manifest["participants"])),
        ("X-RSMF-AttachmentCount", str(attachments)),
        ("X-RSMF-EventCollectionID", chat.id),
    ]
    return headers


def write_rsmf(
    target: Path,
    chat: Chat,
    part: Slice,
    zone: str,
    custodian: dict[str, Any],
    attachments: Sequence[Attachment],
    *,
    project_name: str | None = None,
    organization: str | None = None,
) -> None:
    """Write the ``.rsmf`` of one slice of one chat (attachments streamed, never held whole)."""
    manifest = rsmf_manifest(
        chat, part, zone, custodian, attachments, project_name=project_name, organization=organization
    )
    headers = envelope_headers(chat, part, zone, custodian, manifest, len(attachments))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rsmf-", dir=target.parent) as work:
        zip_path = Path(work) / "rsmf.zip"
        write_zip(zip_path, manifest, attachments)
        write_envelope(target, headers, preview(chat, zone, manifest), zip_path)
