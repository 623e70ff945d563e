"""Volumes: the names of the files an archive is made of, and volume size parsing.

An archive is ``x.7z`` alone or split into ``x.7z.001``, ``x.7z.002`` …; its sidecar and receipt
hang from ``x.7z`` in both cases.
"""

from __future__ import annotations

import re
from pathlib import Path

from ediscovery.errors import ArchiveError

_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_VOLUME = re.compile(r"^(?P<base>.+)\.(?P<num>\d{3})$")


def parse_volume_size(text: str) -> int:
    """``"4g"``, ``"100m"``, ``"650MiB"``, ``"1048576"`` → bytes (powers of 1024)."""
    match = _SIZE.match(text)
    if not match or int(match.group(1)) == 0:
        raise ArchiveError(f"Invalid volume size {text!r}: use a number with k, m, g or t (e.g. 4g, 100m).")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def volume_paths(archive_path: Path | str) -> list[Path]:
    """The files that make up an archive: ``x.7z`` alone, or ``x.7z.001``, ``x.7z.002`` …"""
    path = Path(archive_path)
    match = _VOLUME.match(path.name)
    base = path.with_name(match.group("base")) if match else path
    if not match and path.exists():
        return [path]
    found: list[Path] = []
    while (candidate := Path(f"{base}.{len(found) + 1:03d}")).exists():
        found.append(candidate)
    return found or [path]


def archive_base(archive_path: Path | str) -> Path:
    """``x.7z`` for ``x.7z`` and for ``x.7z.001``: the name sidecar and receipt hang from."""
    path = Path(archive_path)
    match = _VOLUME.match(path.name)
    return path.with_name(match.group("base")) if match else path
