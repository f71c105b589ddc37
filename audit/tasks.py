"""The audit trail's periodic task: the sealer, every AUDIT_SEAL_INTERVAL_SECONDS."""

from django.conf import settings

from audit.sealing import seal_all
from jobs.periodic import periodic


@periodic(name="audit.seal", seconds=settings.AUDIT_SEAL_INTERVAL_SECONDS)
def seal(timestamp: int) -> int:
    """One pass of the sealer (never two at once, whichever workers run); how many events it
    sealed. `timestamp` is the tick's, unused: a pass seals whatever is unsealed."""
    return seal_all()
