"""Sniff: what a stored file is, judged from its first bytes, not from the name it was given.

The API serves some uploads differently from how they were uploaded: Word and PowerPoint files
and some PDFs come back as their extracted text under the original file name, and images may
be processed copies. :func:`identify` names the format the bytes show; :func:`served_as_text`
says when a file listed as a binary document type came back as text.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 8192
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc, .ppt, .xls
)
BINARY_DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
BINARY_DOCUMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx"})


def identify(head: bytes) -> str | None:
    """The MIME type the first bytes of a file show (``text/plain`` for UTF-8 text), or None."""
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if not head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the head
            return None
        text = head[: exc.start].decode("utf-8")
    return "text/plain" if "\x00" not in text else None


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def served_as_text(detected: str | None, filename: str | None, mime_type: str | None) -> bool:
    """Whether a file listed as a binary document (by type or name) holds plain text instead."""
    if detected != "text/plain":
        return False
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    return (mime_type or "").split(";")[0].strip().lower() in BINARY_DOCUMENT_TYPES or (
        suffix in BINARY_DOCUMENT_EXTENSIONS
    )
