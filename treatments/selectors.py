"""Reads of plans, visits and outcomes: scoped to the caller's clinic, prefetched for their role."""

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from api.nested_reads import Nested, nested
from api.permissions import may_read_clinical
from clinics.models import User
from treatments.billing_port import billing
from treatments.models import (
    Amendment,
    Goal,
    OutcomeMeasure,
    PartFinding,
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    PlanCondition,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    TreatmentPlan,
    Visit,
    VisitStatus,
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


# What a plan's and a visit's representations read, in the plan's or visit's own statement.
PLAN_GOALS = Nested("goals", goals())
PLAN_CONTENT = (
    Nested("plan_conditions", plan_conditions(), related=("condition",)),
    PLAN_GOALS,
    Nested("adjustments", adjustments(), related=("segment", "listing", "technique")),
    Nested("soft_tissue", soft_tissue(), related=("modality",)),
    Nested("exercises", exercises(), related=("exercise",)),
)
VISIT_CONTENT = (
    Nested("plan__plan_conditions", plan_conditions(), related=("condition",)),
    Nested("findings", PartFinding.objects.order_by("id")),
    Nested(
        "adjustments",
        PerformedAdjustment.objects.all(),
        related=("segment", "listing", "technique", "planned_item"),
    ),
    Nested("soft_tissue", PerformedSoftTissue.objects.all(), related=("modality", "planned_item")),
    Nested("exercises", PerformedExercise.objects.all(), related=("exercise", "planned_item")),
    Nested("amendments", Amendment.objects.all(), related=("author",)),
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


def plan_progress_list(*, user: User) -> QuerySet[TreatmentPlan]:
    """Plans with what their progress reads (treatments.progress), in one statement: current
    goals, the times of the plan's visits (not discarded) with their re-examination flags, and
    the plan's appointments (time, status, re-examination or not)."""
    visits = (
        Visit.objects.filter(plan=OuterRef("pk"))
        .exclude(status=VisitStatus.ENTERED_IN_ERROR)
        .order_by("visit_at", "id")
    )
    # The calendar's appointments for the plan, through the plan's reverse relation: the
    # scheduling app stands above this one, which does not import it.
    appointments = (
        apps.get_model("scheduling", "Appointment")
        .objects.filter(plan=OuterRef("pk"))
        .order_by("start_at", "id")
    )
    # The plan's billing case (billing stands above this app too): its authorisation.
    case = (
        apps.get_model("billing", "InsuranceCase")
        .objects.filter(plan=OuterRef("pk"), archived_at__isnull=True)
        .order_by("created_at")
        .values(
            document=JSONObject(
                id="id",
                authorisation_number="authorisation_number",
                authorised_visits="authorised_visits",
                authorised_from="authorised_from",
                authorised_to="authorised_to",
            )
        )[:1]
    )
    return nested(TreatmentPlan.objects.for_clinic(user.clinic_id), PLAN_GOALS).annotate(
        visit_times=ArraySubquery(visits.values("visit_at")),
        signed_visit_times=ArraySubquery(
            visits.filter(status=VisitStatus.SIGNED).values("visit_at")
        ),
        case=Subquery(case),
        reexamination_flags=ArraySubquery(visits.values("is_reexamination")),
        appointment_times=ArraySubquery(appointments.values("start_at")),
        appointment_statuses=ArraySubquery(appointments.values("status")),
        appointment_reexaminations=ArraySubquery(
            appointments.annotate(
                reexamination=ExpressionWrapper(
                    Q(appointment_type__default_for="reexamination"),
                    output_field=BooleanField(),
                )
            ).values("reexamination")
        ),
    )


PLAN_ITEM_QUERYSETS = {
    "goals": goals,
    "adjustments": adjustments,
    "soft_tissue": soft_tissue,
    "exercises": exercises,
}


def plan_item_list(*, user: User, kind: str, plan: TreatmentPlan) -> QuerySet:
    return PLAN_ITEM_QUERYSETS[kind]().filter(clinic_id=user.clinic_id, plan=plan)


def visit_list(*, user: User) -> QuerySet[Visit]:
    """Visits of the caller's clinic with everything their representation and coding read
    (the patient and chiropractor by id only, as in plan_list)."""
    return nested(
        Visit.objects.for_clinic(user.clinic_id)
        .select_related("plan")
        # The clinic's clock, for the visit's date of service (its coding, its payer).
        .annotate(clinic_time_zone=F("clinic__time_zone")),
        *VISIT_CONTENT,
        *billing().visit_reads(),
    )


def outcome_list(*, user: User) -> QuerySet[OutcomeMeasure]:
    return OutcomeMeasure.objects.for_clinic(user.clinic_id)
