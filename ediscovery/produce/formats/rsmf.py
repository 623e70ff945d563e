"""RSMF: each chat as a Relativity Short Message Format file (whole, or one per day).

A whole-chat RSMF (``RSMF/<control>.rsmf``) is the chat document's native: its file fields
describe the RSMF. With ``--rsmf-slice day`` the chat keeps its JSON pages as its native and
each day's RSMF is a document of its own (``ChatSlice``), a child of the chat after its
attachments, with a slip sheet and a line of text. The RSMF files themselves are written by
:mod:`ediscovery.produce.rsmf`.
"""

from __future__ import annotations

from pathlib import Path

from ediscovery.evidence.derived import write_text_durably
from ediscovery.evidence.digest import hash_file
from ediscovery.produce.document import Document
from ediscovery.produce.formats.base import ChatFamily, ProductionFormat, Volume
from ediscovery.produce.rsmf import RSMF_MIME, Attachment, slices, write_rsmf
from ediscovery.produce.slipsheet import SlipSheet


class RsmfFormat(ProductionFormat):
    """``RSMF/``: see the module docstring."""

    def replaces_chat_native(self, rsmf_slice: str | None) -> bool:
        return rsmf_slice is None

    def chat(self, volume: Volume, family: ChatFamily) -> None:
        paths = _write(volume, family)
        parent = family.document
        if volume.rsmf_slice is None:
            parent.native_paths = (paths[0],)
            parent.describe_file(hash_file(volume.root / paths[0]), ext="rsmf", mime=RSMF_MIME)
            return
        email = str(family.custodian.get("email") or "")
        family.children += [_slice_document(volume, family, path, email) for path in paths]


def _attachment(volume: Volume, child: Document) -> Attachment:
    native = child.native_paths[0]
    return Attachment(
        source_id=child.source_id,
        name=Path(native).name,
        display=child.filename or child.source_id,
        path=volume.root / native,
        size=child.size or 0,
    )


def _write(volume: Volume, family: ChatFamily) -> list[str]:
    """Write the chat's RSMF file(s); their volume-relative paths, in order."""
    chat, zone, control = family.chat, family.document.zone, family.document.control
    attachments = [_attachment(volume, child) for child in family.children]
    written = []
    for part in slices(chat, zone, volume.rsmf_slice):
        wanted = {r.source_id for m in part.messages for r in m.references}
        mine = [a for a in attachments if a.source_id in wanted]
        rel = f"RSMF/{control}_{part.key}.rsmf" if part.key else f"RSMF/{control}.rsmf"
        write_rsmf(volume.root / rel, chat, part, zone, family.custodian, mine,
                   project_name=family.project_name or None, organization=family.organization)  # fmt: skip
        written.append(rel)
    return written


def _slice_document(volume: Volume, family: ChatFamily, rsmf_path: str, email: str) -> Document:
    """One RSMF slice as a document of its own: its control number, slip sheet, text and record."""
    chat, zone = family.chat, family.document.zone
    control = volume.allocate()
    digests = hash_file(volume.root / rsmf_path)
    name = f"{chat.name or chat.id} ({Path(rsmf_path).stem.rsplit('_', 1)[-1]})"
    text = f"RSMF slice of chat {chat.id}: {name}\nSHA-256: {digests.sha256}\n"
    doc = Document(
        control, control, "ChatSlice", chat.id, email, zone, 1, f"PDF/{control}.pdf",
        native_paths=(rsmf_path,),  # stays in RSMF/, named after the chat it slices
        text=lambda target: write_text_durably(target, text), custodians={email}, filename=name,
    )  # fmt: skip
    doc.describe_file(digests, ext="rsmf", mime=RSMF_MIME)
    volume.slip(
        SlipSheet(
            bates=control,
            doctype="ChatSlice",
            filename=name,
            size=digests.size,
            sha256=digests.sha256,
            native_path=rsmf_path,
            parent=family.document.control,
            legend=volume.legend,
        )
    )
    return volume.add(doc)
