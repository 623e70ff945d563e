"""Custody: the append-only, hash-chained ``custody.jsonl`` of a run, and its verifier.

Each event is one canonical-JSON line ``{seq, at, actor, tool, action, details, prev_hash,
hash}`` with ``hash = sha256(canonical(event without "hash"))`` and ``prev_hash`` the previous
event's hash (64 zeros for ``seq`` 1). Every append is fsynced. Reopening a log continues its
chain; a torn last line left by a killed process is cut off and recorded by a ``log_repaired``
event. Custody is evidence: it is never written through :mod:`logging`.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ediscovery import __version__
from ediscovery.errors import DiskFullError, EvidenceError
from ediscovery.evidence.canonical import dumps, dumps_line, utc_iso, utc_now
from ediscovery.evidence.store import fsync_dir, make_dirs
from ediscovery.processes import parent_only, released

GENESIS_HASH = "0" * 64
EVENT_KEYS = frozenset({"seq", "at", "actor", "tool", "action", "details", "prev_hash", "hash"})
_TAIL_BLOCK = 64 * 1024


def key_fingerprint(key: str) -> str:
    """``sha256:`` + the first 16 hex digits of SHA-256 of the key: identifies, never reveals."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def default_actor() -> dict[str, str]:
    """Who runs the tool: the OS user name and the host name."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = "unknown"
    return {"os_user": user, "host": socket.gethostname() or "unknown"}


def event_hash(event: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of ``event`` without its ``hash`` key."""
    body = {key: value for key, value in event.items() if key != "hash"}
    return hashlib.sha256(dumps(body)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """One break in the custody chain, located by 1-based line number."""

    line: int
    seq: int | None
    expected: str | None
    found: str | None
    message: str

    def __str__(self) -> str:
        return f"custody.jsonl line {self.line}: {self.message}"


class CustodyLog:
    """Appends hash-chained custody events to one file; reopening continues the chain."""

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] = utc_now,
        actor: Mapping[str, str] | None = None,
        tool_version: str = __version__,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._actor = dict(actor) if actor is not None else default_actor()
        self._tool = {"name": "ediscovery", "version": tool_version}
        self._seq = 0
        self._last_hash = GENESIS_HASH
        self._fd: int | None = None
        self._open()

    @property
    def seq(self) -> int:
        """The seq of the last event written (0 for an empty log)."""
        return self._seq

    @property
    def last_hash(self) -> str:
        """The hash of the last event (the chain head), 64 zeros for an empty log."""
        return self._last_hash

    def append(self, action: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Write one event, fsync it, and return it (with its ``hash``)."""
        event: dict[str, Any] = {
            "seq": self._seq + 1,
            "at": utc_iso(self._clock()),
            "actor": dict(self._actor),
            "tool": dict(self._tool),
            "action": action,
            "details": dict(details or {}),
            "prev_hash": self._last_hash,
        }
        event["hash"] = event_hash(event)
        self._write(dumps_line(event))
        self._seq, self._last_hash = event["seq"], event["hash"]
        return event

    def last_event(self) -> dict[str, Any] | None:
        """The last event of the log as written (None for an empty log)."""
        last: bytes | None = None
        with self.path.open("rb") as fh:
            for line in fh:
                last = line
        if last is None:
            return None
        value = json.loads(last)
        return value if isinstance(value, dict) else None

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            released(fd)
            os.close(fd)

    def __enter__(self) -> CustodyLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _open(self) -> None:
        make_dirs(self.path.parent)
        created = not self.path.exists()
        try:
            self._fd = parent_only(os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644))
        except OSError as exc:
            raise EvidenceError(
                f"Cannot open custody log {self.path}: {exc.strerror}.", path=self.path
            ) from exc
        if created:
            fsync_dir(self.path.parent)
            return
        torn = self._read_tail()
        if torn is not None:
            self.append("log_repaired", torn)

    def _read_tail(self) -> dict[str, Any] | None:
        """Load the chain head from the last line; cut off a torn last line and describe it."""
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        cut, last_line = _tail(self._fd, size)
        torn: dict[str, Any] | None = None
        if cut < size:
            torn_bytes = os.pread(self._fd, size - cut, cut)
            os.ftruncate(self._fd, cut)
            os.fsync(self._fd)
            torn = {
                "removed_bytes": len(torn_bytes),
                "removed_sha256": hashlib.sha256(torn_bytes).hexdigest(),
            }
        if last_line:
            self._load_head(last_line)
        return torn

    def _load_head(self, line: bytes) -> None:
        try:
            event = json.loads(line)
            seq, head = event["seq"], event["hash"]
        except (ValueError, TypeError, KeyError) as exc:
            self.close()
            raise EvidenceError(
                f"The last event of custody log {self.path} is unreadable; the chain cannot continue.",
                path=self.path,
                hint="Run 'ediscovery verify' on the run folder to see the damage.",
            ) from exc
        if not isinstance(seq, int) or not isinstance(head, str):
            self.close()
            raise EvidenceError(f"The last event of custody log {self.path} is malformed.", path=self.path)
        self._seq, self._last_hash = seq, head

    def _write(self, line: bytes) -> None:
        if self._fd is None:
            raise EvidenceError(f"Custody log {self.path} is closed.", path=self.path)
        size = os.fstat(self._fd).st_size
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFullError(
                    f"No space left while writing custody log {self.path}.", path=self.path
                ) from exc
            raise EvidenceError(
                f"Cannot write custody log {self.path}: {exc.strerror}.", path=self.path
            ) from exc


def _tail(fd: int, size: int) -> tuple[int, bytes]:
    """Return (offset just after the last newline, the last complete line without newline)."""
    newlines: list[int] = []
    end = size
    while end > 0 and len(newlines) < 2:
        start = max(0, end - _TAIL_BLOCK)
        block = os.pread(fd, end - start, start)
        newlines.extend(start + i for i in _rfind_all(block, b"\n"))
        end = start
    if not newlines:
        return 0, b""
    last_nl = newlines[0]
    prev_nl = newlines[1] if len(newlines) > 1 else -1
    return last_nl + 1, os.pread(fd, last_nl - prev_nl - 1, prev_nl + 1)


def _rfind_all(block: bytes, needle: bytes) -> Iterator[int]:
    index = block.rfind(needle)
    while index != -1:
        yield index
        index = block.rfind(needle, 0, index)


def verify_chain(path: Path | str, *, expected_head: str | None = None) -> list[ChainProblem]:
    """Every break in the custody chain of ``path`` (empty list when intact).

    Detects edited events (hash mismatch), deleted, inserted or reordered lines (seq and
    ``prev_hash`` breaks), lines that are not JSON events, and a torn last line. Lines cut
    from the end leave no trace inside the file; pass ``expected_head`` (the last hash
    recorded elsewhere, e.g. in the bag) to detect that too.
    """
    problems: list[ChainProblem] = []
    prev_seq, prev_hash = 0, GENESIS_HASH
    try:
        with open(path, "rb") as stream:
            for number, raw in enumerate(stream, start=1):
                event = _parse_line(number, raw, problems)
                if event is not None:
                    problems.extend(_check_event(number, event, prev_seq, prev_hash))
                    prev_seq, prev_hash = event["seq"], event["hash"]
    except OSError as exc:
        return [ChainProblem(0, None, None, None, f"cannot read custody log: {exc.strerror}")]
    if expected_head is not None and prev_hash != expected_head:
        problems.append(
            ChainProblem(0, prev_seq, expected_head, prev_hash, "chain head differs from the recorded head")
        )
    return problems


def _parse_line(number: int, raw: bytes, problems: list[ChainProblem]) -> dict[str, Any] | None:
    if not raw.endswith(b"\n"):
        problems.append(ChainProblem(number, None, None, None, "torn last line (no newline at end)"))
    try:
        event = json.loads(raw, parse_constant=_refuse_constant)
    except ValueError:
        problems.append(ChainProblem(number, None, None, None, "line is not valid JSON"))
        return None
    if not isinstance(event, dict) or not event.keys() >= EVENT_KEYS:
        missing = sorted(EVENT_KEYS - event.keys()) if isinstance(event, dict) else sorted(EVENT_KEYS)
        problems.append(ChainProblem(number, None, None, None, f"not a custody event (missing {missing})"))
        return None
    if not isinstance(event["seq"], int) or not isinstance(event["hash"], str):
        problems.append(ChainProblem(number, None, None, None, "seq or hash has the wrong type"))
        return None
    if raw.rstrip(b"\n") != dumps(event):
        problems.append(
            ChainProblem(number, event["seq"], None, None, "line is not canonical JSON (rewritten)")
        )
    return event


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_event(number: int, event: dict[str, Any], prev_seq: int, prev_hash: str) -> list[ChainProblem]:
    seq = event["seq"]
    found: list[ChainProblem] = []
    if seq != prev_seq + 1:
        message = f"seq {seq} follows seq {prev_seq} (line deleted, inserted or reordered)"
        found.append(ChainProblem(number, seq, str(prev_seq + 1), str(seq), message))
    if event["prev_hash"] != prev_hash:
        message = "prev_hash does not match the previous event's hash (chain broken)"
        found.append(ChainProblem(number, seq, prev_hash, str(event["prev_hash"]), message))
    actual = event_hash(event)
    if event["hash"] != actual:
        message = "hash does not match the event's content (event edited)"
        found.append(ChainProblem(number, seq, actual, event["hash"], message))
    return found
