"""Diagnostics: what WeasyPrint complained about while laying out or drawing one document.

WeasyPrint reports invalid CSS ("Ignored `font-family: &#34` ... invalid value") and
characters drawn as ``.notdef`` boxes only through its ``weasyprint`` logger. A transcript
with either is wrong in a way a reviewer sees, so :class:`Diagnostics` collects those records
(warnings and errors, from the current thread only) while a document is rendered and the
worker turns them into render warnings naming the document. Nothing is configured on the
logger: records still reach whatever handlers the application installed, and a logger whose
effective level hides warnings hides them here too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

WEASYPRINT_LOGGER = "weasyprint"
_MAX_KEPT = 50  # a broken stylesheet repeats itself; keep the report readable
_NOTDEF = ".notdef glyph rendered"
_CODE_POINT = re.compile(r"\(U\+([0-9A-Fa-f]{4,6})\)")


class Diagnostics(logging.Handler):
    """A handler that keeps WeasyPrint's warning messages emitted by one thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self._thread or len(self.messages) >= _MAX_KEPT:
            return
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not break rendering
            message = str(record.msg)
        self.add(message)

    def add(self, message: str) -> None:
        """Keep ``message`` (once, up to the cap): also how a cached run replays its reports."""
        if message not in self.messages and len(self.messages) < _MAX_KEPT:
            self.messages.append(message)

    @property
    def layout_problems(self) -> list[str]:
        """Invalid CSS, unloadable resources: everything except missing glyphs."""
        return [m for m in self.messages if not m.startswith(_NOTDEF)]

    @property
    def missing_glyph_messages(self) -> list[str]:
        """WeasyPrint's own notices of characters drawn as ``.notdef`` boxes."""
        return [m for m in self.messages if m.startswith(_NOTDEF)]

    @property
    def boxed_chars(self) -> frozenset[str]:
        """The characters WeasyPrint drew as ``.notdef`` boxes."""
        found = (_CODE_POINT.search(m) for m in self.missing_glyph_messages)
        return frozenset(chr(int(m.group(1), 16)) for m in found if m and int(m.group(1), 16) <= 0x10FFFF)


@contextmanager
def capture() -> Iterator[Diagnostics]:
    """Collect WeasyPrint's warnings of this thread for the duration of the block."""
    handler = Diagnostics()
    logger = logging.getLogger(WEASYPRINT_LOGGER)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
