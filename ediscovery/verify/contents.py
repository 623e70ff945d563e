"""Contents: one view of a bag's files, read from a folder or streamed out of a 7z archive.

The layered checks work on :class:`BagContents` whatever the source: every file's size, the
SHA-256, SHA-512 and MD5 of every file that was read (all in the one pass that reads it), and a
folder where the (small) tag files can be opened. From an archive, payload members are only
hashed as they stream out; tag files (manifests, custody log, reports) are written to a
private scratch folder beside the archive, never to the system's temporary folder. Memory
stays bounded and the payload is never extracted to disk. Members the archive could not deliver
intact are listed in ``damage`` and ``unreadable``: their digests are unknown rather than
wrong (a payload member with a bad CRC keeps the digests of the bytes it decoded to), so later
layers report them once, as the archive layer's finding, and not again as missing files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ediscovery.archive import MemberDamage, MemberSink, list_members, scan_members
from ediscovery.errors import ArchiveError, ConfigError, EvidenceError
from ediscovery.evidence.bag import ALGORITHMS, PAYLOAD_DIR
from ediscovery.evidence.digest import Lanes
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import resolve_inside
from ediscovery.evidence.records import ItemDigest, item_digests, paged_kind
from ediscovery.processes import alive
from ediscovery.verify.problems import FileMissing, Problem

BLOCK = 1 << 20
DIGESTS = (*ALGORITHMS, "md5")
"""What every file read is hashed with: the BagIt algorithms, and MD5 for manifest.json's ``md5``."""
FAST_TAGS = ("bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in ALGORITHMS))


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


@dataclass
class BagContents:
    """Sizes, digests and readable tag files of one bag."""

    name: str
    tag_dir: Path
    sizes: dict[str, int] = field(default_factory=dict)
    digests: dict[str, dict[str, str]] = field(default_factory=dict)
    damage: tuple[MemberDamage, ...] = ()
    unreadable: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)
    """Symbolic links in a bag folder (path → where it points): never followed, never read."""
    items: dict[str, list[ItemDigest] | str] = field(default_factory=dict)
    """Per paged native read, its items' digests (records.py), or why they could not be taken."""
    kept: dict[str, bytes] = field(default_factory=dict)
    """The bytes of the stored audit log pages (``KEPT_KINDS``), for the corroboration check."""

    def missing(self, relpath: str, layer: str = "bagit") -> list[Problem]:
        """``[FileMissing]`` for a required file, unless the archive layer already reported it."""
        return [] if relpath in self.unreadable else [FileMissing(relpath, layer)]

    def digest(self, name: str | None, algorithm: str = "sha256") -> str | None:
        """The digest of a present file, ``"missing"`` for an absent one, None when unknown."""
        if name is None:
            return "missing"
        if name in self.unreadable:
            return None
        return self.digests.get(name, {}).get(algorithm, "missing")

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


def _new_hashers() -> list[hashlib._Hash]:
    return [hashlib.new(name, usedforsecurity=name != "md5") for name in DIGESTS]


def _lanes(hashers: list[hashlib._Hash]) -> Lanes:
    """MD5, the slowest, on the helper lane; the BagIt algorithms on the caller's."""
    return Lanes([hashers[DIGESTS.index("md5")], *(h for h in hashers if h.name != "md5")])


class _Hasher:
    def __init__(self, name: str, contents: BagContents, spool: BinaryIO | _Items | None = None) -> None:
        self._name = name
        self._contents = contents
        self._spool = spool
        self._hashers = _new_hashers()
        self._lanes = _lanes(self._hashers)

    def write(self, chunk: bytes) -> None:
        self._lanes.update(chunk)
        if self._spool is not None:
            self._spool.write(chunk)

    def close(self) -> None:
        self._contents.digests[self._name] = {
            algorithm: hasher.hexdigest() for algorithm, hasher in zip(DIGESTS, self._hashers, strict=True)
        }
        if self._spool is not None:
            self._spool.close()


KEPT_KINDS = frozenset({Kind.COMPLIANCE_ACCESS})
MAX_PAGE = 256 << 20
"""The largest page whose items are re-hashed (a page is read into memory to be parsed)."""


class _Items:
    """Gathers one page's bytes while it streams, then keeps only its items' digests."""

    def __init__(self, rel: str, kind: str, contents: BagContents) -> None:
        self._rel, self._kind, self._contents = rel, kind, contents
        self._parts: list[bytes] | None = []
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._parts is not None:
            self._parts.append(chunk)
            if self._size > MAX_PAGE:
                self._parts = None

    def close(self) -> None:
        if self._parts is None:
            self._contents.items[self._rel] = f"larger than {MAX_PAGE >> 20} MiB, items not re-hashed"
            return
        data = b"".join(self._parts)
        if self._kind in KEPT_KINDS:
            self._contents.kept[self._rel] = data
        try:
            self._contents.items[self._rel] = item_digests(self._kind, self._rel, data)
        except EvidenceError as exc:
            self._contents.items[self._rel] = exc.message
        self._parts = []


