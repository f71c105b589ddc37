"""An audit event's inclusion proof in its signed seal (RFC 9162 §2.1.3)."""

from typing import NoReturn

from django.conf import settings
from django.db import connection

from api.errors import Conflict
from audit.error_codes import AuditCode
from audit.merkle import inclusion_proof, leaf_hash
from audit.models import AuditEvent, AuditSeal
from audit.row_hmac import SIGNED_FIELDS
from audit.seal_format import event_leaf, leaf_bytes

COLUMNS = ", ".join(SIGNED_FIELDS)


def event_proof(*, event: AuditEvent) -> dict[str, object]:
    """The event's leaf, its path to its seal's root, and the seal; 409 `audit_event_unsealed`
    while the sealer has not reached it (within a second or so)."""
    if event.seq is None:
        raise Conflict(
            "The event is not sealed yet; ask again in a moment.",
            code=AuditCode.AUDIT_EVENT_UNSEALED,
            retry_after=max(1, settings.AUDIT_SEAL_INTERVAL_SECONDS),
        )
    seal = (
        AuditSeal.objects.filter(clinic_id=event.clinic_id, last_seq__gte=event.seq)
        .order_by("last_seq")
        .first()
    )
    if seal is None or seal.first_seq > event.seq:
        _broken()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, seq, {COLUMNS} FROM audit_auditevent"
            " WHERE clinic_id = %s AND seq BETWEEN %s AND %s ORDER BY seq",
            [seal.clinic_id, seal.first_seq, seal.last_seq],
        )
        rows = cursor.fetchall()
    if len(rows) != seal.tree_size:
        _broken()
    leaves = [
        leaf_hash(leaf_bytes(row[0], row[1], dict(zip(SIGNED_FIELDS, row[2:], strict=True))))
        for row in rows
    ]
    index = event.seq - seal.first_seq
    content = {name: getattr(event, name) for name in SIGNED_FIELDS}
    return {
        "event": event_leaf(event.id, event.seq, content),
        "leaf_index": index,
        "inclusion_path": [node.hex() for node in inclusion_proof(index, leaves)],
        "seal": seal,
    }


def _broken() -> NoReturn:
    raise Conflict(
        "The event's seal or some of its events are missing: run manage.py verify_audit.",
        code=AuditCode.AUDIT_SEAL_BROKEN,
    )
