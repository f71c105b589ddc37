"""An audit event's inclusion proof in its signed seal (RFC 9162 §2.1.3)."""

from typing import NoReturn

from django.conf import settings

from api.errors import Conflict
from audit.error_codes import AuditCode
from audit.merkle import inclusion_proof
from audit.models import AuditEvent, AuditSeal
from audit.row_hmac import SIGNED_FIELDS
from audit.seal_format import event_leaf
from audit.sealed_events import seal_events


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
    events = seal_events(seal)
    if len(events) != seal.tree_size:
        _broken()
    leaves = [sealed.leaf() for sealed in events]
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
