"""The reminders' periodic task: every minute, the reminders due are sent."""

from jobs.periodic import periodic
from reminders.services import reminders_send


@periodic(name="reminders.send", seconds=60)
def send(timestamp: int) -> int:
    """One pass (never two at once, whichever workers run); how many reminders were sent.
    `timestamp` is the tick's, unused: a pass sends whatever is due when it runs."""
    return reminders_send()
