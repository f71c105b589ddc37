"""The audit trail's periodic tasks: the sealer, every AUDIT_SEAL_INTERVAL_SECONDS, and the
table's monthly partitions."""

from django.conf import settings

from audit.partitions import drop_expired_partitions, ensure_partitions
from audit.sealing import seal_all
from jobs.periodic import periodic


@periodic(name="audit.seal", seconds=settings.AUDIT_SEAL_INTERVAL_SECONDS)
def seal(timestamp: int) -> int:
    """One pass of the sealer (never two at once, whichever workers run); how many events it
    sealed. `timestamp` is the tick's, unused: a pass seals whatever is unsealed."""
    return seal_all()


# Hourly, though a month's partition is needed once: made two months ahead, an hour's delay
# or a stopped worker for weeks costs nothing; the cron's longest even period below a day.
@periodic(name="audit.partitions", seconds=3600)
def keep_partitions(timestamp: int) -> list[str]:
    """The coming months' partitions made; those past AUDIT_RETENTION_MONTHS dropped when it
    is set (audit.partitions)."""
    ensure_partitions()
    return drop_expired_partitions()
