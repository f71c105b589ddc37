"""Seals, proofs and the seal key as the API shows them: byte for byte the documents that were
signed and hashed (audit.seal_format), so that a proof verifies offline as it is received."""

from datetime import UTC

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from audit.models import AuditSeal
from audit.seal_format import SEAL_FIELDS, SEAL_TIMESTAMP_FORMAT

SEAL_EXAMPLE = {
    "clinic_id": "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a098",
    "number": 1207,
    "first_seq": 977,
    "last_seq": 1003,
    "tree_size": 27,
    "root": "5d0a2f1e7c3b9a8d6e4f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d",
    "prev_hash": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d",
    "sealed_at": "2026-11-24T15:02:12.031877Z",
    "key_id": "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2",
    "signature": "OBAIG3KHiUevjSrAGgZve4P+JdunQzonsZ2jIjbW1Ax5OmvOp+P6Te30HD4ZxLyNttxq2Qxe9zcSK4C9jcePoQ==",
    "hash": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
}


@extend_schema_serializer(
    examples=[OpenApiExample("A second's events of a clinic", value=SEAL_EXAMPLE)]
)
class AuditSealSerializer(serializers.ModelSerializer):
    sealed_at = serializers.DateTimeField(
        format=SEAL_TIMESTAMP_FORMAT,
        default_timezone=UTC,
        help_text="When the batch was sealed (UTC, microseconds, as signed).",
    )

    class Meta:
        model = AuditSeal
        fields = [*SEAL_FIELDS, "signature", "hash"]
        extra_kwargs = {
            "clinic_id": {"help_text": "The clinic whose events are sealed."},
            "number": {"help_text": "The seal's number in the clinic: 1, 2, 3, … without gaps."},
            "first_seq": {"help_text": "The first event it seals (its `seq`)."},
            "last_seq": {"help_text": "The last event it seals; the next seal starts after it."},
            "tree_size": {"help_text": "How many events: the leaves of its Merkle tree."},
            "root": {
                "help_text": "The RFC 6962 Merkle tree head (SHA-256, hex) of its events' leaves."
            },
            "prev_hash": {
                "help_text": "The previous seal's `hash` (64 zeros for the clinic's first seal)."
            },
            "key_id": {"help_text": "SHA-256 (hex) of the raw Ed25519 public key that signed it."},
            "signature": {
                "help_text": "Ed25519 signature (base64) of the canonical JSON of the fields "
                "above: keys sorted, no spaces, UTF-8."
            },
            "hash": {
                "help_text": "SHA-256 (hex) of that same canonical JSON; the next seal names it."
            },
        }


class AuditLeafSerializer(serializers.Serializer):
    """An event as its Merkle leaf holds it: every value spelled as it was hashed."""

    id = serializers.IntegerField(help_text="The event's identifier.")
    seq = serializers.IntegerField(help_text="Its position in the clinic's sealed trail.")
    clinic_id = serializers.CharField(allow_null=True, help_text="The clinic.")
    occurred_at = serializers.CharField(help_text="When (UTC, microseconds).")
    user_id = serializers.CharField(allow_null=True, help_text="The staff member.")
    username = serializers.CharField(help_text="Their username, or the name tried.")
    role = serializers.CharField(help_text="Their role at the time.")
    client_ip = serializers.CharField(allow_null=True, help_text="The client's address.")
    user_agent = serializers.CharField(help_text="The client's User-Agent.")
    request_id = serializers.CharField(allow_null=True, help_text="The request's id.")
    method = serializers.CharField(help_text="The HTTP method.")
    path = serializers.CharField(help_text="The path requested.")
    action = serializers.CharField(help_text="What was done.")
    resource_type = serializers.CharField(help_text="The kind of record.")
    object_ids = serializers.ListField(
        child=serializers.CharField(), help_text="The records read or written."
    )
    patient_ids = serializers.ListField(
        child=serializers.CharField(), help_text="The patients whose records were touched."
    )
    status_code = serializers.IntegerField(help_text="The HTTP status answered.")
    changed_fields = serializers.ListField(
        child=serializers.CharField(), help_text="For writes, the fields that changed."
    )


PROOF_EXAMPLE = {
    "event": {
        "id": 4182,
        "seq": 981,
        "clinic_id": SEAL_EXAMPLE["clinic_id"],
        "occurred_at": "2026-11-24T15:02:11.482113Z",
        "user_id": "0b7c4d8e-51f1-4ad3-9b51-2c3cf0a2e6b1",
        "username": "dr.palmer",
        "role": "chiropractor",
        "client_ip": "203.0.113.24",
        "user_agent": "ChiroTablet/2.3 (iPadOS 18)",
        "request_id": "9d1f0c3e-7a5b-4d7e-8a53-2f7c0b6e9d11",
        "method": "GET",
        "path": "/api/v1/patients/5b0c2f0a-1d5e-4a8e-9f0e-3c2b1a0d9e8f/",
        "action": "read",
        "resource_type": "patient",
        "object_ids": ["5b0c2f0a-1d5e-4a8e-9f0e-3c2b1a0d9e8f"],
        "patient_ids": ["5b0c2f0a-1d5e-4a8e-9f0e-3c2b1a0d9e8f"],
        "status_code": 200,
        "changed_fields": [],
    },
    "leaf_index": 4,
    "inclusion_path": [
        "2c7f0e1d9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",
        "8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f",
    ],
    "seal": SEAL_EXAMPLE,
}


@extend_schema_serializer(
    examples=[OpenApiExample("A patient read, proven to be in its seal", value=PROOF_EXAMPLE)]
)
class AuditProofSerializer(serializers.Serializer):
    """An event's RFC 9162 inclusion proof in its signed seal. `docs/verify_audit_proof.py
    PROOF.json PUBLIC_KEY.pem` checks it offline."""

    event = AuditLeafSerializer(
        help_text="The event's Merkle leaf: its canonical JSON (keys sorted, no spaces, UTF-8), "
        "hashed as SHA-256(0x00 ‖ leaf)."
    )
    leaf_index = serializers.IntegerField(
        help_text="The leaf's position in the seal's tree: `seq - first_seq`."
    )
    inclusion_path = serializers.ListField(
        child=serializers.CharField(),
        max_length=64,
        help_text="The sibling hashes (hex) from the leaf up to the root (RFC 9162 §2.1.3).",
    )
    seal = AuditSealSerializer(help_text="The signed seal whose root the path leads to.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The key seals are signed with",
            value={
                "algorithm": "Ed25519",
                "key_id": SEAL_EXAMPLE["key_id"],
                "public_key": "yXvB2m0u6C3R5mF0Q2o8dWq1qF8v7cYJ5m3a9l2kR4s=",
                "public_key_pem": "-----BEGIN PUBLIC KEY-----\n"
                "MCowBQYDK2VwAyEAyXvB2m0u6C3R5mF0Q2o8dWq1qF8v7cYJ5m3a9l2kR4s=\n"
                "-----END PUBLIC KEY-----\n",
            },
        )
    ]
)
class AuditSealKeySerializer(serializers.Serializer):
    algorithm = serializers.CharField(help_text="Always `Ed25519`.")
    key_id = serializers.CharField(help_text="SHA-256 (hex) of the raw public key; seals name it.")
    public_key = serializers.CharField(help_text="The raw 32-byte public key, base64.")
    public_key_pem = serializers.CharField(
        help_text="The same key as PEM (SubjectPublicKeyInfo), for `docs/verify_audit_proof.py`."
    )
