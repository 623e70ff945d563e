"""Contents: one view of a bag's files, read from a folder or streamed out of a 7z archive.

The layered checks work on :class:`BagContents` whatever the source: every file's size, the
SHA-256 and SHA-512 of every file that was read, and a folder where the (small) tag files can
be opened. From an archive, payload members are only hashed as they stream out of py7zr;
tag files (manifests, custody log, reports) are written to a temporary folder. Memory stays
bounded and the payload is never extracted to disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ediscovery.archive import MemberSink, list_members, read_members
from ediscovery.errors import ArchiveError
from ediscovery.evidence.bag import ALGORITHMS, PAYLOAD_DIR, list_bag_files
from ediscovery.evidence.paths import resolve_inside

BLOCK = 1 << 20


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


@dataclass
class BagContents:
    """Sizes, digests and readable tag files of one bag."""

    name: str
    tag_dir: Path
    sizes: dict[str, int] = field(default_factory=dict)
    digests: dict[str, dict[str, str]] = field(default_factory=dict)

    def payload(self) -> list[str]:
        return sorted(n for n in self.sizes if n.startswith(PAYLOAD_DIR + "/"))

    def tag_path(self, relpath: str) -> Path | None:
        path = self.tag_dir / relpath
        return path if relpath in self.sizes and path.is_file() else None

    def read_tag(self, relpath: str) -> bytes | None:
        path = self.tag_path(relpath)
        return path.read_bytes() if path is not None else None

    def lookup(self, listed: str) -> str | None:
        """The name actually present for a manifest path, comparing NFC/NFD-tolerantly."""
        if listed in self.sizes:
            return listed
        return self._by_nfc().get(nfc(listed))

    def _by_nfc(self) -> dict[str, str]:
        return {nfc(name): name for name in self.sizes}


class _Hasher:
    def __init__(self, name: str, contents: BagContents, spool: BinaryIO | None = None) -> None:
        self._name = name
        self._contents = contents
        self._spool = spool
        self._hashers = [hashlib.new(algorithm) for algorithm in ALGORITHMS]

    def write(self, chunk: bytes) -> None:
        for hasher in self._hashers:
            hasher.update(chunk)
        if self._spool is not None:
            self._spool.write(chunk)

    def close(self) -> None:
        self._contents.digests[self._name] = {
            algorithm: hasher.hexdigest() for algorithm, hasher in zip(ALGORITHMS, self._hashers, strict=True)
        }
        if self._spool is not None:
            self._spool.close()


def _hash_path(path: Path) -> dict[str, str]:
    hashers = [hashlib.new(algorithm) for algorithm in ALGORITHMS]
    with open(path, "rb", buffering=0) as stream:
        while chunk := stream.read(BLOCK):
            for hasher in hashers:
                hasher.update(chunk)
    return {algorithm: hasher.hexdigest() for algorithm, hasher in zip(ALGORITHMS, hashers, strict=True)}


def from_directory(bag_root: Path, *, hash_payload: bool) -> BagContents:
    """Read a bag folder: sizes of every file; digests of tag files, and of the payload unless fast."""
    contents = BagContents(name=bag_root.name, tag_dir=bag_root)
    for name in list_bag_files(bag_root):
        contents.sizes[name] = (bag_root / name).stat().st_size
        if hash_payload or not name.startswith(PAYLOAD_DIR + "/"):
            contents.digests[name] = _hash_path(bag_root / name)
    return contents


def _top_folder(names: list[str]) -> str:
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or any("/" not in name for name in names):
        raise ArchiveError(f"the archive does not hold one top-level bag folder (found {sorted(tops)[:3]})")
    return tops.pop()


@contextlib.contextmanager
def from_archive(archive: Path, *, password: str | None, hash_payload: bool) -> Iterator[BagContents]:
    """Stream an archive's members through hashers; tag files land in a temporary folder."""
    members = [m for m in list_members(archive, password=password) if not m.is_dir]
    top = _top_folder([m.name for m in members])
    with tempfile.TemporaryDirectory(prefix="ediscovery-verify-") as scratch:
        contents = BagContents(name=top, tag_dir=Path(scratch))
        contents.sizes = {m.name[len(top) + 1 :]: m.size for m in members}

        def sink_for(member: str) -> MemberSink:
            rel = member[len(top) + 1 :] if member.startswith(top + "/") else member
            if rel.startswith(PAYLOAD_DIR + "/"):
                return _Hasher(rel, contents)
            target = resolve_inside(contents.tag_dir, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            return _Hasher(rel, contents, open(target, "wb"))

        targets = None if hash_payload else [m.name for m in members if not m.name.startswith(f"{top}/data/")]
        read_members(archive, sink_for, password=password, targets=targets)
        yield contents
