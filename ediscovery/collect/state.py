"""State: the SQLite file that makes a run resumable and the next run incremental.

One database per run at ``<out>/<matter-slug>/.state/<custodians-slug>_<run-id>.sqlite``,
outside the bag and never archived. It holds

* ``meta``: the run's parameters (``params``), ``run_id``, ``started_at``, ``status`` (the
  last step reached, see :data:`STAGES`) and, once ``run_finished`` is logged,
  ``manifest_sha256``;
* ``entries``: one manifest entry per stored file (path, kind, source id, digests). A path
  listed here is durable on disk, so a resumed run reads it back instead of fetching again;
* ``snapshot``: what the finished run saw of each chat and project (``updated_at``,
  ``deleted_at``, message ids), the base of the next run's delta.

List progress needs no table of its own: pages are stored natives, and the cursor of page
*n + 1* is read back from page *n*. Every write is one committed transaction in WAL mode with
``synchronous=FULL``, so a SIGKILL loses at most the item in flight, never a checkpoint that
points past it.

A run is *closed* only when every step its command asked for is done (for ``collect``: sealed
and verified). Any other run with the same identity is resumed by the same command through its
remaining steps, and only a closed run can be the base of an incremental run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery.errors import CollectionError
from ediscovery.processes import parent_only, released

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    path TEXT PRIMARY KEY, kind TEXT NOT NULL, source_id TEXT NOT NULL, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot (
    kind TEXT NOT NULL, object_id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, object_id));
"""

STAGES = ("collecting", "collected", "rendered", "reported", "bagged", "sealed", "closed")
"""The values of ``status`` in order: traversing; natives and preliminary manifest written;
final manifest written and ``run_finished`` logged; reports written; BagIt files written;
archive sealed (not yet verified); every requested step done."""
CLOSED = "closed"
_LEGACY = {"finished": CLOSED}  # state files written before the finishing steps were recorded


def stage_of(status: str | None) -> str:
    """``status`` as one of :data:`STAGES` (unknown or missing: ``collecting``)."""
    status = _LEGACY.get(status or "", status)
    return status if status in STAGES else "collecting"


def reached(status: str | None, stage: str) -> bool:
    """Whether a run at ``status`` has completed ``stage`` (one of :data:`STAGES`)."""
    return STAGES.index(stage_of(status)) >= STAGES.index(stage)


@dataclass(frozen=True)
class RunInfo:
    """What the ``.state`` folder knows about one run without opening it for writing."""

    path: Path
    run_id: str
    status: str
    params: dict[str, Any]
    manifest_sha256: str | None

    @property
    def closed(self) -> bool:
        """Every step done: never resumed, and the only kind of run an incremental run builds on."""
        return stage_of(self.status) == CLOSED


