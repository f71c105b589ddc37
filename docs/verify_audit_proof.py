"""Verify offline that an audit event is in a signed seal: verify_audit_proof.py PROOF.json KEY.pem

PROOF.json is what `GET /api/v1/audit-events/{id}/proof` answers (UTF-8 JSON); KEY.pem is the
clinic's seal-signing public key (Ed25519, PEM SubjectPublicKeyInfo). The script needs Python 3.11+
and the `cryptography` package, and nothing of the API's code. The proof holds:

- `event`: the event as served. Its leaf is its canonical JSON (keys sorted, no spaces, UTF-8),
  hashed as RFC 6962 leaves are: SHA-256(0x00 || leaf).
- `leaf_index` and `inclusion_path` (hex SHA-256 hashes, from the leaf up): with the seal's
  `tree_size` they rebuild the tree's root (RFC 9162 §2.1.3.2, nodes hashed as
  SHA-256(0x01 || left || right)), which must be the seal's `root`.
- `seal`: the batch of the clinic's events `first_seq`..`last_seq` (one leaf each, in order).
  Its message is the canonical JSON of the seal without `signature` and `hash`; `hash` is the
  message's SHA-256 (hex), `signature` its Ed25519 signature (base64) and `key_id` the SHA-256 of
  the raw 32-byte public key (hex).

It exits 0 and prints one line when everything holds (with the seal's hash, to compare with the
copy kept outside the database); else 1 and the reason on stderr.
"""

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

Kind = type | tuple[type, ...] | str  # "hash": 64 lowercase hex digits

HEX_HASH = re.compile(r"[0-9a-f]{64}")
SEAL_FIELDS: dict[str, Kind] = {
    "clinic_id": (str, type(None)),
    "number": int,
    "first_seq": int,
    "last_seq": int,
    "tree_size": int,
    "root": "hash",
    "prev_hash": "hash",
    "sealed_at": str,
    "key_id": "hash",
    "signature": str,
    "hash": "hash",
}


class NotVerified(Exception):
    """The one-line reason the proof does not hold."""


def canonical(value: object, what: str) -> bytes:
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise NotVerified(f"{what} cannot be written as canonical UTF-8 JSON") from None


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def field(obj: dict[str, Any], name: str, kind: Kind, where: str) -> Any:
    if name not in obj:
        raise NotVerified(f"{where} has no {name!r}")
    value = obj[name]
    if kind == "hash":
        if not (isinstance(value, str) and HEX_HASH.fullmatch(value)):
            raise NotVerified(f"{where}.{name} is not 64 lowercase hex digits")
    elif type(value) not in (kind if isinstance(kind, tuple) else (kind,)):
        raise NotVerified(f"{where}.{name} has the wrong type ({type(value).__name__})")
    return value


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise NotVerified("the JSON repeats a key")
    return dict(pairs)


def reject_constant(name: str) -> NoReturn:
    raise NotVerified(f"the JSON holds {name}, which is no JSON number")


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root that a leaf hash at `index` and its path give a tree of `size`."""
    if not 0 <= index < size:
        raise NotVerified(f"leaf_index {index} is not in a tree of {size} leaves")
    position, last, node = index, size - 1, leaf
    for sibling in path:
        if last == 0:
            raise NotVerified("the inclusion path is longer than the tree is deep")
        if position % 2 == 1 or position == last:
            node = sha256(b"\x01" + sibling + node)
            while position % 2 == 0 and position != 0:
                position, last = position >> 1, last >> 1
        else:
            node = sha256(b"\x01" + node + sibling)
        position, last = position >> 1, last >> 1
    if last != 0:
        raise NotVerified("the inclusion path is shorter than the tree is deep")
    return node


def load_key(pem: bytes) -> tuple[Ed25519PublicKey, bytes]:
    try:
        key = load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as error:
        raise NotVerified(f"the public key file is not a PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise NotVerified("the public key is not an Ed25519 key")
    return key, key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verify(document: bytes, pem: bytes) -> str:
    """The confirmation line, or NotVerified with the reason."""
    try:
        proof = json.loads(
            document.decode("utf-8"),
            object_pairs_hook=unique_keys,
            parse_constant=reject_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotVerified(f"the proof is not UTF-8 JSON ({error})") from None
    if not isinstance(proof, dict):
        raise NotVerified("the proof is not a JSON object")
    event = field(proof, "event", dict, "proof")
    index = field(proof, "leaf_index", int, "proof")
    path = field(proof, "inclusion_path", list, "proof")
    seal = field(proof, "seal", dict, "proof")
    event_id, seq = field(event, "id", int, "event"), field(event, "seq", int, "event")
    clinic = field(event, "clinic_id", (str, type(None)), "event")
    for name, kind in SEAL_FIELDS.items():
        field(seal, name, kind, "seal")
    for position, entry in enumerate(path):
        if not (isinstance(entry, str) and HEX_HASH.fullmatch(entry)):
            raise NotVerified(f"inclusion_path[{position}] is not 64 lowercase hex digits")

    key, raw_key = load_key(pem)
    if seal["key_id"] != sha256(raw_key).hex():
        raise NotVerified("seal.key_id is not the SHA-256 of the given public key")
    message = canonical({k: v for k, v in seal.items() if k not in ("signature", "hash")}, "seal")
    if seal["hash"] != sha256(message).hex():
        raise NotVerified("seal.hash is not the SHA-256 of the seal")
    try:
        signature = base64.b64decode(seal["signature"], validate=True)
    except binascii.Error:
        signature = b""
    if base64.b64encode(signature).decode() != seal["signature"] or len(signature) != 64:
        raise NotVerified("seal.signature is not 64 bytes in canonical base64")
    try:
        key.verify(signature, message)
    except InvalidSignature:
        raise NotVerified("seal.signature is not the given key's signature of the seal") from None

    if seal["tree_size"] != seal["last_seq"] - seal["first_seq"] + 1:
        raise NotVerified("seal.tree_size does not count seal.first_seq to seal.last_seq")
    if seq != seal["first_seq"] + index:
        raise NotVerified("event.seq is not the seal's first_seq plus leaf_index")
    if clinic != seal["clinic_id"]:
        raise NotVerified("event.clinic_id is not the seal's clinic_id")
    leaf = sha256(b"\x00" + canonical(event, "event"))
    siblings = [bytes.fromhex(entry) for entry in path]
    if root_from_path(leaf, index, seal["tree_size"], siblings).hex() != seal["root"]:
        raise NotVerified("the event and its inclusion path do not lead to seal.root")

    owner = f"clinic {clinic}" if clinic is not None else "no clinic"
    return (
        f"Event {event_id} ({owner}, seq {seq}) is in seal {seal['number']} "
        f"(seqs {seal['first_seq']}-{seal['last_seq']}, root {seal['root']}), "
        f"signed by key {seal['key_id']}; the seal's hash is {seal['hash']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an audit event's proof offline.")
    parser.add_argument("proof", type=Path, help="the proof (JSON) the API answered")
    parser.add_argument("public_key", type=Path, help="the seal-signing public key (PEM)")
    args = parser.parse_args(argv)
    try:
        document, pem = args.proof.read_bytes(), args.public_key.read_bytes()
    except OSError as error:
        print(f"Not verified: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    try:
        confirmation = verify(document, pem)
    except NotVerified as reason:
        print(f"Not verified: {reason}", file=sys.stderr)
        return 1
    print(confirmation)
    return 0


if __name__ == "__main__":
    sys.exit(main())
