"""One collection of a matter as production input: a bag directory or a sealed 7z archive.

Owns opening a source (extracting an archive into a work directory when needed) as an
``evidence.stored.StoredBag``, and what the production records of where it came from.
Nothing here writes to the bag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ediscovery.archive import archive_base, read_members, volume_paths
from ediscovery.errors import ArchiveError, EvidenceError, ProductionError, WrongPasswordError
from ediscovery.evidence.digest import sha256_files
from ediscovery.evidence.paths import resolve_inside
from ediscovery.evidence.stored import StoredBag


@dataclass(frozen=True)
class Source:
    """One collection named by the user: its bag, and what is known of where it came from."""

    bag: StoredBag
    path: Path
    archive_sha256: str | None = None

    @property
    def sort_key(self) -> tuple[list[str], str]:
        """Collections are produced by custodian email, then run id."""
        return (self.bag.custodian_emails, self.bag.run_id)


def load_bag(root: Path, *, source: Path | None = None, archive_sha256: str | None = None) -> Source:
    """Open the bag at ``root`` (which must hold manifest.json)."""
    try:
        bag = StoredBag.open(root)
    except EvidenceError as exc:
        raise ProductionError(exc.message, hint="Pass a bag directory or a sealed .7z archive.") from exc
    return Source(bag, source or root, archive_sha256)


def open_source(path: Path, work_dir: Path, password: str | None = None) -> Source:
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
        read_members(archive, lambda name: _FileSink(resolve_inside(target, name)), password=password)
    except WrongPasswordError:
        raise
    except ArchiveError as exc:
        if password is None:
            raise
        # Without header encryption a wrong key only shows as undecodable data.
        raise WrongPasswordError(
            f"Wrong password for archive {archive.name}, or the archive is damaged ({exc.message})"
        ) from exc
