"""CSV: the DAT's columns and values as RFC 4180 CSV, for people and spreadsheets."""

from __future__ import annotations

from collections.abc import Sequence

from ediscovery.evidence.derived import render_csv, write_text_durably
from ediscovery.produce.document import Document
from ediscovery.produce.formats.base import ProductionFormat, Volume
from ediscovery.produce.formats.dat import COLUMNS, fields


class CsvFormat(ProductionFormat):
    """``DATA/<volume>.csv``."""

    def finish(self, volume: Volume, documents: Sequence[Document]) -> None:
        rows = [fields(doc) for doc in documents]
        write_text_durably(volume.root / "DATA" / f"{volume.name}.csv", render_csv(rows, COLUMNS))
