"""Reads of the calendar, scoped to the caller's clinic."""

from typing import TYPE_CHECKING, Any, TypedDict
from zoneinfo import ZoneInfo

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from billing.selectors import plan_case_document
from clinics.models import User
from scheduling.models import (
    Appointment,
    AppointmentType,
    ScheduleException,
    WaitlistEntry,
    WorkingHours,
)
from scheduling.transitions import OPEN_STATUSES
from treatments.models import TreatmentPlan


def appointment_type_list(*, user: User) -> QuerySet[AppointmentType]:
    return AppointmentType.objects.for_clinic(user.staff_clinic_id)


def working_hours_list(*, user: User) -> QuerySet[WorkingHours]:
    return WorkingHours.objects.filter(clinic_id=user.staff_clinic_id)


def schedule_exception_list(*, user: User) -> QuerySet[ScheduleException]:
    return ScheduleException.objects.filter(clinic_id=user.staff_clinic_id)


class AppointmentReadings(TypedDict):
    """What appointment_list reads beside each appointment."""

    plan_case: dict[str, Any] | None  # billing.selectors.plan_case_document
    open_before: int


# django-stubs-ext is a development dependency: only the type checker reads the readings.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    ListedAppointment = WithAnnotations[Appointment, AppointmentReadings]
else:
    ListedAppointment = Appointment


def appointment_list(*, user: User) -> QuerySet[ListedAppointment]:
    """Appointments with the patient the calendar shows beside each, and what tells whether
    each goes beyond its plan's authorisation, in the same statement: the plan's case
    (`plan_case`) and the plan's open appointments before it (`open_before`)."""
    earlier = Q(start_at__lt=OuterRef("start_at")) | Q(
        start_at=OuterRef("start_at"), pk__lt=OuterRef("pk")
    )
    return (
        Appointment.objects.for_clinic(user.staff_clinic_id)
        .select_related("patient")
        .annotate(
            plan_case=plan_case_document(
                ZoneInfo(user.staff_clinic.time_zone), plan=OuterRef("plan_id")
            ),
            open_before=_open_appointments(OuterRef("plan_id"), earlier),
        )
    )


def _open_appointments(plan: OuterRef, *conditions: Q) -> Subquery:
    """How many open appointments the plan (of the outer row) has, among those matching
    `conditions`: a column of the outer query's own statement."""
    counted = (
        Appointment.objects.filter(
            *conditions, clinic_id=OuterRef("clinic_id"), plan_id=plan, status__in=OPEN_STATUSES
        )
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def waitlist(*, user: User) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.for_clinic(user.staff_clinic_id).select_related("patient")


def with_authorisation(plans: QuerySet[TreatmentPlan], zone: ZoneInfo) -> QuerySet[TreatmentPlan]:
    """Plans with their case (`case`) and their open appointments (`open_appointments`), in
    the statement that reads them: what a series' visits are checked against, one after the
    other (read before the series books, so its own appointments are not among them)."""
    return plans.annotate(
        case=plan_case_document(zone),
        open_appointments=_open_appointments(OuterRef("pk")),
    )
