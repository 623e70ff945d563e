from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ediscovery.archive import list_members, parse_volume_size, seal
from ediscovery.errors import ArchiveError, WrongPasswordError
from tests.archive.conftest import need

PASSWORD = "correct horse battery staple"


def _clock() -> datetime:
    return datetime(2026, 11, 26, 2, 0, 0, tzinfo=UTC)


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )


def test_same_bag_sealed_twice_gives_identical_bytes(bag: Path, tmp_path: Path) -> None:
    first = seal(bag, tmp_path / "a.7z", clock=_clock)
    second = seal(bag, tmp_path / "b.7z", clock=_clock)
    assert first.sha256 == second.sha256
    assert (tmp_path / "a.7z").read_bytes() == (tmp_path / "b.7z").read_bytes()


def test_archive_holds_the_bag_as_its_single_top_folder(bag: Path, tmp_path: Path) -> None:
    seal(bag, tmp_path / "x.7z")
    names = {m.name for m in list_members(tmp_path / "x.7z")}
    assert {name.split("/", 1)[0] for name in names} == {bag.name}
    assert f"{bag.name}/data/native/files/claude_file_empty/content.bin" in names
    assert f"{bag.name}/tagmanifest-sha512.txt" in names


def test_7zz_tests_and_extracts_and_bagit_validates(bag: Path, tmp_path: Path) -> None:
    sevenzip = need("7zz")
    need("sha256sum")
    result = seal(bag, tmp_path / "x.7z")
    assert _run(sevenzip, "t", str(result.archive_path)).returncode == 0
    assert _run("sha256sum", "-c", "x.7z.sha256", cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    assert _run(sevenzip, "x", f"-o{out}", str(result.archive_path)).returncode == 0
    extracted = out / bag.name
    assert _run("sha256sum", "-c", "manifest-sha256.txt", cwd=extracted).returncode == 0
    assert _run("sha512sum", "-c", "tagmanifest-sha512.txt", cwd=extracted).returncode == 0
    bagit = pytest.importorskip("bagit")
    bagit.Bag(str(extracted)).validate()


@pytest.mark.slow
def test_encrypted_archive_hides_names_and_opens_with_the_password(bag: Path, tmp_path: Path) -> None:
    sevenzip = need("7zz")
    result = seal(bag, tmp_path / "x.7z", password=PASSWORD)
    listing = _run(sevenzip, "l", "-pnot-the-password", str(result.archive_path))
    assert listing.returncode != 0
    assert "data/native" not in listing.stdout + listing.stderr
    assert bag.name not in listing.stdout
    assert _run(sevenzip, "t", f"-p{PASSWORD}", str(result.archive_path)).returncode == 0


@pytest.mark.slow
def test_password_is_never_written_next_to_the_archive(bag: Path, tmp_path: Path) -> None:
    seal(bag, tmp_path / "x.7z", password=PASSWORD)
    for path in tmp_path.iterdir():
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes()


@pytest.mark.slow
def test_wrong_password_raises_wrong_password_error(bag: Path, tmp_path: Path) -> None:
    seal(bag, tmp_path / "x.7z", password=PASSWORD)
    with pytest.raises(WrongPasswordError) as caught:
        list_members(tmp_path / "x.7z", password="nope")
    assert "nope" not in str(caught.value)
    with pytest.raises(WrongPasswordError, match="no password"):
        list_members(tmp_path / "x.7z")


def test_volumes_are_numbered_and_7zz_reads_them(bag: Path, tmp_path: Path) -> None:
    result = seal(bag, tmp_path / "x.7z", volume_size="100k")
    names = [v.path.name for v in result.volumes]
    assert names[:2] == ["x.7z.001", "x.7z.002"]
    assert all(v.size == 100 * 1024 for v in result.volumes[:-1])
    assert not (tmp_path / "x.7z").exists()
    assert len(list_members(tmp_path / "x.7z.001")) == len(list_members(tmp_path / "x.7z.001"))
    if shutil.which("7zz"):
        assert _run("7zz", "t", str(tmp_path / "x.7z.001")).returncode == 0
    if shutil.which("sha256sum"):
        assert _run("sha256sum", "-c", "x.7z.sha256", cwd=tmp_path).returncode == 0


def test_receipt_records_archive_hash_bag_facts_and_final_event(bag: Path, tmp_path: Path) -> None:
    event = {"seq": 9, "action": "bag_written", "hash": "ab" * 32}
    result = seal(bag, tmp_path / "x.7z", final_event=event, clock=_clock)
    raw = result.receipt_path.read_bytes()
    receipt = json.loads(raw)
    assert raw.endswith(b"}\n") and b": " not in raw
    assert receipt["archive"]["sha256"] == result.sha256
    assert receipt["archive"]["size"] == (tmp_path / "x.7z").stat().st_size
    assert receipt["bag"]["counts"]["files"] == 2
    assert receipt["bag"]["payload_oxum"].endswith(".5")
    assert receipt["custody_event"] == event
    assert receipt["sealed_at"] == "2026-11-26T02:00:00Z"
    assert result.sidecar_path.read_text() == f"{result.sha256}  x.7z\n"


def test_sealing_refuses_a_folder_that_is_not_a_bag(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(ArchiveError, match="not a bag"):
        seal(tmp_path / "plain", tmp_path / "x.7z")


def test_sealing_refuses_a_bag_whose_payload_disagrees_with_its_manifest(bag: Path, tmp_path: Path) -> None:
    (bag / "data/native/files/claude_file_xyz/content.bin").write_bytes(b"changed")
    with pytest.raises(ArchiveError, match="sha256"):
        seal(bag, tmp_path / "x.7z")
    assert not (tmp_path / "x.7z").exists()


@pytest.mark.parametrize(
    ("text", "size"), [("4g", 4 << 30), ("100m", 100 << 20), ("650MiB", 650 << 20), ("123", 123)]
)
def test_volume_sizes_parse(text: str, size: int) -> None:
    assert parse_volume_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-1m", "4x", "m"])
def test_bad_volume_sizes_are_refused(text: str) -> None:
    with pytest.raises(ArchiveError, match="Invalid volume size"):
        parse_volume_size(text)
