"""Handoff: passes decompressed chunks to member sinks on a second thread, in order.

Reading an archive costs two things per byte: decompressing (zlib, AES) and whatever the
member's sink does with the bytes (SHA-256 and SHA-512 when verifying, a file write when
producing). Both release the GIL on large buffers, so running the sinks on their own thread
overlaps the two on a second core. The queue is bounded (``depth`` chunks), so memory stays
bounded however fast the decompressor runs ahead. Chunks are handed over without copying:
the reader never mutates a chunk it has handed over.

A sink's exception stops the consumer; the reader sees it at its next ``write`` or at
``finish`` and it is re-raised there, on the reader's thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Protocol


class MemberSink(Protocol):
    """Receives one member's bytes while it is decompressed."""

    def write(self, chunk: bytes) -> None: ...

    def close(self) -> None: ...


SinkFactory = Callable[[str], MemberSink]
_Item = tuple[MemberSink, bytes | None] | None


class Handoff:
    """A consumer thread that feeds chunks to sinks; ``close`` is delivered after the last write."""

    def __init__(self, depth: int = 4) -> None:
        self._queue: queue.Queue[_Item] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._consume, name="archive-sinks", daemon=True)
        self._thread.start()

    def write(self, sink: MemberSink, chunk: bytes) -> None:
        self._raise_if_failed()
        self._queue.put((sink, chunk))

    def close(self, sink: MemberSink) -> None:
        self._raise_if_failed()
        self._queue.put((sink, None))

    def finish(self) -> None:
        """Wait until every queued chunk has been consumed; re-raise a sink's exception."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise_if_failed()

    def __enter__(self) -> Handoff:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.finish()
        elif self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _consume(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue
            sink, chunk = item
            try:
                if chunk is None:
                    sink.close()
                else:
                    sink.write(chunk)
            except BaseException as exc:
                self._error = exc
