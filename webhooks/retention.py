"""The delivery log keeps WEBHOOK_LOG_RETENTION_DAYS: finished deliveries older than that are
removed with their attempts, a batch per transaction (by the workers, as the owner; the API
role deletes nothing). Pending ones are kept whatever their age."""

from django.conf import settings
from django.db import connection, transaction

PURGE = """
WITH gone AS (
    SELECT id FROM webhooks_webhookdelivery
     WHERE status <> 'pending' AND created_at < now() - make_interval(days => %s)
     ORDER BY created_at LIMIT %s
), attempts AS (
    DELETE FROM webhooks_webhookattempt WHERE delivery_id IN (SELECT id FROM gone)
)
DELETE FROM webhooks_webhookdelivery WHERE id IN (SELECT id FROM gone)
"""


def purge_expired_deliveries() -> int:
    """Remove the finished deliveries past their retention; how many."""
    removed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(PURGE, [settings.WEBHOOK_LOG_RETENTION_DAYS, settings.WEBHOOK_BATCH_MAX])
            batch = int(cursor.rowcount)
        removed += batch
        if batch < settings.WEBHOOK_BATCH_MAX:
            return removed
