"""Options and results of rendering: what a caller asks for and what it gets back.

These three frozen dataclasses are the public contract of :mod:`ediscovery.render`; the
collector turns each :class:`RenderedDocument` into a manifest entry of kind ``transcript``
and the producer chains ``RenderResult.next_bates`` into the next custodian's render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ediscovery.errors import UsageError

_PREFIX = re.compile(r"[A-Za-z0-9._-]{0,32}")


@dataclass(frozen=True)
class RenderOptions:
    """How transcripts are numbered, branded and produced."""

    bates_prefix: str = ""
    bates_start: int = 1
    bates_digits: int = 9
    legend: str = "CONFIDENTIAL"
    display_tz: str | None = None
    jobs: int = 0
    write_text: bool = False
    cache_dir: Path | None = None
    """Where runs laid out ahead of numbering are kept (:mod:`ediscovery.render.cache`)."""

    def check(self) -> None:
        """Raise :class:`UsageError` when a value cannot produce valid Bates numbers."""
        if not _PREFIX.fullmatch(self.bates_prefix):
            raise UsageError(
                f"Invalid Bates prefix {self.bates_prefix!r}.",
                hint="Use up to 32 letters, digits, '.', '_' or '-'.",
            )
        if not 1 <= self.bates_digits <= 15:
            raise UsageError(f"Invalid Bates digit count {self.bates_digits}.", hint="Use 1 to 15.")
        if self.bates_start < 0 or self.bates_start >= 10**self.bates_digits:
            raise UsageError(f"Bates start {self.bates_start} does not fit in {self.bates_digits} digits.")
        if self.jobs < 0:
            raise UsageError(f"Invalid job count {self.jobs}.", hint="Use 0 for one per CPU.")
        if len(self.legend) > 200:
            raise UsageError("The confidentiality legend is longer than 200 characters.")


@dataclass(frozen=True)
class RenderedDocument:
    """One written PDF transcript and the facts a manifest or load file needs about it."""

    path: str
    document_type: str
    source_id: str
    bates_begin: str
    bates_end: str
    page_count: int
    size: int
    md5: str
    sha256: str
    sha512: str
    sources: tuple[tuple[str, str], ...]
    text_path: str | None


@dataclass(frozen=True)
class RenderResult:
    """Every document written, in Bates order, the next free number and the warnings."""

    documents: tuple[RenderedDocument, ...]
    next_bates: int
    warnings: tuple[str, ...]
