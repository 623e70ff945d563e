"""Document: one produced document, as every production format reads it.

A document has its Bates range (its first number is its control number), its family (parent
and attachment range), who it was collected from, what it is (chat, file, artifact, project,
chat slice), its typed dates, the hashes and size of the file its native path names, and its
volume-relative paths. How a value is spelled in a load file (Windows paths, ``;``-joined
lists, dates with the display zone's offset) is each format's concern, not the record's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ediscovery.evidence.digest import Digests

TextSource = Callable[[Path], None]
"""Writes a document's extracted text to the path it is given."""


@dataclass
class Document:
    """One produced document (see the module docstring); filled in as its family is built."""

    begin: str
    end: str
    doctype: str
    source_id: str
    custodian: str
    zone: str
    pages: int
    pdf_path: str
    native_paths: tuple[str, ...] = ()
    text: TextSource | None = field(default=None, repr=False)
    text_path: str = ""
    custodians: set[str] = field(default_factory=set)
    parent: str = ""
    attach_begin: str = ""
    attach_end: str = ""
    conversation_id: str = ""
    conversation_title: str = ""
    project_id: str = ""
    project_name: str = ""
    participants: tuple[str, ...] = ()
    model: str = ""
    message_count: int | None = None
    date_start: datetime | None = None
    date_end: datetime | None = None
    created: datetime | None = None
    modified: datetime | None = None
    deleted: datetime | None = None
    contains_deleted: bool | None = None
    filename: str = ""
    extension: str = ""
    size: int | None = None
    mime_type: str = ""
    md5: tuple[str, ...] = ()
    sha256: tuple[str, ...] = ()

    @property
    def control(self) -> str:
        return self.begin

    def describe_file(self, digests: Digests, *, ext: str, mime: str) -> None:
        """Make the file fields describe the one produced file its native path names."""
        self.extension, self.mime_type, self.size = ext, mime, digests.size
        self.md5, self.sha256 = (digests.md5,), (digests.sha256,)


INHERITED = ("conversation_id", "conversation_title", "project_id", "project_name")
"""Fields a child takes from its parent when it has none of its own."""


def set_family(parent: Document, children: Sequence[Document]) -> None:
    """The attachment range spans parent and children; children name the parent's control number."""
    if not children:
        return
    parent.attach_begin, parent.attach_end = parent.begin, children[-1].end
    for child in children:
        child.attach_begin, child.attach_end, child.parent = parent.begin, children[-1].end, parent.begin
        for name in INHERITED:
            if not getattr(child, name):
                setattr(child, name, getattr(parent, name))
