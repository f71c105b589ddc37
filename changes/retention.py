"""The feed keeps CHANGE_FEED_RETENTION_DAYS of events: older numbered ones are removed, and each
clinic's horizon remembers the last number removed, so that a reader whose cursor is older is
told it has lost events (410) instead of silently skipping them."""

from django.conf import settings
from django.db import connection, transaction

PURGE = """
WITH gone AS (
    DELETE FROM changes_changeevent
     WHERE id IN (SELECT id FROM changes_changeevent
                   WHERE occurred_at < now() - make_interval(days => %s) AND seq IS NOT NULL
                   ORDER BY occurred_at LIMIT %s)
 RETURNING clinic_id, seq
), reach AS (
    SELECT clinic_id, max(seq) AS through, count(*) AS removed FROM gone GROUP BY clinic_id
)
UPDATE changes_feedhorizon h SET purged_through = greatest(h.purged_through, reach.through)
  FROM reach WHERE h.clinic_id = reach.clinic_id
RETURNING reach.removed
"""


def purge_expired() -> int:
    """Remove the events past their retention, a batch per transaction; how many."""
    removed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                PURGE, [settings.CHANGE_FEED_RETENTION_DAYS, settings.CHANGE_FEED_BATCH_MAX]
            )
            batch = sum(int(count) for (count,) in cursor.fetchall())
        removed += batch
        if batch < settings.CHANGE_FEED_BATCH_MAX:
            return removed
