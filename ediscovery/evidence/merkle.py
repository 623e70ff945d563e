"""Merkle tree: the RFC 6962 (Certificate Transparency) construction over SHA-256.

A leaf hash is ``SHA-256(0x00 || leaf)``, an interior node ``SHA-256(0x01 || left || right)``;
the two prefixes keep a leaf from ever being passed off as a node. A tree of ``n > 1`` leaves
splits at ``k``, the largest power of two below ``n``: its root is the node of the roots of
leaves ``[0, k)`` and ``[k, n)`` (RFC 6962 §2.1). An inclusion proof (the "audit path") lists
the sibling hashes from the leaf up; :func:`root_from_path` recomputes the root from a leaf
hash, its index, the tree size and that path (RFC 9162 §2.1.3.2), so a verifier needs nothing
but the root. ``docs/records.md`` describes the leaves of a collection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()
"""The root of a tree of no leaves (RFC 6962: the hash of the empty string)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly below ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """The root over leaf hashes ``leaves``, in their order."""
    if not leaves:
        return bytes.fromhex(EMPTY_ROOT)
    level = list(leaves)
    # Bottom-up over RFC 6962's split: pairing left to right and carrying an odd last node up
    # unchanged gives the same root as the recursive definition.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def audit_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The sibling hashes proving leaf ``index`` of ``leaves``, from the leaf upwards."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    low, high = 0, len(leaves)
    bounds = []
    while high - low > 1:
        k = _split(high - low)
        if index < low + k:
            bounds.append((low + k, high))
            high = low + k
        else:
            bounds.append((low, low + k))
            low = low + k
    for start, end in reversed(bounds):
        path.append(tree_root(leaves[start:end]))
    return path


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root that ``path`` proves leaf ``index`` of a tree of ``size`` under, or None when
    the path has the wrong length for that position (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    result = leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return result if sn == 0 else None
