"""Reads of the calendar, scoped to the caller's clinic."""

from django.db.models import QuerySet

from clinics.models import User
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


def waitlist(*, user: User) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.for_clinic(user.clinic_id).select_related("patient")
