"""A care plan onto the calendar: which days its visits fall on, and which are
re-examinations. Pure functions over plain values: no ORM, no request.

The plan's stages (treatments.plans.frequency) are consumed visit by visit, so a series re-run for a
plan with visits already booked carries on where those stop (in the stage they reached). Each
week takes the stage's visits a week on the first of the preferred weekdays, in the order the
week runs from the series' start; python-dateutil's rrule picks the days.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.rrule import DAILY, rrule

from treatments.plans.frequency import Stage


@dataclass(frozen=True)
class PlannedVisit:
    number: int  # 1-based over the whole plan, the visits already booked included
    day: date
    reexamination: bool


def visit_rates(stages: Sequence[Stage]) -> list[int]:
    """The visits-a-week rate of each planned visit, in order."""
    return [
        stage.visits_per_week
        for stage in stages
        for _ in range(stage.visits_per_week * stage.weeks)
    ]


def series_days(
    *, start: date, stages: Sequence[Stage], weekdays: Sequence[int], already: int
) -> list[tuple[int, date]]:
    """(visit number, day) of every visit after the first `already`, from `start` on."""
    rates = visit_rates(stages)[already:]
    days: list[tuple[int, date]] = []
    number = already
    week_start = start
    while rates:
        rate = rates[0]
        first = datetime.combine(week_start, datetime.min.time())
        in_week = [
            moment.date()
            for moment in rrule(
                DAILY,
                dtstart=first,
                until=first + timedelta(days=6),
                byweekday=sorted(set(weekdays)),
            )
        ][:rate]
        # A stage's visits end mid-week: the next stage starts with the next week.
        for day in in_week:
            if not rates or rates[0] != rate:
                break
            number += 1
            days.append((number, day))
            rates.pop(0)
        week_start += timedelta(days=7)
    return days


def with_reexaminations(
    days: Sequence[tuple[int, date]],
    *,
    every_visits: int,
    every_days: int,
    last_reexamination: date,
    visits_since: int = 0,
) -> list[PlannedVisit]:
    """Marks the re-examinations: the `every_visits`-th visit since the last one, or the first
    visit `every_days` days after it, whichever comes first (DOMAIN.md)."""
    planned = []
    last, since = last_reexamination, visits_since
    for number, day in days:
        since += 1
        due = since >= every_visits or day >= last + timedelta(days=every_days)
        if due:
            last, since = day, 0
        planned.append(PlannedVisit(number, day, due))
    return planned
