"""Bates numbers: formatting, the page stamp, and the ledger that hands out ranges.

A document is laid out once with a placeholder of the final width (the prefix followed by
zeros) in its ``@bottom-right`` page-margin box. When its page count is known the ledger
gives it the first number of its range -- documents take ranges strictly in plan order,
whichever process finishes layout first -- and :func:`stamp` replaces each page's placeholder
with the real number before the PDF is drawn. Numbers are therefore continuous across every
document and never reused, while each document is laid out only once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from weasyprint.formatting_structure import boxes

from ediscovery.errors import RenderError

BATES_BOX = "@bottom-right"


def format_bates(prefix: str, number: int, digits: int) -> str:
    """``ACME000000042``; :class:`RenderError` when the number outgrows its digits."""
    if number < 0 or number >= 10**digits:
        raise RenderError(
            f"Bates number {number} does not fit in {digits} digits.",
            hint="Use more digits (--bates-digits) or a lower start number.",
        )
    return f"{prefix}{number:0{digits}d}"


def placeholder(prefix: str, digits: int) -> str:
    """The text laid out where the Bates number goes; same width as every real number."""
    return f"{prefix}{'0' * digits}"


def _bates_text_boxes(page: Any, marker: str) -> Iterator[Any]:
    for child in page._page_box.children:
        if isinstance(child, boxes.MarginBox) and child.at_keyword == BATES_BOX:
            for box in child.descendants():
                if isinstance(box, boxes.TextBox) and box.text == marker:
                    yield box


def stamp(document: Any, prefix: str, digits: int, start: int) -> None:
    """Write ``start``, ``start+1``, ... into the Bates box of each page of a laid-out document."""
    marker = placeholder(prefix, digits)
    for index, page in enumerate(document.pages):
        found = list(_bates_text_boxes(page, marker))
        if len(found) != 1:
            raise RenderError(f"Page {index + 1} has {len(found)} Bates boxes instead of one.")
        number = format_bates(prefix, start + index, digits)
        found[0].text = number
        found[0].pango_layout.text = number  # the layout is re-shaped from .text when drawn


class Ledger(Protocol):
    """Hands out Bates ranges in plan order once each document's page count is known."""

    def claim(self, index: int, pages: int) -> int:
        """Record that document ``index`` has ``pages`` pages; return its first number."""
        ...


class SequentialLedger:
    """The ledger of a single process rendering documents one after the other, in order."""

    def __init__(self, start: int) -> None:
        self._next = start
        self._expected = 0

    def claim(self, index: int, pages: int) -> int:
        if index != self._expected:
            raise RenderError(f"Document {index} claimed Bates numbers out of order.")
        first = self._next
        self._next += pages
        self._expected += 1
        return first

    @property
    def next_number(self) -> int:
        return self._next
