"""When an appointment's reminder is due: which one (hours before), and how late it may go.

A reminder `h` hours before is due from `h` hours before the start until LATEST_BEFORE before
it, so that a pass that runs late, a worker that was down, or an appointment booked inside the
window (20 hours ahead, with 24 hours on) still sends it. When two are due at once (booked 20
hours ahead with both on) only the nearer one is: the 48-hour reminder of an appointment less
than 24 hours away would only repeat the 24-hour one.
"""

from datetime import datetime, timedelta

# Nearer the start than this, no reminder goes out: the patient may be on the way already,
# and a message about an appointment two hours away reads as a mistake, not a reminder.
LATEST_BEFORE = timedelta(hours=2)

# The reminders of each clinic setting (clinics.models.ReminderSchedule), nearest first.
OFFSETS: dict[str, tuple[int, ...]] = {
    "off": (),
    "24h": (24,),
    "48h": (48,),
    "both": (24, 48),
}


def offsets(schedule: str) -> tuple[int, ...]:
    """The hours before the start at which `schedule` reminds, nearest first."""
    return OFFSETS[schedule]


def due_offset(schedule: str, start_at: datetime, now: datetime) -> int | None:
    """The reminder (hours before) due at `now` for an appointment starting at `start_at`
    under the clinic's `schedule`, or None."""
    left = start_at - now
    if left < LATEST_BEFORE:
        return None
    return next((hours for hours in offsets(schedule) if left <= timedelta(hours=hours)), None)
