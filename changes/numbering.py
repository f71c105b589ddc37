"""The numbering pass: gives each clinic's committed, unnumbered events their place in its feed.

A tracked change inserts its event with no number (changes.tracking): appending locks nothing
and a slow transaction holds up no other. Every pass (a periodic task of the job queue) takes,
per clinic, the events committed since and numbers them after the clinic's last number, in one
transaction that also moves the clinic's horizon (FeedHorizon.last_seq). An event whose
transaction commits late is simply numbered by a later pass, after the ones already read: a
reader who keeps the last number it read never misses one nor reads one twice. Two changes of
one record keep their order, as the second cannot insert its event before the first commits
(the row's lock). The horizon row, locked with SKIP LOCKED, lets any number of passes run: the
one that does not get a clinic leaves it to the other.
"""

import uuid

from django.conf import settings
from django.db import connection, transaction

CLINICS_WITH_UNNUMBERED = "SELECT DISTINCT clinic_id FROM changes_changeevent WHERE seq IS NULL"

ENSURE_HORIZON = """
INSERT INTO changes_feedhorizon (clinic_id, last_seq, purged_through) VALUES (%s, 0, 0)
ON CONFLICT (clinic_id) DO NOTHING
"""

LOCK_HORIZON = """
SELECT last_seq FROM changes_feedhorizon WHERE clinic_id = %s FOR UPDATE SKIP LOCKED
"""

# The clinic's committed, unnumbered events, oldest first (the partial index holds only them).
NUMBER = """
WITH batch AS (
    SELECT id, row_number() OVER (ORDER BY id) AS position
      FROM changes_changeevent
     WHERE clinic_id = %s AND seq IS NULL
     ORDER BY id
     LIMIT %s
)
UPDATE changes_changeevent e SET seq = %s + batch.position FROM batch WHERE e.id = batch.id
"""

MOVE_HORIZON = "UPDATE changes_feedhorizon SET last_seq = last_seq + %s WHERE clinic_id = %s"


def number_all() -> int:
    """One pass over every clinic with unnumbered events; how many it numbered."""
    with connection.cursor() as cursor:
        cursor.execute(CLINICS_WITH_UNNUMBERED)
        clinics = [clinic_id for (clinic_id,) in cursor.fetchall()]
    numbered = 0
    for clinic_id in clinics:
        while True:
            count = number_clinic(clinic_id)
            numbered += count
            if count < settings.CHANGE_FEED_BATCH_MAX:
                break
    return numbered


def number_clinic(clinic_id: uuid.UUID) -> int:
    """Number one batch of the clinic's committed events; 0 when there are none or another
    pass holds the clinic."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ENSURE_HORIZON, [clinic_id])
        cursor.execute(LOCK_HORIZON, [clinic_id])
        row = cursor.fetchone()
        if row is None:
            return 0
        # A statement of its own, after the lock: its snapshot holds every event committed
        # by now, and every number the previous pass gave.
        cursor.execute(NUMBER, [clinic_id, settings.CHANGE_FEED_BATCH_MAX, row[0]])
        count = int(cursor.rowcount)
        if count:
            cursor.execute(MOVE_HORIZON, [count, clinic_id])
        return count
