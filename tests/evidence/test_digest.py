from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ediscovery.evidence import EvidenceStore, MultiHasher, hash_bytes, hash_file


def _expected(data: bytes) -> tuple[int, str, str, str]:
    return (
        len(data),
        hashlib.md5(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        hashlib.sha512(data).hexdigest(),
    )


@given(st.binary(max_size=4096))
def test_hash_bytes_equals_hashlib(data: bytes) -> None:
    d = hash_bytes(data)
    assert (d.size, d.md5, d.sha256, d.sha512) == _expected(data)


@given(st.lists(st.binary(max_size=300), max_size=10))
def test_chunked_hashing_equals_whole(chunks: list[bytes]) -> None:
    hasher = MultiHasher()
    for chunk in chunks:
        hasher.update(chunk)
    assert hasher.digests() == hash_bytes(b"".join(chunks))


@pytest.mark.parametrize("block_size", [1, 7, 512 * 1024])
def test_hash_file_equals_hashlib_for_any_block_size(tmp_path: Path, block_size: int) -> None:
    data = bytes(range(256)) * 41
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    d = hash_file(path, block_size=block_size)
    assert (d.size, d.md5, d.sha256, d.sha512) == _expected(data)


def test_empty_input_has_the_well_known_digests() -> None:
    d = hash_bytes(b"")
    assert d.size == 0
    assert d.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert d.to_dict()["md5"] == "d41d8cd98f00b204e9800998ecf8427e"


@pytest.mark.slow
def test_200_mb_stream_is_written_and_hashed_with_bounded_memory(tmp_path: Path) -> None:
    chunk = bytes(range(256)) * 4096  # 1 MiB
    reference = hashlib.sha256()
    store = EvidenceStore(tmp_path)
    tracemalloc.start()
    try:
        with store.open_stream("data/native/files/big/content.bin") as writer:
            for _ in range(200):
                writer.write(chunk)
                reference.update(chunk)
            written = writer.commit()
        reread = hash_file(tmp_path / "data/native/files/big/content.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written.size == 200 * len(chunk)
    assert written.sha256 == reference.hexdigest()
    assert reread == written
    assert peak < 8 * 1024 * 1024


def test_large_chunks_hashed_on_two_lanes_give_the_digests_of_one_lane(tmp_path: Path) -> None:
    """Chunks over the parallel threshold, mixed with small ones, also after a fork."""
    import os

    from ediscovery.evidence.digest import PARALLEL_MIN

    chunks = [os.urandom(PARALLEL_MIN * 3), b"tail", os.urandom(PARALLEL_MIN + 1)]
    hasher = MultiHasher()
    for chunk in chunks:
        hasher.update(memoryview(chunk))
    whole = b"".join(chunks)
    d = hasher.digests()
    assert (d.size, d.md5, d.sha256, d.sha512) == _expected(whole)
    path = tmp_path / "big.bin"
    path.write_bytes(whole)
    pid = os.fork()
    if pid == 0:  # the child has no helper thread of its parent's: it must not hang
        os._exit(0 if hash_file(path) == d else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
