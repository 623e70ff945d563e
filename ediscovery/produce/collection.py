"""One collection of a matter as production input: a bag directory or a sealed 7z archive.

Owns opening a source (extracting an archive into a work directory when needed), reading its
``manifest.json`` and custody log, and looking entries up by kind and source id. The on-disk
shapes are those of docs/architecture.md; nothing here writes to the bag.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ediscovery.errors import ArchiveError, ProductionError, UnsafePathError, WrongPasswordError

_BLOCK = 512 * 1024


def sha256_file(path: Path) -> str:
    """SHA-256 hex of a file, read in 512 KiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


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
    if not path.is_file():
        raise ProductionError(f"No such collection: {path}.")
    target = work_dir / f"{path.stem}-{sha256_file(path)[:12]}"
    archive_hash = sha256_file(path)
    if not (target / ".extracted").exists():
        _extract(path, target, password)
        (target / ".extracted").write_text("ok\n", encoding="utf-8")
    tops = [p for p in sorted(target.iterdir()) if p.is_dir()]
    if len(tops) != 1:
        raise ArchiveError(f"{path} does not hold exactly one top folder (the bag).")
    return load_bag(tops[0], source=path, archive_sha256=archive_hash)


def _extract(archive: Path, target: Path, password: str | None) -> None:
    """Extract with the archive module when it offers an extractor, else with py7zr directly."""
    try:
        from ediscovery import archive as archive_module  # type: ignore[attr-defined, unused-ignore]

        extractor = getattr(archive_module, "extract_archive", None)
    except ImportError:
        extractor = None
    if extractor is not None:
        extractor(archive, target, password=password)
        return
    _extract_py7zr(archive, target, password)


def _extract_py7zr(archive: Path, target: Path, password: str | None) -> None:
    import py7zr

    target.mkdir(parents=True, exist_ok=True)
    try:
        with py7zr.SevenZipFile(archive, mode="r", password=password) as zf:
            for name in zf.getnames():
                safe_join(target, name)
            zf.extractall(path=target)
    except py7zr.exceptions.PasswordRequired as exc:
        raise WrongPasswordError(f"{archive} is encrypted and no password was given.") from exc
    except (py7zr.exceptions.Bad7zFile, py7zr.exceptions.CrcError, OSError, ValueError) as exc:
        if password and ("crc" in str(exc).lower() or "password" in str(exc).lower()):
            raise WrongPasswordError(f"Cannot decrypt {archive}.") from exc
        raise ArchiveError(f"Cannot open {archive}: {exc}") from exc
