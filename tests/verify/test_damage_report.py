"""A damaged archive still reports everything it can; missing files are reported under their layer."""

from __future__ import annotations

from pathlib import Path

import py7zr
from click.testing import CliRunner

from ediscovery.archive import seal
from ediscovery.cli.verify import command
from ediscovery.verify import (
    ChecksumMismatch,
    FileMissing,
    MemberCorrupt,
    MemberUnchecked,
    VerifyReport,
    verify,
)

STORED = "data/native/files/claude_file_xyz/content.bin"


def _folder_starts(archive: Path) -> list[int]:
    with py7zr.SevenZipFile(archive) as opened:
        positions = opened.header.main_streams.packinfo.packpositions
        return [opened.afterheader + p for p in positions]


def _flip(archive: Path, offset: int, length: int = 1) -> None:
    data = bytearray(archive.read_bytes())
    for index in range(offset, offset + length):
        data[index] ^= 0xFF
    archive.write_bytes(bytes(data))


def _status(report: VerifyReport, name: str) -> str:
    return next(layer.status for layer in report.layers if layer.name == name)


def test_a_bad_member_crc_is_reported_and_every_later_layer_still_runs(bag: Path, tmp_path: Path) -> None:
    archive = seal(bag, tmp_path / "x.7z").archive_path
    _flip(archive, _folder_starts(archive)[1] + 5000)
    report = verify(archive)
    corrupt = [p for p in report.problems if isinstance(p, MemberCorrupt)]
    assert [(p.member.split("/", 1)[1], p.damage) for p in corrupt] == [(STORED, "crc")]
    record = corrupt[0].to_dict()
    assert (record["kind"], record["damage"], record["layer"]) == ("MemberCorrupt", "crc", "archive")
    assert {p.algorithm for p in report.problems if isinstance(p, ChecksumMismatch)} == {"sha256", "sha512"}
    assert _status(report, "manifest.json") == "ok" and _status(report, "transcripts") == "ok"
    result = CliRunner().invoke(command, [str(archive)])
    assert result.exit_code == 3
    assert f"{STORED}: CRC mismatch" in result.output


def test_an_undecodable_folder_lists_unchecked_members_not_missing_files(bag: Path, tmp_path: Path) -> None:
    archive = seal(bag, tmp_path / "x.7z").archive_path
    _flip(archive, _folder_starts(archive)[0] + 200, length=16)  # one flipped byte may still inflate
    report = verify(archive)
    unchecked = {p.member.split("/", 1)[1] for p in report.problems if isinstance(p, MemberUnchecked)}
    assert {"manifest-sha256.txt", "custody.jsonl", "manifest.json"} <= unchecked
    assert STORED not in unchecked
    assert not any(isinstance(p, FileMissing) for p in report.problems)
    assert [_status(report, n) for n in ("bagit", "manifest.json", "custody")] == ["incomplete"] * 3
    assert CliRunner().invoke(command, [str(archive)]).exit_code == 3


def test_fast_on_an_archive_does_not_decompress_the_payload(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z")
    _flip(sealed.archive_path, _folder_starts(sealed.archive_path)[1] + 5000)
    Path(f"{sealed.archive_path}.sha256").unlink()
    Path(f"{sealed.archive_path}.receipt.json").unlink()
    assert verify(sealed.archive_path, fast=True).ok
    assert not verify(sealed.archive_path).ok


def test_missing_manifest_json_is_reported_once_under_its_own_layer(bag: Path) -> None:
    (bag / "manifest.json").unlink()
    missing = [p for p in verify(bag).problems if isinstance(p, FileMissing)]
    assert [(p.path, p.layer) for p in missing] == [("manifest.json", "manifest.json")]
    assert missing[0].to_dict()["layer"] == "manifest.json"
    assert "in_layer" not in missing[0].to_dict()


def test_missing_custody_log_is_reported_under_custody(bag: Path, tmp_path: Path) -> None:
    (bag / "custody.jsonl").unlink()
    archive = seal(bag, tmp_path / "x.7z").archive_path
    for target in (bag, archive):
        missing = [p for p in verify(target).problems if isinstance(p, FileMissing)]
        assert [(p.path, p.layer) for p in missing] == [("custody.jsonl", "custody")], target
        assert str(missing[0]) == "[custody] custody.jsonl: missing from the bag"
