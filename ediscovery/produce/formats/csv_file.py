"""CSV: the DAT's columns and values as RFC 4180 CSV, for people and spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from ediscovery.produce.document import Document
from ediscovery.produce.formats.base import ProductionFormat, Volume
from ediscovery.produce.formats.dat import COLUMNS, fields
from ediscovery.produce.output import write_text_durably

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``= + - @`` (or tab, CR) gets a ``'``.

    Chat titles and file names are untrusted; opened in a spreadsheet, ``=HYPERLINK(...)``
    would run as a formula. The DAT keeps exact values; the CSV is for people.
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def render_csv(rows: Iterable[Mapping[str, str]], columns: Sequence[str]) -> str:
    """RFC 4180 CSV (CRLF, minimal quoting) with a header row; formula-like cells neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([csv_value(row.get(c, "")) for c in columns] for row in rows)
    return buffer.getvalue()


class CsvFormat(ProductionFormat):
    """``DATA/<volume>.csv``."""

    def finish(self, volume: Volume, documents: Sequence[Document]) -> None:
        rows = [fields(doc) for doc in documents]
        write_text_durably(volume.root / "DATA" / f"{volume.name}.csv", render_csv(rows, COLUMNS))
