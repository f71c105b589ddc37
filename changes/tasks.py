"""The change feed's periodic tasks: numbering every CHANGE_FEED_NUMBER_INTERVAL_SECONDS, and
the hourly retention pass."""

from django.conf import settings

from changes.numbering import number_all
from changes.retention import purge_expired
from jobs.periodic import periodic


@periodic(name="changes.number", seconds=settings.CHANGE_FEED_NUMBER_INTERVAL_SECONDS)
def number(timestamp: int) -> int:
    """One numbering pass; how many events it numbered. `timestamp` is the tick's, unused."""
    return number_all()


@periodic(name="changes.retention", seconds=3600)
def retention(timestamp: int) -> int:
    """The events past CHANGE_FEED_RETENTION_DAYS removed; how many."""
    return purge_expired()
