"""The Ed25519 key that signs audit seals. Its private half is kept out of the database
(`AUDIT_SEAL_KEY`; only the sealer needs it), its public half is served to anyone who verifies
(`GET /api/v1/audit-seals/public-key`): whoever can write the database cannot forge a seal."""

import functools
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key_bytes(name: str, value: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes written as 64 hexadecimal digits.")
    return raw


@functools.cache
def signing_key() -> Ed25519PrivateKey:
    if not settings.AUDIT_SEAL_KEY:
        raise ImproperlyConfigured("AUDIT_SEAL_KEY must be set where audit seals are signed.")
    raw = _key_bytes("AUDIT_SEAL_KEY", settings.AUDIT_SEAL_KEY)
    return Ed25519PrivateKey.from_private_bytes(raw)


@functools.cache
def public_key() -> Ed25519PublicKey:
    if settings.AUDIT_SEAL_PUBLIC_KEY:
        raw = _key_bytes("AUDIT_SEAL_PUBLIC_KEY", settings.AUDIT_SEAL_PUBLIC_KEY)
        return Ed25519PublicKey.from_public_bytes(raw)
    return signing_key().public_key()


def public_key_raw() -> bytes:
    return public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_pem() -> str:
    return public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def key_id() -> str:
    """The SHA-256 of the raw public key: which key signed a seal."""
    return hashlib.sha256(public_key_raw()).hexdigest()
