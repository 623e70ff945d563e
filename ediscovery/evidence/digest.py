"""Digests: size, MD5, SHA-256 and SHA-512 of evidence bytes, computed in one pass.

Every stored file is hashed while it streams in (``MultiHasher``: downloads, stored natives,
produced copies) or, when checking, read
once in 512 KiB blocks with all algorithms at once (``hash_file``), on two threads for large
blocks (:class:`Lanes`). Memory stays bounded whatever the file size.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

BLOCK_SIZE = 512 * 1024


@dataclass(frozen=True)
class Digests:
    """Size in bytes and lowercase hex digests of one byte sequence."""

    size: int
    md5: str
    sha256: str
    sha512: str

    def to_dict(self) -> dict[str, int | str]:
        return {"size": self.size, "md5": self.md5, "sha256": self.sha256, "sha512": self.sha512}


PARALLEL_MIN = 256 * 1024
"""Chunks at least this large are hashed on two threads (smaller ones are not worth a handoff)."""

_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


def _helper_thread() -> ThreadPoolExecutor:
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = ThreadPoolExecutor(1, thread_name_prefix="digest-lane")
        return _helper


def _forget_helper() -> None:
    """A forked child has no helper thread: it starts its own when it needs one."""
    global _helper, _helper_lock
    _helper, _helper_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_helper)


class Lanes:
    """Hash objects fed the same chunks, on two lanes.

    hashlib releases the GIL while it hashes a large buffer, so on a large chunk the first hash
    object (MD5, the slowest here) runs on a helper thread while the caller runs the others:
    on two cores the three digests cost about what the slowest pair costs alone.
    """

    def __init__(self, hashers: Sequence[Any]) -> None:
        self.first, self.rest = hashers[0], tuple(hashers[1:])

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        if len(chunk) < PARALLEL_MIN or not self.rest:
            self.first.update(chunk)
            for hasher in self.rest:
                hasher.update(chunk)
            return
        future = _helper_thread().submit(self.first.update, chunk)
        try:
            for hasher in self.rest:
                hasher.update(chunk)
        finally:
            future.result()


class MultiHasher:
    """Feed chunks once; get size, MD5, SHA-256 and SHA-512 together."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._sha512 = hashlib.sha512()
        self._lanes = Lanes((self._md5, self._sha256, self._sha512))
        self._size = 0

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        self._lanes.update(chunk)
        self._size += len(chunk)

    @property
    def size(self) -> int:
        return self._size

    def md5_bytes(self) -> bytes:
        """The raw MD5 (what a base64 ``Content-MD5`` header encodes)."""
        return self._md5.digest()

    def digests(self) -> Digests:
        return Digests(
            size=self._size,
            md5=self._md5.hexdigest(),
            sha256=self._sha256.hexdigest(),
            sha512=self._sha512.hexdigest(),
        )


def hash_bytes(data: bytes | bytearray | memoryview) -> Digests:
    """Digests of an in-memory byte string."""
    hasher = MultiHasher()
    hasher.update(data)
    return hasher.digests()


def hash_stream(stream: BinaryIO, block_size: int = BLOCK_SIZE) -> Digests:
    """Digests of everything left in a binary stream, read in ``block_size`` blocks."""
    hasher = MultiHasher()
    while chunk := stream.read(block_size):
        hasher.update(chunk)
    return hasher.digests()


def hash_file(path: Path | str, block_size: int = BLOCK_SIZE) -> Digests:
    """Digests of a file, read once in ``block_size`` blocks with every algorithm at once."""
    with open(path, "rb", buffering=0) as stream:
        return hash_stream(stream, block_size)


def sha256_files(paths: Iterable[Path | str], block_size: int = 1 << 20) -> str:
    """SHA-256 hex of the files read back to back (one file, or the volumes of an archive).

    Only SHA-256, in large unbuffered reads: sidecars and receipts name archives of many GB.
    """
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb", buffering=0) as stream:
            while chunk := stream.read(block_size):
                digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path | str) -> str:
    """SHA-256 hex of one file."""
    return sha256_files([path])
