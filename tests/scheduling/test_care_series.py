"""The days and re-examinations of a plan's series (scheduling/care_series.py), no database."""

from datetime import date, timedelta

from scheduling.care_series import series_days, visit_rates, with_reexaminations
from treatments.plans.frequency import Stage, end_date, planned_visits, stages_of, total_weeks

MONDAY = date(2027, 1, 4)
TAPERING = [Stage(3, 4), Stage(2, 6), Stage(1, 4)]


def test_stages_plan_their_visits_and_weeks():
    assert planned_visits(TAPERING) == 28
    assert total_weeks(TAPERING) == 14
    assert end_date(MONDAY, TAPERING) == MONDAY + timedelta(weeks=14, days=-1)
    assert stages_of([], 3, 4) == [Stage(3, 4)]
    assert visit_rates([Stage(2, 1), Stage(1, 2)]) == [2, 2, 1, 1]


def test_each_week_takes_its_visits_on_the_first_preferred_days():
    days = series_days(start=MONDAY, stages=TAPERING, weekdays=[4, 0, 2], already=0)

    assert len(days) == 28
    assert [d.weekday() for _, d in days[:3]] == [0, 2, 4]
    assert [d.weekday() for _, d in days[12:14]] == [0, 2]
    assert [d.weekday() for _, d in days[24:]] == [0, 0, 0, 0]
    assert days[-1] == (28, MONDAY + timedelta(weeks=13))


def test_a_series_starting_mid_week_runs_the_week_from_its_start():
    thursday = MONDAY + timedelta(days=3)

    days = series_days(start=thursday, stages=[Stage(3, 1)], weekdays=[0, 2, 4], already=0)

    assert [d for _, d in days] == [thursday + timedelta(days=n) for n in (1, 4, 6)]


def test_a_rerun_carries_on_in_the_stage_it_reached():
    days = series_days(start=MONDAY, stages=TAPERING, weekdays=[0, 2, 4], already=13)

    assert days[0][0] == 14
    # Visit 14 is in the second stage: two a week.
    assert [d.weekday() for _, d in days[:4]] == [0, 2, 0, 2]
    assert len(days) == 28 - 13


def test_reexaminations_every_12_visits_or_30_days_whichever_first():
    days = series_days(start=MONDAY, stages=TAPERING, weekdays=[0, 2, 4], already=0)

    by_visits = with_reexaminations(
        days, every_visits=12, every_days=365, last_reexamination=MONDAY
    )
    by_days = with_reexaminations(days, every_visits=12, every_days=30, last_reexamination=MONDAY)

    assert [v.number for v in by_visits if v.reexamination] == [12, 24]
    # 3 a week: the 12th visit (day 25) comes before day 30; then 2 a week: day 30 after the
    # re-examination comes at the 9th visit, before the 12th.
    assert [v.number for v in by_days if v.reexamination][:2] == [12, 21]
