"""The retry schedule of Standard Webhooks: after a failed attempt, the next one waits 5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, then 24 h; the first is immediate. Pure."""

from datetime import timedelta

RETRY_DELAYS = tuple(
    timedelta(seconds=seconds)
    for seconds in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600)
) + (timedelta(hours=24),)

MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def delay_after(attempts_made: int) -> timedelta | None:
    """How long after the `attempts_made`-th failed attempt the next one goes; None once the
    schedule is spent."""
    if attempts_made < 1:
        return timedelta(0)
    if attempts_made > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts_made - 1]
