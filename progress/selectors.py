"""What a plan's progress reads, in one statement."""

from zoneinfo import ZoneInfo

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet

from api.nested_reads import nested
from billing.selectors import plan_case_document
from clinics.models import User
from scheduling.models import Appointment, VisitKind
from treatments.plans.models import TreatmentPlan
from treatments.plans.selectors import PLAN_GOALS
from treatments.visits.models import Visit, VisitStatus


def plan_progress_list(*, user: User) -> QuerySet[TreatmentPlan]:
    """Plans with what their progress reads (progress.summary), in one statement: current
    goals, the times of the plan's visits (not discarded) with their re-examination flags, and
    the plan's appointments (time, status, re-examination or not)."""
    visits = (
        Visit.objects.filter(plan=OuterRef("pk"))
        .exclude(status=VisitStatus.ENTERED_IN_ERROR)
        .order_by("visit_at", "id")
    )
    appointments = Appointment.objects.filter(plan=OuterRef("pk")).order_by("start_at", "id")
    return nested(TreatmentPlan.objects.for_clinic(user.clinic_id), PLAN_GOALS).annotate(
        visit_times=ArraySubquery(visits.values("visit_at")),
        # The plan's billing case: its authorisation.
        case=plan_case_document(ZoneInfo(user.staff_clinic.time_zone)),
        reexamination_flags=ArraySubquery(visits.values("is_reexamination")),
        appointment_times=ArraySubquery(appointments.values("start_at")),
        appointment_statuses=ArraySubquery(appointments.values("status")),
        appointment_reexaminations=ArraySubquery(
            appointments.annotate(
                reexamination=ExpressionWrapper(
                    Q(appointment_type__default_for=VisitKind.REEXAMINATION),
                    output_field=BooleanField(),
                )
            ).values("reexamination")
        ),
    )
