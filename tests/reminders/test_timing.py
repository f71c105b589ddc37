"""Which reminder is due when: a table of cases, no database."""

import datetime

import pytest

from reminders.timing import due_offset

START = datetime.datetime(2026, 12, 8, 15, 0, tzinfo=datetime.UTC)


def before(hours: float) -> datetime.datetime:
    return START - datetime.timedelta(hours=hours)


@pytest.mark.parametrize(
    ("schedule", "now", "due"),
    [
        ("off", before(23), None),
        ("24h", before(25), None),
        ("24h", before(24), 24),
        ("24h", before(20), 24),  # booked 20 hours ahead: sent at once
        ("24h", before(2), 24),
        ("24h", before(1.99), None),  # too late: the patient may be on the way
        ("24h", before(-1), None),
        ("48h", before(49), None),
        ("48h", before(47), 48),
        ("48h", before(20), 48),
        ("48h", before(1), None),
        ("both", before(49), None),
        ("both", before(47), 48),
        ("both", before(24.5), 48),
        ("both", before(23), 24),  # both due at once: only the nearer one
        ("both", before(3), 24),
        ("both", before(1.5), None),
    ],
)
def test_the_reminder_due(schedule, now, due):
    assert due_offset(schedule, START, now) == due
