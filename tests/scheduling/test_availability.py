"""The free start times of scheduling/availability.py, case by case (no database)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.availability import (
    Booked,
    DatedException,
    Interval,
    WeeklyRange,
    free_starts,
    local_time_exists,
    local_time_is_ambiguous,
    recurrence_problem,
    working_time,
)

NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 6, 1)
SPRING_FORWARD = date(2026, 3, 8)  # a Sunday: 02:00 → 03:00 in New York
FALL_BACK = date(2026, 11, 1)  # a Sunday: 02:00 → 01:00 in New York
MINUTES = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK, fold=fold)


def whole_days(first: date, count: int = 1) -> Interval:
    return Interval(at(first, 0), at(first + timedelta(days=count), 0))


def starts(
    ranges,
    window,
    *,
    exceptions=(),
    booked=(),
    duration=30,
    buffer=0,
    step=15,
    not_before=None,
):
    working = working_time(ranges, exceptions, window, NEW_YORK)
    found = free_starts(
        working=working,
        booked=booked,
        duration=duration * MINUTES,
        buffer=buffer * MINUTES,
        step=step * MINUTES,
        not_before=not_before or window.start,
    )
    return [start.astimezone(NEW_YORK) for start in found]


def clock(found) -> list[str]:
    return [start.strftime("%H:%M") for start in found]


SPLIT_MONDAY = [
    WeeklyRange(0, time(9), time(12)),
    WeeklyRange(0, time(13), time(17)),
]


def test_a_lunch_break_splits_the_day():
    found = clock(starts(SPLIT_MONDAY, whole_days(MONDAY)))

    assert found[0] == "09:00"
    assert "11:30" in found
    assert not {"11:45", "12:00", "12:30", "12:45"} & set(found)
    assert "13:00" in found
    assert found[-1] == "16:30"
    assert len(found) == 11 + 15


def test_time_off_takes_its_hour_away():
    off = DatedException(at(MONDAY, 14), at(MONDAY, 15), available=False)

    found = clock(starts(SPLIT_MONDAY, whole_days(MONDAY), exceptions=[off]))

    assert "13:30" in found
    assert not {"13:45", "14:00", "14:30", "14:45"} & set(found)
    assert "15:00" in found


def test_repeating_time_off_keeps_its_wall_clock_across_a_daylight_saving_change():
    # Wednesday afternoons off, from a Wednesday in October to past the November change.
    first_wednesday = date(2026, 10, 28)
    weekly = [WeeklyRange(2, time(9), time(17))]
    off = DatedException(
        at(first_wednesday, 12), at(first_wednesday, 18), False, "FREQ=WEEKLY;BYDAY=WE"
    )

    before = clock(starts(weekly, whole_days(first_wednesday), exceptions=[off]))
    after = clock(starts(weekly, whole_days(date(2026, 11, 4)), exceptions=[off]))

    assert before == after
    assert before[-1] == "11:30"


def test_extra_hours_open_a_saturday():
    saturday = MONDAY + timedelta(days=5)
    extra = DatedException(at(saturday, 9), at(saturday, 12), available=True)

    found = clock(starts(SPLIT_MONDAY, whole_days(saturday), exceptions=[extra]))

    assert found[0] == "09:00" and found[-1] == "11:30"


def test_time_off_wins_over_extra_hours():
    extra = DatedException(at(MONDAY, 17), at(MONDAY, 19), available=True)
    off = DatedException(at(MONDAY, 18), at(MONDAY, 20), available=False)

    found = clock(starts(SPLIT_MONDAY, whole_days(MONDAY), exceptions=[extra, off]))

    assert found[-1] == "17:30"


@pytest.mark.parametrize(
    ("booked_buffer", "new_buffer", "first_after", "last_before"),
    [
        (0, 0, "10:30", "09:30"),
        (10, 0, "10:45", "09:30"),  # 10:40 is clear but not on the 15-minute step
        (0, 15, "10:30", "09:15"),  # the new appointment's buffer must end by 10:00
        (10, 15, "10:45", "09:15"),
    ],
)
def test_buffers_after_appointments_are_kept_clear(
    booked_buffer, new_buffer, first_after, last_before
):
    booked = [Booked(at(MONDAY, 10), at(MONDAY, 10, 30), booked_buffer * MINUTES)]

    found = clock(starts(SPLIT_MONDAY, whole_days(MONDAY), booked=booked, buffer=new_buffer))

    morning_before = [t for t in found if t < "10:00"]
    morning_after = [t for t in found if "10:00" <= t < "12:00"]
    assert morning_before[-1] == last_before
    assert morning_after[0] == first_after


def test_the_minimum_notice_hides_starts_too_soon():
    found = clock(starts(SPLIT_MONDAY, whole_days(MONDAY), not_before=at(MONDAY, 10, 5)))

    assert found[0] == "10:15"


def test_the_skipped_hour_of_spring_forward_is_never_offered():
    night = [WeeklyRange(6, time(0), time(4))]  # Sundays, midnight to four

    found = starts(night, whole_days(SPRING_FORWARD))

    assert not [t for t in found if t.hour == 2]
    # Three real hours of work: (180 − 30) / 15 + 1 starts.
    assert len(found) == 11
    assert clock(found)[7:9] == ["01:45", "03:00"]


def test_the_repeated_hour_of_fall_back_is_offered_twice():
    night = [WeeklyRange(6, time(0), time(4))]

    found = starts(night, whole_days(FALL_BACK))

    one_oclock = [t for t in found if t.strftime("%H:%M") == "01:00"]
    assert len(one_oclock) == 2
    assert one_oclock[0].utcoffset() != one_oclock[1].utcoffset()
    # Five real hours of work: (300 − 30) / 15 + 1 starts.
    assert len(found) == 19


def test_working_hours_stay_on_the_wall_clock_on_change_days():
    sundays = [WeeklyRange(6, time(9), time(12))]

    for day in (SPRING_FORWARD, FALL_BACK):
        found = starts(sundays, whole_days(day))
        assert clock(found)[0] == "09:00"
        assert clock(found)[-1] == "11:30"


def test_a_seven_day_window_covers_a_working_week():
    week = [WeeklyRange(day, time(9), time(17)) for day in range(5)]

    found = starts(week, whole_days(MONDAY, 7), step=30)

    assert len(found) == 5 * 16
    assert {t.date() for t in found} == {MONDAY + timedelta(days=d) for d in range(5)}


def test_weekly_hours_apply_only_between_their_dates():
    later = [WeeklyRange(0, time(9), time(10), valid_from=MONDAY + timedelta(days=7))]

    assert starts(later, whole_days(MONDAY)) == []
    assert clock(starts(later, whole_days(MONDAY + timedelta(days=7)))) == [
        "09:00",
        "09:15",
        "09:30",
    ]


@pytest.mark.parametrize(
    ("moment", "exists", "ambiguous"),
    [
        (datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK), False, False),
        (datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK), True, False),
        (datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK), True, True),
        (datetime(2026, 11, 1, 2, 30, tzinfo=NEW_YORK), True, False),
        (datetime(2026, 6, 1, 9, 0, tzinfo=NEW_YORK), True, False),
    ],
)
def test_wall_clock_times_that_do_not_exist_or_exist_twice(moment, exists, ambiguous):
    assert local_time_exists(moment, NEW_YORK) is exists
    assert local_time_is_ambiguous(moment, NEW_YORK) is ambiguous


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=WEEKLY;BYDAY=WE", None),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;UNTIL=20271231T000000", None),
        ("FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12", None),
        ("FREQ=HOURLY", "FREQ must be one of"),
        ("BYDAY=WE", "FREQ must be one of"),
        ("FREQ=WEEKLY;BYDAY=XX", "Not a usable RFC 5545 recurrence rule"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "FREQ must be one of"),
        ("FREQ=DAILY;" + "BYHOUR=1;" * 30, "no more than 200"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be"),
        ("FREQ=DAILY;COUNT=-1", "COUNT must be"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be"),
        ("FREQ=DAILY;COUNT=12345678901234567890", "COUNT must be"),
        ("FREQ=DAILY;COUNT=5000", None),
        ("FREQ=MONTHLY;BYDAY=+999MO", "Not a usable"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("FREQ=WEEKLY;BYDAY=MO\nEXDATE:20260105T090000", "one RRULE"),
        ("FREQ=WEEKLY;BYDAY=MO\nRRULE:FREQ=DAILY", "one RRULE"),
    ],
)
def test_repeat_rules_are_checked(rule, problem):
    found = recurrence_problem(rule, at(MONDAY, 12))

    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_an_occupancy_answers_as_free_starts_and_learns_each_new_booking():
    from scheduling.availability import Occupancy

    working = working_time(SPLIT_MONDAY, (), whole_days(MONDAY), NEW_YORK)
    booked = [Booked(at(MONDAY, 10), at(MONDAY, 10, 30), 10 * MINUTES)]
    occupancy = Occupancy(working, booked)
    offered = set(
        free_starts(
            working=working,
            booked=booked,
            duration=30 * MINUTES,
            buffer=0 * MINUTES,
            step=5 * MINUTES,
            not_before=at(MONDAY, 0),
        )
    )

    for minute in range(0, 24 * 60, 5):
        start = at(MONDAY, minute // 60, minute % 60)
        fits = occupancy.fits(start, duration=30 * MINUTES, buffer=0 * MINUTES)
        assert fits is (start in offered), start
    occupancy.add(Booked(at(MONDAY, 14), at(MONDAY, 14, 30)))
    assert not occupancy.fits(at(MONDAY, 14, 15), duration=30 * MINUTES, buffer=0 * MINUTES)
    assert occupancy.fits(at(MONDAY, 14, 30), duration=30 * MINUTES, buffer=0 * MINUTES)
