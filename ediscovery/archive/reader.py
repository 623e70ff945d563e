"""Reader: opening a 7z archive with py7zr, listing its members and streaming them out.

``scan_members`` drives py7zr's folder decompressors itself instead of ``extractall``, for two
reasons. Damage: py7zr stops at the first bad CRC, while a verifier must say which members are
intact and which are not; here a member whose bytes decode but whose CRC differs is recorded
and reading goes on (the stream stays in step, since the header gives every member's size), and
a member whose bytes cannot be decoded is recorded with every member after it in the same solid
folder as not checked; the next folder is read normally. Speed: decompression runs on the
calling thread while the members' sinks (hashing, writing) run on a second one (see
:mod:`ediscovery.archive.handoff`), and reading a folder stops after the last member asked for.

Nothing is extracted to disk and no member is held whole in memory. py7zr's exceptions are
translated here into ``ArchiveError`` and ``WrongPasswordError``; passwords go to py7zr only.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import multivolumefile
import py7zr
import py7zr.exceptions
from py7zr.properties import CompressionMethod

from ediscovery.archive.handoff import Handoff, MemberSink, SinkFactory
from ediscovery.archive.volumes import archive_base, volume_paths
from ediscovery.errors import ArchiveError, WrongPasswordError

CHUNK = 4 << 20
COMPRESSED_BLOCK = 64 << 10
PLAIN_METHODS = (CompressionMethod.COPY, CompressionMethod.CRYPT_AES256_SHA256)  # output <= input
MAX_FOLDER_THREADS = 4


@dataclass(frozen=True)
class MemberInfo:
    """One member of an archive as its header lists it (name relative to the archive root)."""

    name: str
    size: int
    crc32: int | None
    is_dir: bool


@dataclass(frozen=True)
class MemberDamage:
    """A member that could not be read intact.

    ``kind`` is ``crc`` (decoded, but its CRC-32 differs from the header's), ``unreadable`` (its
    compressed data could not be decoded), ``unchecked`` (it lies after an undecodable point of
    the same solid folder, so its bytes could not be reached) or ``unsafe`` (its name would
    escape the archive root; it was not handed to any sink).
    """

    name: str
    kind: str
    detail: str


# --------------------------------------------------------------------------- opening


@contextlib.contextmanager
def _opened(archive_path: Path, password: str | None) -> Iterator[py7zr.SevenZipFile]:
    volumes = volume_paths(archive_path)
    if not volumes[0].exists():
        raise ArchiveError(f"Archive {archive_path} does not exist.")
    source: Any = (
        str(volumes[0])
        if len(volumes) == 1
        else multivolumefile.MultiVolume(archive_base(archive_path), mode="rb", ext_digits=3)
    )
    try:
        archive = py7zr.SevenZipFile(source, "r", password=password)
    except Exception as exc:
        raise _open_error(archive_path, password, exc) from exc
    try:
        yield archive
    finally:
        archive.close()
        if not isinstance(source, str):
            source.close()


def _is_encrypted(archive_path: Path) -> bool:
    try:
        with _opened(archive_path, None) as archive:
            return bool(archive.needs_password())
    except WrongPasswordError:
        return True
    except ArchiveError:
        return False


def _open_error(archive_path: Path, password: str | None, exc: Exception) -> ArchiveError:
    if isinstance(exc, py7zr.exceptions.PasswordRequired):
        return WrongPasswordError(f"Archive {archive_path.name} is encrypted and no password was given.")
    if password is not None and _is_encrypted(archive_path):
        return WrongPasswordError(f"Wrong password for archive {archive_path.name}.")
    return ArchiveError(f"Archive {archive_path.name} cannot be opened: {describe_error(exc)}.")


def describe_error(exc: BaseException) -> str:
    """One line for a py7zr / zlib exception, naming the member when py7zr does."""
    if isinstance(exc, py7zr.exceptions.CrcError) and len(exc.args) >= 3 and exc.args[2]:
        return f"CRC mismatch in member {exc.args[2]}"
    text = str(exc.args[-1] if isinstance(exc.args, tuple) and exc.args else exc)
    return f"{type(exc).__name__}: {text}"[:300]


def list_members(archive_path: Path | str, *, password: str | None = None) -> list[MemberInfo]:
    """Every member the archive's header lists, in archive order."""
    path = Path(archive_path)
    with _opened(path, password) as archive:
        return [
            MemberInfo(name=f.filename, size=f.uncompressed or 0, crc32=f.crc32, is_dir=f.is_directory)
            for f in archive.files
        ]


