"""The rich adapter of the Reporter protocol: a live progress line on stderr.

Each stage shows its own counter with the total it announced (``expect``) and an ETA from that
stage's own pace: chats while collecting, transcripts while rendering, documents while
producing. Other counters (messages, files, bytes, and transcripts laid out while collecting,
with their total) follow, and the request rate over the last
minute (never the burst of the first seconds extrapolated). ``-q`` uses
:class:`ediscovery.progress.NullReporter` instead.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from rich.console import Console
from rich.live import Live
from rich.text import Text

RATE_WINDOW = 60.0  # seconds of requests the rate is measured over
_SIDE_COUNTERS = ("messages", "files", "activities")
_TOTALLED_SIDE_COUNTERS = ("laid out",)
"""Side counters shown with their total: transcripts laid out while the collection goes on."""


class RichReporter:
    """Draws counters on stderr; refreshes a few times per second."""

    def __init__(self, console: Console | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console or Console(stderr=True)
        self._clock = clock
        self._stage = "starting"
        self._stage_started = clock()
        self._kind: str | None = None
        self._done: dict[str, int] = {}
        self._expected: dict[str, int] = {}
        self._requests: deque[float] = deque()
        self._live = Live(self.line(), console=self.console, refresh_per_second=4, transient=True)
        self._live.start()

    def stage(self, name: str) -> None:
        self._stage, self._stage_started, self._kind = name, self._clock(), None
        self._refresh()

    def expect(self, kind: str, count: int) -> None:
        self._expected[kind] = self._expected.get(kind, 0) + count
        if self._kind is None:
            self._kind = kind  # the stage's own counter: the first total it announces
        self._refresh()

    def advance(self, kind: str, count: int = 1) -> None:
        self._done[kind] = self._done.get(kind, 0) + count
        if kind == "requests":
            self._requests.extend([self._clock()] * count)
        self._refresh()

    def note(self, text: str) -> None:
        self.console.print(Text(text, style="yellow"))

    def close(self) -> None:
        self._live.stop()

    def _refresh(self) -> None:
        self._live.update(self.line())

    def line(self) -> Text:
        """The progress line as it is now."""
        parts = [f"{self._stage}: {self._counter(self._kind)}" if self._kind else f"{self._stage}:"]
        parts += [
            f"{kind} {self._done[kind]}"
            for kind in _SIDE_COUNTERS
            if self._done.get(kind) and kind != self._kind
        ]
        parts += [
            f"transcripts {kind} {self._done.get(kind, 0)}/{self._expected[kind]}"
            for kind in _TOTALLED_SIDE_COUNTERS
            if self._expected.get(kind) and kind != self._kind
        ]
        if self._done.get("bytes"):
            parts.append(f"{self._done['bytes'] / (1024 * 1024):.1f} MiB")
        rate = self._rate()
        if rate is not None:
            parts.append(f"{rate:.0f} req/min")
        return Text("  ".join(parts))

    def _counter(self, kind: str) -> str:
        done, total = self._done.get(kind, 0), max(self._expected.get(kind, 0), self._done.get(kind, 0))
        text = f"{kind} {done}/{total}"
        elapsed = self._clock() - self._stage_started
        if 0 < done < total and elapsed > 0:
            text += f"  ETA {int(elapsed / done * (total - done))}s"
        return text

    def _rate(self) -> float | None:
        """Requests per minute over the last minute (None before any request or within 5 s)."""
        now = self._clock()
        while self._requests and self._requests[0] < now - RATE_WINDOW:
            self._requests.popleft()
        if not self._requests:
            return None
        span = now - self._requests[0]
        if span < 5.0:
            return None
        return len(self._requests) / min(max(span, 1e-6), RATE_WINDOW) * 60
