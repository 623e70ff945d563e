"""Tamper checks on real collections: the whole pipeline against the in-process sandbox, then damage.

One plain and one encrypted collection are made per module (collecting is the slow part); every
test works on its own copy. Each kind of damage the verifier claims to catch is applied to the
bag folder and to an archive, and must give exit 3 with the right typed problem (exit 1 for a
wrong password).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import py7zr
import pytest
from click.testing import CliRunner

from ediscovery.archive import seal
from ediscovery.cli.verify import command
from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, run_pipeline
from ediscovery.sandbox import ManualClock, create_app, generate_tenant
from ediscovery.verify import verify
from tests.collect.conftest import make_client
from tests.verify.finished import cut_custody, edit_manifest, retag

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Collection:
    """A sealed collection on disk: its bag folder and its archive (with sidecar and receipt)."""

    bag: Path
    archive: Path

    def copy_to(self, target: Path) -> Collection:
        shutil.copytree(self.bag.parent, target)
        return Collection(target / self.bag.name, target / self.archive.name)


def _collect(out: Path, password: str | None, volume_size: str | None = None) -> PipelineResult:
    clock = ManualClock()
    app = create_app(generate_tenant(seed=7, scale="tiny"), clock=clock, sleep=clock.sleep)

    async def go() -> PipelineResult:
        sink = RequestSink()
        async with make_client(httpx.ASGITransport(app=app), clock, sink) as client:
            options = CollectOptions(
                matter="Acme v. Widget",
                custodians=("alice@example.com",),
                scope=Scope(None, None),
                out=out,
                api_url="https://api.anthropic.com",
                key_fingerprint=client.api_key_fingerprint,
            )
            pipeline = PipelineOptions(
                options, render=True, seal=True, verify=True, password=password, volume_size=volume_size
            )
            return await run_pipeline(client, pipeline, requests=sink, clock=lambda: clock.now)

    return asyncio.run(go())


def _made(out: Path, password: str | None, volume_size: str | None = None) -> Collection:
    result = _collect(out, password, volume_size)
    assert result.archive is not None and result.verify_problems == ()
    return Collection(result.bag, result.archive)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    return _made(tmp_path_factory.mktemp("plain"), None)


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    return _made(tmp_path_factory.mktemp("encrypted"), PASSWORD)


@pytest.fixture
def copy(plain: Collection, tmp_path: Path) -> Iterator[Collection]:
    yield plain.copy_to(tmp_path / "c")


def _cli(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(command, [str(path), *args], env=env)
    return result.exit_code, result.output


def _kinds(path: Path, password: str | None = None) -> set[str]:
    return {type(p).__name__ for p in verify(path, password=password).problems}


def _manifest(bag: Path) -> dict[str, object]:
    return dict(json.loads((bag / "manifest.json").read_text(encoding="utf-8")))


def _native(bag: Path, kind: str = "chat_messages") -> Path:
    entries = _manifest(bag)["entries"]
    assert isinstance(entries, list)
    return bag / next(e["path"] for e in entries if e["kind"] == kind and e["size"] > 100)


# --------------------------------------------------------------------------- damage


def _flip_byte(bag: Path) -> None:
    path = _native(bag)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _delete_file(bag: Path) -> None:
    _native(bag, "file").unlink()


def _add_file(bag: Path) -> None:
    (bag / "data" / "native" / "planted.json").write_bytes(b'{"planted": true}\n')


def _edit_custody(bag: Path) -> None:
    path = bag / "custody.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[1])
    event["at"] = "2020-01-01T00:00:00.000000Z"
    lines[1] = json.dumps(event, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    path.write_bytes(b"".join(lines))


def _edit_manifest_json(bag: Path) -> None:
    manifest = _manifest(bag)
    entries = manifest["entries"]
    assert isinstance(entries, list)
    entries[0]["sha256"] = "0" * 64
    (bag / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _edit_tag_manifest(bag: Path) -> None:
    path = bag / "tagmanifest-sha256.txt"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.rstrip().endswith("  requests.jsonl"))
    lines[index] = "f" * 64 + "  requests.jsonl\n"
    path.write_text("".join(lines), encoding="utf-8")


def _edit_transcript_source(bag: Path) -> None:
    manifest = _manifest(bag)
    entries = manifest["entries"]
    assert isinstance(entries, list)
    transcript = next(e for e in entries if e["kind"] == "transcript" and e["metadata"].get("sources"))
    transcript["metadata"]["sources"][0]["sha256"] = "1" * 64
    (bag / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _zero_md5(bag: Path) -> None:
    entries = _manifest(bag)["entries"]
    assert isinstance(entries, list)
    edit_manifest(bag, next(i for i, e in enumerate(entries) if e["kind"] == "file"), "md5", "0" * 32)


def _cut_custody_tail(bag: Path) -> None:
    cut_custody(bag, 2)


BAG_DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("payload byte flipped", _flip_byte, "ChecksumMismatch"),
    ("payload file deleted", _delete_file, "FileMissing"),
    ("file added", _add_file, "UnexpectedFile"),
    ("custody line edited", _edit_custody, "CustodyChainBroken"),
    ("manifest.json hash edited", _edit_manifest_json, "ManifestJsonMismatch"),
    ("tag manifest edited", _edit_tag_manifest, "TagManifestMismatch"),
    ("transcript source hash edited", _edit_transcript_source, "TranscriptSourceMismatch"),
    ("md5 zeroed, tag manifests recomputed", _zero_md5, "ManifestJsonMismatch"),
    ("custody tail cut, tag manifests recomputed", _cut_custody_tail, "CustodyTruncated"),
]
IDS = [name for name, _, _ in BAG_DAMAGE]


def _repack(bag: Path, archive: Path) -> None:
    """What someone re-packing a doctored bag would produce: a fresh archive, old sidecar."""
    archive.unlink()
    with py7zr.SevenZipFile(archive, "w") as out:
        out.writeall(bag, bag.name)


def test_the_real_collection_is_valid_as_archive_and_as_folder(plain: Collection) -> None:
    for target in (plain.archive, plain.bag):
        code, output = _cli(target)
        assert code == 0, output
        assert output.rstrip().endswith("VALID")


@pytest.mark.parametrize(("damage", "expected"), [(d, e) for _, d, e in BAG_DAMAGE], ids=IDS)
def test_damage_to_the_real_bag_folder_is_caught(
    copy: Collection, damage: Callable[[Path], None], expected: str
) -> None:
    damage(copy.bag)
    assert expected in _kinds(copy.bag)
    code, output = _cli(copy.bag)
    assert code == 3 and "INVALID" in output


@pytest.mark.parametrize(("damage", "expected"), [(d, e) for _, d, e in BAG_DAMAGE], ids=IDS)
def test_damage_repacked_into_the_real_archive_is_caught(
    copy: Collection, damage: Callable[[Path], None], expected: str
) -> None:
    damage(copy.bag)
    _repack(copy.bag, copy.archive)
    kinds = _kinds(copy.archive)
    assert {expected, "SidecarMismatch", "ReceiptMismatch"} <= kinds
    assert _cli(copy.archive)[0] == 3


def test_md5_zeroed_and_custody_tail_cut_in_the_real_bag_is_invalid(copy: Collection) -> None:
    _zero_md5(copy.bag)
    _cut_custody_tail(copy.bag)
    problems = verify(copy.bag).problems
    assert {"ManifestJsonMismatch", "CustodyTruncated", "ReceiptMismatch"} <= {
        type(p).__name__ for p in problems
    }
    assert any(getattr(p, "field", None) == "custody_event.hash" for p in problems)
    code, output = _cli(copy.bag)
    assert code == 3 and "VALID" not in output.replace("INVALID", "")


def test_a_truncated_real_archive_is_corrupt(copy: Collection) -> None:
    data = copy.archive.read_bytes()
    copy.archive.write_bytes(data[: len(data) * 2 // 3])
    assert {"ArchiveCorrupt", "SidecarMismatch", "ReceiptMismatch"} <= _kinds(copy.archive)
    assert _cli(copy.archive)[0] == 3


def test_a_byte_flipped_inside_the_real_archive_names_the_member(copy: Collection) -> None:
    with py7zr.SevenZipFile(copy.archive) as opened:
        start = opened.afterheader + opened.header.main_streams.packinfo.packpositions[-2]
    data = bytearray(copy.archive.read_bytes())
    data[start + 100] ^= 0xFF
    copy.archive.write_bytes(bytes(data))
    report = verify(copy.archive)
    assert {"MemberCorrupt", "SidecarMismatch"} <= {type(p).__name__ for p in report.problems}
    assert report.layers[1].status == "failed"
    assert _cli(copy.archive)[0] == 3


def test_a_swapped_sidecar_on_the_real_archive_is_caught(copy: Collection, encrypted: Collection) -> None:
    other = Path(f"{encrypted.archive}.sha256").read_text(encoding="utf-8").split()[0]
    Path(f"{copy.archive}.sha256").write_text(f"{other}  {copy.archive.name}\n", encoding="utf-8")
    assert _kinds(copy.archive) == {"SidecarMismatch"}
    assert _cli(copy.archive)[0] == 3


def test_the_encrypted_real_archive_needs_its_password(encrypted: Collection, tmp_path: Path) -> None:
    assert _cli(encrypted.archive, "--password-env", "PW", env={"PW": PASSWORD})[0] == 0
    code, output = _cli(encrypted.archive, "--password-env", "PW", env={"PW": "not-the-password"})
    assert code == 1 and "Wrong password" in output
    assert "not-the-password" not in output and PASSWORD not in output
    assert _cli(encrypted.archive)[0] == 1


def test_damage_inside_the_encrypted_real_archive_is_caught(encrypted: Collection, tmp_path: Path) -> None:
    copy = encrypted.copy_to(tmp_path / "e")
    with py7zr.SevenZipFile(copy.archive, password=PASSWORD) as opened:
        start = opened.afterheader + opened.header.main_streams.packinfo.packpositions[-2]
    data = bytearray(copy.archive.read_bytes())
    data[start + 100] ^= 0xFF
    copy.archive.write_bytes(bytes(data))
    assert "MemberCorrupt" in _kinds(copy.archive, PASSWORD)
    assert _cli(copy.archive, "--password-env", "PW", env={"PW": PASSWORD})[0] == 3


# ------------------------------------------------------- what the custody log anchors, and what not


def _edit_bag_info_email(bag: Path) -> None:
    path = bag / "bag-info.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("alice@example.com", "mallory@example.com"))
    retag(bag)


def _cut_requests_log(bag: Path) -> None:
    path = bag / "requests.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-3]))
    retag(bag)


@pytest.mark.parametrize(
    ("damage", "file"), [(_edit_bag_info_email, "bag-info.txt"), (_cut_requests_log, "requests.jsonl")]
)
def test_a_tag_file_edited_and_retagged_fails_against_the_custody_log_even_without_a_receipt(
    copy: Collection, damage: Callable[[Path], None], file: str
) -> None:
    Path(f"{copy.archive}.receipt.json").unlink()
    damage(copy.bag)
    problems = verify(copy.bag).problems
    assert any(type(p).__name__ == "CustodyMismatch" and getattr(p, "path", "") == file for p in problems)
    assert _cli(copy.bag)[0] == 3


def test_bag_info_must_agree_with_manifest_json(copy: Collection) -> None:
    _edit_bag_info_email(copy.bag)
    [mismatch] = [p for p in verify(copy.bag).problems if type(p).__name__ == "ManifestJsonMismatch"]
    assert "bag-info.txt" in str(mismatch) and "Custodian-Email" in str(mismatch)


def test_a_bag_folder_without_its_receipt_is_said_to_be_checked_for_consistency_only(
    copy: Collection,
) -> None:
    code, output = _cli(copy.bag)
    assert code == 0 and "internal consistency only" not in output
    Path(f"{copy.archive}.receipt.json").unlink()
    code, output = _cli(copy.bag)
    assert code == 0
    assert "sidecar: absent (bag folder, no receipt beside it)" in output
    assert "Note: no receipt: the custody chain's head is not anchored outside the bag" in output
    assert output.rstrip().endswith("VALID")


def test_an_archive_without_sidecar_and_receipt_is_not_called_ok(copy: Collection) -> None:
    Path(f"{copy.archive}.sha256").unlink()
    Path(f"{copy.archive}.receipt.json").unlink()
    report = verify(copy.archive)
    assert report.layers[0].status == "absent"
    assert any("internal consistency only" in limit for limit in report.limits)
    assert "sidecar: absent (sidecar absent, receipt absent)" in _cli(copy.archive)[1]


def test_a_sidecar_naming_another_archive_does_not_vouch_for_this_one(
    copy: Collection, tmp_path: Path
) -> None:
    other = copy.archive.with_name("other.7z")
    other.write_bytes(b"another archive")
    sidecar = Path(f"{copy.archive}.sha256")
    digest = hashlib.sha256(b"another archive").hexdigest()
    sidecar.write_text(f"{digest}  other.7z\n", encoding="utf-8")
    problems = [p for p in verify(copy.archive).problems if type(p).__name__ == "SidecarMismatch"]
    messages = " | ".join(str(p) for p in problems)
    assert f"not a volume of {copy.archive.name}" in messages
    assert copy.archive.name in messages and "not listed" in messages


def test_verifying_an_encrypted_archive_leaves_no_decrypted_file_outside_the_evidence_folder(
    encrypted: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(system_tmp))
    monkeypatch.setattr("tempfile.tempdir", None)
    copy = encrypted.copy_to(tmp_path / "e")
    stale = copy.archive.parent / ".ediscovery-verify-999999999-killed"
    stale.mkdir()
    (stale / "manifest.json").write_text("what a killed verify left")
    seen: list[list[str]] = []

    def during(layer: str, _text: str) -> None:
        seen.append(sorted(p.name for p in copy.archive.parent.glob(".ediscovery-verify-*")))

    report = verify(copy.archive, password=PASSWORD, reporter=during)
    assert report.ok, [str(p) for p in report.problems]
    assert list(system_tmp.iterdir()) == []
    assert any(seen) and all(".ediscovery-verify-999999999-killed" not in names for names in seen)
    assert not list(copy.archive.parent.glob(".ediscovery-verify-*"))


# ----------------------------------------------------------------------------- the BagIt profile


def _profile() -> Any:
    import bagit_profile

    from ediscovery.evidence.bag import PROFILE_IDENTIFIER
    from ediscovery.resources import schema_path

    document = json.loads(schema_path("bagit-profile.json").read_text(encoding="utf-8"))
    return bagit_profile.Profile(PROFILE_IDENTIFIER, profile=document)


def test_the_bag_and_its_archive_pass_the_bagit_profile_validator(copy: Collection, tmp_path: Path) -> None:
    import bagit

    profile = _profile()
    assert profile.profile_version_info >= (1, 3, 0)  # a published version: every check runs
    assert profile.validate(bagit.Bag(str(copy.bag))), [str(e) for e in profile.report.errors]
    assert profile.validate_serialization(str(copy.archive))
    (tmp_path / "split").mkdir()
    split = seal(copy.bag, tmp_path / "split" / copy.archive.name, volume_size=200_000)
    volumes = [v.path for v in split.volumes]
    assert len(volumes) > 1
    joined = tmp_path / copy.archive.name  # VERIFY.txt: rejoin the volumes, then validate
    joined.write_bytes(b"".join(v.read_bytes() for v in volumes))
    assert profile.validate_serialization(str(joined))


# ------------------------------------------------------------------ VERIFY.txt, followed literally


def _follow_verify_txt(collection: Collection, recipient: Path, password: str | None) -> list[str]:
    """Give the recipient only the archive and its sidecar, then run every command of VERIFY.txt."""
    recipient.mkdir()
    base = collection.archive.name.removesuffix(".001").removesuffix(".7z")
    for path in collection.archive.parent.glob(f"{base}.7z*"):
        shutil.copy2(path, recipient / path.name)
    text = (collection.bag / "VERIFY.txt").read_text(encoding="utf-8")
    commands = [line[5:] for line in text.splitlines() if line.startswith("     ") and line.strip()]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    cwd, ran = recipient, []
    for line in commands:
        if line.startswith("cd "):
            cwd = (cwd / line[3:]).resolve()
            assert cwd.is_dir(), f"VERIFY.txt: {line} has no such folder"
            continue
        secret = f"{password}\n" if password and line.startswith("7zz ") else None
        done = subprocess.run(
            ["bash", "-c", line], cwd=cwd, env=env, input=secret, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"VERIFY.txt: {line!r} failed: {done.stdout[-800:]} {done.stderr[-800:]}"
        ran.append(line)
    return ran


@pytest.mark.interop
@pytest.mark.parametrize("kind", ["plain", "encrypted", "split"])
def test_every_command_of_verify_txt_runs_as_written(
    kind: str, plain: Collection, encrypted: Collection, tmp_path: Path
) -> None:
    if shutil.which("7zz") is None:
        pytest.skip("7zz is not installed")
    if kind == "split":
        collection, password = _made(tmp_path / "made", None, volume_size="150k"), None
        assert collection.archive.name.endswith(".7z.001")
    else:
        collection = plain if kind == "plain" else encrypted
        password = PASSWORD if kind == "encrypted" else None
    ran = _follow_verify_txt(collection, tmp_path / "recipient", password)
    assert any(c.startswith("7zz t ") for c in ran) and any(c.startswith("bagit.py") for c in ran)
    assert any("custody.jsonl" in c for c in ran) and len(ran) >= 10
