"""Reading sealed archives: every member delivered intact, damage named member by member."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import py7zr
import pytest

import ediscovery.archive.reader as reader
from ediscovery.archive import MemberDamage, MemberSink, list_members, read_members, scan_members, seal
from ediscovery.errors import ArchiveError, UnsafePathError, WrongPasswordError

STORED = "data/native/files/claude_file_xyz/content.bin"


class _Collect:
    def __init__(self, name: str, out: dict[str, str], closed: list[str]) -> None:
        self._name, self._out, self._closed = name, out, closed
        self._digest = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self._digest.update(chunk)

    def close(self) -> None:
        self._out[self._name] = self._digest.hexdigest()
        self._closed.append(self._name)


def _sealed(bag: Path, tmp_path: Path) -> Path:
    return seal(bag, tmp_path / "x.7z").archive_path


def _folder_starts(archive: Path) -> list[int]:
    with py7zr.SevenZipFile(archive) as opened:
        positions = opened.header.main_streams.packinfo.packpositions
        return [opened.afterheader + p for p in positions]


def _flip(archive: Path, offset: int) -> None:
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF
    archive.write_bytes(bytes(data))


def _scan(
    archive: Path, targets: list[str] | None = None
) -> tuple[dict[str, str], tuple[MemberDamage, ...], list[str]]:
    out: dict[str, str] = {}
    closed: list[str] = []
    damage = scan_members(archive, lambda name: _Collect(name, out, closed), targets=targets)
    return out, damage, closed


def _bag_digests(bag: Path) -> dict[str, str]:
    return {
        f"{bag.name}/{p.relative_to(bag).as_posix()}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in bag.rglob("*")
        if p.is_file()
    }


def test_every_member_streams_out_with_its_exact_bytes(bag: Path, tmp_path: Path) -> None:
    out, damage, closed = _scan(_sealed(bag, tmp_path))
    assert damage == ()
    assert out == _bag_digests(bag)
    assert sorted(closed) == sorted(out)


def test_tag_files_come_before_the_payload_so_a_quick_check_reads_little(bag: Path, tmp_path: Path) -> None:
    names = [m.name.split("/", 1)[1] for m in list_members(_sealed(bag, tmp_path))]
    first_payload = next(i for i, name in enumerate(names) if name.startswith("data/"))
    assert all(not name.startswith("data/") for name in names[:first_payload])
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt"} <= set(names[:first_payload])


def test_a_bad_crc_names_that_member_and_the_others_still_verify(bag: Path, tmp_path: Path) -> None:
    archive = _sealed(bag, tmp_path)
    _flip(archive, _folder_starts(archive)[1] + 5000)  # inside the stored (Copy) folder
    out, damage, _ = _scan(archive)
    assert [(d.name, d.kind) for d in damage] == [(f"{bag.name}/{STORED}", "crc")]
    assert "archive header says" in damage[0].detail
    expected = _bag_digests(bag)
    assert {k: v for k, v in out.items() if not k.endswith(STORED)} == {
        k: v for k, v in expected.items() if not k.endswith(STORED)
    }


def test_an_undecodable_folder_names_the_member_and_every_member_not_reached(
    bag: Path, tmp_path: Path
) -> None:
    archive = _sealed(bag, tmp_path)
    _flip(archive, _folder_starts(archive)[0] + 200)  # early in the Deflate folder
    out, damage, _ = _scan(archive)
    kinds = [d.kind for d in damage]
    assert kinds[0] in ("unreadable", "crc") and "unchecked" in kinds
    unchecked = [d for d in damage if d.kind == "unchecked"]
    assert all("cannot be decoded past" in d.detail for d in unchecked)
    assert all(not d.name.endswith(STORED) for d in damage)
    assert out[f"{bag.name}/{STORED}"] == _bag_digests(bag)[f"{bag.name}/{STORED}"]


def test_read_members_refuses_a_damaged_archive_naming_the_member(bag: Path, tmp_path: Path) -> None:
    archive = _sealed(bag, tmp_path)
    _flip(archive, _folder_starts(archive)[1] + 5000)
    with pytest.raises(ArchiveError, match=r"member .*claude_file_xyz/content\.bin: CRC-32 is"):
        read_members(archive, lambda name: _Collect(name, {}, []))


def test_targets_only_reach_their_sinks_and_payload_damage_stays_unread(bag: Path, tmp_path: Path) -> None:
    archive = _sealed(bag, tmp_path)
    _flip(archive, _folder_starts(archive)[1] + 5000)
    wanted = [f"{bag.name}/bagit.txt", f"{bag.name}/manifest-sha256.txt"]
    out, damage, _ = _scan(archive, targets=wanted)
    assert sorted(out) == sorted(wanted)
    assert damage == ()


class _Failing:
    def write(self, chunk: bytes) -> None:
        raise UnsafePathError("refused")

    def close(self) -> None:
        return None


def test_a_sink_error_propagates_instead_of_passing_for_damage(bag: Path, tmp_path: Path) -> None:
    archive = _sealed(bag, tmp_path)

    def sink_for(name: str) -> MemberSink:
        return _Failing()

    with pytest.raises(UnsafePathError):
        scan_members(archive, sink_for)


def _peak_reading_zeros(tmp_path: Path, megabytes: int) -> int:
    archive = tmp_path / f"zeros-{megabytes}.7z"
    with py7zr.SevenZipFile(archive, "w", filters=[{"id": py7zr.FILTER_DEFLATE}]) as out:
        out.writestr(bytes(megabytes << 20), "bag/data/zeros.bin")
    out_digests: dict[str, str] = {}
    tracemalloc.start()
    try:
        damage = scan_members(archive, lambda name: _Collect(name, out_digests, []))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert damage == ()
    assert out_digests["bag/data/zeros.bin"] == hashlib.sha256(bytes(megabytes << 20)).hexdigest()
    return peak


def test_a_member_that_inflates_a_thousandfold_is_read_in_bounded_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "COMPRESSED_BLOCK", 4 << 10)
    small = _peak_reading_zeros(tmp_path, 24)
    large = _peak_reading_zeros(tmp_path, 96)
    # 72 MB more member, not 72 MB more memory: what grows is well under half the growth
    assert large - small < ((96 - 24) << 20) // 2, (small, large)
    assert large < (96 << 20) // 2


def test_contents_encrypted_under_a_plain_header_need_the_password(tmp_path: Path) -> None:
    archive = tmp_path / "plain-header.7z"
    with py7zr.SevenZipFile(archive, "w", password="pw", header_encryption=False) as out:
        out.writestr(b"evidence", "bag/data/a.txt")
    with pytest.raises(WrongPasswordError, match="no password was given"):
        scan_members(archive, lambda name: _Collect(name, {}, []))
    out_digests: dict[str, str] = {}
    assert scan_members(archive, lambda name: _Collect(name, out_digests, []), password="pw") == ()
    assert out_digests == {"bag/data/a.txt": hashlib.sha256(b"evidence").hexdigest()}
