"""The sealer: numbers each clinic's unsealed events and seals them in signed batches.

Appending an event locks nothing (audit_append() is a plain INSERT). Every pass (a periodic
task of the job queue, or `manage.py seal_audit`) takes, per clinic, the events committed and
not yet sealed, numbers them after the clinic's last seal, hashes them as RFC 6962 leaves
(audit.seal_format) and writes one signed seal: in one transaction, so a sealer killed midway
leaves nothing half-sealed. An event that commits late is simply in the next batch. A
transaction-scoped advisory lock per clinic lets any number of sealers run: the one that does
not get it skips that clinic. After its commit the seal is copied to the store outside the
database (audit.seal_store); a copy that failed is made by the next pass.
"""

import base64
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.merkle import leaf_hash, root
from audit.models import AuditSeal
from audit.row_hmac import SIGNED_FIELDS
from audit.seal_format import (
    GENESIS,
    chain_key,
    leaf_bytes,
    seal_document_bytes,
    seal_fields,
    seal_hash,
    seal_message,
)
from audit.seal_keys import key_id, signing_key
from audit.seal_store import STORE_FAULTS, seal_store
from audit.sealed_events import COLUMNS, clinic_condition

logger = logging.getLogger(__name__)

# pg_try_advisory_xact_lock(namespace, key): the namespace keeps the sealer's locks apart
# from any other advisory lock of the application.
LOCK_NAMESPACE = 0x61756474  # "audt"

CLINICS_WITH_UNSEALED = "SELECT DISTINCT clinic_id FROM audit_auditevent WHERE seq IS NULL"


# The clinic's committed, unnumbered events, oldest first (the partial index holds only them).
UNSEALED = (
    f"SELECT id, {COLUMNS} FROM audit_auditevent"
    " WHERE clinic_id {clinic} AND seq IS NULL ORDER BY id LIMIT %s"
)

# The batch's time range lets the planner leave out every other month's partition (a bare id
# would be looked up in each).
NUMBER = """
UPDATE audit_auditevent e SET seq = %s + n.position
  FROM unnest(%s::bigint[]) WITH ORDINALITY AS n(id, position)
 WHERE e.id = n.id AND e.occurred_at BETWEEN %s AND %s
"""
OCCURRED_AT = 1 + SIGNED_FIELDS.index("occurred_at")

# The last seal of each chain this process has seen copied out, per store; a restarted sealer
# checks again.
_published: dict[tuple[str, str], int] = {}


def seal_all() -> int:
    """One pass over every clinic with unsealed events; how many events it sealed."""
    with connection.cursor() as cursor:
        cursor.execute(CLINICS_WITH_UNSEALED)
        clinics = [clinic_id for (clinic_id,) in cursor.fetchall()]
    sealed = 0
    for clinic_id in clinics:
        try:
            while True:
                count = seal_clinic(clinic_id)
                sealed += count
                if count < settings.AUDIT_SEAL_BATCH_MAX:
                    break
        except STORE_FAULTS:
            # The store outside is unreachable: this clinic waits, the others are sealed.
            logger.exception("Audit events of clinic %s are not sealed this pass.", clinic_id)
    return sealed


def seal_clinic(clinic_id: uuid.UUID | None) -> int:
    """Seal one batch of the clinic's unsealed events (None: events of no clinic); 0 when
    there are none or another sealer holds the clinic."""
    key = chain_key(clinic_id)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, key]
            )
            if not cursor.fetchone()[0]:
                return 0
            last = _last_seal(clinic_id)
            _publish(key, last)  # before a seal is made, the one before it is out
            condition, params = clinic_condition(clinic_id)
            cursor.execute(
                UNSEALED.format(clinic=condition), [*params, settings.AUDIT_SEAL_BATCH_MAX]
            )
            rows = cursor.fetchall()
            if not rows:
                seal = None
            else:
                first_seq = (last.last_seq if last else 0) + 1
                times = [row[OCCURRED_AT] for row in rows]
                cursor.execute(
                    NUMBER, [first_seq - 1, [row[0] for row in rows], min(times), max(times)]
                )
                if cursor.rowcount != len(rows):
                    raise RuntimeError(
                        f"The sealer numbered {cursor.rowcount} of {len(rows)} audit events."
                    )
                seal = _seal(clinic_id, last, first_seq, rows)
    if seal is None:
        return 0
    try:
        _publish(key, seal)
    except STORE_FAULTS:
        # Sealed all the same; the next pass copies it out before it seals anything more.
        logger.exception("Audit seal %s of %s could not be copied out yet.", seal.number, key)
    return len(rows)


def _last_seal(clinic_id: uuid.UUID | None) -> AuditSeal | None:
    # clinic_id=None is IS NULL: the chain of events of no clinic.
    return AuditSeal.objects.filter(clinic_id=clinic_id).order_by("-number").first()


def _seal(
    clinic_id: uuid.UUID | None, last: AuditSeal | None, first_seq: int, rows: list
) -> AuditSeal:
    leaves = [
        leaf_hash(leaf_bytes(row[0], first_seq + i, dict(zip(SIGNED_FIELDS, row[1:], strict=True))))
        for i, row in enumerate(rows)
    ]
    seal = AuditSeal(
        clinic_id=clinic_id,
        number=(last.number if last else 0) + 1,
        first_seq=first_seq,
        last_seq=first_seq + len(rows) - 1,
        tree_size=len(rows),
        root=root(leaves).hex(),
        prev_hash=last.hash if last else GENESIS,
        sealed_at=timezone.now(),
        key_id=key_id(),
    )
    message = seal_message(seal_fields(seal))
    seal.hash = seal_hash(message)
    seal.signature = base64.b64encode(signing_key().sign(message)).decode()
    seal.save()
    return seal


def _publish(key: str, seal: AuditSeal | None) -> None:
    """Copy the seal out of the database (a no-op when the copy is there). Each seal is made
    only once the one before it is out, so the chain's last seal out means all are."""
    known = (settings.AUDIT_SEAL_STORE, key)
    if seal is None or _published.get(known) == seal.number:
        return
    seal_store().put(key, seal.number, seal_document_bytes(seal))
    _published[known] = seal.number
