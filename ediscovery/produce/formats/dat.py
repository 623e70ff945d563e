"""Concordance DAT: the load file review platforms (Relativity, Concordance) import first.

Encoding (Relativity/Concordance defaults): UTF-8 with BOM, CRLF line ends, every value
quoted with þ (U+00FE), columns separated by U+0014, newlines inside a value written as ®
(U+00AE), multi-values joined with ``;``, paths in Windows form, dates ISO 8601 with the
display zone's offset (named in TIMEZONE). Escaping rule: a þ inside a value is doubled
(``þþ``) and a U+0014 inside a value is replaced by a space, so a reader that splits on
``þ\\x14þ`` and undoes the doubling gets the value back; a literal ® in a value is kept as is
(it reads back as a newline, the one ambiguity of the format, which review platforms share).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ediscovery.evidence.derived import write_text_durably
from ediscovery.produce.document import Document
from ediscovery.produce.formats.base import ProductionFormat, Volume
from ediscovery.timestamps import iso_in_zone

COLUMNS: tuple[str, ...] = (
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PARENT_ID", "CONTROLNUMBER", "CUSTODIAN",
    "ALL_CUSTODIANS", "DOCTYPE", "CONVERSATION_ID", "CONVERSATION_TITLE", "PROJECT_ID", "PROJECT_NAME",
    "PARTICIPANTS", "MODEL", "MESSAGE_COUNT", "DATE_START", "DATE_END", "TIMEZONE", "DATE_CREATED",
    "DATE_MODIFIED", "DATE_DELETED", "CONTAINS_DELETED", "FILENAME", "FILEEXT", "FILESIZE", "MIMETYPE",
    "MD5HASH", "SHA256HASH", "NATIVEPATH", "TEXTPATH", "PDFPATH", "PAGECOUNT", "SOURCE_ID",
)  # fmt: skip
DAT_COLUMNS = COLUMNS

QUOTE = "\u00fe"
DELIMITER = "\u0014"
NEWLINE = "\u00ae"
MULTI = ";"
BOM = "\ufeff"


def windows(path: str) -> str:
    return path.replace("/", "\\")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def fields(doc: Document) -> dict[str, str]:
    """A document's value for every column, as the DAT (and the CSV) spells it."""
    zone = doc.zone
    return {
        "BEGBATES": doc.begin, "ENDBATES": doc.end, "BEGATTACH": doc.attach_begin,
        "ENDATTACH": doc.attach_end, "PARENT_ID": doc.parent, "CONTROLNUMBER": doc.control,
        "CUSTODIAN": doc.custodian, "ALL_CUSTODIANS": MULTI.join(sorted(c for c in doc.custodians if c)),
        "DOCTYPE": doc.doctype, "CONVERSATION_ID": doc.conversation_id,
        "CONVERSATION_TITLE": doc.conversation_title, "PROJECT_ID": doc.project_id,
        "PROJECT_NAME": doc.project_name, "PARTICIPANTS": MULTI.join(doc.participants), "MODEL": doc.model,
        "MESSAGE_COUNT": "" if doc.message_count is None else str(doc.message_count),
        "DATE_START": iso_in_zone(doc.date_start, zone), "DATE_END": iso_in_zone(doc.date_end, zone),
        "TIMEZONE": zone, "DATE_CREATED": iso_in_zone(doc.created, zone),
        "DATE_MODIFIED": iso_in_zone(doc.modified, zone), "DATE_DELETED": iso_in_zone(doc.deleted, zone),
        "CONTAINS_DELETED": _flag(doc.contains_deleted), "FILENAME": doc.filename, "FILEEXT": doc.extension,
        "FILESIZE": "" if doc.size is None else str(doc.size), "MIMETYPE": doc.mime_type,
        "MD5HASH": MULTI.join(doc.md5), "SHA256HASH": MULTI.join(doc.sha256),
        "NATIVEPATH": windows(MULTI.join(doc.native_paths)), "TEXTPATH": windows(doc.text_path),
        "PDFPATH": windows(doc.pdf_path), "PAGECOUNT": str(doc.pages), "SOURCE_ID": doc.source_id,
    }  # fmt: skip


def dat_value(value: str) -> str:
    """One DAT field, quoted, with the escaping rule of this module."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NEWLINE)
    text = text.replace(DELIMITER, " ").replace(QUOTE, QUOTE * 2)
    return f"{QUOTE}{text}{QUOTE}"


def dat_line(values: Sequence[str]) -> str:
    return DELIMITER.join(dat_value(v) for v in values) + "\r\n"


def render_dat(rows: Iterable[Mapping[str, str]], columns: Sequence[str] = COLUMNS) -> str:
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
        values = line[1:-1].split(QUOTE + DELIMITER + QUOTE)
        rows.append([f.replace(QUOTE * 2, QUOTE).replace(NEWLINE, "\n") for f in values])
    return rows


class DatFormat(ProductionFormat):
    """``DATA/<volume>.dat``."""

    def finish(self, volume: Volume, documents: Sequence[Document]) -> None:
        rows = [fields(doc) for doc in documents]
        write_text_durably(volume.root / "DATA" / f"{volume.name}.dat", render_dat(rows))
