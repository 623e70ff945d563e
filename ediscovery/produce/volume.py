"""The hash record of a production volume: ``MANIFEST-SHA256.txt`` and the ``<volume>.sha256`` sidecar.

Owns proving later what was produced: every file of the volume is listed in ``sha256sum``
format (two spaces, POSIX relative path, sorted), and the sidecar next to the volume holds the
SHA-256 of that manifest, so ``sha256sum -c`` checks both with standard tools.
"""

from __future__ import annotations

from pathlib import Path

from ediscovery.errors import ProductionError
from ediscovery.evidence.derived import write_text_durably
from ediscovery.evidence.digest import sha256_file

MANIFEST_NAME = "MANIFEST-SHA256.txt"


def volume_files(volume_dir: Path) -> list[str]:
    """Every regular file of the volume except the manifest itself, as sorted POSIX paths."""
    names = [p.relative_to(volume_dir).as_posix() for p in volume_dir.rglob("*") if p.is_file()]
    return sorted(n for n in names if n != MANIFEST_NAME)


def write_volume_manifest(volume_dir: Path) -> str:
    """Write ``MANIFEST-SHA256.txt`` inside the volume; return the manifest's SHA-256."""
    lines = [f"{sha256_file(volume_dir / name)}  {name}\n" for name in volume_files(volume_dir)]
    manifest = volume_dir / MANIFEST_NAME
    write_text_durably(manifest, "".join(lines))
    return sha256_file(manifest)


def write_sidecar(volume_dir: Path, manifest_sha256: str) -> Path:
    """Write ``<volume>.sha256`` next to the volume, over its manifest; refuse a stale digest."""
    if sha256_file(volume_dir / MANIFEST_NAME) != manifest_sha256:
        raise ProductionError(f"{volume_dir / MANIFEST_NAME} changed while the volume was published.")
    sidecar = volume_dir.parent / f"{volume_dir.name}.sha256"
    write_text_durably(sidecar, f"{manifest_sha256}  {volume_dir.name}/{MANIFEST_NAME}\n")
    return sidecar
