"""Opticon OPT: the image load file, one line per multi-page PDF."""

from __future__ import annotations

from collections.abc import Sequence

from ediscovery.evidence.derived import write_text_durably
from ediscovery.produce.document import Document
from ediscovery.produce.formats.base import ProductionFormat, Volume
from ediscovery.produce.formats.dat import windows


def opt_line(image_key: str, volume: str, path: str, page_count: int) -> str:
    """Opticon line for one multi-page PDF: ``ImageKey,Volume,Path,Y,,,PageCount``."""
    windows_path = windows(path)
    for part in (image_key, volume, windows_path):
        if "," in part:
            raise ValueError(f"Opticon values cannot contain commas: {part!r}")
    return f"{image_key},{volume},{windows_path},Y,,,{page_count}\r\n"


class OptFormat(ProductionFormat):
    """``DATA/<volume>.opt``; a value with a comma is refused as each document is placed."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def add(self, volume: Volume, document: Document) -> None:
        self._lines.append(opt_line(document.begin, volume.name, document.pdf_path, document.pages))

    def finish(self, volume: Volume, documents: Sequence[Document]) -> None:
        write_text_durably(volume.root / "DATA" / f"{volume.name}.opt", "".join(self._lines))
