"""A clinic's events as the sealer, the proofs and verify_audit read them: by clinic (events of
no clinic have none), and by seal (its range of `seq`)."""

from dataclasses import dataclass

from django.db import connection

from audit.merkle import leaf_hash
from audit.models import AuditSeal
from audit.row_hmac import SIGNED_FIELDS
from audit.seal_format import leaf_bytes

COLUMNS = ", ".join(SIGNED_FIELDS)


def clinic_condition(clinic_id: object) -> tuple[str, list[str]]:
    """The SQL that picks a clinic's events, and its parameters (no clinic: IS NULL)."""
    return ("IS NULL", []) if clinic_id is None else ("= %s", [str(clinic_id)])


@dataclass(frozen=True)
class SealedEvent:
    id: int
    seq: int
    hmac: str
    content: dict[str, object]

    def leaf(self) -> bytes:
        """Its RFC 6962 leaf hash (audit.seal_format)."""
        return leaf_hash(leaf_bytes(self.id, self.seq, self.content))


def seal_events(seal: AuditSeal) -> list[SealedEvent]:
    """The events numbered into the seal's range, by `seq`: as many as it seals, unless some
    were deleted or numbered twice."""
    condition, params = clinic_condition(seal.clinic_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, seq, hmac, {COLUMNS} FROM audit_auditevent"
            f" WHERE clinic_id {condition} AND seq BETWEEN %s AND %s ORDER BY seq, id",
            [*params, seal.first_seq, seal.last_seq],
        )
        return [
            SealedEvent(event_id, seq, stored, dict(zip(SIGNED_FIELDS, content, strict=True)))
            for event_id, seq, stored, *content in cursor.fetchall()
        ]
