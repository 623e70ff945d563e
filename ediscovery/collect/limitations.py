"""Limitations: the typed records of what a collection could not or did not gather.

A limitation is not an error: the run is still ``complete`` for what the API listed, but
the manifest (``limitations[]``) and the collection report say what the evidence does not
cover and why. Each class is one kind; ``message`` is the sentence a reviewer reads and
``to_dict`` the manifest item (``kind``, ``source_id``, ``message`` and any extra fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from ediscovery.timestamps import format_timestamp


@dataclass(frozen=True)
class Limitation:
    """Base of every limitation; ``source_id`` is the object (or custodian) it is about."""

    KIND: ClassVar[str] = ""
    source_id: str

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def key(self) -> tuple[str, str]:
        """One limitation of a kind per object: recording it again replaces it."""
        return (self.kind, self.source_id)

    @property
    def message(self) -> str:
        raise NotImplementedError

    def details(self) -> dict[str, Any]:
        """Fields the manifest item carries besides kind, source id and message."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source_id": self.source_id, "message": self.message, **self.details()}


@dataclass(frozen=True)
class Unavailable(Limitation):
    """A listed or referenced object the API answers 404 for (deleted, rotated out)."""

    what: str
    reason: str

    @property
    def kind(self) -> str:
        return f"{self.what}_unavailable"

    @property
    def message(self) -> str:
        return f"The API no longer has it: {self.reason}"


@dataclass(frozen=True)
class ChatOutOfRange(Limitation):
    KIND: ClassVar[str] = "chat_out_of_range"

    @property
    def message(self) -> str:
        return "Listed but not collected: no message of this chat was created in the date range."


@dataclass(frozen=True)
class TruncatedBlock(Limitation):
    """A block the API marks truncated although truncation was disabled (``source_id``: message)."""

    KIND: ClassVar[str] = "truncated_block"
    block_type: str
    chat_id: str

    @property
    def message(self) -> str:
        return (
            f"A {self.block_type} block of message {self.source_id} in chat {self.chat_id} is marked "
            "truncated by the API even with truncation disabled; the stored text is what the API served."
        )


@dataclass(frozen=True)
class DownloadUnverified(Limitation):
    KIND: ClassVar[str] = "download_unverified"

    @property
    def message(self) -> str:
        return (
            f"The API sent neither a Content-MD5 header nor a metadata md5 for {self.source_id}; its "
            "downloaded bytes could not be checked against what the API stores."
        )


@dataclass(frozen=True)
class ServedAsText(Limitation):
    """A file listed as a binary document (Word, PowerPoint, PDF) that the API served as text."""

    KIND: ClassVar[str] = "file_served_as_text"
    filename: str | None
    mime_type: str | None

    @property
    def message(self) -> str:
        return (
            f"{self.filename or self.source_id} ({self.mime_type or 'no type'}) was served as its "
            "extracted text, not as the uploaded file; the stored bytes are that text."
        )


@dataclass(frozen=True)
class UnknownAttachment(Limitation):
    KIND: ClassVar[str] = "unknown_attachment"
    attachment_type: str | None

    @property
    def message(self) -> str:
        return f"Unknown attachment type {self.attachment_type!r}."


@dataclass(frozen=True)
class UnattributedActivity(Limitation):
    """Pre-sign-in feed events name no user id (``source_id``: the custodian's label)."""

    KIND: ClassVar[str] = "unauthenticated_activity_not_attributed"

    @property
    def message(self) -> str:
        return (
            "Activity Feed events recorded before sign-in (e.g. sso_login_initiated, failed "
            "logins) carry only an unauthenticated email address, not a user id, and cannot be "
            f"selected by actor; events of that kind for {self.source_id} are not collected."
        )


@dataclass(frozen=True)
class SourceNotCollected(Limitation):
    """A source the API serves that this version does not collect (``source_id``: its name)."""

    KIND: ClassVar[str] = "source_not_collected"
    what: str

    @property
    def message(self) -> str:
        return (
            f"{self.what} are served by the Compliance API but not collected by this version of "
            "ediscovery; the custodian's record of them is not in this collection."
        )


@dataclass(frozen=True)
class SourceUnavailable(Limitation):
    """A chosen source the key cannot reach: a missing scope, or an endpoint the tenant does not
    have (``source_id``: the source's name)."""

    KIND: ClassVar[str] = "source_unavailable"
    reason: str

    @property
    def message(self) -> str:
        return (
            f"The {self.source_id} source could not be read, so none of it is in this collection: "
            f"{self.reason}"
        )


@dataclass(frozen=True)
class NotInDirectory(Limitation):
    """A departed custodian, collected by user id alone (``source_id``: the custodian's label)."""

    KIND: ClassVar[str] = "custodian_not_in_directory"

    @property
    def message(self) -> str:
        return (
            f"{self.source_id} is not a current member of any linked organization (the "
            "users list shows current members only), so the email, name and organizations "
            "are unknown; chats, projects and Activity Feed events were selected by this user "
            "id alone."
        )


@dataclass(frozen=True)
class ActivityIndexingLag(Limitation):
    """The range reaches into the feed's indexing lag at the moment it was listed."""

    KIND: ClassVar[str] = "activity_indexing_lag"
    listed_at: datetime
    indexed_until: datetime
    effective_until: datetime

    @property
    def message(self) -> str:
        return (
            "The Activity Feed indexes events up to a minute late; events created after "
            f"{format_timestamp(self.indexed_until)} may not have been indexed when the feed was "
            f"listed at {format_timestamp(self.listed_at)}. Effective upper bound: "
            f"{format_timestamp(self.effective_until)}. A later incremental run re-reads this window."
        )

    def details(self) -> dict[str, Any]:
        return {
            "listed_at": format_timestamp(self.listed_at),
            "indexed_until": format_timestamp(self.indexed_until),
            "effective_until": format_timestamp(self.effective_until),
        }


@dataclass(frozen=True)
class TranscriptWarning(Limitation):
    """What the renderer warned about one document (``source_id``: the document's source)."""

    KIND: ClassVar[str] = "transcript_warning"
    warning: str

    @classmethod
    def from_renderer(cls, warning: str) -> TranscriptWarning:
        """From a renderer warning, ``"<type> <id>: <text>"``."""
        head, _, _ = warning.partition(": ")
        _, _, source_id = head.partition(" ")
        return cls(source_id or "transcripts", warning)

    @property
    def message(self) -> str:
        return self.warning
