"""A clinic calendar: an adjustment type, a chiropractor's split weekly hours, and a weekday
to book on, two weeks ahead (bookings in the past are refused)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from scheduling.models import AppointmentType, WorkingHours

NEW_YORK = ZoneInfo("America/New_York")


def next_weekday(weekday: int, weeks_ahead: int = 2) -> datetime.date:
    today = datetime.datetime.now(NEW_YORK).date()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def local(day: datetime.date, hour: int, minute: int = 0) -> str:
    """The wall-clock time in the clinic (New York), as the contract writes it."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK
    ).isoformat()


@pytest.fixture
def booking_day() -> datetime.date:
    return next_weekday(1)  # a Tuesday


@pytest.fixture
def adjustment_type(clinic) -> AppointmentType:
    return AppointmentType.objects.create(
        clinic=clinic,
        name="Adjustment visit",
        duration_minutes=15,
        buffer_after_minutes=5,
        default_for="regular_visit",
    )


@pytest.fixture
def working_week(clinic, chiropractor) -> list[WorkingHours]:
    """Monday to Friday, 9–12 and 13–17."""
    return [
        WorkingHours.objects.create(
            clinic=clinic,
            chiropractor=chiropractor,
            weekday=weekday,
            start_time=datetime.time(start),
            end_time=datetime.time(end),
        )
        for weekday in range(5)
        for start, end in ((9, 12), (13, 17))
    ]


@pytest.fixture
def booking(patient, chiropractor, adjustment_type, working_week, booking_day) -> dict:
    """A request body for 10:00 on the booking day."""
    return {
        "patient": str(patient.id),
        "chiropractor": str(chiropractor.id),
        "appointment_type": str(adjustment_type.id),
        "start_at": local(booking_day, 10),
        "desk_notes": "Prefers mornings.",
    }
