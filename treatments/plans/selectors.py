"""Reads of plans and their items: scoped to the caller's clinic, prefetched for their role."""

from django.db.models import QuerySet

from api.nested_reads import Nested, nested
from api.permissions import may_read_clinical
from clinics.models import User
from treatments.plans.models import (
    Goal,
    PlanCondition,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    TreatmentPlan,
)


def plan_conditions() -> QuerySet[PlanCondition]:
    """The conditions plans address now, with what coding reads of them."""
    return PlanCondition.objects.select_related("condition").order_by("condition__created_at")


def goals() -> QuerySet[Goal]:
    return Goal.objects.filter(removed_at__isnull=True)


def adjustments() -> QuerySet[PlannedAdjustment]:
    return PlannedAdjustment.objects.filter(removed_at__isnull=True).select_related(
        "segment", "listing", "technique"
    )


def soft_tissue() -> QuerySet[PlannedSoftTissue]:
    return PlannedSoftTissue.objects.filter(removed_at__isnull=True).select_related("modality")


def exercises() -> QuerySet[PlannedExercise]:
    return PlannedExercise.objects.filter(removed_at__isnull=True).select_related("exercise")


# What a plan's representation reads, in the plan's own statement.
PLAN_GOALS = Nested("goals", goals())
PLAN_CONTENT = (
    Nested("plan_conditions", plan_conditions(), related=("condition",)),
    PLAN_GOALS,
    Nested("adjustments", adjustments(), related=("segment", "listing", "technique")),
    Nested("soft_tissue", soft_tissue(), related=("modality",)),
    Nested("exercises", exercises(), related=("exercise",)),
)


def plan_list(*, user: User) -> QuerySet[TreatmentPlan]:
    """Plans of the caller's clinic; clinicians also get goals, interventions and conditions."""
    # No join to the patient or chiropractor: the answer names them by id, and a join to
    # another row-secured table makes the planner guess a few rows and sort the clinic's
    # whole table instead of reading the page from an index.
    plans = TreatmentPlan.objects.for_clinic(user.clinic_id)
    if may_read_clinical(user):
        plans = nested(plans, *PLAN_CONTENT)
    return plans


PLAN_ITEM_QUERYSETS = {
    "goals": goals,
    "adjustments": adjustments,
    "soft_tissue": soft_tissue,
    "exercises": exercises,
}


def plan_item_list(*, user: User, kind: str, plan: TreatmentPlan) -> QuerySet:
    return PLAN_ITEM_QUERYSETS[kind]().filter(clinic_id=user.staff_clinic_id, plan=plan)