# --------------------------------------------------------------------------- reading


class _Undecodable(Exception):
    """The folder's compressed stream cannot be decoded past this point."""


class _CheckedSink:
    """Runs on the handoff thread: CRC-32 of the member, then the caller's sink (if any)."""

    def __init__(self, index: int, name: str, expected: int | None, inner: MemberSink | None) -> None:
        self.index, self.name, self.expected, self.inner = index, name, expected, inner
        self.found: list[tuple[int, MemberDamage]] = []
        self.abandoned = False
        self._crc = 0

    def write(self, chunk: bytes) -> None:
        self._crc = zlib.crc32(chunk, self._crc)
        if self.inner is not None:
            self.inner.write(chunk)

    def close(self) -> None:
        if not self.abandoned and self.expected is not None and self._crc != self.expected:
            detail = f"CRC-32 is {self._crc:08x}, the archive header says {self.expected:08x}"
            self.found.append((self.index, MemberDamage(self.name, "crc", detail)))
        if self.inner is not None:
            self.inner.close()


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and "\\" not in name and ".." not in parts


def _next_chunk(fp: Any, decompressor: Any, remaining: int) -> Any:
    consumed = decompressor.consumed
    try:
        chunk = decompressor.decompress(fp, min(remaining, CHUNK))
    except Exception as exc:
        raise _Undecodable(describe_error(exc)) from exc
    if not chunk and decompressor.consumed == consumed:
        raise _Undecodable("the compressed data ends before the member does")
    return chunk


class _Scan:
    """One pass over an opened archive, collecting damage; folders may be read on several threads."""

    def __init__(self, archive: Any, sink_for: SinkFactory, wanted: set[str] | None) -> None:
        self.archive, self.sink_for, self.wanted = archive, sink_for, wanted
        self.found: list[tuple[int, MemberDamage]] = []
        self.sinks: list[_CheckedSink] = []

    def asked(self, f: Any) -> bool:
        return self.wanted is None or f.filename in self.wanted

    def _sink(self, f: Any) -> _CheckedSink:
        inner: MemberSink | None = None
        if self.asked(f):
            if _safe(f.filename):
                inner = self.sink_for(f.filename)
            else:
                self.found.append((f.id, MemberDamage(f.filename, "unsafe", "name escapes the archive root")))
        sink = _CheckedSink(f.id, f.filename, f.crc32, inner)
        self.sinks.append(sink)
        return sink

    def empty_members(self, handoff: Handoff) -> None:
        for f in self.archive.files:
            if f.emptystream and not f.is_directory and self.asked(f):
                handoff.close(self._sink(f))

    def folder(self, index: int, fp: Any, handoff: Handoff) -> None:
        """Decode folder ``index`` from ``fp`` up to its last member asked for."""
        streams = self.archive.header.main_streams
        members = list(streams.unpackinfo.folders[index].files or [])
        asked = [i for i, f in enumerate(members) if self.asked(f)]
        if not asked:
            return
        fp.seek(self.archive.afterheader + streams.packinfo.packpositions[index])
        try:
            decompressor = _decompressor(streams.unpackinfo.folders[index], members[0].compressed)
        except py7zr.exceptions.PasswordRequired as exc:
            raise WrongPasswordError(
                "The archive's contents are encrypted and no password was given."
            ) from exc
        except Exception as exc:
            detail = f"its folder cannot be decoded: {describe_error(exc)}"
            self.found += [(f.id, MemberDamage(f.filename, "unreadable", detail)) for f in members]
            return
        for position, f in enumerate(members[: asked[-1] + 1]):
            sink = self._sink(f)
            try:
                _pump(fp, decompressor, f.uncompressed, sink, handoff)
            except _Undecodable as exc:
                sink.abandoned = True
                handoff.close(sink)
                self.found.append((f.id, MemberDamage(f.filename, "unreadable", str(exc))))
                self._unchecked(members[position + 1 :], f.filename)
                return
            handoff.close(sink)

    def _unchecked(self, members: list[Any], after: str) -> None:
        detail = f"not reached: the solid folder cannot be decoded past {after}"
        self.found += [(f.id, MemberDamage(f.filename, "unchecked", detail)) for f in members]

    def damage(self) -> tuple[MemberDamage, ...]:
        found = self.found + [item for sink in self.sinks for item in sink.found]
        return tuple(damage for _, damage in sorted(found, key=lambda item: item[0]))


