"""Reads of visits: scoped to the caller's clinic, with everything their representation reads
(and, given by the caller, what a package above reads of them: billing's coding)."""

from django.db.models import F, QuerySet

from api.nested_reads import Nested, nested
from clinics.models import User
from treatments.plans.selectors import plan_conditions
from treatments.visits.models import (
    Amendment,
    PartFinding,
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
    Visit,
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


def visit_list(*, user: User, reads: tuple[Nested, ...] = ()) -> QuerySet[Visit]:
    """Visits of the caller's clinic with everything their representation reads (the patient
    and chiropractor by id only, as in plan_list), and `reads` in the same statement."""
    return nested(
        Visit.objects.for_clinic(user.clinic_id)
        .select_related("plan")
        # The clinic's clock, for the visit's date of service (its coding, its payer).
        .annotate(clinic_time_zone=F("clinic__time_zone")),
        *VISIT_CONTENT,
        *reads,
    )
