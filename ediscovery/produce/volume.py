"""The hash record of a production volume: ``MANIFEST-SHA256.txt`` and the ``<volume>.sha256`` sidecar.

Owns proving later what was produced: every file of the volume is listed in ``sha256sum``
format (two spaces, POSIX relative path, sorted), and the sidecar next to the volume holds the
SHA-256 of that manifest, so ``sha256sum -c`` checks both with standard tools.
"""

from __future__ import annotations

from pathlib import Path

from ediscovery.produce.collection import sha256_file
from ediscovery.produce.output import write_text_durably

MANIFEST_NAME = "MANIFEST-SHA256.txt"


def volume_files(volume_dir: Path) -> list[str]:
    """Every regular file of the volume except the manifest itself, as sorted POSIX paths."""
    names = [p.relative_to(volume_dir).as_posix() for p in volume_dir.rglob("*") if p.is_file()]
    return sorted(n for n in names if n != MANIFEST_NAME)


def write_volume_manifest(volume_dir: Path) -> str:
    """Write ``MANIFEST-SHA256.txt`` and ``../<volume>.sha256``; return the manifest's SHA-256."""
    lines = [f"{sha256_file(volume_dir / name)}  {name}\n" for name in volume_files(volume_dir)]
    manifest = volume_dir / MANIFEST_NAME
    write_text_durably(manifest, "".join(lines))
    digest = sha256_file(manifest)
    sidecar = volume_dir.parent / f"{volume_dir.name}.sha256"
    write_text_durably(sidecar, f"{digest}  {volume_dir.name}/{MANIFEST_NAME}\n")
    return digest
