"""Text: the searchable text of every document, ``TEXT/<control>.txt`` (UTF-8)."""

from __future__ import annotations

from ediscovery.produce.document import Document
from ediscovery.produce.formats.base import ProductionFormat, Volume


class TextFormat(ProductionFormat):
    """Writes each document's text as it is placed, from the source the document names."""

    def add(self, volume: Volume, document: Document) -> None:
        document.text_path = f"TEXT/{document.control}.txt"
        if document.text is not None:
            document.text(volume.root / document.text_path)
