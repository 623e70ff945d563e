from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ediscovery.archive import seal
from ediscovery.cli.verify import command
from ediscovery.verify import (
    ArchiveCorrupt,
    ChecksumMismatch,
    CustodyChainBroken,
    FileMissing,
    ManifestJsonMismatch,
    OxumMismatch,
    Problem,
    SidecarMismatch,
    TagManifestMismatch,
    TranscriptSourceMismatch,
    UnexpectedFile,
    verify,
)
from ediscovery.verify.problems import LAYERS
from tests.verify.finished import finished_bag

PASSWORD = "s3cret-for-tests"
PAYLOAD = "data/native/files/claude_file_xyz/content.bin"
NATIVE = "data/native/activities/user_1/page-0001.json"


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(command, list(args), env=env)
    return result.exit_code, result.output


def _kinds(problems: tuple[Problem, ...]) -> set[str]:
    return {type(p).__name__ for p in problems}


def _flip_byte(bag: Path) -> None:
    path = bag / PAYLOAD
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x01
    path.write_bytes(bytes(data))


def _delete(bag: Path) -> None:
    (bag / PAYLOAD).unlink()


def _add(bag: Path) -> None:
    (bag / "data/native/files/planted.bin").write_bytes(b"not collected")


def _edit_custody(bag: Path) -> None:
    lines = (bag / "custody.jsonl").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"kind":"activities"', '"kind":"chat_list"')
    (bag / "custody.jsonl").write_text("".join(lines))


def _edit_manifest_json(bag: Path) -> None:
    manifest = json.loads((bag / "manifest.json").read_text())
    manifest["entries"][0]["sha256"] = "0" * 64
    (bag / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _edit_tag_manifest(bag: Path) -> None:
    path = bag / "tagmanifest-sha256.txt"
    text = path.read_text()
    line = next(line for line in text.splitlines() if line.endswith("requests.jsonl"))
    path.write_text(text.replace(line, "f" * 64 + "  requests.jsonl"))


def _edit_native_under_transcript(bag: Path) -> None:
    manifest = json.loads((bag / "manifest.json").read_text())
    transcript = next(e for e in manifest["entries"] if e["kind"] == "transcript")
    transcript["metadata"]["sources"][0]["sha256"] = "1" * 64
    (bag / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def test_an_intact_bag_and_its_archive_are_valid(bag: Path, tmp_path: Path) -> None:
    assert verify(bag).ok
    sealed = seal(bag, tmp_path / "x.7z")
    report = verify(sealed.archive_path)
    assert report.ok, [str(p) for p in report.problems]
    statuses = {layer.name: layer.status for layer in report.layers}
    assert statuses == {name: "absent" if name == "corroboration" else "ok" for name in LAYERS}  # not asked
    assert _cli(str(bag))[0] == 0


DIRECTORY_DAMAGE: list[tuple[str, Callable[[Path], None], type[Problem]]] = [
    ("flipped byte", _flip_byte, ChecksumMismatch),
    ("deleted file", _delete, FileMissing),
    ("added file", _add, UnexpectedFile),
    ("custody line edited", _edit_custody, CustodyChainBroken),
    ("manifest.json hash edited", _edit_manifest_json, ManifestJsonMismatch),
    ("tag manifest edited", _edit_tag_manifest, TagManifestMismatch),
    ("transcript source hash edited", _edit_native_under_transcript, TranscriptSourceMismatch),
]


@pytest.mark.parametrize(
    ("damage", "expected"), [(d, e) for _, d, e in DIRECTORY_DAMAGE], ids=[n for n, _, _ in DIRECTORY_DAMAGE]
)
def test_damage_to_a_bag_folder_is_reported(
    bag: Path, damage: Callable[[Path], None], expected: type[Problem]
) -> None:
    damage(bag)
    report = verify(bag)
    assert expected.__name__ in _kinds(report.problems), [str(p) for p in report.problems]
    code, output = _cli(str(bag))
    assert code == 3
    assert "INVALID" in output


def test_flipped_byte_names_path_algorithm_and_both_digests(bag: Path) -> None:
    _flip_byte(bag)
    mismatches = [p for p in verify(bag).problems if isinstance(p, ChecksumMismatch)]
    assert {p.algorithm for p in mismatches} == {"sha256", "sha512"}
    assert all(p.path == PAYLOAD and p.expected != p.found for p in mismatches)


def test_deleted_and_added_files_change_the_oxum_seen_by_fast(bag: Path) -> None:
    _delete(bag)
    report = verify(bag, fast=True)
    assert {"FileMissing", "OxumMismatch"} <= _kinds(report.problems)
    assert [layer.status for layer in report.layers[3:]] == ["skipped"] * (len(LAYERS) - 3)
    assert isinstance(next(p for p in report.problems if isinstance(p, OxumMismatch)), OxumMismatch)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_edit_custody, CustodyChainBroken),
        (_edit_manifest_json, ManifestJsonMismatch),
        (_edit_tag_manifest, TagManifestMismatch),
    ],
    ids=["custody", "manifest.json", "tagmanifest"],
)
def test_damage_sealed_into_an_archive_is_reported(
    bag: Path, tmp_path: Path, damage: Callable[[Path], None], expected: type[Problem]
) -> None:
    damage(bag)
    sealed = seal(bag, tmp_path / "x.7z")
    report = verify(sealed.archive_path)
    assert expected.__name__ in _kinds(report.problems)
    assert _cli(str(sealed.archive_path))[0] == 3