def exclusive_lock(path: Path, what: str) -> int:
    """Take the ``flock`` of ``path`` (created if need be) without waiting; its descriptor.

    The lock file holds the owner's pid. When another process holds the lock, the error names
    every process that still has it open, including workers a killed owner left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holders = lock_holders(fd)
        os.close(fd)
        named = f" (held by {', '.join(holders)})" if holders else ""
        raise CollectionError(
            f"{what} is in use by another process{named}.",
            hint="Wait for it to finish, or stop it before running the same command again.",
        ) from exc
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return parent_only(fd)


def release_lock(fd: int) -> None:
    """Give up a lock taken by :func:`exclusive_lock`."""
    released(fd)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def lock_holders(fd: int) -> list[str]:
    """``pid N (command)`` of every process with the file of ``fd`` open (Linux ``/proc``)."""
    wanted = os.fstat(fd)
    try:
        pids = sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int)
    except OSError:
        return []
    mine = str(os.getpid())
    return [f"pid {pid} ({_command(pid)})" for pid in pids if pid != mine and _has_open(pid, wanted)]


def _has_open(pid: str, wanted: os.stat_result) -> bool:
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                st = os.stat(f"/proc/{pid}/fd/{name}")
                if (st.st_dev, st.st_ino) == (wanted.st_dev, wanted.st_ino):
                    return True
    except OSError:
        pass
    return False


def _command(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
    except OSError:
        return "?"
    return " ".join(w.decode("utf-8", "replace") for w in words if w)[:120] or "?"


class RunState:
    """The open state database of one run; holds an exclusive lock while open.

    ``series``, when set, is the lock of the run's matter and custodians (see
    :func:`series_lock`), released with the state.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.series: int | None = None
        self._lock_fd = exclusive_lock(Path(f"{path}.lock"), f"The run {path.stem}")
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    # --- meta -----------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, **values: str) -> None:
        """Durably set meta keys in one transaction."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                sorted(values.items()),
            )

    def stage(self) -> str:
        """The last step this run reached (one of :data:`STAGES`)."""
        return stage_of(self.get("status"))

    def params(self) -> dict[str, Any]:
        raw = self.get("params")
        return {} if raw is None else dict(json.loads(raw))

    # --- entries --------------------------------------------------------------------------

    def entry(self, path: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT entry FROM entries WHERE path = ?", (path,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put_entry(self, entry: dict[str, Any]) -> None:
        """Record one stored file; call only after the file itself is durable."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO entries (path, kind, source_id, entry) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, "
                "source_id = excluded.source_id, entry = excluded.entry",
                (entry["path"], entry["kind"], entry["source_id"], json.dumps(entry, sort_keys=True)),
            )

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every recorded entry, sorted by path."""
        for (raw,) in self._db.execute("SELECT entry FROM entries ORDER BY path"):
            yield dict(json.loads(raw))

    def entry_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def stored_ids(self, kind: str) -> set[str]:
        """Source ids with a stored entry of ``kind`` whose status is ``ok``."""
        rows = self._db.execute("SELECT source_id, entry FROM entries WHERE kind = ?", (kind,))
        return {sid for sid, raw in rows if json.loads(raw).get("status") == "ok"}

    # --- snapshot -------------------------------------------------------------------------

    def put_snapshot(self, kind: str, rows: dict[str, dict[str, Any]]) -> None:
        """Replace the snapshot of ``kind`` with ``rows`` (object id → data)."""
        with self._transaction():
            self._db.execute("DELETE FROM snapshot WHERE kind = ?", (kind,))
            self._db.executemany(
                "INSERT INTO snapshot (kind, object_id, data) VALUES (?, ?, ?)",
                [(kind, oid, json.dumps(data, sort_keys=True)) for oid, data in sorted(rows.items())],
            )

    def put_snapshot_row(self, kind: str, object_id: str, data: dict[str, Any]) -> None:
        """Insert or replace one snapshot row."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO snapshot (kind, object_id, data) VALUES (?, ?, ?)",
                (kind, object_id, json.dumps(data, sort_keys=True)),
            )

    def snapshot_row(self, kind: str, object_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT data FROM snapshot WHERE kind = ? AND object_id = ?", (kind, object_id)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def snapshot(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self._db.execute("SELECT object_id, data FROM snapshot WHERE kind = ?", (kind,))
        return {oid: dict(json.loads(raw)) for oid, raw in rows}

    # --- lifecycle ------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()
        release_lock(self._lock_fd)
        if self.series is not None:
            fd, self.series = self.series, None
            release_lock(fd)

    def __enter__(self) -> RunState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def read_run(path: Path) -> RunInfo | None:
    """Read a state file's meta without locking it; None when it is not a usable state file."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return None
    if "run_id" not in rows or "params" not in rows:
        return None
    return RunInfo(
        path=path,
        run_id=rows["run_id"],
        status=rows.get("status", "collecting"),
        params=json.loads(rows["params"]),
        manifest_sha256=rows.get("manifest_sha256"),
    )


def find_runs(state_dir: Path, custodians_slug: str) -> list[RunInfo]:
    """Every readable run of ``custodians_slug`` in ``state_dir``, oldest first."""
    if not state_dir.is_dir():
        return []
    found = []
    for path in state_dir.glob(f"{custodians_slug}_*.sqlite"):
        info = read_run(path)
        if info is not None and path.stem == f"{custodians_slug}_{info.run_id}":
            found.append(info)
    return sorted(found, key=lambda info: info.run_id)


def series_lock(state_dir: Path, custodians_slug: str) -> int:
    """The lock of every run of one matter and custodians, taken before choosing between
    resuming, starting and incrementing, so two identical commands cannot both start a run."""
    return exclusive_lock(
        state_dir / f"{custodians_slug}.lock", "This matter's collection of these custodians"
    )
