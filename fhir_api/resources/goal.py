"""Goal (US Core Goal): a treatment plan's measurable goal, its target on a measure and date.

The goal's own status is how far it got (FHIR's achievementStatus); its lifecycle follows the
plan's status as well (a goal of a draft plan is proposed, of a plan on hold on hold).
Measures are LOINC where the code is certain (pain NRS 72514-3, the ODI score 97909-6),
otherwise ours; a goal removed from its plan is kept, cancelled.
"""

from decimal import Decimal

from django.db.models import F, QuerySet

from api.permissions import PlanContentPermission
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, concept, day, meta, reference
from fhir_api.search import (
    PATIENT_PARAMETER,
    DateParameter,
    DerivedTokenParameter,
    IdParameter,
)
from fhir_api.systems import GOAL_ACHIEVEMENT, GOAL_MEASURE, GOAL_STATUS, LOINC, UCUM
from treatments.plans.models import Goal, GoalMeasure, GoalStatus, PlanStatus

# LOINC codes of the measures whose code is certain. The NDI's LOINC total (82237-9) is the
# 0–50 sum, not the percentage a goal targets: that measure stays ours.
LOINC_MEASURES = {
    GoalMeasure.NRS_PAIN: (
        "72514-3",
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    ),
    GoalMeasure.ODI_PERCENT: ("97909-6", "Oswestry disability index score ODI"),
}
# The UCUM unit of each measure's target: (code, unit as shown).
UNITS = {
    GoalMeasure.NRS_PAIN: ("{score}", "score"),
    GoalMeasure.ODI_PERCENT: ("%", "%"),
    GoalMeasure.NDI_PERCENT: ("%", "%"),
    GoalMeasure.CERVICAL_ROTATION_DEGREES: ("deg", "degrees"),
    GoalMeasure.CERVICAL_FLEXION_DEGREES: ("deg", "degrees"),
    GoalMeasure.LUMBAR_FLEXION_DEGREES: ("deg", "degrees"),
    GoalMeasure.SITTING_TOLERANCE_MINUTES: ("min", "minutes"),
    GoalMeasure.STANDING_TOLERANCE_MINUTES: ("min", "minutes"),
    GoalMeasure.WALKING_TOLERANCE_MINUTES: ("min", "minutes"),
}
# A plan's status as the lifecycle of its goals still being worked on.
LIFECYCLE_OF_PLAN = {
    PlanStatus.DRAFT: "proposed",
    PlanStatus.ACTIVE: "active",
    PlanStatus.ON_HOLD: "on-hold",
    PlanStatus.COMPLETED: "completed",
    PlanStatus.REVOKED: "cancelled",
}
ACHIEVEMENT_DISPLAY = {
    GoalStatus.IN_PROGRESS: "In Progress",
    GoalStatus.ACHIEVED: "Achieved",
    GoalStatus.NOT_ACHIEVED: "Not Achieved",
}


def lifecycle_status(plan_status: str, goal_status: str, current: bool) -> str:
    """FHIR goal-status: entered-in-error with its plan; cancelled when taken off the plan,
    cancelled itself or with its plan revoked; completed once achieved or not; otherwise as its
    plan stands."""
    if plan_status == PlanStatus.ENTERED_IN_ERROR:
        return "entered-in-error"
    if not current or goal_status == GoalStatus.CANCELLED or plan_status == PlanStatus.REVOKED:
        return "cancelled"
    if goal_status in (GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED):
        return "completed"
    return LIFECYCLE_OF_PLAN[PlanStatus(plan_status)]


def achievement_status(goal_status: str, lifecycle: str) -> dict | None:
    """FHIR goal-achievement: the goal's own status, while it is being worked on or once
    decided (a goal cancelled, or left in progress by a closed plan, has none)."""
    if goal_status in (GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED) or (
        goal_status == GoalStatus.IN_PROGRESS and lifecycle in ("proposed", "active", "on-hold")
    ):
        return concept(GOAL_ACHIEVEMENT, goal_status, ACHIEVEMENT_DISPLAY[GoalStatus(goal_status)])
    return None


def goal_rows(user: User) -> QuerySet[Goal]:
    # Removed goals too: a goal taken off its plan is served, cancelled.
    return (
        Goal.objects.for_clinic(user.clinic_id)
        .select_related("plan")
        .annotate(patient_id=F("plan__patient_id"))
    )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def measure_concept(measure: str) -> dict:
    found = GoalMeasure(measure)
    codings = [coding(LOINC, *LOINC_MEASURES[found])] if found in LOINC_MEASURES else []
    label = found.label
    return {"coding": [*codings, coding(GOAL_MEASURE, measure, label)], "text": label}


def _target(goal: Goal) -> list[dict]:
    if not goal.measure and goal.target_date is None:
        return []
    target: dict = {"dueDate": day(goal.target_date)}
    if goal.measure and goal.target_value is not None:
        code, unit = UNITS[GoalMeasure(goal.measure)]
        quantity = {"value": _number(goal.target_value), "unit": unit, "system": UCUM, "code": code}
        if goal.comparator != "=":  # FHIR's Quantity says `=` by leaving it out
            quantity = {"comparator": goal.comparator, **quantity}
        target = {"measure": measure_concept(goal.measure), "detailQuantity": quantity, **target}
    return [compact(target)]


def goal_resource(goal: Goal) -> dict:
    plan = goal.plan
    lifecycle = lifecycle_status(plan.status, goal.status, goal.removed_at is None)
    return compact(
        {
            "resourceType": "Goal",
            "id": str(goal.id),
            "meta": meta(goal, "us-core-goal"),
            "lifecycleStatus": lifecycle,
            "achievementStatus": achievement_status(goal.status, lifecycle),
            "description": {"text": goal.description},
            "subject": reference("Patient", plan.patient_id),
            "startDate": day(plan.start_date),
            "target": _target(goal),
            "expressedBy": reference("Practitioner", plan.chiropractor_id),
        }
    )


GOAL = ResourceKind(
    name="Goal",
    summary="Goals of treatment plans: the target on a measure (pain, ODI, NDI, range of "
    "motion, tolerance) and its date (US Core Goal).",
    rows=goal_rows,
    resource=goal_resource,
    readers=PlanContentPermission.read_roles,
    audit_resource="plan_goal",
    profiles=("us-core-goal",),
    search={
        "_id": IdParameter("The goal's id."),
        "patient": PATIENT_PARAMETER,
        "lifecycle-status": DerivedTokenParameter(
            "proposed, active, on-hold, completed, cancelled, entered-in-error (from the goal's "
            "and its plan's status).",
            columns=(
                ("plan__status", tuple(PlanStatus.values)),
                ("status", tuple(GoalStatus.values)),
                ("removed_at__isnull", (True, False)),
            ),
            derive=lifecycle_status,
            system=GOAL_STATUS,
        ),
        "target-date": DateParameter(
            "The date the target should be reached.", column="target_date", is_date=True
        ),
    },
)
