"""The interface every production format implements, and what it may use of the volume."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ediscovery.evidence.stored import StoredBag
from ediscovery.produce.chat import Chat
from ediscovery.produce.document import Document
from ediscovery.produce.slipsheet import SlipSheet


class Volume(Protocol):
    """The volume being built, as a format sees it."""

    root: Path

    @property
    def name(self) -> str: ...

    @property
    def rsmf_slice(self) -> str | None: ...

    @property
    def legend(self) -> str: ...

    def allocate(self) -> str:
        """The next free control number (one page), taken."""
        ...

    def add(self, document: Document) -> Document:
        """Place a document (after every document placed before it)."""
        ...

    def slip(self, sheet: SlipSheet) -> None:
        """Queue the one-page slip sheet of a natively produced document."""
        ...


@dataclass
class ChatFamily:
    """A chat's document and its attachments, while the family is built."""

    bag: StoredBag
    chat: Chat
    document: Document
    children: list[Document]
    custodian: dict[str, object]
    project_name: str
    organization: str | None


class ProductionFormat:
    """One output of a production; a step a format does not need is left as is."""

    def replaces_chat_native(self, rsmf_slice: str | None) -> bool:
        """Whether this format's file becomes the chat's native (then its pages are not copied)."""
        return False

    def chat(self, volume: Volume, family: ChatFamily) -> None:
        """Act on a chat's family after its attachments are placed (may add documents to it)."""

    def add(self, volume: Volume, document: Document) -> None:
        """Act on a document as it is placed."""

    def finish(self, volume: Volume, documents: Sequence[Document]) -> None:
        """Write what needs every document (load files)."""