def _decompressor(folder: Any, packed_size: int) -> Any:
    """py7zr's decompressor for ``folder``, reading small input blocks when it inflates.

    py7zr's Deflate decoder ignores its output limit: one input block of all-zero data inflates
    to a thousand times its size in one piece. Small input blocks keep that bounded (64 KiB of
    input, at most about 64 MiB of output) at a cost of a few per cent of throughput.
    """
    decompressor = folder.get_decompressor(packed_size, reset=True)
    if any(coder.get("method") not in PLAIN_METHODS for coder in folder.coders):
        decompressor.block_size = min(decompressor.block_size, COMPRESSED_BLOCK)
    return decompressor


def _pump(fp: Any, decompressor: Any, size: int, sink: _CheckedSink, handoff: Handoff) -> None:
    remaining = size
    while remaining > 0:
        chunk = _next_chunk(fp, decompressor, remaining)
        remaining -= len(chunk)
        handoff.write(sink, chunk)


def _folder_on_own_file(scan: _Scan, index: int, path: Path) -> None:
    with open(path, "rb") as fp, Handoff() as handoff:
        scan.folder(index, fp, handoff)


def _read_folders(scan: _Scan, path: Path, count: int) -> None:
    """Folders of a single-file archive are independent streams: decode them side by side."""
    volumes = volume_paths(path)
    workers = min(count, MAX_FOLDER_THREADS, os.cpu_count() or 1)
    if len(volumes) > 1 or workers < 2:
        with Handoff() as handoff:
            for index in range(count):
                scan.folder(index, scan.archive.fp, handoff)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="archive-folder") as pool:
        futures = [pool.submit(_folder_on_own_file, scan, index, volumes[0]) for index in range(count)]
        for future in futures:
            future.result()


def scan_members(
    archive_path: Path | str,
    sink_for: SinkFactory,
    *,
    password: str | None = None,
    targets: Collection[str] | None = None,
) -> tuple[MemberDamage, ...]:
    """Stream members (all, or ``targets``) into ``sink_for(name)``; return the damage found.

    Every member handed to a sink is CRC-checked; members before a target in the same solid
    folder are decompressed and CRC-checked too (solid compression leaves no other way). A sink
    is closed even for a damaged member, so its bytes must be judged with the damage returned.
    ``sink_for`` and the sinks may be called from worker threads (one member at a time per
    sink, chunks in order). Raises ``ArchiveError`` (``WrongPasswordError``) only when the
    archive cannot be opened; a sink's own exception propagates unchanged.
    """
    path = Path(archive_path)
    wanted = None if targets is None else set(targets)
    with _opened(path, password) as archive:
        scan = _Scan(archive, sink_for, wanted)
        with Handoff() as handoff:
            scan.empty_members(handoff)
        streams = archive.header.main_streams
        _read_folders(scan, path, len(streams.unpackinfo.folders) if streams is not None else 0)
    return scan.damage()


def read_members(
    archive_path: Path | str,
    sink_for: SinkFactory,
    *,
    password: str | None = None,
    targets: Collection[str] | None = None,
) -> None:
    """Like ``scan_members``, but any damage raises ``ArchiveError`` naming the first damaged member."""
    path = Path(archive_path)
    damage = scan_members(path, sink_for, password=password, targets=targets)
    if damage:
        first = damage[0]
        more = f" (and {len(damage) - 1} more)" if len(damage) > 1 else ""
        raise ArchiveError(f"Archive {path.name} is damaged: member {first.name}: {first.detail}{more}.")