@pytest.mark.slow
def test_damage_inside_an_encrypted_archive_is_reported(bag: Path, tmp_path: Path) -> None:
    _edit_custody(bag)
    sealed = seal(bag, tmp_path / "x.7z", password=PASSWORD)
    assert _cli(str(sealed.archive_path), "--password-env", "PW", env={"PW": PASSWORD})[0] == 3


def test_truncated_archive_is_corrupt(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z")
    data = sealed.archive_path.read_bytes()
    sealed.archive_path.write_bytes(data[: len(data) // 2])
    report = verify(sealed.archive_path)
    assert {"ArchiveCorrupt", "SidecarMismatch", "ReceiptMismatch"} <= _kinds(report.problems)
    assert _cli(str(sealed.archive_path))[0] == 3


def test_byte_flipped_inside_the_archive_fails_a_member_crc(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z")
    data = bytearray(sealed.archive_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    sealed.archive_path.write_bytes(bytes(data))
    Path(f"{sealed.archive_path}.sha256").unlink()
    Path(f"{sealed.archive_path}.receipt.json").unlink()
    report = verify(sealed.archive_path)
    assert any(isinstance(p, ArchiveCorrupt) for p in report.problems) or any(
        isinstance(p, ChecksumMismatch) for p in report.problems
    )


def test_swapped_sidecar_is_reported(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z")
    other = seal(finished_bag(tmp_path / "other", seed=2), tmp_path / "y.7z")
    Path(f"{sealed.archive_path}.sha256").write_text(f"{other.sha256}  x.7z\n")
    report = verify(sealed.archive_path)
    assert [type(p) for p in report.problems] == [SidecarMismatch]
    assert report.layers[0].status == "failed" and report.layers[1].status == "ok"


@pytest.mark.slow
def test_wrong_password_exits_1_with_a_clear_message(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z", password=PASSWORD)
    code, output = _cli(str(sealed.archive_path), "--password-env", "PW", env={"PW": "wrong-one"})
    assert code == 1
    assert "Wrong password for archive x.7z" in output
    assert "Traceback" not in output and "wrong-one" not in output


@pytest.mark.slow
def test_missing_password_variable_exits_1(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z", password=PASSWORD)
    code, output = _cli(str(sealed.archive_path), "--password-env", "NOT_SET_ANYWHERE")
    assert code == 1
    assert "NOT_SET_ANYWHERE is not set" in output


def test_json_report_lists_layers_and_typed_problems(bag: Path) -> None:
    _flip_byte(bag)
    code, output = _cli(str(bag), "--json")
    report = json.loads(output)
    assert code == 3 and report["valid"] is False
    assert [layer["name"] for layer in report["layers"]][:3] == ["sidecar", "archive", "bagit"]
    problem = next(p for p in report["problems"] if p["kind"] == "ChecksumMismatch")
    assert problem["path"] == PAYLOAD and problem["layer"] == "bagit"


@pytest.mark.slow
def test_split_archive_verifies_from_its_first_volume(bag: Path, tmp_path: Path) -> None:
    sealed = seal(bag, tmp_path / "x.7z", volume_size="100k", password=PASSWORD)
    assert verify(sealed.archive_path, password=PASSWORD).ok
    sealed.volumes[1].path.unlink()
    report = verify(sealed.archive_path, password=PASSWORD)
    assert "SidecarMismatch" in _kinds(report.problems)


def test_a_payload_symlink_pointing_outside_the_bag_is_reported_not_followed(
    bag: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.bin"
    outside.write_bytes((bag / PAYLOAD).read_bytes())  # same bytes: following it would pass
    (bag / PAYLOAD).unlink()
    (bag / PAYLOAD).symlink_to(outside)
    report = verify(bag)
    assert not report.ok
    [link] = [p for p in report.problems if "symbolic link" in str(p)]
    assert PAYLOAD in str(link) and str(outside) in str(link)
    code, output = _cli(str(bag))
    assert code == 3 and "INVALID" in output


def test_a_folder_that_is_not_a_bag_is_named_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not evidence")
    code, output = _cli(str(tmp_path))
    assert code == 1
    assert f"{tmp_path} is not a bag folder: it has neither bagit.txt nor manifest.json." in output
