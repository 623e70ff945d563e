"""The Merkle construction against RFC 6962's reference vectors, and its audit paths."""

from __future__ import annotations

import pytest

from ediscovery.evidence.merkle import EMPTY_ROOT, audit_path, leaf_hash, root_from_path, tree_root

# The eight leaves and the roots of their prefixes used by the Certificate Transparency
# reference implementation's tests of RFC 6962.
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58)),
          bytes(range(0x60, 0x70))]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference_vectors(size: int) -> None:
    assert tree_root([leaf_hash(x) for x in LEAVES[:size]]).hex() == ROOTS[size - 1]


def test_the_empty_tree_has_the_hash_of_nothing_as_root() -> None:
    assert tree_root([]).hex() == EMPTY_ROOT


def test_every_leaf_of_every_size_proves_and_nothing_else_does() -> None:
    for size in range(1, 34):
        leaves = [leaf_hash(str(i).encode()) for i in range(size)]
        root = tree_root(leaves)
        for index in range(size):
            path = audit_path(leaves, index)
            assert root_from_path(leaves[index], index, size, path) == root
            assert root_from_path(leaf_hash(b"other"), index, size, path) != root
            if size > 1:
                assert root_from_path(leaves[index], (index + 1) % size, size, path) != root
                flipped = [bytes([path[0][0] ^ 1]) + path[0][1:], *path[1:]]
                assert root_from_path(leaves[index], index, size, flipped) != root
                assert root_from_path(leaves[index], index, size, path[:-1]) is None
        assert root_from_path(leaves[0], size, size, []) is None


def test_a_leaf_cannot_pose_as_a_node() -> None:
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert tree_root([left, right]) != leaf_hash(left + right)
