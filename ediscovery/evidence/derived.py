"""Derived files (reports, load files, productions): durable writes and spreadsheet-safe CSV.

A derived file appears at its path only once completely written (temp + fsync + replace,
through :func:`ediscovery.evidence.store.replacing`), so a crash leaves the old file or the
new one. Text is UTF-8, newlines exactly as given, a lone surrogate as its ``\\udXXX`` escape.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, cast

from ediscovery.evidence.canonical import encode_text
from ediscovery.evidence.store import replacing


@contextlib.contextmanager
def durable_stream(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as handle:
        yield cast(BinaryIO, handle)


def write_bytes_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a crash leaves either the old file or the new one."""
    with durable_stream(path) as fh:
        fh.write(data)


def write_text_durably(path: Path, text: str) -> None:
    """UTF-8 text, newlines exactly as given (a lone surrogate as its ``\\udXXX`` escape)."""
    write_bytes_durably(path, encode_text(text))


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
