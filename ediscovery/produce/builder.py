"""Builder: the state of one production volume while it is being built.

It hands out control numbers in order, places documents (telling every format), queues
slip sheets and warnings, and finds where a referenced item is stored across the
production's collections. The formats see it through ``formats.base.Volume``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.stored import StoredBag
from ediscovery.produce.document import Document
from ediscovery.produce.formats import ProductionFormat
from ediscovery.produce.formats import build as build_formats
from ediscovery.produce.slipsheet import SlipSheet
from ediscovery.progress import Reporter
from ediscovery.render.bates import format_bates
from ediscovery.render.options import RenderOptions

TWIN_KINDS = {Kind.FILE: Kind.GENERATED_FILE, Kind.GENERATED_FILE: Kind.FILE}
"""An upload's id prefix does not decide where the bag stores it: look under both kinds."""


@dataclass(frozen=True)
class Settings:
    """What the user asked of the volume."""

    names: frozenset[str]  # the formats asked for (``produce.formats.Format`` values)
    options: RenderOptions
    rsmf_slice: str | None
    volume_name: str


class VolumeBuilder:
    """The mutable state of one production while it is being built (see the module docstring)."""

    def __init__(self, root: Path, settings: Settings, reporter: Reporter) -> None:
        self.root = root
        self.settings = settings
        self.formats: tuple[ProductionFormat, ...] = build_formats(settings.names)
        self.reporter = reporter
        self.next = settings.options.bates_start
        self.documents: list[Document] = []
        self.slips: list[SlipSheet] = []
        self.warnings: list[str] = []
        self.produced: set[tuple[str, str]] = set()
        self.bags: list[StoredBag] = []

    @property
    def name(self) -> str:
        return self.settings.volume_name

    @property
    def rsmf_slice(self) -> str | None:
        return self.settings.rsmf_slice

    @property
    def legend(self) -> str:
        return self.settings.options.legend

    def bates(self, number: int) -> str:
        options = self.settings.options
        return format_bates(options.bates_prefix, number, options.bates_digits)

    def allocate(self) -> str:
        control = self.bates(self.next)
        self.next += 1
        return control

    def add(self, document: Document) -> Document:
        for output in self.formats:
            output.add(self, document)
        self.documents.append(document)
        self.reporter.advance("documents")
        return document

    def slip(self, sheet: SlipSheet) -> None:
        self.slips.append(sheet)

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        self.reporter.note(text)

    def find(
        self, preferred: StoredBag, kind: Kind, source_id: str
    ) -> tuple[StoredBag, ManifestEntry] | None:
        """The stored entry of an item, in ``preferred`` first, then in every collection."""
        kinds = [kind, *([TWIN_KINDS[kind]] if kind in TWIN_KINDS else [])]
        for bag in [preferred, *self.bags]:
            for candidate in kinds:
                entries = bag.find(candidate, source_id)
                if entries:
                    return bag, entries[0]
        return None

    def finish(self) -> None:
        """Every document is placed: let each format write what needs them all."""
        documents: Sequence[Document] = self.documents
        for output in self.formats:
            output.finish(self, documents)
