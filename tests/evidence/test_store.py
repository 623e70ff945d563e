from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from ediscovery.errors import DiskFullError, EvidenceError, UnsafePathError
from ediscovery.evidence import EvidenceStore, hash_bytes

REL = "data/native/files/claude_file_1/content.bin"


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_write_bytes_stores_exact_bytes_and_returns_their_digests(store: EvidenceStore, bag: Path) -> None:
    digests = store.write_bytes(REL, b"\x00evidence\xff")
    assert (bag / REL).read_bytes() == b"\x00evidence\xff"
    assert digests == hash_bytes(b"\x00evidence\xff")
    assert _files(bag) == [REL]


def test_stream_reset_discards_a_failed_attempt(store: EvidenceStore, bag: Path) -> None:
    with store.open_stream(REL) as writer:
        writer.write(b"half of a dropped down")
        writer.reset()
        writer.write(b"complete ")
        writer.write(memoryview(b"download"))
        digests = writer.commit()
    assert (bag / REL).read_bytes() == b"complete download"
    assert digests.sha256 == hashlib.sha256(b"complete download").hexdigest()
    assert digests.size == 17


def test_uncommitted_stream_never_appears_under_the_final_name(store: EvidenceStore, bag: Path) -> None:
    writer = store.open_stream(REL)
    writer.write(b"partial")
    # the process dies here: no commit, no abort
    assert not (bag / REL).exists()
    assert writer.temp_path.exists() and writer.temp_path.name.startswith(".content.bin.part-")
    assert EvidenceStore(bag).cleanup_partials() == [writer.temp_path.relative_to(bag).as_posix()]
    assert _files(bag) == []


def test_crash_while_overwriting_keeps_the_previous_complete_file(store: EvidenceStore, bag: Path) -> None:
    store.write_bytes(REL, b"first complete copy")
    writer = store.open_stream(REL)
    writer.write(b"second, interrupt")
    assert (bag / REL).read_bytes() == b"first complete copy"
    store.cleanup_partials()
    assert _files(bag) == [REL]


def test_leaving_the_block_without_commit_aborts(store: EvidenceStore, bag: Path) -> None:
    with pytest.raises(RuntimeError), store.open_stream(REL) as writer:
        writer.write(b"data")
        raise RuntimeError("download failed")
    with store.open_stream("data/other.bin") as other:
        other.write(b"never committed")
    assert _files(bag) == []


def test_cleanup_partials_leaves_real_files_alone(store: EvidenceStore, bag: Path) -> None:
    store.write_bytes(REL, b"keep")
    (bag / "data" / ".hidden").write_bytes(b"not ours")
    (bag / "data" / "x.part-abcdef12").write_bytes(b"no leading dot")
    assert store.cleanup_partials() == []
    assert len(_files(bag)) == 3


def test_writer_refuses_use_after_commit(store: EvidenceStore) -> None:
    writer = store.open_stream(REL)
    writer.commit()
    with pytest.raises(EvidenceError, match="closed"):
        writer.write(b"late")


def test_unsafe_relative_paths_are_refused_before_anything_is_written(
    store: EvidenceStore, tmp_path: Path
) -> None:
    with pytest.raises(UnsafePathError):
        store.write_bytes("../escaped.bin", b"x")
    with pytest.raises(UnsafePathError):
        store.open_stream("/tmp/escaped.bin")
    assert not (tmp_path / "escaped.bin").exists()


def test_exists_and_digests_of_rehash_the_stored_file(store: EvidenceStore, bag: Path) -> None:
    assert not store.exists(REL)
    written = store.write_bytes(REL, b"abc")
    assert store.exists(REL)
    assert store.digests_of(REL) == written
    (bag / REL).write_bytes(b"abd")
    assert store.digests_of(REL) != written


def test_temp_names_come_from_the_token_seam(bag: Path) -> None:
    store = EvidenceStore(bag, token=lambda: "0123abcd")
    writer = store.open_stream("data/a.json")
    assert writer.temp_path == bag.resolve() / "data" / ".a.json.part-0123abcd"
    writer.abort()
    assert _files(bag) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_disk_full_while_writing_removes_the_partial_and_names_the_path(
    store: EvidenceStore, bag: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    writer = store.open_stream(REL)
    writer.write(b"first chunk")

    def full(fd: int, data: object) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(DiskFullError) as caught:
        writer.write(b"second chunk")
    assert caught.value.path == bag.resolve() / REL
    assert "resume" in str(caught.value)
    assert _files(bag) == []


def test_disk_full_at_fsync_leaves_no_file(
    store: EvidenceStore, bag: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = store.open_stream(REL)
    writer.write(b"data")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskFullError):
        writer.commit()
    assert _files(bag) == []


def test_short_writes_are_completed(store: EvidenceStore, bag: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write

    def one_byte(fd: int, data: bytes) -> int:
        return real_write(fd, bytes(data[:1]))

    monkeypatch.setattr(os, "write", one_byte)
    digests = store.write_bytes(REL, b"slow disk")
    monkeypatch.undo()
    assert (bag / REL).read_bytes() == b"slow disk"
    assert digests == hash_bytes(b"slow disk")


def test_other_os_errors_become_evidence_errors(store: EvidenceStore, bag: Path) -> None:
    (bag / "data").write_bytes(b"a file where a folder should be")
    with pytest.raises(EvidenceError) as caught:
        store.write_bytes("data/x/y.json", b"{}")
    assert not isinstance(caught.value, DiskFullError)


def test_names_reserved_for_partials_cannot_be_stored(store: EvidenceStore) -> None:
    with pytest.raises(UnsafePathError, match="partial"):
        store.write_bytes("data/.x.json.part-0123abcd", b"would be deleted on resume")


def test_replacing_publishes_only_a_complete_file(tmp_path: Path) -> None:
    from ediscovery.evidence.store import replacing

    target = tmp_path / "out.pdf"
    with replacing(target) as handle:
        handle.write(b"%PDF-1.7 first")
        handle.seek(0)  # PDF writers seek and tell
        handle.write(b"%PDF-1.7")
    assert target.read_bytes() == b"%PDF-1.7 first"
    with pytest.raises(RuntimeError), replacing(target) as handle:
        handle.write(b"half")
        raise RuntimeError("killed while drawing")
    assert target.read_bytes() == b"%PDF-1.7 first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
