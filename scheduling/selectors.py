"""Reads of the calendar, scoped to the caller's clinic."""

from django.db.models import QuerySet

from clinics.models import Role, User
from scheduling.models import (
    Appointment,
    AppointmentType,
    ScheduleException,
    WaitlistEntry,
    WorkingHours,
)


def appointment_type_list(*, user: User) -> QuerySet[AppointmentType]:
    return AppointmentType.objects.for_clinic(user.clinic_id)


def working_hours_list(*, user: User) -> QuerySet[WorkingHours]:
    return WorkingHours.objects.filter(clinic_id=user.clinic_id)


def schedule_exception_list(*, user: User) -> QuerySet[ScheduleException]:
    return ScheduleException.objects.filter(clinic_id=user.clinic_id)


def appointment_list(*, user: User) -> QuerySet[Appointment]:
    """Appointments with the patient the calendar shows beside each."""
    return Appointment.objects.for_clinic(user.clinic_id).select_related("patient")


def bookable_chiropractors(*, user: User) -> list[object]:
    """Ids of the clinic's active chiropractors."""
    return list(
        User.objects.filter(
            clinic_id=user.clinic_id, role=Role.CHIROPRACTOR, is_active=True
        ).values_list("pk", flat=True)
    )


def waitlist(*, user: User) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.for_clinic(user.clinic_id).select_related("patient")
