"""Progress: the Reporter protocol through which long operations tell an observer how far they are.

The library never draws anything; it calls a :class:`Reporter`. The CLI adapts it to a rich
display on stderr (``ediscovery.cli.progress``); tests and library users pass
:class:`NullReporter` or their own recorder. Progress is neither logging nor custody: nothing
reported here is evidence.

Counters are named by kind (``custodians``, ``chats``, ``messages``, ``files``, ``bytes``,
``requests`` …). ``expect`` raises the known total of a kind (for an ETA); ``advance`` moves it.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ediscovery.api.attempt import Wait


class Reporter(Protocol):
    """What a long-running operation tells its observer."""

    def stage(self, name: str) -> None:
        """A new stage starts (``resolving custodians``, ``listing``, ``downloading`` …)."""

    def expect(self, kind: str, count: int) -> None:
        """``count`` more units of ``kind`` are now known to be coming."""

    def advance(self, kind: str, count: int = 1) -> None:
        """``count`` units of ``kind`` are done."""

    def note(self, text: str) -> None:
        """A short human message (a retry, a skipped item)."""

    def close(self) -> None:
        """The operation ended; release the display."""


class NullReporter:
    """A reporter that ignores everything."""

    def stage(self, name: str) -> None:
        pass

    def expect(self, kind: str, count: int) -> None:
        pass

    def advance(self, kind: str, count: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class RecordingReporter:
    """A reporter that keeps totals, for tests and for callers that poll."""

    def __init__(self) -> None:
        self.stages: list[str] = []
        self.expected: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.notes: list[str] = []
        self.closed = False

    def stage(self, name: str) -> None:
        self.stages.append(name)

    def expect(self, kind: str, count: int) -> None:
        self.expected[kind] = self.expected.get(kind, 0) + count

    def advance(self, kind: str, count: int = 1) -> None:
        self.done[kind] = self.done.get(kind, 0) + count

    def note(self, text: str) -> None:
        self.notes.append(text)

    def close(self) -> None:
        self.closed = True


class WaitNotes:
    """The client's ``on_wait`` observer: tells the reporter why and how long requests wait.

    Every retry after a failure or a timeout is a note; throttling (429) is a note the first
    time and then at most once per ``every`` seconds, with how often it happened meanwhile.
    """

    def __init__(self, reporter: Reporter, *, every: float = 30.0, clock: Callable[[], float] = monotonic):
        self._reporter = reporter
        self._every = every
        self._clock = clock
        self._last: float | None = None
        self._quiet = 0

    def __call__(self, wait: Wait) -> None:
        if not wait.throttled:
            self._reporter.note(
                f"GET {wait.path}: {wait.reason} Waiting {wait.seconds:.0f} s before attempt {wait.attempt}."
            )
            return
        now = self._clock()
        if self._last is not None and now - self._last < self._every:
            self._quiet += 1
            return
        more = f" ({self._quiet} more since the last note)" if self._quiet else ""
        self._reporter.note(
            f"The API is throttling requests (429){more}; slowing down, waiting {wait.seconds:.0f} s."
        )
        self._last, self._quiet = now, 0
