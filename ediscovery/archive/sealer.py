"""Sealer: a bag becomes a standard 7z archive written with py7zr, checked in full before it counts.

``seal`` writes the bag as the archive's single top-level folder, reopens the result and checks
every member's CRC and every payload file against both BagIt manifests before it returns, then
writes ``<archive>.sha256`` (``sha256sum -c`` format) and ``<archive>.receipt.json``. py7zr's
write-side exceptions are translated here; passwords are passed to py7zr and nowhere else.

Determinism: members are sorted, every member gets the same timestamp (midnight UTC of the bag's
``Bagging-Date``) and the same attributes (regular file, 0644), so the same bag sealed twice
without a password gives byte-identical archives. With a password py7zr draws a fresh random
AES IV per folder, as it must (the key has no salt); those archives differ only in ciphertext.

Member order: within each solid folder the tag files (``bagit.txt``, ``bag-info.txt``, the
manifests, ``manifest.json``, ``custody.jsonl`` …) come before ``data/``. Reading a member of a
solid folder means decompressing everything before it, so a quick check that needs only the
tag files (``verify --fast``) decompresses a few kilobytes instead of the whole payload.

Compression, chosen by measurement (bench/bench_seal.py, 320 MB bag: 45 % chat JSON, 20 %
PDF-like, 35 % incompressible uploads, 2 cores). ``7zz a -mx=1``: 8.6 s, 224.7 MB.
py7zr LZMA2 preset 1: 37.5 s (4.4x slower), 223.5 MB. py7zr Deflate on everything: 6.2 s,
239.3 MB. Chosen: two solid folders, Deflate for files whose first 16 KiB shrink by 10 % or more
under zlib level 1 and Copy (stored) for the rest: about 3 s of writing, 239.2 MB (1.065x the
size of ``7zz -mx=1``); the full read-back check adds about 2 s. Zstandard is faster still but
the official 7-Zip cannot open it, and Deflate, Copy and 7zAES are understood by every 7-Zip.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import stat
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import py7zr
from py7zr.helpers import ArchiveTimestamp

from ediscovery import __version__
from ediscovery.archive.reader import read_members
from ediscovery.archive.volumes import archive_base, parse_volume_size, volume_paths
from ediscovery.errors import ArchiveError
from ediscovery.evidence.bag import ALGORITHMS, PAYLOAD_DIR, list_bag_files, parse_bag_info, parse_manifest
from ediscovery.evidence.canonical import dumps_line, utc_iso, utc_now
from ediscovery.evidence.digest import sha256_files
from ediscovery.evidence.store import atomic_write, disk_full, fsync_dir

BLOCK = 1 << 20
PROBE_BYTES = 16 * 1024
STORE_RATIO = 0.9
FILE_ATTRIBUTES = 0x20 | 0x8000 | ((stat.S_IFREG | 0o644) << 16)
DEFLATE: list[dict[str, int]] = [{"id": py7zr.FILTER_DEFLATE}]
COPY: list[dict[str, int]] = [{"id": py7zr.FILTER_COPY}]
AES: list[dict[str, int]] = [{"id": py7zr.FILTER_CRYPTO_AES256_SHA256}]


@dataclass(frozen=True)
class Volume:
    """One file of the sealed archive (the archive itself when it is not split)."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class SealResult:
    """What ``seal`` wrote: the archive (or its volumes), its sidecar and its receipt."""

    archive_path: Path
    volumes: tuple[Volume, ...]
    sha256: str
    size: int
    sidecar_path: Path
    receipt_path: Path
    receipt: Mapping[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- sealing


def _bagging_time(bag: Path) -> datetime:
    try:
        pairs = dict(parse_bag_info((bag / "bag-info.txt").read_bytes()))
        day = datetime.strptime(pairs["Bagging-Date"][:10], "%Y-%m-%d")
    except (OSError, KeyError, ValueError) as exc:
        raise ArchiveError(
            f"{bag} has no readable Bagging-Date in bag-info.txt; write the bag first."
        ) from exc
    return day.replace(tzinfo=UTC)


def _bag_files(bag: Path) -> list[str]:
    """The bag's files in archive order: tag files first, then the payload, each sorted."""
    names = list_bag_files(bag)
    links = [name for name in names if (bag / name).is_symlink()]
    if links:
        raise ArchiveError(
            f"{bag.name} contains symbolic links ({links[0]} …); a bag holds regular files only."
        )
    return sorted(names, key=lambda name: (name.startswith(PAYLOAD_DIR + "/"), name))


def _compressible(path: Path) -> bool:
    with open(path, "rb") as stream:
        head = stream.read(PROBE_BYTES)
    return len(head) < 512 or len(zlib.compress(head, 1)) < STORE_RATIO * len(head)


def _write_folder(
    target: Path,
    mode: str,
    bag: Path,
    names: Sequence[str],
    filters: list[dict[str, int]],
    password: str | None,
    when: float,
) -> None:
    chain = filters + AES if password is not None else filters
    with py7zr.SevenZipFile(
        target, mode, filters=chain, password=password, header_encryption=password is not None
    ) as archive:
        for name in names:
            archive.write(bag / name, f"{bag.name}/{name}")
            info = archive.header.files_info.files[-1]
            info["lastwritetime"] = ArchiveTimestamp.from_datetime(when)
            info["attributes"] = FILE_ATTRIBUTES


def _write_archive(bag: Path, target: Path, password: str | None) -> None:
    names = _bag_files(bag)
    deflated = [n for n in names if _compressible(bag / n)]
    stored = [n for n in names if n not in set(deflated)]
    when = _bagging_time(bag).timestamp()
    first, second = (deflated, stored) if deflated else (stored, [])
    _write_folder(target, "w", bag, first, DEFLATE if deflated else COPY, password, when)
    if second:
        _write_folder(target, "a", bag, second, COPY, password, when)
    with open(target, "r+b") as stream:
        _truncate_after_header(stream)
        os.fsync(stream.fileno())


def _truncate_after_header(stream: IO[bytes]) -> None:
    """Drop bytes an append left behind the new end header (keeps the archive minimal)."""
    stream.seek(12)
    head = stream.read(20)
    offset, size = int.from_bytes(head[:8], "little"), int.from_bytes(head[8:16], "little")
    stream.truncate(32 + offset + size)


def _sha256_file(path: Path) -> str:
    return sha256_files([path])


def _split(single: Path, base: Path, volume_size: int) -> list[Path]:
    volumes: list[Path] = []
    with open(single, "rb") as source:
        while chunk := source.read(min(volume_size, BLOCK)):
            volume = Path(f"{base}.{len(volumes) + 1:03d}")
            volumes.append(volume)
            with open(volume, "wb") as out:
                written = 0
                while chunk:
                    out.write(chunk)
                    written += len(chunk)
                    chunk = source.read(min(volume_size - written, BLOCK)) if written < volume_size else b""
                out.flush()
                os.fsync(out.fileno())
    single.unlink()
    return volumes


class _HashSink:
    def __init__(self, name: str, results: dict[str, dict[str, str]]) -> None:
        self._name = name
        self._results = results
        self._hashers = [hashlib.new(algorithm) for algorithm in ALGORITHMS]

    def write(self, chunk: bytes) -> None:
        for hasher in self._hashers:
            hasher.update(chunk)

    def close(self) -> None:
        self._results[self._name] = {a: h.hexdigest() for a, h in zip(ALGORITHMS, self._hashers, strict=True)}


def check_sealed(archive_path: Path, bag: Path, *, password: str | None = None) -> None:
    """Read every member back and compare it with the bag's manifests; raise ArchiveError if not equal."""
    results: dict[str, dict[str, str]] = {}
    read_members(archive_path, lambda name: _HashSink(name, results), password=password)
    expected = {f"{bag.name}/{name}" for name in _bag_files(bag)}
    if set(results) != expected:
        missing = sorted(expected - set(results))[:5]
        raise ArchiveError(
            f"Sealed archive {archive_path.name} does not hold the bag's files (e.g. {missing})."
        )
    for algorithm in ALGORITHMS:
        manifest = parse_manifest((bag / f"manifest-{algorithm}.txt").read_bytes())
        for rel, digest in manifest.items():
            found = results.get(f"{bag.name}/{rel}", {}).get(algorithm)
            if found != digest:
                raise ArchiveError(
                    f"Sealed archive {archive_path.name}: {rel} {algorithm} is {found}, "
                    f"the manifest says {digest}."
                )


def _bag_facts(bag: Path) -> dict[str, Any]:
    def sha(name: str) -> str | None:
        return _sha256_file(bag / name) if (bag / name).is_file() else None

    counts: Any = None
    run_id: Any = None
    records: Any = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        manifest = json.loads((bag / "manifest.json").read_bytes())
        counts, run_id = manifest.get("counts"), manifest.get("run_id")
        records = (manifest.get("records") or {}).get("root")
    info = dict(parse_bag_info((bag / "bag-info.txt").read_bytes()))
    bagit = {
        name: sha(name) for name in sorted(os.listdir(bag)) if re.fullmatch(r"(tag)?manifest-\w+\.txt", name)
    }
    return {
        "name": bag.name,
        "run_id": run_id,
        "payload_oxum": info.get("Payload-Oxum"),
        "manifest_json_sha256": sha("manifest.json"),
        "bagit_manifests_sha256": bagit,
        "counts": counts,
        "records_root": records,
    }


def _receipt(
    result_volumes: Sequence[Volume],
    whole: tuple[str, int],
    bag: Path,
    password: str | None,
    times: tuple[str, str],
    final_event: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "receipt_version": 1,
        "tool": {"name": "ediscovery", "version": __version__},
        "archive": {
            "name": archive_base(result_volumes[0].path).name,
            "sha256": whole[0],
            "size": whole[1],
            "format": "7z",
            "compression": "Deflate (compressible files) + Copy (already compressed files)",
            "encrypted": password is not None,
            "header_encrypted": password is not None,
            "volumes": [{"name": v.path.name, "size": v.size, "sha256": v.sha256} for v in result_volumes],
        },
        "bag": _bag_facts(bag),
        "started_at": times[0],
        "sealed_at": times[1],
        "custody_event": dict(final_event) if final_event is not None else None,
    }


def _whole_sha256(volumes: Sequence[Path]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for volume in volumes:
        with open(volume, "rb") as stream:
            while chunk := stream.read(BLOCK):
                digest.update(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


def seal(
    bag_dir: Path | str,
    archive_path: Path | str,
    *,
    password: str | None = None,
    volume_size: int | str | None = None,
    final_event: Mapping[str, Any] | None = None,
    clock: Callable[[], datetime] = utc_now,
    check: bool = True,
) -> SealResult:
    """Seal ``bag_dir`` into ``archive_path`` (``x.7z``; split into ``x.7z.001``… when ``volume_size``).

    With ``check``, the archive is read back in full before anything is published: every
    member's CRC and every payload file against both BagIt manifests. A caller that verifies the
    sealed archive at once (:func:`ediscovery.verify.verify` checks all that and more) passes
    ``check=False``, so the archive is read back once, not twice. Then ``x.7z.sha256`` and
    ``x.7z.receipt.json`` are written; ``final_event`` (the custody event the caller records for
    this seal) goes into the receipt, since the archive cannot contain its own hash.
    """
    bag = Path(bag_dir).resolve()
    base = Path(archive_path)
    size_limit = parse_volume_size(volume_size) if isinstance(volume_size, str) else volume_size
    if not (bag / "bagit.txt").is_file():
        raise ArchiveError(f"{bag} is not a bag (no bagit.txt); write the bag before sealing.")
    started = utc_iso(clock())
    temp = base.with_name(f".{base.name}.part-{secrets.token_hex(8)}")
    try:
        _write_archive(bag, temp, password)
        if check:
            check_sealed(temp, bag, password=password)
        volumes = _publish(temp, base, size_limit)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        full = disk_full(exc, f"sealing {base.name}", base)
        if full is not None and full is not exc:
            raise full from exc
        if isinstance(exc, OSError):
            raise ArchiveError(f"Could not write {base.name}: {exc.strerror or exc}.") from exc
        raise
    return _finish(bag, base, volumes, password, started, clock, final_event)


def _publish(temp: Path, base: Path, size_limit: int | None) -> list[Path]:
    for stale in [base, *volume_paths(Path(f"{base}.001"))]:
        if stale.exists() and stale != temp:
            stale.unlink()
    if size_limit is not None:
        volumes = _split(temp, base, size_limit)
    else:
        os.replace(temp, base)
        volumes = [base]
    fsync_dir(base.parent)
    return volumes


def _finish(
    bag: Path,
    base: Path,
    paths: list[Path],
    password: str | None,
    started: str,
    clock: Callable[[], datetime],
    final_event: Mapping[str, Any] | None,
) -> SealResult:
    volumes = tuple(Volume(path=p, size=p.stat().st_size, sha256=_sha256_file(p)) for p in paths)
    whole = _whole_sha256(paths) if len(paths) > 1 else (volumes[0].sha256, volumes[0].size)
    sidecar = Path(f"{base}.sha256")
    atomic_write(sidecar, "".join(f"{v.sha256}  {v.path.name}\n" for v in volumes).encode("utf-8"))
    receipt = _receipt(volumes, whole, bag, password, (started, utc_iso(clock())), final_event)
    receipt_path = Path(f"{base}.receipt.json")
    atomic_write(receipt_path, dumps_line(receipt))
    return SealResult(
        archive_path=paths[0], volumes=volumes, sha256=whole[0], size=whole[1],
        sidecar_path=sidecar, receipt_path=receipt_path, receipt=receipt,
    )  # fmt: skip
