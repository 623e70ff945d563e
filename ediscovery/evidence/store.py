"""Store: durable, hash-while-writing files inside one bag folder.

Every write goes to a temporary file next to its final name (``.<name>.part-<random>``), is
hashed in the same pass, fsynced, moved into place with ``os.replace`` and the directory is
fsynced. A crash therefore leaves either the old complete file or none under the final name,
plus at most a partial temp file that :meth:`EvidenceStore.cleanup_partials` removes on resume.
``ENOSPC``/``EDQUOT`` become :class:`~ediscovery.errors.DiskFullError` after the partial is
removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ediscovery.errors import DiskFullError, EvidenceError, UnsafePathError
from ediscovery.evidence.digest import Digests, MultiHasher, hash_file
from ediscovery.evidence.paths import resolve_inside

PARTIAL_PATTERN = re.compile(r"\..+\.part-[0-9a-f]{8,}")
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def _token() -> str:
    return secrets.token_hex(8)


def _os_error(exc: OSError, path: Path, doing: str) -> EvidenceError:
    """Translate an OSError into the evidence error tree (never with file contents)."""
    if exc.errno in _DISK_FULL:
        return DiskFullError(f"No space left while {doing} {path}.", path=path)
    return EvidenceError(f"Could not {doing} {path}: {exc.strerror or exc}.", path=path)


def disk_full(exc: BaseException, doing: str, path: Path | str | None = None) -> DiskFullError | None:
    """A :class:`DiskFullError` when ``exc`` (or an exception it was raised from, however it was
    wrapped: by py7zr, a pool process, a renderer) is a full device; None otherwise."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFullError):
            return current
        if isinstance(current, OSError) and current.errno in _DISK_FULL:
            return DiskFullError(f"No space left while {doing}.", path=path)
        current = current.__cause__ or current.__context__
    return None


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry to disk (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(directory: Path) -> None:
    """Create ``directory`` and missing parents, fsyncing each parent that gained an entry."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise _os_error(exc, path, "creating folder") from exc
        fsync_dir(path.parent)


@contextlib.contextmanager
def replacing(path: Path, mode: str = "wb", **open_args: Any) -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary sibling, for writers that need a real file.

    The handle is a plain file (seekable, for PDF writers). Leaving the block normally fsyncs
    it, moves it over ``path`` and fsyncs the folder; an exception removes the temporary file
    and propagates. Evidence from the API goes through :class:`StreamWriter` instead, which
    hashes while it writes.
    """
    temp = path.with_name(f".{path.name}.part-{_token()}")
    try:
        with temp.open(mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(path.parent)


class StreamWriter:
    """One file being written: ``write`` chunks, then ``commit`` (durable) or ``abort``.

    Use as a context manager: leaving the block by an exception aborts; leaving it normally
    without ``commit`` aborts too, so nothing half-written is ever published.
    """

    def __init__(self, final: Path, token: Callable[[], str] = _token) -> None:
        self.path = final
        self._temp = final.with_name(f".{final.name}.part-{token()}")
        self._hasher = MultiHasher()
        self._digests: Digests | None = None
        make_dirs(final.parent)
        try:
            self._fd: int | None = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise _os_error(exc, final, "creating") from exc

    @property
    def temp_path(self) -> Path:
        return self._temp

    @property
    def size(self) -> int:
        return self._hasher.size

    def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Append ``chunk`` and hash it; a short write is retried until all bytes are down."""
        fd = self._open_fd()
        view = memoryview(chunk).cast("B")
        try:
            while view:
                written = os.write(fd, view)
                view = view[written:]
        except OSError as exc:
            self.abort()
            raise _os_error(exc, self.path, "writing") from exc
        self._hasher.update(chunk)

    def reset(self) -> None:
        """Discard everything written so far and restart hashing (a download retry)."""
        fd = self._open_fd()
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
        except OSError as exc:
            self.abort()
            raise _os_error(exc, self.path, "truncating") from exc
        self._hasher = MultiHasher()

    def commit(self) -> Digests:
        """fsync, move into place, fsync the folder; return the digests of what was written."""
        fd = self._open_fd()
        try:
            os.fsync(fd)
            os.close(fd)
            self._fd = None
            os.replace(self._temp, self.path)
        except OSError as exc:
            self.abort()
            raise _os_error(exc, self.path, "saving") from exc
        fsync_dir(self.path.parent)
        self._digests = self._hasher.digests()
        return self._digests

    def abort(self) -> None:
        """Close and delete the temporary file; the final name is left untouched."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._digests is None:
            with contextlib.suppress(OSError):
                self._temp.unlink()

    def _open_fd(self) -> int:
        if self._fd is None:
            raise EvidenceError(f"Writer for {self.path} is already closed.", path=self.path)
        return self._fd

    def __del__(self) -> None:
        # Dropped without commit/abort: release the descriptor; the partial stays for cleanup.
        fd = getattr(self, "_fd", None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> StreamWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            self.abort()


def atomic_write(path: Path, data: bytes, token: Callable[[], str] = _token) -> Digests:
    """Durably write ``data`` to ``path`` (temp file, fsync, replace, fsync folder)."""
    with StreamWriter(Path(path), token) as writer:
        writer.write(data)
        return writer.commit()


class EvidenceStore:
    """Durable writes and reads of files addressed by bag-relative POSIX paths."""

    def __init__(self, bag_root: Path | str, *, token: Callable[[], str] = _token) -> None:
        self.root = Path(bag_root)
        self._token = token

    def path_of(self, relpath: str) -> Path:
        """The absolute path of ``relpath``, refusing any path that escapes the bag.

        Names shaped like our temporary files are refused too: ``cleanup_partials`` would
        delete them.
        """
        path = resolve_inside(self.root, relpath)
        if PARTIAL_PATTERN.fullmatch(path.name):
            raise UnsafePathError(f"refusing a name reserved for partial files: {relpath!r}", path=relpath)
        return path

    def write_bytes(self, relpath: str, data: bytes) -> Digests:
        """Durably store ``data`` at ``relpath`` and return its digests."""
        return atomic_write(self.path_of(relpath), data, self._token)

    def open_stream(self, relpath: str) -> StreamWriter:
        """Start a streamed write to ``relpath``; call ``commit()`` when the last chunk is in."""
        return StreamWriter(self.path_of(relpath), self._token)

    def exists(self, relpath: str) -> bool:
        return self.path_of(relpath).is_file()

    def digests_of(self, relpath: str) -> Digests:
        """Re-read and hash a stored file (for verification, never for a fresh write)."""
        path = self.path_of(relpath)
        try:
            return hash_file(path)
        except OSError as exc:
            raise _os_error(exc, path, "reading") from exc

    def cleanup_partials(self) -> list[str]:
        """Delete temp files left by an interrupted run; return their bag-relative paths."""
        removed: list[str] = []
        if not self.root.is_dir():
            return removed
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if PARTIAL_PATTERN.fullmatch(name):
                    path = Path(folder, name)
                    path.unlink(missing_ok=True)
                    removed.append(path.relative_to(self.root).as_posix())
        return sorted(removed)
