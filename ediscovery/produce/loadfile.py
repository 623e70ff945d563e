"""Concordance DAT, Opticon OPT and CSV load files for review platforms.

DAT encoding (Relativity/Concordance defaults): UTF-8 with BOM, CRLF line ends, every value
quoted with þ (U+00FE), columns separated by U+0014, newlines inside a value written as ®
(U+00AE), multi-values joined with ``;``. Escaping rule: a þ inside a value is doubled (``þþ``)
and a U+0014 inside a value is replaced by a space, so a reader that splits on ``þ\\x14þ`` and
undoes the doubling gets the value back; a literal ® in a value is kept as is (it reads back
as a newline, the one ambiguity of the format, which review platforms share).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ediscovery.produce.output import write_text_durably

DAT_COLUMNS: tuple[str, ...] = (
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PARENT_ID", "CONTROLNUMBER", "CUSTODIAN",
    "ALL_CUSTODIANS", "DOCTYPE", "CONVERSATION_ID", "CONVERSATION_TITLE", "PROJECT_ID", "PROJECT_NAME",
    "PARTICIPANTS", "MODEL", "MESSAGE_COUNT", "DATE_START", "DATE_END", "TIMEZONE", "DATE_CREATED",
    "DATE_MODIFIED", "DATE_DELETED", "CONTAINS_DELETED", "FILENAME", "FILEEXT", "FILESIZE", "MIMETYPE",
    "MD5HASH", "SHA256HASH", "NATIVEPATH", "TEXTPATH", "PDFPATH", "PAGECOUNT", "SOURCE_ID",
)  # fmt: skip

QUOTE = "\u00fe"
DELIMITER = "\u0014"
NEWLINE = "\u00ae"
MULTI = ";"
BOM = "\ufeff"


def dat_value(value: str) -> str:
    """One DAT field, quoted, with the escaping rule of this module."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NEWLINE)
    text = text.replace(DELIMITER, " ").replace(QUOTE, QUOTE * 2)
    return f"{QUOTE}{text}{QUOTE}"


def dat_line(values: Sequence[str]) -> str:
    return DELIMITER.join(dat_value(v) for v in values) + "\r\n"


def render_dat(rows: Iterable[Mapping[str, str]], columns: Sequence[str] = DAT_COLUMNS) -> str:
    """The whole DAT file as text (header row first)."""
    out = [BOM, dat_line(columns)]
    out += [dat_line([row.get(c, "") for c in columns]) for row in rows]
    return "".join(out)


def parse_dat(text: str) -> list[list[str]]:
    """Read a DAT written by :func:`render_dat` back into rows of values (header included)."""
    rows: list[list[str]] = []
    for line in text.removeprefix(BOM).split("\r\n"):
        if not line:
            continue
        if not (line.startswith(QUOTE) and line.endswith(QUOTE)):
            raise ValueError(f"DAT line is not quoted: {line[:40]!r}")
        fields = line[1:-1].split(QUOTE + DELIMITER + QUOTE)
        rows.append([f.replace(QUOTE * 2, QUOTE).replace(NEWLINE, "\n") for f in fields])
    return rows


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


def opt_line(image_key: str, volume: str, path: str, page_count: int) -> str:
    """Opticon line for one multi-page PDF: ``ImageKey,Volume,Path,Y,,,PageCount``."""
    windows_path = path.replace("/", "\\")
    for part in (image_key, volume, windows_path):
        if "," in part:
            raise ValueError(f"Opticon values cannot contain commas: {part!r}")
    return f"{image_key},{volume},{windows_path},Y,,,{page_count}\r\n"


def write_dat(path: Path, rows: Iterable[Mapping[str, str]]) -> None:
    write_text_durably(path, render_dat(rows))


def write_csv(path: Path, rows: Iterable[Mapping[str, str]], columns: Sequence[str]) -> None:
    write_text_durably(path, render_csv(rows, columns))