def _items_sink(rel: str, contents: BagContents) -> _Items | None:
    kind = paged_kind(rel)
    return None if kind is None else _Items(rel, kind, contents)


def _hash_path(path: Path, items: _Items | None = None) -> dict[str, str]:
    """The digests of the file at ``path``, its bytes also fed to ``items`` in the same read."""
    hashers = _new_hashers()
    lanes = _lanes(hashers)
    with open(path, "rb", buffering=0) as stream:
        while chunk := stream.read(BLOCK):
            lanes.update(chunk)
            if items is not None:
                items.write(chunk)
    if items is not None:
        items.close()
    return {algorithm: hasher.hexdigest() for algorithm, hasher in zip(DIGESTS, hashers, strict=True)}


def from_directory(bag_root: Path, *, hash_payload: bool) -> BagContents:
    """Read a bag folder: sizes of every file; digests of tag files, and of the payload unless fast.

    A symbolic link (to a file or a folder) is recorded in ``links`` and not followed: what it
    points to is not part of the bag, and a link could make a bag verify against files elsewhere.
    """
    contents = BagContents(name=bag_root.name, tag_dir=bag_root)
    for name in _regular_files(bag_root, contents.links):
        contents.sizes[name] = (bag_root / name).stat().st_size
        if hash_payload or not name.startswith(PAYLOAD_DIR + "/"):
            contents.digests[name] = _hash_path(bag_root / name, _items_sink(name, contents))
    contents.unreadable.update(contents.links)
    return contents


def _regular_files(root: Path, links: dict[str, str]) -> list[str]:
    """Bag-relative paths of the regular files under ``root``; symbolic links go to ``links``."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            if path.is_symlink():
                links[path.relative_to(root).as_posix()] = os.readlink(path)
            elif name in files:
                found.append(path.relative_to(root).as_posix())
        dirs[:] = [d for d in dirs if not Path(folder, d).is_symlink()]
    return sorted(found)


def _top_folder(names: list[str]) -> str:
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or any("/" not in name for name in names):
        raise ArchiveError(f"the archive does not hold one top-level bag folder (found {sorted(tops)[:3]})")
    return tops.pop()


def _forget_damaged(contents: BagContents, top: str) -> None:
    for damage in contents.damage:
        rel = damage.name[len(top) + 1 :] if damage.name.startswith(top + "/") else damage.name
        is_payload = rel.startswith(PAYLOAD_DIR + "/")
        if damage.kind == "crc" and is_payload:
            continue
        contents.unreadable.add(rel)
        contents.digests.pop(rel, None)
        if not is_payload and rel in contents.sizes:
            (contents.tag_dir / rel).unlink(missing_ok=True)


SCRATCH_PREFIX = ".ediscovery-verify-"


@contextlib.contextmanager
def scratch_folder(near: Path) -> Iterator[Path]:
    """A private (0700) folder beside ``near`` for the tag files read out of an archive.

    Decrypted evidence (file names, the custodian's email, the custody log) never goes to the
    system's temporary folder: it stays on the evidence's own device, is removed when
    verification ends, and what a killed verification left is removed by the next one.
    """
    for stale in near.glob(f"{SCRATCH_PREFIX}*"):
        pid = stale.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if stale.is_dir() and not stale.is_symlink() and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    try:
        folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=near)
    except OSError as exc:
        raise ConfigError(
            f"Cannot create a private scratch folder in {near}: {exc.strerror or exc}.",
            hint="Verification reads the archive's tag files there, beside the evidence; copy the "
            "archive to writable storage, or give --scratch with a folder of the same trust.",
        ) from exc
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def from_archive(
    archive: Path, *, password: str | None, hash_payload: bool, scratch: Path | None = None
) -> Iterator[BagContents]:
    """Stream an archive's members through hashers; tag files land in a private scratch folder
    beside the archive (or in ``scratch``), removed afterwards (see :func:`scratch_folder`).

    ``hash_payload=False`` reads only what ``--fast`` needs: ``bagit.txt``, ``bag-info.txt`` and
    the payload manifests (which the sealer puts before the payload in their solid folder).
    """
    members = [m for m in list_members(archive, password=password) if not m.is_dir]
    top = _top_folder([m.name for m in members])
    with scratch_folder(scratch or archive.resolve().parent) as scratch_dir:
        contents = BagContents(name=top, tag_dir=scratch_dir)
        contents.sizes = {m.name[len(top) + 1 :]: m.size for m in members}

        def sink_for(member: str) -> MemberSink:
            rel = member[len(top) + 1 :] if member.startswith(top + "/") else member
            if rel.startswith(PAYLOAD_DIR + "/"):
                return _Hasher(rel, contents, _items_sink(rel, contents))
            target = resolve_inside(contents.tag_dir, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            return _Hasher(rel, contents, open(target, "wb"))

        targets = None if hash_payload else [f"{top}/{name}" for name in FAST_TAGS if name in contents.sizes]
        contents.damage = scan_members(archive, sink_for, password=password, targets=targets)
        _forget_damaged(contents, top)
        yield contents
