"""Each audit event's HMAC-SHA256 over its canonical content, under `AUDIT_HMAC_KEY`.

The key is not in the database, so an event written or edited by anyone who can write the
database but does not hold the key (an owner's INSERT, a changed path or patient) no longer
matches its HMAC, and `manage.py verify_audit` names it. The row's id and `seq` are left
out: they are numbering, which the sealer's Merkle leaves cover (audit.seal_format).
"""

import hashlib
import hmac
import ipaddress
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from django.conf import settings

# The content of an event, as the database stores it.
SIGNED_FIELDS = (
    "clinic_id",
    "occurred_at",
    "user_id",
    "username",
    "role",
    "client_ip",
    "user_agent",
    "request_id",
    "method",
    "path",
    "action",
    "resource_type",
    "object_ids",
    "patient_ids",
    "status_code",
    "changed_fields",
)
UUID_FIELDS = frozenset({"clinic_id", "user_id", "request_id"})


def _uuid(value: object) -> str | None:
    return None if value is None else str(uuid.UUID(str(value)))


def _canonical_value(name: str, value: object) -> object:
    """A value as both its writer and the database's reader spell it."""
    if name in UUID_FIELDS:
        return _uuid(value)
    if name == "patient_ids":
        return [_uuid(item) for item in _items(value)]
    if name in ("object_ids", "changed_fields"):
        return [str(item) for item in _items(value)]
    if name == "occurred_at":
        if not isinstance(value, datetime):
            raise TypeError("occurred_at is a datetime")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "client_ip":
        return None if value is None else str(ipaddress.ip_address(str(value)))
    if name == "status_code":
        if not isinstance(value, int):
            raise TypeError("status_code is an int")
        return value
    return str(value)


def _items(value: object) -> Iterable[object]:
    if not isinstance(value, list | tuple):
        raise TypeError("a list of ids or names")
    return value


def canonical_json(document: Mapping[str, object]) -> bytes:
    """One JSON text for a document: keys sorted, no spaces, UTF-8 (what the HMAC, the Merkle
    leaves and the seals' signatures are computed over, and what an offline verifier rebuilds)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_content(event: Mapping[str, object]) -> dict[str, object]:
    """The event's signed fields, each spelled as JSON carries it."""
    return {name: _canonical_value(name, event[name]) for name in SIGNED_FIELDS}


def canonical(event: Mapping[str, object]) -> bytes:
    """The event's content as one JSON text."""
    return canonical_json(canonical_content(event))


def event_hmac(event: Mapping[str, object]) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, canonical(event), hashlib.sha256).hexdigest()


def matches(event: Mapping[str, object], stored: str) -> bool:
    return hmac.compare_digest(event_hmac(event), stored)
