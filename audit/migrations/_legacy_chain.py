"""The hash chain that audit events carried until 0006 (a frozen copy for migrations: the
live code no longer has it). Before events are signed (0005) or renumbered for sealing (0006),
every clinic's chain must still hold."""

GENESIS = "0" * 64
NO_CLINIC = "00000000-0000-0000-0000-000000000000"

FIRST_BROKEN_EVENT = """
SELECT id, clinic_id, seq
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
 LIMIT 1
"""


def check_chains(connection) -> None:
    """Raise when any clinic's chain is broken: nothing is signed or renumbered over a break."""
    with connection.cursor() as cursor:
        cursor.execute(FIRST_BROKEN_EVENT, [GENESIS])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(TRUNCATED_CHAIN, [NO_CLINIC])
            row = cursor.fetchone()
    if row is not None:
        raise RuntimeError(f"The audit trail's hash chain is broken at {row}; fix it first.")
