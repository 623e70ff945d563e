"""Shared ledger: Bates ranges handed out in plan order across worker processes.

Workers publish each document's page count as soon as it is laid out, then wait until
every earlier document has published too; the ranges follow the plan order. Documents are
submitted to the pool in plan order and every worker runs one document at a time, so an
earlier document is always running or finished and the wait ends. If the pool breaks, the
parent sets ``aborted`` and every waiting worker gives up.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from ediscovery.errors import RenderError

WAIT_SLICE = 1.0  # seconds between checks of the abort flag while waiting


@dataclass(frozen=True)
class SharedLedger:
    """Shared-memory arrays and a condition; picklable into pool workers at start-up."""

    condition: Any
    counts: Any  # page count per document, -1 until known
    starts: Any  # first Bates number per document, valid below ``known``
    known: Any  # how many leading documents have a start number
    next_number: Any  # the first number after the known documents
    aborted: Any

    @classmethod
    def create(cls, ctx: BaseContext, size: int, start: int) -> SharedLedger:
        counts = ctx.Array("q", [-1] * max(size, 1), lock=False)
        starts = ctx.Array("q", max(size, 1), lock=False)
        return cls(
            condition=ctx.Condition(),
            counts=counts,
            starts=starts,
            known=ctx.Value("q", 0, lock=False),
            next_number=ctx.Value("q", start, lock=False),
            aborted=ctx.Value("b", 0, lock=False),
        )

    def claim(self, index: int, pages: int) -> int:
        with self.condition:
            self.counts[index] = pages
            self._advance()
            self.condition.notify_all()
            while self.known.value <= index:
                if self.aborted.value:
                    raise RenderError("Rendering stopped because another document failed.")
                self.condition.wait(WAIT_SLICE)
            return int(self.starts[index])

    def _advance(self) -> None:
        size = len(self.counts)
        while self.known.value < size and self.counts[self.known.value] >= 0:
            position = self.known.value
            self.starts[position] = self.next_number.value
            self.next_number.value += self.counts[position]
            self.known.value = position + 1

    def abort(self) -> None:
        with self.condition:
            self.aborted.value = 1
            self.condition.notify_all()

    def final_number(self) -> int:
        with self.condition:
            return int(self.next_number.value)
