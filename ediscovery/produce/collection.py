"""One collection of a matter as production input: a bag directory or a sealed 7z archive.

Owns opening a source (extracting an archive into a work directory when needed), reading its
``manifest.json`` and custody log, and looking entries up by kind and source id. The on-disk
shapes are those of docs/architecture.md; nothing here writes to the bag.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ediscovery.archive import archive_base, read_members, volume_paths
from ediscovery.errors import ArchiveError, ProductionError, UnsafePathError, WrongPasswordError
from ediscovery.evidence.digest import sha256_files


def sha256_file(path: Path) -> str:
    """SHA-256 hex of a file."""
    return sha256_files([path])


@dataclass(frozen=True)
class Collection:
    """A bag on disk plus what is known about where it came from."""

    root: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    source: Path
    archive_sha256: str | None = None
    _index: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id", ""))

    @property
    def matter(self) -> str:
        return str(self.manifest.get("matter", ""))

    @property
    def time_zone(self) -> str:
        return str((self.manifest.get("scope") or {}).get("time_zone") or "UTC")

    @property
    def custodian_emails(self) -> list[str]:
        return sorted(str(c.get("email") or c.get("query") or "") for c in self.custodians)

    @property
    def custodians(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("custodians") or [])

    def entries(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        for entry in self.manifest.get("entries") or []:
            if kind is None or entry.get("kind") == kind:
                yield entry

    def find(self, kind: str, source_id: str) -> list[dict[str, Any]]:
        """Entries of one kind and source id, in path order (pages in page order)."""
        if not self._index:
            for entry in self.entries():
                key = (str(entry.get("kind")), str(entry.get("source_id")))
                self._index.setdefault(key, []).append(entry)
        return self._index.get((kind, source_id), [])

    def email_for(self, user_ids: list[str] | None) -> str:
        """The custodian email owning any of ``user_ids`` (first custodian when none matches)."""
        wanted = set(user_ids or [])
        for custodian in self.custodians:
            if wanted & set(custodian.get("user_ids") or []):
                return str(custodian.get("email") or custodian.get("query") or "")
        return self.custodian_emails[0] if self.custodian_emails else ""

    def path_of(self, entry: dict[str, Any]) -> Path:
        """Absolute path of an entry, refusing any path that escapes the bag."""
        return safe_join(self.root, str(entry["path"]))

    def read_json(self, entry: dict[str, Any]) -> Any:
        with self.path_of(entry).open("rb") as fh:
            return json.load(fh)


def safe_join(root: Path, rel: str) -> Path:
    """``root / rel`` when it stays inside ``root``; otherwise :class:`UnsafePathError`."""
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or os.path.isabs(rel):
        raise UnsafePathError(f"Manifest path {rel!r} escapes the bag.", path=rel)
    return target


def load_bag(root: Path, *, source: Path | None = None, archive_sha256: str | None = None) -> Collection:
    """Read the bag at ``root`` (which must hold manifest.json)."""
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise ProductionError(
            f"{root} holds no manifest.json.", hint="Pass a bag directory or a sealed .7z archive."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProductionError(f"Cannot read {manifest_path}: {exc}") from exc
    return Collection(root, manifest, sha256_file(manifest_path), source or root, archive_sha256)


def open_source(path: Path, work_dir: Path, password: str | None = None) -> Collection:
    """Open a bag directory in place, or extract a sealed archive under ``work_dir`` and open it."""
    if path.is_dir():
        return load_bag(path)
    volumes = volume_paths(path)
    if not volumes[0].is_file():
        raise ProductionError(
            f"No such collection: {path}.", hint="Pass a bag directory or a sealed .7z archive."
        )
    archive_hash = _sha256_concatenated(volumes)
    target = work_dir / f"{archive_base(path).stem}-{archive_hash[:12]}"
    if not (target / ".extracted").exists():
        _extract(path, target, password)
        (target / ".extracted").write_text("ok\n", encoding="utf-8")
    tops = [p for p in sorted(target.iterdir()) if p.is_dir()]
    if len(tops) != 1:
        raise ArchiveError(f"{path} does not hold exactly one top folder (the bag).")
    return load_bag(tops[0], source=archive_base(path), archive_sha256=archive_hash)


def _sha256_concatenated(volumes: list[Path]) -> str:
    """SHA-256 of the whole archive (the volumes of a split archive read back to back)."""
    return sha256_files(volumes)


class _FileSink:
    """Writes one archive member to disk while it is decompressed."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def close(self) -> None:
        self._file.close()


def _extract(archive: Path, target: Path, password: str | None) -> None:
    """Stream every member into ``target`` (CRC-checked by the archive module), refusing escapes."""
    target.mkdir(parents=True, exist_ok=True)
    try:
        read_members(archive, lambda name: _FileSink(safe_join(target, name)), password=password)
    except WrongPasswordError:
        raise
    except ArchiveError as exc:
        if password is None:
            raise
        # Without header encryption a wrong key only shows as undecodable data.
        raise WrongPasswordError(
            f"Wrong password for archive {archive.name}, or the archive is damaged ({exc.message})"
        ) from exc
