"""Reads of treatment plans: scoped to the caller's clinic, prefetched for their role."""

from django.db.models import Prefetch, QuerySet

from api.permissions import may_read_clinical
from clinics.models import User
from patients.models import Condition
from treatments.models import (
    Goal,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    TreatmentPlan,
)


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


def plan_list(*, user: User) -> QuerySet[TreatmentPlan]:
    """Plans of the caller's clinic; clinicians also get goals, interventions and conditions."""
    plans = TreatmentPlan.objects.for_clinic(user.clinic_id).select_related(
        "patient", "chiropractor"
    )
    if may_read_clinical(user):
        plans = plans.prefetch_related(
            Prefetch("conditions", queryset=Condition.objects.only("id").order_by("created_at")),
            Prefetch("goals", queryset=goals()),
            Prefetch("adjustments", queryset=adjustments()),
            Prefetch("soft_tissue", queryset=soft_tissue()),
            Prefetch("exercises", queryset=exercises()),
        )
    return plans


PLAN_ITEM_QUERYSETS = {
    "goals": goals,
    "adjustments": adjustments,
    "soft_tissue": soft_tissue,
    "exercises": exercises,
}


def plan_item_list(*, user: User, kind: str, plan: TreatmentPlan) -> QuerySet:
    return PLAN_ITEM_QUERYSETS[kind]().filter(clinic_id=user.clinic_id, plan=plan)
