"""The rich adapter of the Reporter protocol: a live progress line on stderr.

Shows the stage, custodians, chats (done / known), messages, files, bytes, the request rate
and an ETA on chats. ``-q`` uses :class:`ediscovery.progress.NullReporter` instead.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.live import Live
from rich.text import Text


class RichReporter:
    """Draws counters on stderr; refreshes a few times per second."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._stage = "starting"
        self._done: dict[str, int] = {}
        self._expected: dict[str, int] = {}
        self._started = time.monotonic()
        self._live = Live(self._render(), console=self.console, refresh_per_second=4, transient=True)
        self._live.start()

    def stage(self, name: str) -> None:
        self._stage = name
        self._refresh()

    def expect(self, kind: str, count: int) -> None:
        self._expected[kind] = self._expected.get(kind, 0) + count
        self._refresh()

    def advance(self, kind: str, count: int = 1) -> None:
        self._done[kind] = self._done.get(kind, 0) + count
        self._refresh()

    def note(self, text: str) -> None:
        self.console.print(Text(text, style="yellow"))

    def close(self) -> None:
        self._live.stop()

    def _refresh(self) -> None:
        self._live.update(self._render())

    def _render(self) -> Text:
        elapsed = max(time.monotonic() - getattr(self, "_started", time.monotonic()), 1e-6)
        done, expected = getattr(self, "_done", {}), getattr(self, "_expected", {})
        chats, total = done.get("chats", 0), expected.get("chats", 0)
        eta = ""
        if total and chats:
            eta = f"  ETA {int(elapsed / chats * (total - chats))}s"
        mib = done.get("bytes", 0) / (1024 * 1024)
        rate = done.get("requests", 0) / elapsed * 60
        return Text(
            f"{getattr(self, '_stage', '')}: chats {chats}/{total}  messages {done.get('messages', 0)}  "
            f"files {done.get('files', 0)}  {mib:.1f} MiB  {rate:.0f} req/min{eta}"
        )
