"""audit.merkle against RFC 6962's reference vectors (the Certificate Transparency test data),
and every proof of trees of every shape up to 40 leaves, tampered or not."""

import hashlib

import pytest

from audit import merkle

# RFC 6962's test leaves and the tree heads of their first n, n = 0..8.
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf, tree size, audit path) from the same test data.
INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
]
HASHED = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def recursive_root(hashes: list[bytes]) -> bytes:
    """RFC 6962 §2.1's definition, word for word, to hold the bottom-up root to."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return merkle.node_hash(recursive_root(hashes[:k]), recursive_root(hashes[k:]))


@pytest.mark.parametrize("size", range(9))
def test_the_roots_are_rfc_6962s(size: int) -> None:
    assert merkle.root(HASHED[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_the_proofs_are_rfc_6962s(index: int, size: int, path: list[str]) -> None:
    proof = merkle.inclusion_proof(index, HASHED[:size])
    assert [node.hex() for node in proof] == path
    implied = merkle.root_from_inclusion_proof(index, size, HASHED[index], proof)
    assert implied.hex() == ROOTS[size]


def test_every_proof_of_every_shape_verifies_and_no_tampered_one_does() -> None:
    for size in range(1, 41):
        hashes = [merkle.leaf_hash(f"event {i}".encode()) for i in range(size)]
        head = merkle.root(hashes)
        assert head == recursive_root(hashes)
        for index in range(size):
            proof = merkle.inclusion_proof(index, hashes)
            assert merkle.root_from_inclusion_proof(index, size, hashes[index], proof) == head
            other = merkle.leaf_hash(f"event {index} changed".encode())
            assert merkle.root_from_inclusion_proof(index, size, other, proof) != head
            if proof:
                bent = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
                assert merkle.root_from_inclusion_proof(index, size, hashes[index], bent) != head
                with pytest.raises(ValueError):
                    merkle.root_from_inclusion_proof(index, size, hashes[index], proof[:-1])
            with pytest.raises(ValueError):
                merkle.root_from_inclusion_proof(index, size, hashes[index], [*proof, head])


def test_a_leaf_cannot_pass_for_a_node() -> None:
    left, right = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.leaf_hash(left + right) != merkle.node_hash(left, right)


def test_a_position_outside_the_tree_is_refused() -> None:
    with pytest.raises(IndexError):
        merkle.inclusion_proof(3, HASHED[:3])
    with pytest.raises(ValueError):
        merkle.root_from_inclusion_proof(3, 3, HASHED[0], [])
