"""The clinic's calendar (FHIR Schedule / Slot / Appointment): appointment types, the hours
each chiropractor works, exceptions to them, and appointments."""

import uuid
from datetime import timedelta
from typing import ClassVar

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from api.concurrency import VersionedModel
from changes.tracking import Action, status_actions, track_changes
from patients.models import Patient
from scheduling.error_codes import SchedulingCode
from tenancy.models import ClinicScopedModel, CurrentClinicRowsManager


class VisitKind(models.TextChoices):
    """What an appointment type is the clinic's default for (DOMAIN.md, Scheduling)."""

    NEW_PATIENT = "new_patient", "New-patient exam"
    REEXAMINATION = "reexamination", "Re-examination"
    REGULAR_VISIT = "regular_visit", "Regular adjustment visit"


@pghistory.track()
class AppointmentType(ClinicScopedModel, VersionedModel):
    """A kind of appointment the clinic books: how long it takes and what it needs around it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(120)]
    )
    minimum_notice_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(20_160)]
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    default_for = models.CharField(max_length=16, choices=VisitKind.choices, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"],
                condition=models.Q(is_active=True),
                name="appointment_type_name_once",
                violation_error_code=SchedulingCode.APPOINTMENT_TYPE_NAME_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["clinic", "default_for"],
                condition=models.Q(is_active=True) & ~models.Q(default_for=""),
                name="appointment_type_one_default",
                violation_error_code=SchedulingCode.APPOINTMENT_TYPE_DEFAULT_TAKEN,
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="appointment_type_duration_range",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "is_active", "name"], name="appointment_type_name_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


@pghistory.track()
class WorkingHours(ClinicScopedModel, VersionedModel):
    """One range of a chiropractor's weekly hours, on the clinic's wall clock; a day may have
    several (morning and afternoon). Removing one stamps `removed_at`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chiropractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CurrentClinicRowsManager["WorkingHours"]] = CurrentClinicRowsManager()
    all_rows = models.Manager()

    class Meta:
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="working_hours_start_before_end",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_until")),
                name="working_hours_valid_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinic", "chiropractor", "weekday", "start_time"],
                name="working_hours_week_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ExceptionKind(models.TextChoices):
    TIME_OFF = "time_off", "Time off"
    EXTRA_HOURS = "extra_hours", "Extra hours"


@pghistory.track()
class ScheduleException(ClinicScopedModel, VersionedModel):
    """Time off or extra hours for one chiropractor, once or repeating (an RFC 5545 rule on
    the clinic's wall clock). `last_ends_at` is when the last occurrence ends (null: never),
    so that a window's exceptions are found by an index."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chiropractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=ExceptionKind.choices)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    recurrence = models.CharField(max_length=200, blank=True)
    last_ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CurrentClinicRowsManager["ScheduleException"]] = CurrentClinicRowsManager()
    all_rows = models.Manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_at__lt=models.F("end_at")),
                name="schedule_exception_start_before_end",
            )
        ]
        indexes = [
            models.Index(
                fields=["clinic", "chiropractor", "start_at"], name="schedule_exception_start_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_at:%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    """booked → arrived → completed, or cancelled, or no-show (DOMAIN.md)."""

    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Appointments that hold the chiropractor's time: two of these may never overlap.
HOLDING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.COMPLETED,
)


class CancellationReason(models.TextChoices):
    FEELING_BETTER = "feeling_better", "Feeling better"
    CONDITION_WORSE = "condition_worse", "Condition worse"
    SICK = "sick", "Sick"
    AWAY = "away", "Away"
    WORK = "work", "Work"
    COST = "cost", "Cost"
    CLINIC = "clinic", "The clinic cancelled"
    OTHER = "other", "Other"


@track_changes(
    "appointment",
    clinical=False,
    actions=(
        *status_actions(
            "status",
            {
                "cancelled": "cancelled",
                "arrived": "arrived",
                "completed": "completed",
                "no_show": "no_show",
                "booked": "rebooked",
            },
        ),
        Action("rescheduled", pgtrigger.AnyChange("start_at", "end_at", "chiropractor")),
    ),
)
@pghistory.track()
class Appointment(ClinicScopedModel, VersionedModel):
    """A patient booked with a chiropractor. Moving it keeps its history (django-pghistory);
    cancelling keeps the row, with the reason, who and when. The database refuses two holding
    appointments of one chiropractor that overlap (see the migration's trigger)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    chiropractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        "treatments.TreatmentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    visit = models.ForeignKey(
        "treatments.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(120)]
    )
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    desk_notes = models.TextField(blank=True, max_length=2000)
    booked_by_override = models.BooleanField(default=False)
    cancellation_reason = models.CharField(
        max_length=16, choices=CancellationReason.choices, blank=True
    )
    cancellation_note = models.CharField(max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    times_moved = models.PositiveSmallIntegerField(default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_at__lt=models.F("end_at"))
                & models.Q(end_at__lte=models.F("start_at") + timedelta(days=1)),
                name="appointment_start_before_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancellation_reason=""),
                name="appointment_cancelled_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "start_at"], name="appointment_start_idx"),
            models.Index(
                fields=["clinic", "chiropractor", "start_at"], name="appointment_chiro_idx"
            ),
            models.Index(fields=["clinic", "patient", "start_at"], name="appointment_patient_idx"),
            models.Index(fields=["clinic", "status", "start_at"], name="appointment_status_idx"),
            models.Index(fields=["clinic", "plan", "start_at"], name="appointment_plan_idx"),
            models.Index(fields=["clinic", "created_at"], name="appointment_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} with {self.chiropractor_id} at {self.start_at:%Y-%m-%d %H:%M}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    BOOKED = "booked", "Booked"
    WITHDRAWN = "withdrawn", "Withdrawn"


@track_changes(
    "waitlist_entry",
    clinical=False,
    actions=status_actions("status", {"booked": "booked", "withdrawn": "withdrawn"}),
)
@pghistory.track()
class WaitlistEntry(ClinicScopedModel, VersionedModel):
    """A patient waiting for an earlier time: with whom (or anyone), for what, on which days
    and between which times of day (the clinic's wall clock), from and until which dates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    chiropractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices), default=list, blank=True
    )
    earliest_time = models.TimeField(null=True, blank=True)
    latest_time = models.TimeField(null=True, blank=True)
    from_date = models.DateField(null=True, blank=True)
    until_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(earliest_time__isnull=True)
                | models.Q(latest_time__isnull=True)
                | models.Q(earliest_time__lt=models.F("latest_time")),
                name="waitlist_times_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(from_date__isnull=True)
                | models.Q(until_date__isnull=True)
                | models.Q(from_date__lte=models.F("until_date")),
                name="waitlist_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "created_at"], name="waitlist_status_idx"),
            models.Index(fields=["clinic", "patient", "created_at"], name="waitlist_patient_idx"),
            models.Index(
                fields=["clinic", "chiropractor", "created_at"], name="waitlist_chiro_idx"
            ),
            models.Index(fields=["clinic", "created_at"], name="waitlist_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} waiting for {self.appointment_type_id}"


class CalendarFeed(ClinicScopedModel):
    """A chiropractor's iCalendar feed of their appointments, read by a calendar app through a
    secret URL. Only the secret's SHA-256 is kept; revoking stamps `revoked_at`, and a new
    feed revokes the one before."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    secret_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            )
        ]
        indexes = [models.Index(fields=["clinic", "user", "created_at"], name="feed_user_idx")]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
