"""RFC 6962 (Certificate Transparency) Merkle trees over audit events: a batch's root, and the
proof that one event is in it.

Leaves are hashed as SHA-256(0x00 || leaf) and nodes as SHA-256(0x01 || left || right), so a
leaf can never pass for a node. A tree of n leaves splits at the largest power of two below n
(RFC 6962 §2.1), which is what lets any verifier, with no code of ours, recompute a root from
one leaf and its proof (RFC 9162 §2.1.3.2). No maintained library offers this for Python, and
it is short: it is written here and checked against the RFC's reference vectors.
"""

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree head of these leaves (their hashes, in order); SHA-256 of nothing when empty."""
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    level = list(leaf_hashes)
    # Bottom-up: pair neighbours, carry an odd last node up unchanged. For RFC 6962's
    # left-balanced tree this gives the same root as the recursive definition.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf `index` (0-based): the sibling hashes from the leaf up."""
    if not 0 <= index < len(leaf_hashes):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaf_hashes)}")
    path: list[bytes] = []
    start, end = 0, len(leaf_hashes)
    # Top-down (RFC 6962 §2.1.1), then reversed so that the path reads from the leaf.
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            path.append(root(leaf_hashes[middle:end]))
            end = middle
        else:
            path.append(root(leaf_hashes[start:middle]))
            start = middle
    return path[::-1]


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that leaf hash `leaf` at `index` and its `proof` imply for a tree of `size`
    (RFC 9162 §2.1.3.2); compare it with a signed root. ValueError when the proof cannot be one
    for that position and size."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    position, last = index, size - 1
    computed = leaf
    for sibling in proof:
        if last == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if position % 2 == 1 or position == last:
            computed = node_hash(sibling, computed)
            if position % 2 == 0:
                # A right-edge node with no sibling on this level: climb until it has one.
                while position % 2 == 0 and position != 0:
                    position >>= 1
                    last >>= 1
        else:
            computed = node_hash(computed, sibling)
        position >>= 1
        last >>= 1
    if last != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return computed
