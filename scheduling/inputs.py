"""What the calendar's writes take: each service's keyword arguments, declared and typed.

A serializer is the shape of a request; its validated data is passed to the service as these
keywords (`tests/test_service_inputs.py` holds each serializer to its service's keywords)."""

from datetime import date, datetime, time
from typing import TypedDict

from clinics.models import User
from patients.models import Patient
from scheduling.models import AppointmentType
from treatments.models import TreatmentPlan


class AppointmentTypeFields(TypedDict, total=False):
    name: str
    duration_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    slot_step_minutes: int
    default_for: str
    is_active: bool


class WorkingHoursFields(TypedDict, total=False):
    chiropractor: User
    weekday: str
    start_time: time
    end_time: time
    valid_from: date | None
    valid_until: date | None


class ScheduleExceptionFields(TypedDict, total=False):
    chiropractor: User
    kind: str
    start_at: datetime
    end_at: datetime
    recurrence: str
    reason: str


class AppointmentFields(TypedDict, total=False):
    patient: Patient
    chiropractor: User
    appointment_type: AppointmentType
    plan: TreatmentPlan | None
    start_at: datetime
    desk_notes: str


class WaitlistEntryFields(TypedDict, total=False):
    patient: Patient
    chiropractor: User | None
    appointment_type: AppointmentType
    weekdays: list[int]
    earliest_time: time | None
    latest_time: time | None
    from_date: date | None
    until_date: date | None
    note: str
    status: str
