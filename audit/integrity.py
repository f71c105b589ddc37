"""Checking the audit trail: each event's HMAC must match its content (audit.row_hmac), its
hash must match its content and its clinic's previous event, numbers must run without gaps,
and the chain head must match the last event."""

from dataclasses import dataclass

from django.db import connection

from audit.row_hmac import SIGNED_FIELDS, matches

GENESIS = "0" * 64
NO_CLINIC = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Break:
    event_id: int | None
    clinic_id: str | None
    seq: int | None
    reason: str


# Recomputes every event's digest next to its predecessor in the same chain; the first row
# that disagrees (by id, i.e. by insertion) is the first break.
FIRST_BROKEN_EVENT = """
SELECT id, clinic_id, seq,
       CASE WHEN hash <> expected THEN 'its content no longer matches its hash'
            WHEN seq <> coalesce(previous_seq, 0) + 1 THEN 'events before it are missing'
            ELSE 'it does not follow the previous event''s hash' END
  FROM (SELECT e.id, e.clinic_id, e.seq, e.hash, e.prev_hash,
               audit_event_digest(e) AS expected,
               lag(e.seq) OVER chain AS previous_seq, lag(e.hash) OVER chain AS previous_hash
          FROM audit_auditevent e
        WINDOW chain AS (PARTITION BY e.clinic_id ORDER BY e.seq)) AS checked
 WHERE hash <> expected
    OR seq <> coalesce(previous_seq, 0) + 1
    OR prev_hash <> coalesce(previous_hash, %s)
 ORDER BY id
 LIMIT 1
"""

TRUNCATED_CHAIN = """
WITH last AS (
    SELECT DISTINCT ON (clinic_id) coalesce(clinic_id, %s::uuid) AS chain_key, seq, hash
      FROM audit_auditevent
     ORDER BY clinic_id, seq DESC)
SELECT h.chain_key, h.seq
  FROM audit_chainhead h LEFT JOIN last ON last.chain_key = h.chain_key
 WHERE last.seq IS DISTINCT FROM h.seq OR last.hash IS DISTINCT FROM h.hash
 ORDER BY h.chain_key
 LIMIT 1
"""


# Rows are read in pages, so that a trail of millions is checked in bounded memory.
HMAC_PAGE = 5000


def first_unsigned() -> Break | None:
    """The first event whose content does not match its HMAC: changed after it was written,
    or written by someone without the key (an INSERT by the database's owner)."""
    columns = ", ".join(SIGNED_FIELDS)
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, seq, hmac, {columns} FROM audit_auditevent"
                " WHERE id > %s ORDER BY id LIMIT %s",
                [after, HMAC_PAGE],
            )
            rows = cursor.fetchall()
            for event_id, seq, stored, *content in rows:
                event = dict(zip(SIGNED_FIELDS, content, strict=True))
                if not matches(event, stored):
                    clinic = str(event["clinic_id"]) if event["clinic_id"] else None
                    return Break(event_id, clinic, seq, "its content does not match its HMAC")
            if len(rows) < HMAC_PAGE:
                return None
            after = rows[-1][0]


def first_break() -> Break | None:
    """The first event whose chain is broken, or None when every chain holds."""
    with connection.cursor() as cursor:
        cursor.execute(FIRST_BROKEN_EVENT, [GENESIS])
        row = cursor.fetchone()
        if row is not None:
            event_id, clinic_id, seq, reason = row
            return Break(event_id, str(clinic_id) if clinic_id else None, seq, reason)
        cursor.execute(TRUNCATED_CHAIN, [NO_CLINIC])
        row = cursor.fetchone()
        if row is not None:
            chain_key, seq = row
            clinic = None if str(chain_key) == NO_CLINIC else str(chain_key)
            return Break(None, clinic, seq, "the last events of the chain are missing")
    return None


def event_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        count: int = cursor.fetchone()[0]
    return count
