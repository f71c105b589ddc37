"""What the sealer hashes and signs, byte for byte, so that anyone can check it with no code of
ours (docs/verify_audit_proof.py rebuilds exactly this).

- An event's Merkle leaf is the canonical JSON (audit.row_hmac.canonical_json) of its signed
  content plus its `id` and `seq`: an event cannot be moved, renumbered or edited unseen.
- A seal's signed message is the canonical JSON of its fields but `signature` and `hash`;
  `hash` is the SHA-256 of that message, and the next seal of the clinic names it as
  `prev_hash`. The document kept outside the database is the canonical JSON of all fields.
"""

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime

from audit.models import AuditSeal
from audit.row_hmac import canonical_content, canonical_json

GENESIS = "0" * 64  # the prev_hash of a clinic's first seal
NO_CLINIC = "00000000-0000-0000-0000-000000000000"  # the chain of events of no clinic

SEAL_FIELDS = (
    "clinic_id",
    "number",
    "first_seq",
    "last_seq",
    "tree_size",
    "root",
    "prev_hash",
    "sealed_at",
    "key_id",
)


def chain_key(clinic_id: object) -> str:
    return NO_CLINIC if clinic_id is None else str(clinic_id)


SEAL_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # UTC, microseconds: as the database keeps it


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(SEAL_TIMESTAMP_FORMAT)


def event_leaf(event_id: int, seq: int, content: Mapping[str, object]) -> dict[str, object]:
    """The leaf document of an event: what a proof shows and the tree hashes."""
    return {"id": event_id, "seq": seq, **canonical_content(content)}


def leaf_bytes(event_id: int, seq: int, content: Mapping[str, object]) -> bytes:
    return canonical_json(event_leaf(event_id, seq, content))


def seal_fields(seal: AuditSeal) -> dict[str, object]:
    """A seal's signed fields, as JSON spells them."""
    return {
        "clinic_id": None if seal.clinic_id is None else str(seal.clinic_id),
        "number": seal.number,
        "first_seq": seal.first_seq,
        "last_seq": seal.last_seq,
        "tree_size": seal.tree_size,
        "root": seal.root,
        "prev_hash": seal.prev_hash,
        "sealed_at": timestamp(seal.sealed_at),
        "key_id": seal.key_id,
    }


def seal_message(fields: Mapping[str, object]) -> bytes:
    return canonical_json({name: fields[name] for name in SEAL_FIELDS})


def seal_hash(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def seal_document(seal: AuditSeal) -> dict[str, object]:
    """The seal as it is published: its fields, signature and hash."""
    return {**seal_fields(seal), "signature": seal.signature, "hash": seal.hash}


def seal_document_bytes(seal: AuditSeal) -> bytes:
    return canonical_json(seal_document(seal))
