"""How a plan is going: visits against plan, re-examination due, pain and disability trends,
and each goal against its target. The plan, its goals and its visits' times come in one
statement (progress.selectors.plan_progress_list), the outcome measures in another."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from clinics.models import Clinic
from patients.services import clinic_today
from scheduling.models import AppointmentStatus
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.outcomes.scoring import Trend, target_met, trend
from treatments.plans.models import GoalMeasure, TreatmentPlan
from treatments.plans.transitions import CLOSED_STATUSES

MEASURE_INSTRUMENT: dict[str, Instrument] = {
    GoalMeasure.NRS_PAIN: Instrument.NRS,
    GoalMeasure.ODI_PERCENT: Instrument.ODI,
    GoalMeasure.NDI_PERCENT: Instrument.NDI,
}

# How far before a plan's start a score still counts as its baseline.
BASELINE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Reexamination:
    due_on: date
    due_because: str
    overdue: bool
    last_on: date | None
    visits_since: int


def _value(outcome: OutcomeMeasure) -> Decimal:
    """A pain score as it is; a questionnaire (ODI, NDI) as its percent, which scoring sets
    whenever it records one (treatments.outcomes.services.outcome_record)."""
    if outcome.instrument == Instrument.NRS:
        return Decimal(outcome.score)
    if outcome.percent is None:
        raise ValueError(f"Outcome measure {outcome.pk} ({outcome.instrument}) has no percent.")
    return outcome.percent


UPCOMING_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED})


def calendar_summary(
    appointments: Sequence[tuple[datetime, str, bool]], *, unscheduled: int, now: datetime
) -> dict:
    """The plan's appointments against its schedule: how many are booked, completed,
    cancelled and missed, what is left to book, and the next visit and re-examination."""
    upcoming = [
        (at, reexamination)
        for at, status, reexamination in appointments
        if status in UPCOMING_STATUSES and at >= now
    ]
    count = dict.fromkeys(AppointmentStatus.values, 0)
    for _, status, _ in appointments:
        count[status] = count.get(status, 0) + 1
    booked = count[AppointmentStatus.BOOKED] + count[AppointmentStatus.ARRIVED]
    return {
        "booked": booked,
        "completed": count[AppointmentStatus.COMPLETED],
        "cancelled": count[AppointmentStatus.CANCELLED],
        "missed": count[AppointmentStatus.NO_SHOW],
        "unscheduled": max(unscheduled - booked, 0),
        "next_visit_at": min((at for at, _ in upcoming), default=None),
        "next_reexamination_at": min((at for at, flag in upcoming if flag), default=None),
    }


def authorisation_summary(case: dict | None) -> dict | None:
    """The plan's case's authorisation (billing.InsuranceCase, read as a document with the
    visits its authorisation counted): visits authorised, used and left."""
    if case is None:
        return None
    start = date.fromisoformat(case["authorised_from"]) if case["authorised_from"] else None
    end = date.fromisoformat(case["authorised_to"]) if case["authorised_to"] else None
    used, limit = case["visits_used"], case["authorised_visits"]
    return {
        "case": case["id"],
        "authorisation_number": case["authorisation_number"],
        "authorised_visits": limit,
        "authorised_from": start,
        "authorised_to": end,
        "visits_used": used,
        "visits_left": None if limit is None else max(limit - used, 0),
    }


def plan_progress(
    plan: TreatmentPlan,
    *,
    clinic: Clinic,
    visits: Sequence[tuple[datetime, bool]],
    appointments: Sequence[tuple[datetime, str, bool]] = (),
    case: dict | None = None,
) -> dict:
    """`visits`: the plan's visits (not discarded) as (time, re-examination?), in time order
    (progress.selectors.plan_progress_list reads them with the plan). Dates are the clinic's: a visit at
    18:00 in Los Angeles is on that day, not the next."""
    zone = ZoneInfo(clinic.time_zone)

    def day(moment: datetime) -> date:
        return timezone.localtime(moment, zone).date()

    done = len(visits)
    base_at = max((at for at, reexamination in visits if reexamination), default=None)
    since = [at for at, _ in visits if base_at is None or at > base_at]
    visits_since = len(since)
    interval = plan.reexam_interval_visits
    by_visits = since[interval - 1] if len(since) >= interval else None
    base_day = day(base_at) if base_at else plan.start_date
    by_days = base_day + timedelta(days=plan.reexam_interval_days)
    if by_visits is not None and day(by_visits) <= by_days:
        due_on, because = day(by_visits), "visits"
    else:
        due_on, because = by_days, "days"
    today = clinic_today(clinic)
    reexam = Reexamination(
        due_on=due_on,
        due_because=because,
        overdue=today > due_on or visits_since > plan.reexam_interval_visits,
        last_on=day(base_at) if base_at else None,
        visits_since=visits_since,
    )

    # The plan's own visits, and measures recorded on their own while the plan ran (from its
    # start until it was closed; an open plan may run past its planned weeks). Each trend
    # starts from its baseline: the last score within BASELINE_WINDOW before the start (the
    # intake's ODI, days before the plan), from a visit or on its own.
    start = datetime.combine(plan.start_date, time.min, zone)
    period = Q(measured_at__gte=start)
    if plan.status in CLOSED_STATUSES:
        period &= Q(measured_at__lte=plan.status_changed_at)
    before_start = Q(measured_at__gte=start - BASELINE_WINDOW, measured_at__lt=start)
    series: dict[str, list[Decimal]] = {instrument: [] for instrument in Instrument.values}
    baselines: dict[str, Decimal] = {}
    outcomes = (
        OutcomeMeasure.objects.filter(patient_id=plan.patient_id, status=OutcomeStatus.FINAL)
        .filter(Q(visit__plan=plan) | (Q(visit__isnull=True) & period) | before_start)
        .order_by("measured_at")
    )
    for outcome in outcomes:
        if outcome.measured_at < start:
            baselines[outcome.instrument] = _value(outcome)  # the last one before the start
        else:
            series[outcome.instrument].append(_value(outcome))
    for instrument, baseline in baselines.items():
        series[instrument].insert(0, baseline)
    trends: dict[str, Trend | None] = {
        instrument: trend(values, instrument=instrument) for instrument, values in series.items()
    }

    goals = []
    for goal in plan.goals.all():  # current goals (plans.selectors.goals)
        scale = MEASURE_INSTRUMENT.get(goal.measure)
        measured = trends[scale] if scale is not None else None
        current = measured.last if measured is not None else None
        goals.append(
            {
                "goal": goal,
                "current_value": current,
                "met": target_met(
                    value=current, comparator=goal.comparator, target=goal.target_value
                )
                if current is not None and goal.target_value is not None
                else None,
            }
        )

    return {
        "plan": plan.pk,
        "status": plan.status,
        "visits_planned": plan.planned_visits,
        "visits_done": done,
        "visits_remaining": max(plan.planned_visits - done, 0),
        "calendar": calendar_summary(
            appointments, unscheduled=max(plan.planned_visits - done, 0), now=timezone.now()
        ),
        "authorisation": authorisation_summary(case),
        "reexamination": reexam,
        "pain": trends[Instrument.NRS],
        "odi": trends[Instrument.ODI],
        "ndi": trends[Instrument.NDI],
        "goals": goals,
    }
