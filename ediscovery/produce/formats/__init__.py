"""Production formats: each output of a volume behind one small interface, chosen by name.

A format may act at three moments: when a chat's family is built (:meth:`~ProductionFormat.chat`,
which may add documents — RSMF slices — or change what the chat's native is), when a document
is placed (:meth:`~ProductionFormat.add`), and when every document is placed
(:meth:`~ProductionFormat.finish`, where load files are written). Adding a format is one module
with a :class:`ProductionFormat` and one :class:`Format` member in :data:`REGISTRY`.
"""

from __future__ import annotations

from enum import StrEnum

from ediscovery.produce.formats.base import ProductionFormat, Volume
from ediscovery.produce.formats.csv_file import CsvFormat
from ediscovery.produce.formats.dat import DatFormat
from ediscovery.produce.formats.opt import OptFormat
from ediscovery.produce.formats.rsmf import RsmfFormat
from ediscovery.produce.formats.text import TextFormat


class Format(StrEnum):
    """The ``--formats`` names, in the order their steps run."""

    DAT = "dat"
    OPT = "opt"
    CSV = "csv"
    TEXT = "text"
    RSMF = "rsmf"


REGISTRY: dict[Format, type[ProductionFormat]] = {
    Format.DAT: DatFormat,
    Format.OPT: OptFormat,
    Format.CSV: CsvFormat,
    Format.TEXT: TextFormat,
    Format.RSMF: RsmfFormat,
}

FORMATS = tuple(str(name) for name in Format)


def build(names: frozenset[str]) -> tuple[ProductionFormat, ...]:
    """One instance of each named format, in :class:`Format` order."""
    return tuple(REGISTRY[name]() for name in Format if name in names)


__all__ = ["FORMATS", "REGISTRY", "Format", "ProductionFormat", "Volume", "build"]
